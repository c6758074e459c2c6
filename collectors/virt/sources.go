package virt

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/smbios"
)

// Source names, as inventory.VirtualizationEvidence.Source.
const (
	SourceCPUID         = "cpuid"
	SourceCPUInfo       = "cpuinfo"
	SourceClocksource   = "clocksource"
	SourceSysHypervisor = "sys_hypervisor"
	SourceDeviceTree    = "device_tree"
	SourceSMBIOS        = "smbios"
	SourceDMIID         = "dmi_id"
	SourcePCI           = "pci"
)

type evidence = inventory.VirtualizationEvidence

// sources reads one host, collecting unexpected errors as warnings.
type sources struct {
	p *hostpaths.Paths
	w *collector.Warnings
}

func (s sources) read(name string) (string, bool) {
	v, err := s.p.ReadString(name)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			s.w.Addf("read %s: %v", s.p.HostPath(name), err)
		}
		return "", false
	}
	return v, true
}

// cpuid reads the hypervisor leaves through the kernel's cpuid driver. On
// a recording, a machine that is not x86, or a kernel without the driver
// it says nothing.
func (s sources) cpuid() []evidence {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		return nil
	}
	node := s.p.Dev("cpu", "0", "cpuid")
	f, err := s.p.OpenDevice(node)
	if err != nil {
		if !errors.Is(err, hostpaths.ErrRecorded) && !errors.Is(err, fs.ErrNotExist) && !hostpaths.Ignorable(err) {
			s.w.Addf("open %s: %v", s.p.HostPath(node), err)
		}
		return nil
	}
	defer f.Close()
	leaf1 := make([]byte, 16)
	if _, err := f.ReadAt(leaf1, leafFeatures); err != nil {
		s.w.Addf("read %s leaf 1: %v", s.p.HostPath(node), err)
		return nil
	}
	leaf40 := make([]byte, 16)
	if _, err := f.ReadAt(leaf40, leafHypervisor); err != nil {
		leaf40 = nil
	}
	c, err := ParseCPUID(leaf1, leaf40)
	if err != nil {
		s.w.Add(err)
		return nil
	}
	e := evidence{Source: SourceCPUID, Virtual: c.HypervisorBit}
	switch {
	case c.Signature != "":
		e.Virtual = true
		e.Hypervisor = cpuidVendors()[c.Signature]
		e.Detail = fmt.Sprintf("leaf 0x40000000 signature %q", c.Signature)
		if !c.HypervisorBit {
			e.Detail += " (hypervisor bit clear)"
		}
	case c.HypervisorBit:
		e.Detail = "hypervisor bit set, no vendor signature"
	default:
		e.Detail = "hypervisor bit clear"
	}
	return []evidence{e}
}

// cpuinfoFlag looks for the x86 "hypervisor" flag in /proc/cpuinfo.
func (s sources) cpuinfoFlag(flags []string) []evidence {
	for _, f := range flags {
		if f == "hypervisor" {
			return []evidence{{Source: SourceCPUInfo, Virtual: true, Detail: `flag "hypervisor"`}}
		}
	}
	return nil
}

// clocksources are the paravirtual clocks the kernel registers only under
// the hypervisor that provides them.
var clocksources = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"kvm-clock":                   "kvm",
		"hyperv_clocksource_tsc_page": "microsoft",
		"hyperv_clocksource_msr":      "microsoft",
		"xen":                         "xen",
	}
})

func (s sources) clocksource() []evidence {
	v, ok := s.read(s.p.Sys("devices", "system", "clocksource", "clocksource0", "available_clocksource"))
	if !ok {
		return nil
	}
	for _, c := range strings.Fields(v) {
		if hv, ok := clocksources()[c]; ok {
			return []evidence{{Source: SourceClocksource, Virtual: true, Hypervisor: hv, Detail: fmt.Sprintf("paravirtual clocksource %q", c)}}
		}
	}
	return nil
}

// xenFeatureDom0 is XENFEAT_dom0: the kernel runs as Xen's control domain,
// the host of the other guests, not a VM (systemd says the same).
const xenFeatureDom0 = 1 << 11

