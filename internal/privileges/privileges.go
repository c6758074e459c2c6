// Package privileges lists what the agent needs from its container and
// checks what it has. The LinuxKit/Hook manifests in images/ are tested
// against this list, and `hwagent run` warns at start about anything missing,
// so the packaging and the code cannot drift apart.
package privileges

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Capability is a Linux capability the agent uses and why.
type Capability struct {
	Name string // as LinuxKit spells it: "CAP_NET_RAW"
	Bit  uint   // capability number (linux/capability.h)
	Why  string
	// Modes lists the agent commands that need it.
	Modes []string
}

// Bind is a host path the container must see, and where.
type Bind struct {
	Host      string
	Container string
	ReadOnly  bool
	Why       string
}

// Capabilities the agent needs.
var Capabilities = []Capability{
	{"CAP_NET_RAW", 13, "AF_PACKET sockets to hear LLDP and CDP frames", []string{"run"}},
	{"CAP_NET_ADMIN", 12, "bring down links up to hear LLDP (--lldp-link-up) and join LLDP multicast groups", []string{"run"}},
	{"CAP_SYS_BOOT", 22, "reboot(2) for the server's reboot and power-off actions", []string{"run"}},
	{"CAP_DAC_READ_SEARCH", 2, "read root-only files (the raw SMBIOS table, SCSI VPD pages) whatever the container's user", []string{"run", "register"}},
	{"CAP_SYS_ADMIN", 21, "only for --lldp-stop-firmware-agent: write to debugfs to stop the i40e firmware LLDP agent", []string{"lldp-stop-firmware-agent"}},
}

// Binds the agent reads the host through (Hook's layout).
var Binds = []Bind{
	{"/proc", "/host/proc", true, "CPU, memory, kernel command line (configuration and boot NIC)"},
	{"/sys", "/host/sys", true, "SMBIOS tables, topology, disks, NICs, PCI, firmware"},
	{"/dev", "/host/dev", false, "/dev/ipmi0 for the BMC, /dev/tpmrm0 (or /dev/tpm0) for the TPM's endorsement key and challenges, /dev/disk/by-* links"},
	{"/run/udev", "/host/run/udev", true, "udev database for disk serials when the OS runs udev"},
	{"/etc/os-release", "/host/etc/os-release", true, "the in-memory OS's name and version (HookOS …) in the inventory"},
	{"/var/run/worker", "/host/run/worker", true, "tink-worker's workflow directories: once a workflow has started, no reboot or power-off"},
	{"/lib/modules", "/host/lib/modules", true, "tell a kernel without IPMI support (Hook's default kernel) from an IPMI driver not loaded"},
}

// Namespace is a host namespace the container must share.
type Namespace struct {
	Name  string // LinuxKit's key: "net", "pid"
	Why   string
	Modes []string
}

// Namespaces the agent must share with the host.
var Namespaces = []Namespace{
	{"net", "the host's NICs, addresses and LLDP frames", []string{"run", "register"}},
	{"pid", "reboot(2) from a child PID namespace only ends that namespace's init, not the machine", []string{"run"}},
	{"uts", "the inventory's hostname is read from the agent's own UTS namespace (/proc/sys/kernel/hostname): a container's own one names the container, not the machine", []string{"run", "register"}},
}

// KernelModules the host must load for the BMC to be reachable.
var KernelModules = []string{"ipmi_si", "ipmi_devintf"}

// Effective parses CapEff from /proc/self/status.
func Effective(status []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, fmt.Errorf("no CapEff line in /proc/self/status")
}

// Missing returns the capabilities mode needs that eff lacks.
func Missing(eff uint64, mode string) []Capability {
	var out []Capability
	for _, c := range Capabilities {
		for _, m := range c.Modes {
			if m == mode && eff&(1<<c.Bit) == 0 {
				out = append(out, c)
				break
			}
		}
	}
	return out
}
