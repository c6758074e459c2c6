//go:build !linux

package agent

import "errors"

// Kernel is the real Power; only Linux has it.
type Kernel struct{}

var errNotLinux = errors.New("reboot(2): only on Linux")

// Reboot fails: only Linux is supported.
func (Kernel) Reboot() error { return errNotLinux }

// PowerOff fails: only Linux is supported.
func (Kernel) PowerOff() error { return errNotLinux }
