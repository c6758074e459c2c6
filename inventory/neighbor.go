package inventory

import "time"

// Neighbor is a switch (or other device) heard on a NIC through LLDP
// (IEEE 802.1AB) or CDP. Every field comes from the neighbour's own frame;
// text is kept as sent, binary values are rendered as described per field.
type Neighbor struct {
	// Protocol is "lldp" or "cdp".
	Protocol string `json:"protocol"`
	// ReceivedAt is when the frame was received (agent clock, UTC), or the
	// capture time for frames read from a pcap file.
	ReceivedAt time.Time `json:"received_at"`
	// SourceMAC is the Ethernet source address of the frame.
	SourceMAC string `json:"source_mac,omitempty"`

	// ChassisIDSubtype names the chassis ID subtype (802.1AB 8.5.2.2):
	// "chassis_component", "interface_alias", "port_component", "mac",
	// "network_address", "interface_name", "local", or the subtype number for
	// reserved ones. CDP neighbours use "local" with the Device-ID.
	ChassisIDSubtype string `json:"chassis_id_subtype,omitempty"`
	// ChassisID is rendered by subtype: "mac" as lower-case aa:bb:cc:dd:ee:ff,
	// "network_address" as an IPv4/IPv6/MAC address text (hex for other
	// address families), names as text. Values that are not printable UTF-8
	// text are rendered as lower-case hex.
	ChassisID string `json:"chassis_id,omitempty"`
	// PortIDSubtype names the port ID subtype (802.1AB 8.5.3.2):
	// "interface_alias", "port_component", "mac", "network_address",
	// "interface_name", "agent_circuit_id", "local", or the subtype number.
	// CDP neighbours use "interface_name" with the Port-ID.
	PortIDSubtype string `json:"port_id_subtype,omitempty"`
	// PortID is rendered like ChassisID.
	PortID string `json:"port_id,omitempty"`
	// TTLSeconds is the LLDP time to live in seconds (CDP holdtime). A
	// shutdown LLDPDU carries 0, which is omitted.
	TTLSeconds uint16 `json:"ttl_seconds,omitempty"`
	// PortDescription, SystemName and SystemDescription are the LLDP TLVs 4,
	// 5 and 6 as sent. For CDP, SystemName is the System Name TLV (0x14) when
	// sent, else the Device-ID.
	PortDescription   string `json:"port_description,omitempty"`
	SystemName        string `json:"system_name,omitempty"`
	SystemDescription string `json:"system_description,omitempty"`
	// CapabilitiesSupported and CapabilitiesEnabled name the system
	// capability bits. LLDP (802.1AB table 8-4): "other", "repeater",
	// "bridge", "wlan_access_point", "router", "telephone",
	// "docsis_cable_device", "station_only", "c_vlan", "s_vlan", "tpmr".
	// CDP (one set, reported as both): "router", "transparent_bridge",
	// "source_route_bridge", "switch", "host", "igmp", "repeater". Unnamed
	// bits appear as "bitN".
	CapabilitiesSupported []string `json:"capabilities_supported,omitempty"`
	CapabilitiesEnabled   []string `json:"capabilities_enabled,omitempty"`
	// ManagementAddresses lists every LLDP management address TLV (8), or the
	// addresses of the CDP Management Addresses TLV (0x16), in frame order.
	ManagementAddresses []ManagementAddress `json:"management_addresses,omitempty"`

	// PortVLANID is the 802.1 port VLAN ID (PVID), or the CDP native VLAN.
	// 0 ("not a VLAN member") is omitted.
	PortVLANID uint16 `json:"port_vlan_id,omitempty"`
	// ProtocolVLANs are 802.1 port-and-protocol VLAN ID TLVs (subtype 2).
	ProtocolVLANs []ProtocolVLAN `json:"protocol_vlans,omitempty"`
	// VLANs are 802.1 VLAN name TLVs (subtype 3).
	VLANs []VLAN `json:"vlans,omitempty"`
	// ProtocolIdentities are the 802.1 protocol identity TLVs (subtype 4):
	// the first octets of a protocol's frames, as lower-case hex.
	ProtocolIdentities []string `json:"protocol_identities,omitempty"`
	// LinkAggregation from the 802.1 (subtype 7) or older 802.3 (subtype 3)
	// link aggregation TLV.
	LinkAggregation *LinkAggregation `json:"link_aggregation,omitempty"`
	// PFC is the 802.1Qaz priority-based flow control configuration TLV
	// (802.1 subtype 11).
	PFC *PFCConfig `json:"pfc,omitempty"`
	// ApplicationPriorities is the 802.1Qaz application priority table
	// (802.1 subtype 12).
	ApplicationPriorities []ApplicationPriority `json:"application_priorities,omitempty"`
	// EVB is the 802.1Qbg edge virtual bridging TLV (802.1 subtype 13).
	EVB *EVB `json:"evb,omitempty"`
	// CDCP is the 802.1Qbg S-channel discovery and configuration TLV (802.1
	// subtype 14).
	CDCP *CDCP `json:"cdcp,omitempty"`

	// MACPHY is the 802.3 MAC/PHY configuration/status TLV (subtype 1).
	MACPHY *MACPHY `json:"mac_phy,omitempty"`
	// Power is the 802.3 power via MDI TLV (subtype 2).
	Power *PowerViaMDI `json:"power,omitempty"`
	// MaxFrameSizeBytes from the 802.3 maximum frame size TLV (subtype 4).
	MaxFrameSizeBytes uint16 `json:"max_frame_size_bytes,omitempty"`
	// MED holds LLDP-MED TLVs (ANSI/TIA-1057) where present.
	MED *LLDPMED `json:"med,omitempty"`
	// MUDURL is the manufacturer usage description URL (RFC 8520, IANA OUI
	// 00-00-5E subtype 1).
	MUDURL string `json:"mud_url,omitempty"`

	// Platform is the CDP Platform TLV (0x06), "cisco WS-C3560G-24PS".
	Platform string `json:"platform,omitempty"`
	// SoftwareVersion is the CDP Version String TLV (0x05), lines separated
	// by "\n".
	SoftwareVersion string `json:"software_version,omitempty"`
	// Duplex is the CDP Duplex TLV (0x0b): "full" or "half".
	Duplex string `json:"duplex,omitempty"`
	// VTPDomain is the CDP VTP Management Domain TLV (0x09).
	VTPDomain string `json:"vtp_domain,omitempty"`
	// InterfaceAddresses are the addresses of the CDP Address TLV (0x02):
	// the sending interface's own addresses.
	InterfaceAddresses []ManagementAddress `json:"interface_addresses,omitempty"`

	// Unknown keeps the TLVs hwagent does not decode, in frame order.
	Unknown []UnknownTLV `json:"unknown_tlvs,omitempty"`
}

