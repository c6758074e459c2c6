package lldp

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
)

// LinkController reads and sets the administrative state of interfaces.
type LinkController interface {
	// AdminUp reports whether the interface is administratively up.
	AdminUp(ifname string) (bool, error)
	// SetAdminUp brings the interface up or down.
	SetAdminUp(ifname string, up bool) error
}

// Netlink is the LinkController over rtnetlink. It acts in the network
// namespace of the calling thread and needs CAP_NET_ADMIN to set links.
type Netlink struct{}

// AdminUp implements LinkController.
func (Netlink) AdminUp(ifname string) (bool, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return false, fmt.Errorf("link %s: %w", ifname, err)
	}
	return l.Attrs().Flags&net.FlagUp != 0, nil
}

// SetAdminUp implements LinkController.
func (Netlink) SetAdminUp(ifname string, up bool) error {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("link %s: %w", ifname, err)
	}
	if up {
		err = netlink.LinkSetUp(l)
	} else {
		err = netlink.LinkSetDown(l)
	}
	if err != nil {
		return fmt.Errorf("set link %s up=%t: %w", ifname, up, err)
	}
	return nil
}

// BringUp brings every named interface that is administratively down up,
// and returns the ones it changed and a function that puts exactly those
// back down. Call restore even when err is non-nil: err reports the
// interfaces that could not be read or brought up, the others were.
func BringUp(lc LinkController, names []string) (changed []string, restore func() error, err error) {
	var errs []error
	for _, name := range names {
		up, err := lc.AdminUp(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if up {
			continue
		}
		if err := lc.SetAdminUp(name, true); err != nil {
			errs = append(errs, err)
			continue
		}
		changed = append(changed, name)
	}
	restore = func() error {
		var errs []error
		for _, name := range changed {
			errs = append(errs, lc.SetAdminUp(name, false))
		}
		return errors.Join(errs...)
	}
	return changed, restore, errors.Join(errs...)
}
