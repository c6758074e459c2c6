package network

import (
	"bytes"
	"net"
)

// Link is what netlink says about one link of the agent's network
// namespace.
type Link struct {
	Index int
	Name  string
	// MAC is the current address (IFLA_ADDRESS).
	MAC net.HardwareAddr
	// PermMAC is the permanent address (IFLA_PERM_ADDRESS, Linux 5.6+),
	// empty when the device has none.
	PermMAC net.HardwareAddr
	// VLANID and ParentIndex are set for 802.1Q links.
	VLANID      int
	ParentIndex int
	// Addrs are the link's IP addresses in CIDR notation, in the kernel's
	// order (primary first).
	Addrs []string
}

// DriverInfo is the answer to ETHTOOL_GDRVINFO.
type DriverInfo struct {
	Driver, Version, FirmwareVersion, BusInfo string
}

// linkInfo is the agent's view of its own network namespace.
type linkInfo interface {
	// Links lists every link with its addresses.
	Links() ([]Link, error)
	// DriverInfo asks the driver of the named link about itself.
	DriverInfo(name string) (DriverInfo, error)
	Close() error
}

// linkIndex finds netlink links that are the interfaces sysfs describes.
type linkIndex struct {
	byName  map[string]*Link
	byIndex map[int]*Link
}

func newLinkIndex(links []Link) linkIndex {
	li := linkIndex{byName: make(map[string]*Link, len(links)), byIndex: make(map[int]*Link, len(links))}
	for i := range links {
		li.byName[links[i].Name] = &links[i]
		li.byIndex[links[i].Index] = &links[i]
	}
	return li
}

// match returns the netlink link that is the sysfs interface name with
// ifindex and current MAC mac, or nil when the agent's namespace has no such
// link (another namespace's sysfs, or a replayed tree).
func (li linkIndex) match(name string, ifindex int, mac net.HardwareAddr) *Link {
	l := li.byName[name]
	if l == nil || ifindex <= 0 || l.Index != ifindex || !bytes.Equal(l.MAC, mac) {
		return nil
	}
	return l
}
