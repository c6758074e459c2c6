package inventory

// BMC is the baseboard management controller as seen from inside the machine:
// SMBIOS type 38 and 42 records and answers over the in-band IPMI system
// interface (/dev/ipmi0).
type BMC struct {
	// Interface is the SMBIOS type 38 (IPMI Device Information) record.
	Interface *IPMIInterface `json:"interface,omitempty"`
	// DevicePath is the IPMI device node used, as the host names it ("/dev/ipmi0").
	DevicePath string `json:"device_path,omitempty"`

	// Identity from Get Device ID (IPMI 2.0 section 20.1).
	DeviceID       uint8 `json:"device_id"`
	DeviceRevision uint8 `json:"device_revision"`
	// FirmwareVersion is major.minor as ipmitool prints it ("3.10").
	FirmwareVersion string `json:"firmware_version,omitempty"`
	// AuxFirmwareRevision is the four auxiliary bytes in hex, when given.
	AuxFirmwareRevision string `json:"aux_firmware_revision,omitempty"`
	// IPMIVersion is "2.0" or "1.5".
	IPMIVersion string `json:"ipmi_version,omitempty"`
	// ManufacturerID is the IANA enterprise number.
	ManufacturerID uint32 `json:"manufacturer_id"`
	// Manufacturer is a name for well-known IANA numbers ("Supermicro").
	Manufacturer string `json:"manufacturer,omitempty"`
	ProductID    uint16 `json:"product_id"`
	// DeviceGUID and SystemGUID, when the BMC answers Get Device GUID and
	// Get System GUID.
	DeviceGUID string `json:"device_guid,omitempty"`
	SystemGUID string `json:"system_guid,omitempty"`

	// LAN lists the BMC's 802.3 LAN channels.
	LAN []BMCLANChannel `json:"lan,omitempty"`
	// LANError says why LAN configuration is missing when the BMC rejected it.
	LANError string `json:"lan_error,omitempty"`

	// Redfish is the SMBIOS type 42 host interface, when present.
	Redfish *RedfishHostInterface `json:"redfish,omitempty"`
}

// IPMIInterface is SMBIOS type 38.
type IPMIInterface struct {
	// Type is "KCS", "SMIC", "BT" or "SSIF".
	Type string `json:"type"`
	// SpecVersion is the IPMI specification revision ("2.0").
	SpecVersion string `json:"spec_version,omitempty"`
	// BaseAddress in hex ("0xca2") and its space ("io" or "memory"; "smbus" for SSIF).
	BaseAddress  string `json:"base_address,omitempty"`
	AddressSpace string `json:"address_space,omitempty"`
	// I2CSlaveAddress in hex ("0x20").
	I2CSlaveAddress string `json:"i2c_slave_address,omitempty"`
	// InterruptNumber, when the interface uses one.
	InterruptNumber uint8 `json:"interrupt_number,omitempty"`
}

// BMCLANChannel is the configuration of one IPMI LAN channel (Get LAN
// Configuration Parameters, IPMI 2.0 section 23.2).
type BMCLANChannel struct {
	Channel uint8 `json:"channel"`
	// IPSource is "static", "dhcp", "bios", "other" or "unspecified" (param 4).
	IPSource string `json:"ip_source,omitempty"`
	// IPv4 address, netmask and default gateway (params 3, 6, 12); absent when
	// the BMC reports 0.0.0.0.
	IPv4    string `json:"ipv4,omitempty"`
	Netmask string `json:"netmask,omitempty"`
	Gateway string `json:"gateway,omitempty"`
	// GatewayMAC is param 13.
	GatewayMAC string `json:"gateway_mac,omitempty"`
	// MAC is the channel's MAC address (param 5).
	MAC string `json:"mac,omitempty"`
	// VLANID is the 802.1q VLAN (param 20); 0 when VLAN tagging is off.
	VLANID uint16 `json:"vlan_id,omitempty"`
	// IPv6 addresses (params 50-56), when the BMC supports them.
	IPv6 []string `json:"ipv6,omitempty"`
	// Configured is false when the BMC reports no usable address.
	Configured bool `json:"configured"`
}

// RedfishHostInterface is SMBIOS type 42 (Management Controller Host Interface).
type RedfishHostInterface struct {
	// InterfaceType ("Network Host Interface", "KCS"...).
	InterfaceType string `json:"interface_type"`
	// Protocols lists the protocol names ("Redfish over IP").
	Protocols []string `json:"protocols,omitempty"`
	// DeviceType is the host-interface device ("USB Network Interface",
	// "PCI/PCIe Network Interface") and its IDs or MAC where given.
	DeviceType string `json:"device_type,omitempty"`
	VendorID   string `json:"vendor_id,omitempty"`
	ProductID  string `json:"product_id,omitempty"`
	MAC        string `json:"mac,omitempty"`
	// ServiceIP and ServicePort of the Redfish service, when Redfish over IP
	// gives them.
	ServiceIP   string `json:"service_ip,omitempty"`
	ServicePort uint16 `json:"service_port,omitempty"`
	// ServiceHostname, when given.
	ServiceHostname string `json:"service_hostname,omitempty"`
	// ServiceUUID is the Redfish service's UUID (Redfish over IP record,
	// DSP0270 8.4.1), lower case, first three fields little-endian.
	ServiceUUID string `json:"service_uuid,omitempty"`
	// ServiceIPDiscovery and HostIPAssignment are how the service and host
	// addresses are obtained: "static", "dhcp", "autoconf", "host_selected".
	ServiceIPDiscovery string `json:"service_ip_discovery,omitempty"`
	HostIPAssignment   string `json:"host_ip_assignment,omitempty"`
	// ServiceNetmask and ServiceVLAN of the Redfish service, given with a
	// static or autoconf service address.
	ServiceNetmask string `json:"service_netmask,omitempty"`
	ServiceVLAN    uint32 `json:"service_vlan,omitempty"`
	// HostIP and HostNetmask the host should use on the interface, given
	// with a static or autoconf host address.
	HostIP      string `json:"host_ip,omitempty"`
	HostNetmask string `json:"host_netmask,omitempty"`
}

// PrimaryLAN returns the first configured LAN channel, or nil.
func (b *BMC) PrimaryLAN() *BMCLANChannel {
	if b == nil {
		return nil
	}
	for i := range b.LAN {
		if b.LAN[i].Configured {
			return &b.LAN[i]
		}
	}
	return nil
}
