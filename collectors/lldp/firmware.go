package lldp

import (
	"errors"
	"fmt"
	"os"

	"github.com/hwagent/hwagent/hostpaths"
	wire "github.com/hwagent/hwagent/lldp"
)

// firmwareAgentDrivers are the drivers of NICs whose firmware runs its own
// LLDP agent, which consumes LLDP frames before the OS sees them.
var firmwareAgentDrivers = map[string]bool{"i40e": true, "ice": true}

// hasFirmwareAgent reports whether the NIC's firmware may swallow LLDP.
func hasFirmwareAgent(n NIC) bool { return firmwareAgentDrivers[n.Driver] }

// firmwareHint is the warning for a NIC whose firmware agent may have
// consumed the frames.
func firmwareHint(n NIC) string {
	return fmt.Sprintf("%s firmware LLDP agent may consume LLDP frames on %s; use --lldp-stop-firmware-agent", n.Driver, n.Name)
}

// Private flags that stop the firmware LLDP agent, and the value that does.
var stopFlags = map[string]struct {
	flag string
	set  bool
}{
	"i40e": {"disable-fw-lldp", true},
	"ice":  {"fw-lldp-agent", false},
}

// stopFirmwareAgent stops the firmware LLDP agent of an i40e or ice NIC:
// through its ethtool private flag when the driver has it, else (i40e
// before Linux 4.19) by writing "lldp stop" to the driver's debugfs command
// file, /sys/kernel/debug/i40e/PCI/command.
func stopFirmwareAgent(p *hostpaths.Paths, pf wire.PrivateFlags, n NIC) error {
	sf, ok := stopFlags[n.Driver]
	if !ok {
		return nil
	}
	flags, err := pf.PrivateFlags(n.Name)
	if err == nil {
		cur, has := flags[sf.flag]
		switch {
		case has && cur == sf.set:
			return nil
		case has:
			return pf.SetPrivateFlags(n.Name, map[string]bool{sf.flag: sf.set})
		}
	}
	if n.Driver != "i40e" || n.PCI == "" {
		if err == nil {
			err = fmt.Errorf("no private flag %s", sf.flag)
		}
		return fmt.Errorf("stop %s firmware LLDP agent on %s: %w", n.Driver, n.Name, err)
	}
	cmd := p.Sys("kernel", "debug", "i40e", n.PCI, "command")
	if werr := writeExisting(cmd, "lldp stop"); werr != nil {
		return fmt.Errorf("stop i40e firmware LLDP agent on %s: %w", n.Name, errors.Join(err, werr))
	}
	return nil
}

// writeExisting writes s to an existing file (a debugfs or sysfs control
// file); it never creates one.
func writeExisting(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
