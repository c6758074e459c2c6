package lldp

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

// The parsers of tcpdump's lines inside organizationally specific TLVs and
// CDP frames; see oracle_test.go.

// orgStart creates the structure an organizationally specific TLV fills.
func (p *oracleParser) orgStart() {
	n := p.n
	switch p.oui + "/" + strconv.Itoa(p.sub) {
	case "0080c2/11":
		n.PFC = &inventory.PFCConfig{}
	case "0080c2/13":
		n.EVB = &inventory.EVB{}
	case "0080c2/14":
		n.CDCP = &inventory.CDCP{}
	case "00120f/1":
		n.MACPHY = &inventory.MACPHY{}
	case "0080c2/3":
		n.VLANs = append(n.VLANs, inventory.VLAN{})
	}
}

// orgLine parses a line of an organizationally specific TLV.
func (p *oracleParser) orgLine(text string) {
	t, n := p.t, p.n
	kv := map[string]int{}
	for _, m := range reKV.FindAllStringSubmatch(text, -1) {
		kv[strings.TrimSpace(m[1])] = atoi(t, m[2])
	}
	switch p.oui + "/" + strconv.Itoa(p.sub) {
	case "0080c2/1":
		n.PortVLANID = uint16(atoi(t, reNum.FindString(strings.TrimPrefix(text, "  port vlan id (PVID): "))))
	case "0080c2/2":
		if m := rePPVID.FindStringSubmatch(text); m != nil {
			n.ProtocolVLANs = append(n.ProtocolVLANs, inventory.ProtocolVLAN{
				ID: uint16(atoi(t, m[1])), Supported: strings.Contains(m[2], "supported"), Enabled: strings.Contains(m[2], "enabled")})
		}
	case "0080c2/3":
		v := &n.VLANs[len(n.VLANs)-1]
		if s, ok := strings.CutPrefix(text, "  vlan id (VID): "); ok {
			v.ID = uint16(atoi(t, s))
		} else if s, ok := strings.CutPrefix(text, "  vlan name: "); ok {
			v.Name = s
		}
	case "0080c2/4":
		if s, ok := strings.CutPrefix(text, "  protocol identity: "); ok {
			n.ProtocolIdentities = append(n.ProtocolIdentities, hex.EncodeToString([]byte(s)))
		}
	case "0080c2/7", "00120f/3":
		if m := reLinkAgg.FindStringSubmatch(text); m != nil {
			n.LinkAggregation = &inventory.LinkAggregation{
				Capable: strings.Contains(m[1], "supported"), Enabled: strings.Contains(m[1], "enabled"), PortID: uint32(atoi(t, m[2]))}
		}
	case "0080c2/11":
		if w, ok := kv["Willing"]; ok {
			n.PFC.Willing, n.PFC.MACsecBypass, n.PFC.Capability = w == 1, kv["MBC"] == 1, uint8(kv["PFC cap"])
		} else if s, ok := strings.CutPrefix(text, "   Value    : "); ok {
			for i, f := range strings.Fields(s) {
				if f == "1" {
					n.PFC.EnabledPriorities = append(n.PFC.EnabledPriorities, i)
				}
			}
		}
	case "0080c2/12":
		if _, ok := kv["Protocol ID"]; ok {
			n.ApplicationPriorities = append(n.ApplicationPriorities, inventory.ApplicationPriority{
				Priority: uint8(kv["Priority"]), Selector: uint8(kv["Sel"]), ProtocolID: uint16(kv["Protocol ID"])})
		}
	case "0080c2/13":
		e := n.EVB
		switch {
		case strings.Contains(text, "BGID"):
			e.BridgeBGID, e.BridgeRRCAP, e.BridgeRRCTR = kv["BGID"] == 1, kv["RRCAP"] == 1, kv["RRCTR"] == 1
		case strings.Contains(text, "SGID"):
			e.StationSGID, e.StationRRREQ, e.StationRRSTAT = kv["SGID"] == 1, kv["RRREQ"] == 1, uint8(kv["RRSTAT"])
		case strings.Contains(text, "RTE"):
			e.R, e.RTE = uint8(kv["R"]), uint8(kv["RTE"])
			mode := text[strings.LastIndex(text, "[")+1 : strings.LastIndex(text, "]")]
			e.Mode = oracleEVBModes[mode]
		case strings.Contains(text, "RWD"):
			// "ROL: 0, RWD: 30, RES: 0, ROL: 0, RKA: 15": two ROLs.
			rols := regexp.MustCompile(`ROL: (\d)`).FindAllStringSubmatch(text, -1)
			e.ROLRWD, e.RWD, e.ROLRKA, e.RKA = rols[0][1] == "1", uint8(kv["RWD"]), rols[1][1] == "1", uint8(kv["RKA"])
		}
	case "0080c2/14":
		c := n.CDCP
		if _, ok := kv["ChnCap"]; ok {
			c.Role, c.SComp, c.ChannelCapacity = uint8(kv["Role"]), kv["Scomp"] == 1, uint16(kv["ChnCap"])
		} else if _, ok := kv["SCID"]; ok {
			c.Channels = append(c.Channels, inventory.SChannel{SCID: uint16(kv["SCID"]), SVID: uint16(kv["SVID"])})
		}
	case "00120f/1":
		m := reBracketList.FindStringSubmatch(text)
		switch {
		case strings.HasPrefix(text, "  autonegotiation ") && m != nil:
			n.MACPHY.AutonegSupported, n.MACPHY.AutonegEnabled = strings.Contains(m[1], "supported"), strings.Contains(m[1], "enabled")
		case strings.HasPrefix(text, "  PMD autoneg capability ") && m != nil:
			v, _ := strconv.ParseUint(m[2], 16, 16)
			n.MACPHY.Advertised = uint16(v)
			n.MACPHY.AdvertisedCapabilities = mapList(t, m[1], oraclePMD)
		case strings.HasPrefix(text, "  MAU type "):
			s := strings.TrimPrefix(text, "  MAU type ")
			i := strings.LastIndex(s, " (0x")
			v, _ := strconv.ParseUint(s[i+4:len(s)-1], 16, 16)
			name, ok := oracleMAU[s[:i]]
			if !ok {
				t.Fatalf("oracle has no name for MAU type %q", s[:i])
			}
			n.MACPHY.MAUType, n.MACPHY.MAUTypeName = uint16(v), name
		}
	case "00120f/4":
		if s, ok := strings.CutPrefix(text, "  MTU size "); ok {
			n.MaxFrameSizeBytes = uint16(atoi(t, s))
		}
	case "00005e/1":
		if s, ok := strings.CutPrefix(text, "MUD-URL="); ok {
			n.MUDURL = s
		}
	}
}

