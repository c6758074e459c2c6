package lldp

import (
	"fmt"
	"io"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// WriteText writes a neighbour for a person, one field a line, indented by
// indent: what `hwagent lldp decode` and `hwagent lldp listen` print.
func WriteText(w io.Writer, n *inventory.Neighbor, indent string) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		v := strings.TrimRight(fmt.Sprintf(format, args...), " ")
		v = strings.ReplaceAll(v, "\n", "\n"+indent+strings.Repeat(" ", 22))
		fmt.Fprintf(&b, "%s%-20s  %s\n", indent, label, v)
	}
	id := func(label, subtype, v string) {
		if v != "" || subtype != "" {
			line(label, "%s (%s)", v, subtype)
		}
	}
	str := func(label, v string) {
		if v != "" {
			line(label, "%s", v)
		}
	}
	str("protocol", strings.ToUpper(n.Protocol))
	str("source MAC", n.SourceMAC)
	id("chassis ID", n.ChassisIDSubtype, n.ChassisID)
	id("port ID", n.PortIDSubtype, n.PortID)
	if n.TTLSeconds > 0 {
		line("TTL", "%ds", n.TTLSeconds)
	}
	str("system name", n.SystemName)
	str("system description", n.SystemDescription)
	str("port description", n.PortDescription)
	str("platform", n.Platform)
	str("software version", n.SoftwareVersion)
	if len(n.CapabilitiesSupported) > 0 || len(n.CapabilitiesEnabled) > 0 {
		line("capabilities", "%s (enabled: %s)", strings.Join(n.CapabilitiesSupported, ", "), strings.Join(n.CapabilitiesEnabled, ", "))
	}
	for _, a := range n.ManagementAddresses {
		line("management address", "%s", address(a))
	}
	for _, a := range n.InterfaceAddresses {
		line("interface address", "%s", address(a))
	}
	if n.PortVLANID > 0 {
		line("port VLAN ID", "%d", n.PortVLANID)
	}
	str("VTP domain", n.VTPDomain)
	str("duplex", n.Duplex)
	for _, v := range n.VLANs {
		line("VLAN", "%d %s", v.ID, v.Name)
	}
	for _, v := range n.ProtocolVLANs {
		line("protocol VLAN", "%d (supported %t, enabled %t)", v.ID, v.Supported, v.Enabled)
	}
	for _, p := range n.ProtocolIdentities {
		line("protocol identity", "%s", p)
	}
	if la := n.LinkAggregation; la != nil {
		line("link aggregation", "capable %t, enabled %t, port %d %s", la.Capable, la.Enabled, la.PortID, la.PortType)
	}
	if m := n.MACPHY; m != nil {
		line("MAC/PHY", "autoneg supported %t, enabled %t; MAU type %d %s", m.AutonegSupported, m.AutonegEnabled, m.MAUType, m.MAUTypeName)
		if len(m.AdvertisedCapabilities) > 0 {
			line("advertised", "%s", strings.Join(m.AdvertisedCapabilities, ", "))
		}
	}
	if n.MaxFrameSizeBytes > 0 {
		line("max frame size", "%d bytes", n.MaxFrameSizeBytes)
	}
	if p := n.Power; p != nil {
		line("power via MDI", "%+v", *p)
	}
	if p := n.PFC; p != nil {
		line("PFC", "%+v", *p)
	}
	for _, a := range n.ApplicationPriorities {
		line("application priority", "priority %d, selector %d, protocol %d", a.Priority, a.Selector, a.ProtocolID)
	}
	if e := n.EVB; e != nil {
		line("EVB", "%+v", *e)
	}
	if c := n.CDCP; c != nil {
		line("CDCP", "role %d, scomp %t, channel capacity %d, %d channels", c.Role, c.SComp, c.ChannelCapacity, len(c.Channels))
	}
	if m := n.MED; m != nil {
		line("LLDP-MED", "%s", med(m))
	}
	str("MUD URL", n.MUDURL)
	for _, u := range n.Unknown {
		if u.OUI != "" {
			line("unknown TLV", "type %d OUI %s subtype %d: %s", u.Type, u.OUI, u.Subtype, u.Value)
		} else {
			line("unknown TLV", "type %d: %s", u.Type, u.Value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func address(a inventory.ManagementAddress) string {
	s := a.Family + " " + a.Address
	if a.InterfaceSubtype != "" {
		s += fmt.Sprintf(" (%s %d)", a.InterfaceSubtype, a.InterfaceNumber)
	}
	if a.OID != "" {
		s += " OID " + a.OID
	}
	return s
}

func med(m *inventory.LLDPMED) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	add("device type", m.DeviceType)
	add("capabilities", strings.Join(m.Capabilities, ","))
	for _, p := range m.NetworkPolicies {
		parts = append(parts, fmt.Sprintf("policy %s VLAN %d priority %d DSCP %d tagged %t", p.Application, p.VLANID, p.Priority, p.DSCP, p.Tagged))
	}
	for _, l := range m.Locations {
		parts = append(parts, "location "+l.Format+" "+l.Value)
	}
	if p := m.Power; p != nil {
		parts = append(parts, fmt.Sprintf("power %s %s %s %.1fW", p.Type, p.Source, p.Priority, p.PowerWatts))
	}
	add("hardware", m.HardwareRev)
	add("firmware", m.FirmwareRev)
	add("software", m.SoftwareRev)
	add("serial", m.SerialNumber)
	add("manufacturer", m.Manufacturer)
	add("model", m.Model)
	add("asset", m.AssetID)
	return strings.Join(parts, "; ")
}
