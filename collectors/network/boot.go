package network

import (
	"net"
	"strings"

	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/inventory"
)

// Boot parameter sources, in the order they are trusted.
const (
	sourceBOOTIF = "BOOTIF"
	sourceHWAddr = "hw_addr"
	sourceIP     = "ip"
)

// BootSpec is what the kernel command line says about the boot interface:
// a MAC address or an interface name.
type BootSpec struct {
	// MAC is the boot MAC, lower case colon separated, when given.
	MAC string
	// Device is the interface name, when given (ip=).
	Device string
	// Source is the parameter: "BOOTIF", "hw_addr" or "ip".
	Source string
}

// ParseBoot finds the boot interface on a kernel command line:
//
//   - BOOTIF=01-52-54-00-12-34-56, which PXELINUX's IPAPPEND 2 and iPXE
//     scripts add: the ARP hardware type (01, Ethernet), then the MAC;
//   - hw_addr=52:54:00:12:34:56, which Tinkerbell's Smee adds for Hook;
//   - ip=<client>:<server>:<gw>:<netmask>:<hostname>:<device>:<autoconf>...
//     (Documentation/admin-guide/nfs/nfsroot.rst; IPv6 addresses in
//     brackets as dracut writes them), or dracut's ip=<device>:<autoconf>.
//
// The first of these that names an interface wins; malformed values are
// skipped.
func ParseBoot(params cmdline.Params) (BootSpec, bool) {
	if v, ok := params.Get("BOOTIF"); ok {
		if mac, ok := parseBOOTIF(v); ok {
			return BootSpec{MAC: mac, Source: sourceBOOTIF}, true
		}
	}
	if v, ok := params.Get("hw_addr"); ok {
		if mac, err := net.ParseMAC(strings.TrimSpace(v)); err == nil {
			return BootSpec{MAC: mac.String(), Source: sourceHWAddr}, true
		}
	}
	if v, ok := params.Get("ip"); ok {
		if dev := ipDevice(v); dev != "" {
			return BootSpec{Device: dev, Source: sourceIP}, true
		}
	}
	return BootSpec{}, false
}

// parseBOOTIF accepts "01-52-54-00-12-34-56" (hardware type 01 first) and,
// as some scripts write it, the bare MAC with dashes or colons.
func parseBOOTIF(v string) (string, bool) {
	v = strings.ReplaceAll(strings.TrimSpace(v), "-", ":")
	parts := strings.Split(v, ":")
	if len(parts) == 7 {
		if parts[0] != "01" {
			return "", false // not Ethernet
		}
		v = strings.Join(parts[1:], ":")
	}
	mac, err := net.ParseMAC(v)
	if err != nil || len(mac) != 6 {
		return "", false
	}
	return mac.String(), true
}

// autoconf are the methods ip= can name (kernel and dracut).
var autoconf = map[string]bool{
	"off": true, "none": true, "on": true, "any": true, "dhcp": true, "bootp": true, "rarp": true,
	"both": true, "dhcp6": true, "auto6": true, "either6": true, "link6": true, "ibft": true,
}

// ipDevice returns the device field of an ip= value, or "" when it has
// none or names no valid interface.
func ipDevice(v string) string {
	f := splitIPFields(v)
	var dev string
	switch {
	case len(f) >= 6:
		dev = f[5]
	case len(f) >= 2 && autoconf[f[1]] && !autoconf[f[0]]:
		dev = f[0] // dracut's ip=<interface>:<autoconf>[:...]
	}
	if !validIfName(dev) {
		return ""
	}
	return dev
}

// validIfName applies the kernel's dev_valid_name: 1 to 15 bytes, not "."
// or "..", no '/', ':' or white space.
func validIfName(name string) bool {
	if name == "" || len(name) > 15 || name == "." || name == ".." {
		return false
	}
	return !strings.ContainsAny(name, "/: \t\n\v\f\r")
}

// splitIPFields splits on colons outside brackets ("[fd00::2]::...").
func splitIPFields(v string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

// findBoot marks the boot interface among nics and returns the section's
// Boot. A MAC matches a physical NIC's permanent address first, then a
// physical NIC's current address, then any interface's.
func findBoot(spec BootSpec, nics []inventory.NIC) *inventory.BootInterface {
	b := &inventory.BootInterface{MAC: spec.MAC, Source: spec.Source}
	idx := -1
	if spec.Device != "" {
		for i := range nics {
			if nics[i].Name == spec.Device {
				idx = i
				b.MAC = nics[i].MAC
			}
		}
	} else {
		matchers := []func(n *inventory.NIC) bool{
			func(n *inventory.NIC) bool { return n.Kind == inventory.NICPhysical && n.PermanentMAC == spec.MAC },
			func(n *inventory.NIC) bool { return n.Kind == inventory.NICPhysical && n.MAC == spec.MAC },
			func(n *inventory.NIC) bool { return n.MAC == spec.MAC || n.PermanentMAC == spec.MAC },
		}
	search:
		for _, m := range matchers {
			for i := range nics {
				if m(&nics[i]) {
					idx = i
					break search
				}
			}
		}
	}
	if idx >= 0 {
		nics[idx].Boot = true
		b.Interface = nics[idx].Name
	}
	return b
}
