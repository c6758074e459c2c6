//go:build !linux

package ipmi

import (
	"context"
	"errors"
	"fmt"
)

// SystemInterface is the Linux IPMI device; other systems have none.
type SystemInterface struct{}

// Open fails: the IPMI system interface is reached through Linux's
// ipmi_devintf only.
func Open(path string) (*SystemInterface, error) {
	return nil, fmt.Errorf("open %s: %w", path, errors.ErrUnsupported)
}

// Path is empty.
func (*SystemInterface) Path() string { return "" }

// Send fails.
func (*SystemInterface) Send(context.Context, uint8, uint8, []byte) ([]byte, error) {
	return nil, errors.ErrUnsupported
}

// Close does nothing.
func (*SystemInterface) Close() error { return nil }