func (s sources) sysHypervisor() []evidence {
	typ, ok := s.read(s.p.Sys("hypervisor", "type"))
	if !ok || typ == "" {
		return nil
	}
	e := evidence{Source: SourceSysHypervisor, Virtual: true, Hypervisor: strings.ToLower(typ), Detail: fmt.Sprintf("/sys/hypervisor/type %q", typ)}
	if typ == "xen" {
		if f, ok := s.read(s.p.Sys("hypervisor", "properties", "features")); ok {
			var feat uint64
			if _, err := fmt.Sscanf(f, "%x", &feat); err == nil && feat&xenFeatureDom0 != 0 {
				e.Virtual = false
				e.Detail += ", dom0 (the Xen host)"
			}
		}
	}
	return []evidence{e}
}

// deviceTree reads the device tree's hypervisor node (arm64 KVM and Xen
// guests) and the POWER partition properties, as systemd does.
func (s sources) deviceTree() []evidence {
	base := s.p.Proc("device-tree")
	if v, ok := s.read(filepath.Join(base, "hypervisor", "compatible")); ok {
		v = strings.ReplaceAll(v, "\x00", " ")
		hv := ""
		switch {
		case strings.Contains(v, "linux,kvm"):
			hv = "kvm"
		case strings.Contains(v, "xen"):
			hv = "xen"
		case strings.Contains(v, "vmware"):
			hv = "vmware"
		}
		return []evidence{{Source: SourceDeviceTree, Virtual: true, Hypervisor: hv, Detail: fmt.Sprintf("hypervisor/compatible %q", strings.TrimSpace(v))}}
	}
	if v, ok := s.read(filepath.Join(base, "compatible")); ok && strings.Contains(v, "qemu,pseries") {
		return []evidence{{Source: SourceDeviceTree, Virtual: true, Hypervisor: "qemu", Detail: `compatible "qemu,pseries"`}}
	}
	if s.p.Exists(filepath.Join(base, "ibm,partition-name")) && s.p.Exists(filepath.Join(base, "hmc-managed?")) {
		return []evidence{{Source: SourceDeviceTree, Virtual: true, Hypervisor: "powervm", Detail: "an HMC-managed POWER partition"}}
	}
	return nil
}

// smbiosNames are the SMBIOS hypervisor names in systemd's words.
var smbiosNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		smbios.HypervisorQEMU: "qemu", smbios.HypervisorKVM: "kvm", smbios.HypervisorVMware: "vmware",
		smbios.HypervisorVirtualBox: "oracle", smbios.HypervisorHyperV: "microsoft", smbios.HypervisorXen: "xen",
		smbios.HypervisorParallels: "parallels", smbios.HypervisorBhyve: "bhyve", smbios.HypervisorEC2: "amazon",
		smbios.HypervisorGCE: "google",
	}
})

// firmware asks SMBIOS, else the kernel's DMI digest.
func (s sources) firmware(env *collector.Env) []evidence {
	t, err := env.SMBIOS()
	if err == nil {
		sys, err := t.System()
		if err != nil {
			s.w.Addf("smbios: %v", err)
			return nil
		}
		return []evidence{firmwareEvidence(SourceSMBIOS, sys)}
	}
	if !errors.Is(err, collector.ErrNotApplicable) {
		s.w.Add(err)
	}
	dir := s.p.Sys("class", "dmi", "id")
	vendor, ok := s.read(filepath.Join(dir, "sys_vendor"))
	if !ok {
		return nil
	}
	product, _ := s.read(filepath.Join(dir, "product_name"))
	bios, _ := s.read(filepath.Join(dir, "bios_vendor"))
	sys := &inventory.System{Product: inventory.Product{Manufacturer: vendor, Name: product}, BIOS: inventory.BIOS{Vendor: bios}}
	sys.Virtual, sys.Hypervisor = smbios.DetectVirtual(false, sys)
	return []evidence{firmwareEvidence(SourceDMIID, sys)}
}

func firmwareEvidence(source string, sys *inventory.System) evidence {
	id := strings.TrimSpace(sys.Product.Manufacturer + " " + sys.Product.Name)
	e := evidence{Source: source, Virtual: sys.Virtual, Hypervisor: smbiosNames()[sys.Hypervisor]}
	switch {
	case sys.Virtual && sys.Hypervisor != "":
		e.Detail = fmt.Sprintf("system %q: %s", id, sys.Hypervisor)
	case sys.Virtual:
		e.Detail = fmt.Sprintf("system %q: the BIOS says virtual machine", id)
	default:
		e.Detail = fmt.Sprintf("system %q: no hypervisor vendor", id)
	}
	return e
}