// ManagementAddress is an LLDP management address TLV (802.1AB 8.5.9) or a
// CDP address.
type ManagementAddress struct {
	// Family is "ipv4", "ipv6", "mac" (IANA address families 1, 2, 6), or
	// the IANA address family number for others. For CDP addresses that are
	// neither IPv4 nor IPv6, the CDP protocol in hex.
	Family string `json:"family"`
	// Address is rendered as text for ipv4, ipv6 and mac, else as hex.
	Address string `json:"address"`
	// InterfaceSubtype is "unknown", "ifindex" or "system_port" (the
	// interface numbering subtype 1, 2 or 3), or its number. LLDP only.
	InterfaceSubtype string `json:"interface_subtype,omitempty"`
	// InterfaceNumber is the interface number in that numbering.
	InterfaceNumber uint32 `json:"interface_number,omitempty"`
	// OID is the object identifier of the addressed entity, in hex (BER
	// encoded, as sent), when present.
	OID string `json:"oid,omitempty"`
}

// ProtocolVLAN is an 802.1 port and protocol VLAN ID TLV.
type ProtocolVLAN struct {
	// ID is the PPVID; 0 when the port is not in a port-and-protocol VLAN.
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
	// Capable and Enabled are the aggregation status bits 0 and 1.
	Capable bool `json:"capable"`
	Enabled bool `json:"enabled"`
	// PortID is the aggregated port's ifIndex; 0 when not aggregated.
	PortID uint32 `json:"port_id,omitempty"`
	// PortType is "aggregator", "aggregation_port" or "both" (802.1AX
	// status bits 2-3, 802.1 TLV only); empty when unspecified.
	PortType string `json:"port_type,omitempty"`
}