// cdpLine parses a line of a CDP frame.
func (p *oracleParser) cdpLine(line string) {
	t, n := p.t, p.n
	m := reCDPTLV.FindStringSubmatch(line)
	if m == nil {
		if p.tlv == "0005" {
			p.lines = append(p.lines, strings.TrimPrefix(line, "\t  "))
		}
		return
	}
	p.flush()
	p.tlv = m[2]
	v := m[3]
	quoted := strings.Trim(v, "'")
	switch p.tlv {
	case "0001":
		n.ChassisIDSubtype, n.ChassisID, n.SystemName = "local", quoted, quoted
	case "0003":
		n.PortIDSubtype, n.PortID = "interface_name", quoted
	case "0006":
		n.Platform = quoted
	case "0009":
		n.VTPDomain = quoted
	case "000a":
		n.PortVLANID = uint16(atoi(t, v))
	case "000b":
		n.Duplex = v
	case "0004":
		caps := mapList(t, v[strings.Index(v, ": ")+2:], oracleCDPCaps)
		n.CapabilitiesSupported, n.CapabilitiesEnabled = caps, caps
	case "0002", "0016":
		var addrs []inventory.ManagementAddress
		for _, a := range reCDPAddr.FindAllStringSubmatch(v, -1) {
			fam := "ipv4"
			if strings.Contains(a[0], "IPv6") {
				fam = "ipv6"
			}
			addrs = append(addrs, inventory.ManagementAddress{Family: fam, Address: a[1]})
		}
		if p.tlv == "0002" {
			n.InterfaceAddresses = append(n.InterfaceAddresses, addrs...)
		} else {
			n.ManagementAddresses = append(n.ManagementAddresses, addrs...)
		}
	}
}

func knownOUI(oui string) bool {
	return oui == "0080c2" || oui == "00120f" || oui == "0012bb" || oui == "00005e"
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// mapList maps a tcpdump ", "-separated name list; "none" is empty.
func mapList(t *testing.T, list string, names map[string]string) []string {
	t.Helper()
	if list == "none" || list == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(list, ", ") {
		v, ok := names[s]
		if !ok {
			t.Fatalf("oracle has no name for tcpdump's %q", s)
		}
		out = append(out, v)
	}
	return out
}
