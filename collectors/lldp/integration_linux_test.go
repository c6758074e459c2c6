//go:build linux

package lldp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/report"
)

// switch1 is an LLDP switch as LAB.md configures one: system name, port ID
// and description, and PVID 100 / VLAN 100 "vlan100" as custom 802.1 TLVs
// (the kernel has no 8021q for lldpd to learn them from). It also gets
// IPv4 and IPv6 management addresses, LLDP-MED (lldpd -M 4) and the
// switch1Runtime commands.
const switch1 = `configure system hostname sw01.example
configure lldp tx-interval 1
configure ports vsw0 lldp portidsubtype local Ethernet1/7 description "Ethernet1/7 to srv01 eth0"
configure lldp custom-tlv oui 00,80,c2 subtype 1 oui-info 00,64
configure lldp custom-tlv add oui 00,80,c2 subtype 3 oui-info 00,64,07,76,6c,61,6e,31,30,30
configure system capabilities enabled bridge
`

// switch1Runtime are lldpcli commands lldpd 1.0.16 refuses while it reads
// its startup configuration, so they are sent once it runs: LLDP-MED
// network policy, location and power, and 802.3 power via MDI.
var switch1Runtime = [][]string{
	{"configure", "ports", "vsw0", "med", "policy", "application", "voice", "tagged", "vlan", "200", "priority", "voice", "dscp", "46"},
	{"configure", "ports", "vsw0", "med", "location", "elin", "1234567890"},
	{"configure", "ports", "vsw0", "med", "power", "pse", "source", "primary", "priority", "high", "value", "15000"},
	{"configure", "ports", "vsw0", "dot3", "power", "pse", "supported", "enabled", "paircontrol", "powerpairs", "spare", "class", "class-3"},
}

// switch2 speaks only CDPv2 (lldpd -ccccc).
const switch2 = `configure system hostname sw02.example
configure lldp tx-interval 1
configure lldp portidsubtype ifname
configure system capabilities enabled bridge,router
`

// startSwitch1 wires srvIf in srv to a new switch namespace running lldpd
// with switch1's configuration.
func startSwitch1(l *lab, srv, srvIf string) {
	sw := l.ns("sw1")
	l.veth(sw, "vsw0", srv, srvIf)
	l.run("ip", "-n", sw, "addr", "add", "10.99.0.1/24", "dev", "vsw0")
	l.run("ip", "-n", sw, "addr", "add", "2001:db8::1/64", "dev", "vsw0", "nodad")
	sock := l.lldpd(sw, "sw1", switch1, "-M", "4", "-I", "vsw0", "-m", "10.99.0.1,2001:db8::1")
	for _, cmd := range switch1Runtime {
		l.lldpcli(sock, cmd...)
	}
}

// TestLLDPDNeighbours: two NICs on two "switches" at once, one LLDP and one
// CDP; what hwagent reports equals what a receive-only lldpd on the same
// NICs reports.
func TestLLDPDNeighbours(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	srv := l.ns("srv")
	startSwitch1(l, srv, "vsrv0")
	sw2 := l.ns("sw2")
	l.veth(sw2, "vsw1", srv, "vsrv1")
	l.run("ip", "-n", sw2, "addr", "add", "10.99.1.1/24", "dev", "vsw1")
	l.lldpd(sw2, "sw2", switch2, "-ccccc", "-I", "vsw1", "-m", "10.99.1.1")
	ref := l.lldpd(srv, "srv", "", "-r", "-c", "-I", "vsrv0,vsrv1")
	l.neighbors(ref, "vsrv0", "vsrv1")

	res := l.collect(srv, helperConfig{Interfaces: []string{"vsrv0", "vsrv1"}, Wait: 30 * time.Second})
	if res.Error != "" || len(res.Partial) > 0 {
		t.Fatalf("status: %s %v", res.Error, res.Partial)
	}
	want := l.neighbors(ref, "vsrv0", "vsrv1")
	for _, ifname := range []string{"vsrv0", "vsrv1"} {
		got := res.Neighbors[ifname]
		if len(got) != 1 || len(want[ifname]) != 1 {
			t.Fatalf("%s: hwagent heard %d neighbours, lldpd %d", ifname, len(got), len(want[ifname]))
		}
		if diff := cmp.Diff(lldpdView(want[ifname][0]), hwagentView(got[0])); diff != "" {
			t.Errorf("%s (-lldpd +hwagent):\n%s", ifname, diff)
		}
	}
	if got := res.Neighbors["vsrv0"]; len(got) == 1 && (got[0].PortVLANID != 100 || got[0].SystemName != "sw01.example") {
		t.Errorf("vsrv0: PVID %d, system %q", got[0].PortVLANID, got[0].SystemName)
	}
}

