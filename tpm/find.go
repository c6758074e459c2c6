package tpm

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/hwagent/hwagent/hostpaths"
)

// ErrNoTPM means the host shows no TPM device node.
var ErrNoTPM = errors.New("no TPM")

// Candidates are the device nodes tried, in order: the kernel's resource
// manager /dev/tpmrm0 (Linux 4.12+; any number of openers, and whatever a
// dead opener left loaded is flushed), then the raw /dev/tpm0.
func Candidates(p *hostpaths.Paths) []string {
	return []string{p.Dev("tpmrm0"), p.Dev("tpm0")}
}

// Find returns the first candidate that exists, with what stat says about
// it; an error wrapping ErrNoTPM when none does.
func Find(p *hostpaths.Paths) (string, fs.FileInfo, error) {
	var errs []error
	for _, c := range Candidates(p) {
		fi, err := p.Stat(c)
		if err == nil {
			return c, fi, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return "", nil, errors.Join(errs...)
	}
	return "", nil, fmt.Errorf("%w: no %s or %s", ErrNoTPM, p.HostPath(p.Dev("tpmrm0")), p.HostPath(p.Dev("tpm0")))
}

// HostOpener opens the host's TPM through its Machine
// (hostpaths.Machine.OpenTPM: the kernel's device node on a live host,
// ErrRecorded on a recording), found anew at each call (the agent may
// start before the kernel created the node).
func HostOpener(p *hostpaths.Paths) Opener {
	return func() (Device, error) {
		path, _, err := Find(p)
		if err != nil {
			return nil, err
		}
		rwc, err := p.Machine().OpenTPM(path)
		if errors.Is(err, syscall.EBUSY) {
			err = ErrBusy
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.HostPath(path), err)
		}
		return NewDevice(rwc), nil
	}
}