// PFCConfig is the 802.1Qaz PFC configuration TLV (D.2.10).
type PFCConfig struct {
	Willing bool `json:"willing"`
	// MACsecBypass is the MBC bit.
	MACsecBypass bool `json:"macsec_bypass"`
	// Capability is how many traffic classes may have PFC enabled at once.
	Capability uint8 `json:"capability"`
	// EnabledPriorities lists the priorities (0-7) with PFC enabled.
	EnabledPriorities []int `json:"enabled_priorities,omitempty"`
}

// ApplicationPriority is one 802.1Qaz application priority table entry.
type ApplicationPriority struct {
	// Priority is the 802.1p priority (0-7).
	Priority uint8 `json:"priority"`
	// Selector says what ProtocolID is: 1 EtherType, 2 TCP/SCTP port,
	// 3 UDP/DCCP port, 4 TCP/SCTP/UDP/DCCP port, 5 DSCP.
	Selector   uint8  `json:"selector"`
	ProtocolID uint16 `json:"protocol_id"`
}

// EVB is the 802.1Qbg EVB TLV (D.2.12).
type EVB struct {
	// Bridge status bits.
	BridgeBGID  bool `json:"bridge_bgid"`
	BridgeRRCAP bool `json:"bridge_rrcap"`
	BridgeRRCTR bool `json:"bridge_rrctr"`
	// Station status bits; StationRRSTAT is the 2-bit reflective relay status.
	StationSGID   bool  `json:"station_sgid"`
	StationRRREQ  bool  `json:"station_rrreq"`
	StationRRSTAT uint8 `json:"station_rrstat"`
	// R is the maximum number of retries, RTE the retransmission exponent.
	R   uint8 `json:"r"`
	RTE uint8 `json:"rte"`
	// Mode is "not_supported", "evb_bridge", "evb_station" or "reserved".
	Mode string `json:"mode"`
	// ROLRWD, RWD, ROLRKA and RKA are the resource wait delay and reinit
	// keep alive exponents with their remote-or-local bits.
	ROLRWD bool  `json:"rol_rwd"`
	RWD    uint8 `json:"rwd"`
	ROLRKA bool  `json:"rol_rka"`
	RKA    uint8 `json:"rka"`
}

// CDCP is the 802.1Qbg CDCP TLV (D.2.13).
type CDCP struct {
	// Role is the Role bit as sent (802.1Qbg D.2.13).
	Role uint8 `json:"role"`
	// SComp is true when the S-VLAN component is present.
	SComp bool `json:"scomp"`
	// ChannelCapacity is ChnCap, the number of S-channels supported.
	ChannelCapacity uint16 `json:"channel_capacity"`
	// Channels are the SCID/SVID pairs.
	Channels []SChannel `json:"channels,omitempty"`
}

// SChannel is one CDCP S-channel.
type SChannel struct {
	SCID uint16 `json:"scid"`
	SVID uint16 `json:"svid"`
}

// MACPHY is the 802.3 MAC/PHY configuration/status TLV (802.3 79.3.1).
type MACPHY struct {
	AutonegSupported bool `json:"autoneg_supported"`
	AutonegEnabled   bool `json:"autoneg_enabled"`
	// Advertised is the PMD auto-negotiation advertised capability field as
	// sent (RFC 3636 ifMauAutoNegCapAdvertisedBits, bit 0 = MSB).
	Advertised uint16 `json:"advertised"`
	// AdvertisedCapabilities names the bits set in Advertised with the
	// RFC 3636 names ("10baseT", "100baseTXFD", "fdxPause", "1000baseTFD").
	AdvertisedCapabilities []string `json:"advertised_capabilities,omitempty"`
	// MAUType is the operational MAU type (RFC 4836 dot3MauType) and its
	// name ("100BaseTXFD", "10GigBaseSR") when known.
	MAUType     uint16 `json:"mau_type"`
	MAUTypeName string `json:"mau_type_name,omitempty"`
}

