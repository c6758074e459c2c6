package lldp

import (
	"fmt"

	"github.com/mdlayher/ethtool"
)

// PrivateFlags reads and sets ethtool private flags
// (ETHTOOL_MSG_PRIVFLAGS): how the firmware LLDP agent of an Intel i40e or
// ice NIC, which consumes LLDP frames before the OS sees them, is stopped.
type PrivateFlags interface {
	PrivateFlags(ifname string) (map[string]bool, error)
	SetPrivateFlags(ifname string, flags map[string]bool) error
}

// Ethtool is PrivateFlags over ethtool's generic netlink family, in the
// calling thread's network namespace.
type Ethtool struct{}

// PrivateFlags implements PrivateFlags.
func (Ethtool) PrivateFlags(ifname string) (map[string]bool, error) {
	c, err := ethtool.New()
	if err != nil {
		return nil, fmt.Errorf("ethtool: %w", err)
	}
	defer c.Close()
	pf, err := c.PrivateFlags(ethtool.Interface{Name: ifname})
	if err != nil {
		return nil, fmt.Errorf("ethtool private flags of %s: %w", ifname, err)
	}
	return pf.Flags, nil
}

// SetPrivateFlags implements PrivateFlags.
func (Ethtool) SetPrivateFlags(ifname string, flags map[string]bool) error {
	c, err := ethtool.New()
	if err != nil {
		return fmt.Errorf("ethtool: %w", err)
	}
	defer c.Close()
	if err := c.SetPrivateFlags(ethtool.PrivateFlags{Interface: ethtool.Interface{Name: ifname}, Flags: flags}); err != nil {
		return fmt.Errorf("set ethtool private flags of %s: %w", ifname, err)
	}
	return nil
}
