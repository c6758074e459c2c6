package virt

import (
	"fmt"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// virtualPCI are PCI functions that exist only inside a hypervisor, by
// vendor ("1af4") or vendor:device ("1234:1111"). virtio (1af4) alone is
// not decisive: SmartNICs and DPUs present virtio functions to bare-metal
// hosts too.
var virtualPCI = []struct {
	id, hypervisor, what string
	decisive             bool
}{
	{"1b36", "qemu", "QEMU (Red Hat) emulated device", true},
	{"1234:1111", "qemu", "QEMU standard VGA (Bochs)", true},
	{"15ad", "vmware", "VMware virtual device", true},
	{"80ee", "oracle", "VirtualBox device", true},
	{"5853:0001", "xen", "Xen platform device", true},
	{"1414:5353", "microsoft", "Hyper-V VGA", true},
	{"1af4", "", "virtio device (not decisive alone)", false},
}

// pciEvidence looks at the PCI section for functions of virtualPCI: one
// piece of evidence per kind found, with the first address.
func pciEvidence(p *inventory.PCI) []evidence {
	if p == nil {
		return nil
	}
	var out []evidence
	seen := map[string]bool{}
	for _, d := range p.Devices {
		v, dev := strings.ToLower(d.VendorID), strings.ToLower(d.DeviceID)
		for _, k := range virtualPCI {
			if (k.id != v && k.id != v+":"+dev) || seen[k.id] {
				continue
			}
			seen[k.id] = true
			out = append(out, evidence{Source: SourcePCI, Virtual: true, Hypervisor: k.hypervisor,
				Detail: fmt.Sprintf("%s %s:%s at %s", k.what, v, dev, d.Address)})
		}
	}
	return out
}
