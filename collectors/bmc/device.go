package bmc

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/ipmi"
)

// deviceCandidates are where ipmi_devintf's node appears: /dev/ipmi0 with
// devtmpfs or udev, /dev/ipmi/0 and /dev/ipmidev/0 with older devfs-style
// rules.
func deviceCandidates(p *hostpaths.Paths) []string {
	return []string{p.Dev("ipmi0"), p.Dev("ipmi", "0"), p.Dev("ipmidev", "0")}
}

// findDevice returns the first candidate that exists; "" when none does.
// Errors other than "not there" are returned too.
func findDevice(p *hostpaths.Paths) (string, error) {
	var errs []error
	for _, c := range deviceCandidates(p) {
		_, err := p.Stat(c)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return "", errors.Join(errs...)
}

// OpenDevice opens the host's in-band IPMI device (/dev/ipmi0,
// /dev/ipmi/0 or /dev/ipmidev/0 under the host's /dev) through the host's
// Machine, for commands other than the collector's: `hwagent bmc
// credentials` and the agent's BMC provisioning. A recorded host answers
// hostpaths.ErrRecorded. The path returned is the host's.
func OpenDevice(p *hostpaths.Paths) (ipmi.Device, string, error) {
	node, err := findDevice(p)
	if node == "" {
		if driver := ipmiDriverProblem(p); driver != "" {
			return nil, "", fmt.Errorf("%w: %s", ErrNoDevice, driver)
		}
		if err == nil {
			err = fmt.Errorf("%w: no %s (load ipmi_si or ipmi_ssif, and ipmi_devintf; the container needs the host's /dev)", ErrNoDevice, p.HostPath(deviceCandidates(p)[0]))
		}
		return nil, "", err
	}
	dev, err := p.Machine().OpenIPMI(node)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", p.HostPath(node), err)
	}
	return dev, p.HostPath(node), nil
}

// ErrNoDevice means the host has no IPMI device node.
var ErrNoDevice = errors.New("no in-band IPMI device")
