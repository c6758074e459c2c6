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

// findDevice returns the first candidate that exists, with its file info;
// "" when none does. Errors other than "not there" are returned too.
func findDevice(p *hostpaths.Paths) (string, fs.FileInfo, error) {
	var errs []error
	for _, c := range deviceCandidates(p) {
		fi, err := p.Stat(c)
		if err == nil {
			return c, fi, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return "", nil, errors.Join(errs...)
}

// Opener opens the IPMI device node at path (an agent path); fi is what
// stat said about it.
type Opener func(path string, fi fs.FileInfo) (ipmi.Device, error)

// errNotCharDevice means the node is a plain file: a host tree replayed
// from a snapshot, which records device nodes but not the BMC behind them.
var errNotCharDevice = errors.New("not a character device")

// openSystemInterface opens a real /dev/ipmi0.
func openSystemInterface(path string, fi fs.FileInfo) (ipmi.Device, error) {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return nil, fmt.Errorf("%s: %w", path, errNotCharDevice)
	}
	return ipmi.Open(path)
}