// TestLLDPDSilentNIC: a NIC with carrier but no LLDP ends at the deadline
// with a clear status: partial next to a NIC that heard, not applicable
// alone.
func TestLLDPDSilentNIC(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	srv := l.ns("srv")
	startSwitch1(l, srv, "vsrv0")
	quiet := l.ns("quiet")
	l.veth(quiet, "vq0", srv, "vsrv1")

	res := l.collect(srv, helperConfig{Interfaces: []string{"vsrv0", "vsrv1"}, Wait: 3 * time.Second})
	if diff := cmp.Diff([]string{"vsrv1: no LLDP received within 3s"}, res.Partial); diff != "" || res.Error != "" {
		t.Errorf("warnings (-want +got):\n%s\nerror %q", diff, res.Error)
	}
	if len(res.Neighbors["vsrv0"]) != 1 || len(res.Neighbors["vsrv1"]) != 0 {
		t.Errorf("neighbours %v", res.Neighbors)
	}

	res = l.collect(srv, helperConfig{Interfaces: []string{"vsrv1"}, Wait: 2 * time.Second})
	if want := "not applicable: no LLDP or CDP neighbour: vsrv1: no LLDP received within 2s"; res.Error != want {
		t.Errorf("alone: error %q, want %q", res.Error, want)
	}
	// dump's text report suggests a longer wait on this status (it did not:
	// it looked for the hint only behind ok and partial).
	if !reportHints(t, res, "vsrv1", 2*time.Second) {
		t.Error("dump's report gives no --lldp-wait hint for a NIC with carrier that heard nothing in 2s")
	}
}

// reportHints renders res as the runner records it (collectors.Run) in
// dump's text report and says whether the report suggests a longer
// --lldp-wait.
func reportHints(t *testing.T, res helperResult, ifname string, wait time.Duration) bool {
	t.Helper()
	st := inventory.CollectorStatus{Name: "lldp", Status: inventory.StatusOK}
	if res.Error != "" {
		reason, ok := strings.CutPrefix(res.Error, collector.ErrNotApplicable.Error()+": ")
		if !ok {
			t.Fatalf("not a not-applicable status: %q", res.Error)
		}
		st = inventory.CollectorStatus{Name: "lldp", Status: inventory.StatusNotApplicable, Error: reason}
	}
	inv := &inventory.Inventory{
		Network:    &inventory.Network{Interfaces: []inventory.NIC{{Name: ifname, Kind: inventory.NICPhysical, Carrier: true}}},
		Collectors: []inventory.CollectorStatus{st},
	}
	var buf strings.Builder
	if err := report.WriteText(&buf, inv, report.Options{LLDPWait: wait}); err != nil {
		t.Fatal(err)
	}
	return strings.Contains(buf.String(), "switches send every 30 s; try --lldp-wait 35s")
}

// TestLLDPDLinkUp: a NIC whose link is down is brought up only with
// --lldp-link-up, and is down again afterwards.
func TestLLDPDLinkUp(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	srv := l.ns("srv")
	startSwitch1(l, srv, "vsrv0")
	l.run("ip", "-n", srv, "link", "set", "vsrv0", "down")

	res := l.collect(srv, helperConfig{Interfaces: []string{"vsrv0"}, Wait: 2 * time.Second})
	if want := "not applicable: no LLDP or CDP neighbour: vsrv0 down (use --lldp-link-up)"; res.Error != want {
		t.Errorf("without --lldp-link-up: error %q, want %q", res.Error, want)
	}
	if reportHints(t, res, "vsrv0", 2*time.Second) {
		t.Error("dump's report suggests a longer --lldp-wait for a link that is down")
	}
	if l.adminUp(srv, "vsrv0") {
		t.Error("vsrv0 brought up without --lldp-link-up")
	}

	res = l.collect(srv, helperConfig{Interfaces: []string{"vsrv0"}, Wait: 30 * time.Second, LinkUp: true})
	if res.Error != "" || len(res.Partial) > 0 || len(res.Neighbors["vsrv0"]) != 1 {
		t.Errorf("with --lldp-link-up: %+v", res)
	}
	if l.adminUp(srv, "vsrv0") {
		t.Error("vsrv0 left up after --lldp-link-up")
	}
}