// PowerViaMDI is the 802.3 power via MDI TLV (802.3 79.3.2).
type PowerViaMDI struct {
	// PortClass is "pse" or "pd".
	PortClass    string `json:"port_class"`
	PSESupported bool   `json:"pse_supported"`
	PSEEnabled   bool   `json:"pse_enabled"`
	// PairControl is true when the pair selection can be controlled.
	PairControl bool `json:"pair_control"`
	// PSEPairs is "signal" or "spare" (or the number for other values).
	PSEPairs string `json:"pse_pairs,omitempty"`
	// PowerClass is "class0" … "class4" (or the number for other values).
	PowerClass string `json:"power_class,omitempty"`
	// The 802.3at extension (TLV length 12 or more):
	// PowerType is "type2_pse", "type2_pd", "type1_pse" or "type1_pd".
	PowerType string `json:"power_type,omitempty"`
	// PowerSource is the 2-bit power source field as defined for the
	// PowerType's class: "primary", "backup", "pse", "local",
	// "pse_and_local", or "unknown".
	PowerSource string `json:"power_source,omitempty"`
	// PowerPriority is "critical", "high", "low" or "unknown".
	PowerPriority string `json:"power_priority,omitempty"`
	// RequestedPowerWatts and AllocatedPowerWatts in watts (sent in 0.1 W).
	RequestedPowerWatts float64 `json:"requested_power_watts,omitempty"`
	AllocatedPowerWatts float64 `json:"allocated_power_watts,omitempty"`
}

// LLDPMED holds the LLDP-MED TLVs (ANSI/TIA-1057, OUI 00-12-BB).
type LLDPMED struct {
	// Capabilities names the LLDP-MED capability bits: "capabilities",
	// "network_policy", "location", "extended_power_pse",
	// "extended_power_pd", "inventory".
	Capabilities []string `json:"capabilities,omitempty"`
	// DeviceType is "endpoint_class_1", "endpoint_class_2",
	// "endpoint_class_3" or "network_connectivity" (or the number).
	DeviceType string `json:"device_type,omitempty"`
	// NetworkPolicies are the network policy TLVs.
	NetworkPolicies []MEDNetworkPolicy `json:"network_policies,omitempty"`
	// Locations are the location identification TLVs.
	Locations []MEDLocation `json:"locations,omitempty"`
	// Power is the extended power-via-MDI TLV.
	Power *MEDPower `json:"power,omitempty"`
	// Inventory TLVs as sent.
	HardwareRev  string `json:"hardware_revision,omitempty"`
	FirmwareRev  string `json:"firmware_revision,omitempty"`
	SoftwareRev  string `json:"software_revision,omitempty"`
	SerialNumber string `json:"serial_number,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	AssetID      string `json:"asset_id,omitempty"`
}

// MEDNetworkPolicy is an LLDP-MED network policy TLV.
type MEDNetworkPolicy struct {
	// Application is "voice", "voice_signaling", "guest_voice",
	// "guest_voice_signaling", "softphone_voice", "video_conferencing",
	// "streaming_video", "video_signaling" (or the number).
	Application string `json:"application"`
	// Unknown is the U bit: the policy is required but not yet known.
	Unknown bool `json:"unknown"`
	// Tagged is the T bit: the VLAN is tagged.
	Tagged bool `json:"tagged"`
	// VLANID, Priority (802.1p) and DSCP of the policy.
	VLANID   uint16 `json:"vlan_id"`
	Priority uint8  `json:"priority"`
	DSCP     uint8  `json:"dscp"`
}

// MEDLocation is an LLDP-MED location identification TLV.
type MEDLocation struct {
	// Format is "coordinate", "civic" or "elin" (or the number).
	Format string `json:"format"`
	// Value is the ECS ELIN as text; for coordinate and civic locations the
	// location data in hex (RFC 3825 / RFC 4776 encodings).
	Value string `json:"value"`
}

// MEDPower is the LLDP-MED extended power-via-MDI TLV.
type MEDPower struct {
	// Type is "pse" or "pd".
	Type string `json:"type"`
	// Source is "unknown", "primary", "backup" (PSE) or "pse", "local",
	// "pse_and_local" (PD).
	Source string `json:"source"`
	// Priority is "critical", "high", "low" or "unknown".
	Priority string `json:"priority"`
	// PowerWatts in watts (sent in 0.1 W).
	PowerWatts float64 `json:"power_watts"`
}

// UnknownTLV is a TLV kept raw.
type UnknownTLV struct {
	// Type is the LLDP TLV type (0-127) or the CDP TLV type.
	Type uint16 `json:"type"`
	// OUI (six lower-case hex digits, "0080c2") and Subtype for
	// organisationally specific LLDP TLVs (type 127).
	OUI     string `json:"oui,omitempty"`
	Subtype uint8  `json:"subtype,omitempty"`
	// Value is the TLV's value (after OUI and subtype) in lower-case hex.
	Value string `json:"value"`
}
