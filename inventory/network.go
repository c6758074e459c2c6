package inventory

// Network lists the machine's network interfaces.
type Network struct {
	// Interfaces are every interface in /sys/class/net except loopback, in
	// name order.
	Interfaces []NIC `json:"interfaces"`
	// Boot identifies the interface the machine netbooted from, when the
	// kernel command line says (BOOTIF=, hw_addr=, ip=).
	Boot *BootInterface `json:"boot,omitempty"`
}

// NIC kinds.
const (
	NICPhysical = "physical"
	NICVirtual  = "virtual"
	NICBond     = "bond"
	NICBridge   = "bridge"
	NICVLAN     = "vlan"
)

// NIC is one network interface.
type NIC struct {
	Name string `json:"name"`
	// Kind is one of physical, virtual, bond, bridge, vlan.
	Kind string `json:"kind"`
	// MAC is the current address (/sys/class/net/NAME/address).
	MAC string `json:"mac,omitempty"`
	// PermanentMAC is the burned-in address (ETHTOOL_GPERMADDR via netlink
	// IFLA_PERM_ADDRESS, or a bond slave's perm_hwaddr); equals MAC on most
	// NICs but survives bonding and userspace changes.
	PermanentMAC string `json:"permanent_mac,omitempty"`
	// Driver is the kernel driver bound to the device (device/driver link).
	Driver string `json:"driver,omitempty"`
	// DriverVersion, FirmwareVersion and BusInfo come from ethtool's driver
	// info (ETHTOOL_GDRVINFO).
	DriverVersion   string `json:"driver_version,omitempty"`
	FirmwareVersion string `json:"firmware_version,omitempty"`
	BusInfo         string `json:"bus_info,omitempty"`
	// PCI identifies the PCI function behind the interface; for virtio NICs
	// it is the virtio device's parent.
	PCI *PCIRef `json:"pci,omitempty"`
	// SpeedMbps and Duplex as negotiated; absent while the link is down.
	SpeedMbps uint32 `json:"speed_mbps,omitempty"`
	Duplex    string `json:"duplex,omitempty"`
	// Carrier is true when the link is up (/sys/class/net/NAME/carrier).
	Carrier bool `json:"carrier"`
	// OperState is RFC 2863 operstate ("up", "down", "dormant", "unknown").
	OperState string `json:"oper_state,omitempty"`
	// AdminUp is true when the interface is administratively up (IFF_UP).
	AdminUp bool   `json:"admin_up"`
	MTU     uint32 `json:"mtu,omitempty"`
	// Addresses are the interface's IP addresses in CIDR notation.
	Addresses []string `json:"addresses,omitempty"`
	// Master is the bond or bridge this interface belongs to.
	Master string `json:"master,omitempty"`
	// Members are the interfaces enslaved to a bond or bridge.
	Members []string `json:"members,omitempty"`
	// VLANID and Parent for VLAN interfaces.
	VLANID uint16 `json:"vlan_id,omitempty"`
	Parent string `json:"parent,omitempty"`
	// Boot is true for the interface the machine netbooted from.
	Boot bool `json:"boot,omitempty"`
	// Neighbors are the LLDP/CDP neighbours heard on this interface.
	Neighbors []Neighbor `json:"neighbors,omitempty"`
}

// PCIRef identifies a PCI function.
type PCIRef struct {
	// Address is the domain:bus:device.function ("0000:3b:00.0").
	Address string `json:"address"`
	// VendorID etc. are four lower-case hex digits ("8086").
	VendorID          string `json:"vendor_id,omitempty"`
	DeviceID          string `json:"device_id,omitempty"`
	SubsystemVendorID string `json:"subsystem_vendor_id,omitempty"`
	SubsystemDeviceID string `json:"subsystem_device_id,omitempty"`
	VendorName        string `json:"vendor_name,omitempty"`
	DeviceName        string `json:"device_name,omitempty"`
}

// BootInterface is the interface the machine booted from.
type BootInterface struct {
	// Interface is the interface name, when a NIC with MAC was found.
	Interface string `json:"interface,omitempty"`
	// MAC is the boot MAC, lower case colon separated.
	MAC string `json:"mac,omitempty"`
	// Source is the kernel parameter that said so: "BOOTIF", "hw_addr" or "ip".
	Source string `json:"source"`
}