// neighborView is what both lldpd and hwagent say about a neighbour, in
// lldpcli's vocabulary.
type neighborView struct {
	Protocol                         string
	ChassisIDType, ChassisID         string
	SystemName, SystemDescription    string
	MgmtIPs, MgmtIfaces              []string
	Capabilities                     map[string]bool
	PortIDType, PortID, PortDescr    string
	TTL                              string
	Autoneg, Power                   string
	VLANs                            []string
	MEDDeviceType                    string
	MEDCapabilities                  []string
	MEDPolicy, MEDLocation, MEDPower string
	MEDSoftware                      string
}

// lldpdView reads one neighbour of lldpcli's JSON.
func lldpdView(n map[string]any) neighborView {
	v := neighborView{Protocol: "lldp", Capabilities: map[string]bool{}}
	if strings.HasPrefix(scalar(n["via"]), "CDP") {
		v.Protocol = "cdp"
	}
	for name, c := range asMap(n["chassis"]) {
		v.SystemName = name
		v.ChassisIDType, v.ChassisID = scalar(field(c, "id", "type")), scalar(field(c, "id", "value"))
		v.SystemDescription = scalar(field(c, "descr"))
		for _, ip := range asList(field(c, "mgmt-ip")) {
			v.MgmtIPs = append(v.MgmtIPs, scalar(ip))
		}
		for _, i := range asList(field(c, "mgmt-iface")) {
			v.MgmtIfaces = append(v.MgmtIfaces, scalar(i))
		}
		for _, cp := range asList(field(c, "capability")) {
			v.Capabilities[scalar(field(cp, "type"))] = field(cp, "enabled") == true
		}
	}
	p := n["port"]
	v.PortIDType, v.PortID = scalar(field(p, "id", "type")), scalar(field(p, "id", "value"))
	v.PortDescr, v.TTL = scalar(field(p, "descr")), scalar(field(p, "ttl"))
	if a := field(p, "auto-negotiation"); a != nil {
		cur, _, _ := strings.Cut(scalar(field(a, "current")), " - ")
		v.Autoneg = fmt.Sprintf("supported=%v enabled=%v current=%s", field(a, "supported"), field(a, "enabled"), cur)
	}
	if pw := field(p, "power"); pw != nil {
		v.Power = fmt.Sprintf("supported=%v enabled=%v paircontrol=%v device-type=%s pairs=%s class=%s",
			field(pw, "supported"), field(pw, "enabled"), field(pw, "paircontrol"),
			scalar(field(pw, "device-type")), scalar(field(pw, "pairs")), scalar(field(pw, "class")))
	}
	for _, vl := range asList(n["vlan"]) {
		v.VLANs = append(v.VLANs, fmt.Sprintf("%s pvid=%v %s", scalar(field(vl, "vlan-id")), field(vl, "pvid"), scalar(field(vl, "value"))))
	}
	if m := n["lldp-med"]; m != nil {
		v.MEDDeviceType = scalar(field(m, "device-type"))
		for _, c := range asList(field(m, "capability")) {
			if field(c, "available") == true {
				v.MEDCapabilities = append(v.MEDCapabilities, scalar(field(c, "type")))
			}
		}
		if pol := field(m, "policy"); pol != nil {
			v.MEDPolicy = fmt.Sprintf("%s defined=%v vid=%s pcp=%s dscp=%s", scalar(field(pol, "apptype")), field(pol, "defined"),
				scalar(field(pol, "vlan", "vid")), scalar(field(pol, "pcp")), scalar(field(pol, "dscp")))
		}
		if loc := field(m, "location"); loc != nil {
			v.MEDLocation = scalar(field(loc, "type")) + " " + scalar(field(loc, "ecs"))
		}
		if poe := field(m, "poe"); poe != nil {
			v.MEDPower = fmt.Sprintf("%s %s %s %s", scalar(field(poe, "device-type")), scalar(field(poe, "source")),
				scalar(field(poe, "priority")), scalar(field(poe, "power")))
		}
		v.MEDSoftware = scalar(field(m, "inventory", "software"))
	}
	return v
}

