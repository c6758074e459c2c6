package hostpaths

import "net"

// NetLink is what netlink says about one link of the host's network
// namespace.
type NetLink struct {
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

// Network is the host's network namespace as netlink and ethtool see it.
type Network interface {
	// Links lists every link with its addresses.
	Links() ([]NetLink, error)
	// DriverInfo asks the driver of the named link about itself. A driver
	// without the operation answers an error wrapping EOPNOTSUPP.
	DriverInfo(name string) (DriverInfo, error)
	Close() error
}
