package bmc

import (
	"errors"
	"io/fs"

	"github.com/hwagent/hwagent/hostpaths"
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
