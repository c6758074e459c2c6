package inventory

// BMC is the baseboard management controller as seen from inside the machine:
// SMBIOS type 38 and 42 records and answers over the in-band IPMI system
// interface (/dev/ipmi0).
type BMC struct {
	// Interface is the SMBIOS type 38 (IPMI Device Information) record.
	Interface *IPMIInterface `json:"interface,omitempty"`
	// DevicePath is the IPMI device node used, as the host names it ("/dev/ipmi0").
	DevicePath string `json:"device_path,omitempty"`

	// Identity from Get Device ID (IPMI 2.0 section 20.1), present when
	// FirmwareVersion is: the BMC may not have been asked (no device
	// node). DeviceID and DeviceRevision are bytes 2 and 3 (bits 3:0); a
	// zero is left out of the JSON, like an unread value.
	DeviceID       uint8 `json:"device_id,omitempty"`
	DeviceRevision uint8 `json:"device_revision,omitempty"`
	// FirmwareVersion is major.minor as ipmitool prints it ("3.10"): the
	// binary major revision and the BCD minor revision as two hex digits.
	FirmwareVersion string `json:"firmware_version,omitempty"`
	// AuxFirmwareRevision is the four auxiliary revision bytes in hex, in
	// the order sent ("01000000"), when given.
	AuxFirmwareRevision string `json:"aux_firmware_revision,omitempty"`
	// IPMIVersion is "2.0" or "1.5".
	IPMIVersion string `json:"ipmi_version,omitempty"`
	// ManufacturerID is the IANA enterprise number (0, "unspecified", is
	// left out).
	ManufacturerID uint32 `json:"manufacturer_id,omitempty"`
	// Manufacturer is a name for well-known IANA numbers ("Supermicro").
	Manufacturer string `json:"manufacturer,omitempty"`
	// ProductID is the manufacturer's product number (bytes 11-12); zero
	// is left out.
	ProductID uint16 `json:"product_id,omitempty"`
	// FirmwareUpdateInProgress is Get Device ID byte 4 bit 7: the BMC is
	// updating its firmware or SDRs or still initializing, and other
	// answers may be missing.
	FirmwareUpdateInProgress bool `json:"firmware_update_in_progress,omitempty"`
	// DeviceGUID and SystemGUID, when the BMC answers Get Device GUID and
	// Get System GUID with something other than all zeros or all FFh:
	// lower case, read as IPMI 2.0 Table 20-10 specifies (least
	// significant byte first), as `ipmitool mc guid` prints it.
	DeviceGUID string `json:"device_guid,omitempty"`
	SystemGUID string `json:"system_guid,omitempty"`

	// LAN lists the BMC's 802.3 LAN channels (Get Channel Info medium
	// type 04h over channels 1-11), in channel order.
	LAN []BMCLANChannel `json:"lan,omitempty"`
	// LANError says why LAN configuration is missing: the BMC rejected
	// Get Channel Info and Get LAN Configuration Parameters, has no LAN
	// channel, or stopped answering.
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
	// MAC is the channel's MAC address (param 5); absent when all zero.
	MAC string `json:"mac,omitempty"`
	// VLANID is the 802.1q VLAN (param 20); 0 when VLAN tagging is off.
	VLANID uint16 `json:"vlan_id,omitempty"`
	// IPv6 lists the static (param 56, enabled ones) and dynamic (param 59)
	// IPv6 addresses other than ::, when parameters 50 and 51 say the BMC
	// runs IPv6.
	IPv6 []BMCIPv6Address `json:"ipv6,omitempty"`
	// Configured is true when the channel has an IPv4 address other than
	// 0.0.0.0 or an IPv6 address.
	Configured bool `json:"configured"`
}

// BMCIPv6Address is one IPv6 address of a BMC LAN channel (IPMI 2.0 rev.
// 1.1 LAN configuration parameters 56 and 59).
type BMCIPv6Address struct {
	// Address in RFC 5952 form and its prefix length in bits.
	Address      string `json:"address"`
	PrefixLength uint8  `json:"prefix_length"`
	// Source is "static", "slaac" or "dhcpv6".
	Source string `json:"source"`
	// Status is "active", "disabled", "pending", "failed", "deprecated" or
	// "invalid".
	Status string `json:"status,omitempty"`
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