// lldpcli's names for hwagent's.
var (
	viewIDTypes = map[string]string{"mac": "mac", "local": "local", "interface_name": "ifname",
		"interface_alias": "ifalias", "network_address": "ip"}
	viewCaps = map[string]string{"other": "Other", "repeater": "Repeater", "bridge": "Bridge",
		"wlan_access_point": "Wlan", "router": "Router", "telephone": "Tel", "docsis_cable_device": "Docsis", "station_only": "Station"}
	viewMEDTypes = map[string]string{"network_connectivity": "Network Connectivity Device"}
	viewMEDCaps  = map[string]string{"capabilities": "Capabilities", "network_policy": "Policy", "location": "Location",
		"extended_power_pse": "MDI/PSE", "extended_power_pd": "MDI/PD", "inventory": "Inventory"}
	viewMEDApps    = map[string]string{"voice": "Voice"}
	viewMEDSources = map[string]string{"primary": "Primary Power Source"}
)

// hwagentView renders a neighbour hwagent decoded in lldpcli's vocabulary.
func hwagentView(n inventory.Neighbor) neighborView {
	v := neighborView{
		Protocol: n.Protocol, ChassisIDType: viewIDTypes[n.ChassisIDSubtype], ChassisID: n.ChassisID,
		SystemName: n.SystemName, SystemDescription: n.SystemDescription,
		Capabilities: map[string]bool{},
		PortIDType:   viewIDTypes[n.PortIDSubtype], PortID: n.PortID, PortDescr: n.PortDescription,
		TTL: strconv.Itoa(int(n.TTLSeconds)),
	}
	for _, a := range append(append([]inventory.ManagementAddress(nil), n.InterfaceAddresses...), n.ManagementAddresses...) {
		v.MgmtIPs = append(v.MgmtIPs, a.Address)
		if a.InterfaceSubtype != "" {
			v.MgmtIfaces = append(v.MgmtIfaces, strconv.Itoa(int(a.InterfaceNumber)))
		}
	}
	if n.Protocol == "cdp" {
		// lldpd's CDP mapping: description is "PLATFORM running on\nVERSION",
		// the port ID doubles as description, capabilities collapse to
		// Router, Bridge (any bridge or switch bit) or else Station.
		v.SystemDescription = n.Platform + " running on\n" + n.SoftwareVersion
		v.PortDescr = n.PortID
		for _, c := range n.CapabilitiesEnabled {
			switch c {
			case "router":
				v.Capabilities["Router"] = true
			case "transparent_bridge", "source_route_bridge", "switch":
				v.Capabilities["Bridge"] = true
			}
		}
		if len(v.Capabilities) == 0 {
			v.Capabilities["Station"] = true
		}
	} else {
		for _, c := range n.CapabilitiesSupported {
			v.Capabilities[viewCaps[c]] = false
		}
		for _, c := range n.CapabilitiesEnabled {
			v.Capabilities[viewCaps[c]] = true
		}
	}
	if m := n.MACPHY; m != nil {
		v.Autoneg = fmt.Sprintf("supported=%t enabled=%t current=%s", m.AutonegSupported, m.AutonegEnabled, m.MAUTypeName)
	}
	if p := n.Power; p != nil {
		v.Power = fmt.Sprintf("supported=%t enabled=%t paircontrol=%t device-type=%s pairs=%s class=%s",
			p.PSESupported, p.PSEEnabled, p.PairControl, strings.ToUpper(p.PortClass), p.PSEPairs, strings.Replace(p.PowerClass, "class", "class ", 1))
	}
	for _, vl := range n.VLANs {
		v.VLANs = append(v.VLANs, fmt.Sprintf("%d pvid=%t %s", vl.ID, vl.ID == n.PortVLANID, vl.Name))
	}
	if m := n.MED; m != nil {
		v.MEDDeviceType = viewMEDTypes[m.DeviceType]
		for _, c := range m.Capabilities {
			v.MEDCapabilities = append(v.MEDCapabilities, viewMEDCaps[c])
		}
		if len(m.NetworkPolicies) > 0 {
			p := m.NetworkPolicies[0]
			v.MEDPolicy = fmt.Sprintf("%s defined=%t vid=%d pcp=%d dscp=%d", viewMEDApps[p.Application], !p.Unknown, p.VLANID, p.Priority, p.DSCP)
		}
		if len(m.Locations) > 0 {
			v.MEDLocation = strings.ToUpper(m.Locations[0].Format) + " " + m.Locations[0].Value
		}
		if p := m.Power; p != nil {
			v.MEDPower = fmt.Sprintf("%s %s %s %d", strings.ToUpper(p.Type), viewMEDSources[p.Source], p.Priority, int(p.PowerWatts*1000+0.5))
		}
		v.MEDSoftware = m.SoftwareRev
	}
	return v
}
