//go:build !linux

package ipmi

import (
	"errors"
	"fmt"
)

// Open fails: the IPMI system interface is reached through Linux's
// ipmi_devintf only.
func Open(path string) (*SystemInterface, error) {
	return nil, fmt.Errorf("open %s: %w", path, errors.ErrUnsupported)
}
