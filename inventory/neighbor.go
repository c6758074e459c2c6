package inventory

import "time"

// Neighbor is a switch (or other device) heard on a NIC through LLDP
// (IEEE 802.1AB) or CDP.
type Neighbor struct {
	// Protocol is "lldp" or "cdp".
	Protocol string `json:"protocol"`
	// ReceivedAt is when the frame was received.
	ReceivedAt time.Time `json:"received_at"`

	// ChassisID and its subtype ("mac", "network_address",
	// "interface_name", "local", "chassis_component", "interface_alias",
	// "port_component"). MAC and IP values are rendered as text.
	ChassisIDSubtype string `json:"chassis_id_subtype,omitempty"`
	ChassisID        string `json:"chassis_id,omitempty"`
	// PortID and its subtype (same names, plus "agent_circuit_id").
	PortIDSubtype string `json:"port_id_subtype,omitempty"`
	PortID        string `json:"port_id,omitempty"`
	// TTLSeconds is the LLDP time to live (CDP holdtime).
	TTLSeconds        uint16 `json:"ttl_seconds,omitempty"`
	PortDescription   string `json:"port_description,omitempty"`
	SystemName        string `json:"system_name,omitempty"`
	SystemDescription string `json:"system_description,omitempty"`
	// Capabilities by name ("bridge", "router", "station"...).
	CapabilitiesSupported []string `json:"capabilities_supported,omitempty"`
	CapabilitiesEnabled   []string `json:"capabilities_enabled,omitempty"`
	// ManagementAddresses lists every management address TLV.
	ManagementAddresses []ManagementAddress `json:"management_addresses,omitempty"`

	// PortVLANID is the 802.1 port VLAN ID (PVID), or CDP native VLAN.
	PortVLANID uint16 `json:"port_vlan_id,omitempty"`
	// ProtocolVLANs are 802.1 port-and-protocol VLAN IDs.
	ProtocolVLANs []ProtocolVLAN `json:"protocol_vlans,omitempty"`
	// VLANs are 802.1 VLAN name TLVs.
	VLANs []VLAN `json:"vlans,omitempty"`
	// LinkAggregation from 802.1 or 802.3 link aggregation TLVs.
	LinkAggregation *LinkAggregation `json:"link_aggregation,omitempty"`
	// MACPHY is the 802.3 MAC/PHY configuration/status TLV.
	MACPHY *MACPHY `json:"mac_phy,omitempty"`
	// MaxFrameSizeBytes from the 802.3 maximum frame size TLV.
	MaxFrameSizeBytes uint16 `json:"max_frame_size_bytes,omitempty"`
	// Power is the 802.3 power via MDI TLV.
	Power *PowerViaMDI `json:"power,omitempty"`
	// MED holds LLDP-MED TLVs (TIA-1057) where present.
	MED *LLDPMED `json:"med,omitempty"`

	// CDP-only fields.
	Platform        string `json:"platform,omitempty"`
	SoftwareVersion string `json:"software_version,omitempty"`
	Duplex          string `json:"duplex,omitempty"`

	// Unknown keeps TLVs hwagent does not decode, as hex.
	Unknown []UnknownTLV `json:"unknown_tlvs,omitempty"`
}

// ManagementAddress is an LLDP management address TLV (or a CDP address).
type ManagementAddress struct {
	// Family is "ipv4", "ipv6", "mac" or the IANA address family number.
	Family  string `json:"family"`
	Address string `json:"address"`
	// InterfaceSubtype is "ifindex", "system_port" or "unknown".
	InterfaceSubtype string `json:"interface_subtype,omitempty"`
	InterfaceNumber  uint32 `json:"interface_number,omitempty"`
	// OID in hex, when present.
	OID string `json:"oid,omitempty"`
}

// ProtocolVLAN is an 802.1 port and protocol VLAN ID TLV.
type ProtocolVLAN struct {
	ID        uint16 `json:"id"`
	Supported bool   `json:"supported"`
	Enabled   bool   `json:"enabled"`
}

// VLAN is an 802.1 VLAN name TLV.
type VLAN struct {
	ID   uint16 `json:"id"`
	Name string `json:"name,omitempty"`
}

// LinkAggregation is the 802.1/802.3 link aggregation TLV.
type LinkAggregation struct {
	Capable bool   `json:"capable"`
	Enabled bool   `json:"enabled"`
	PortID  uint32 `json:"port_id,omitempty"`
}

// MACPHY is the 802.3 MAC/PHY configuration/status TLV.
type MACPHY struct {
	AutonegSupported bool `json:"autoneg_supported"`
	AutonegEnabled   bool `json:"autoneg_enabled"`
	// Advertised is the PMD auto-negotiation advertised capability bits.
	Advertised uint16 `json:"advertised"`
	// MAUType is the operational MAU type (RFC 4836) and a name when known.
	MAUType     uint16 `json:"mau_type"`
	MAUTypeName string `json:"mau_type_name,omitempty"`
}

// PowerViaMDI is the 802.3 power via MDI TLV.
type PowerViaMDI struct {
	PortClass    string `json:"port_class,omitempty"`
	PSESupported bool   `json:"pse_supported"`
	PSEEnabled   bool   `json:"pse_enabled"`
	PairControl  bool   `json:"pair_control"`
	PSEPairs     uint8  `json:"pse_pairs,omitempty"`
	PowerClass   uint8  `json:"power_class,omitempty"`
}

// LLDPMED holds the LLDP-MED TLVs hwagent decodes.
type LLDPMED struct {
	DeviceType      string   `json:"device_type,omitempty"`
	HardwareRev     string   `json:"hardware_revision,omitempty"`
	FirmwareRev     string   `json:"firmware_revision,omitempty"`
	SoftwareRev     string   `json:"software_revision,omitempty"`
	SerialNumber    string   `json:"serial_number,omitempty"`
	Manufacturer    string   `json:"manufacturer,omitempty"`
	Model           string   `json:"model,omitempty"`
	AssetID         string   `json:"asset_id,omitempty"`
	NetworkPolicies []string `json:"network_policies,omitempty"`
}

// UnknownTLV is a TLV kept raw.
type UnknownTLV struct {
	Type uint8 `json:"type"`
	// OUI and Subtype for organisationally specific TLVs (type 127).
	OUI     string `json:"oui,omitempty"`
	Subtype uint8  `json:"subtype,omitempty"`
	// Value is the TLV's value (after OUI and subtype) in hex.
	Value string `json:"value"`
}
