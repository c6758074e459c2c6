package lldp

import (
	"bufio"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
)

// This file turns tcpdump's verbose text (testdata/NAME.tcpdump.txt) into
// the neighbours hwagent should decode, with its own name tables, so that
// the decoder is checked against tcpdump and not against itself.

// tcpdump names → hwagent names.
var (
	oracleIDSubtypes = map[string]string{
		"MAC address": "mac", "Interface Name": "interface_name", "Interface name": "interface_name",
		"Interface alias": "interface_alias", "Local": "local", "Network address": "network_address",
		"Network Address": "network_address", "Chassis component": "chassis_component",
		"Port component": "port_component", "Agent circuit ID": "agent_circuit_id",
	}
	oracleCaps = map[string]string{
		"Other": "other", "Repeater": "repeater", "Bridge": "bridge", "WLAN AP": "wlan_access_point",
		"Router": "router", "Telephone": "telephone", "Docsis": "docsis_cable_device", "Station Only": "station_only",
	}
	oracleCDPCaps = map[string]string{
		"Router": "router", "Transparent Bridge": "transparent_bridge", "Source Route Bridge": "source_route_bridge",
		"L2 Switch": "switch", "L3 capable": "host", "IGMP snooping": "igmp", "L1 capable": "repeater",
	}
	oraclePMD = map[string]string{
		"10BASE-T hdx": "10baseT", "10BASE-T fdx": "10baseTFD", "100BASE-T4": "100baseT4",
		"100BASE-TX hdx": "100baseTX", "100BASE-TX fdx": "100baseTXFD", "100BASE-T2 hdx": "100baseT2",
		"100BASE-T2 fdx": "100baseT2FD", "Pause for fdx links": "fdxPause", "Asym PAUSE for fdx": "fdxAPause",
		"Sym PAUSE for fdx": "fdxSPause", "Asym and Sym PAUSE for fdx": "fdxBPause",
		"1000BASE-{X LX SX CX} hdx": "1000baseX", "1000BASE-{X LX SX CX} fdx": "1000baseXFD",
		"1000BASE-T hdx": "1000baseT", "1000BASE-T fdx": "1000baseTFD",
	}
	oracleMAU      = map[string]string{"100BASETX fdx": "100BaseTXFD", "1000BASET fdx": "1000BaseTFD", "unknown": ""}
	oracleIfNumber = map[string]string{"1": "unknown", "2": "ifindex", "3": "system_port"}
	oracleFamilies = map[string]string{"IPv4": "ipv4", "IPv6": "ipv6"}
	oracleEVBModes = map[string]string{"0": "not_supported", "1": "evb_bridge", "2": "evb_station", "3": "reserved"}
)

var (
	reFrame       = regexp.MustCompile(`^\s*(\d+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) (.*)$`)
	reSrcMAC      = regexp.MustCompile(`^([0-9a-f:]{17}) > `)
	reCDPHeader   = regexp.MustCompile(`CDPv\d, ttl: (\d+)s`)
	reTLV         = regexp.MustCompile(`^\t(\S.*?) TLV \((\d+)\), length (\d+)(?:: (.*))?$`)
	reSubtype     = regexp.MustCompile(`^\t  Subtype (.+) \((\d+)\): (.*)$`)
	reHex         = regexp.MustCompile(`^\t\s+0x[0-9a-f]{4}:  ((?:[0-9a-f]{2,4} ?)+)`)
	reOrg         = regexp.MustCompile(`^OUI (.*) \(0x([0-9a-f]{6})\)$`)
	reOrgSub      = regexp.MustCompile(`^\t  (.+) Subtype \((\d+)\)`)
	reCaps        = regexp.MustCompile(`^\t  (System  |Enabled )Capabilities \[(.*)\] \(0x[0-9a-f]+\)$`)
	reMgmt        = regexp.MustCompile(`^\t  Management Address length \d+, AFI (\S+) \(\d+\): (.*)$`)
	reIfNum       = regexp.MustCompile(`^\t  .* Interface Numbering \((\d+)\): (\d+)$`)
	reNum         = regexp.MustCompile(`(\d+)`)
	reCDPTLV      = regexp.MustCompile(`^\t(\S.*?) \(0x([0-9a-f]{4})\), value length: \d+ bytes?: ?(.*)$`)
	reCDPAddr     = regexp.MustCompile(`IPv[46] \(\d+\) (\S+)`)
	reKV          = regexp.MustCompile(`([A-Za-z][A-Za-z ]*?): ?(\d+)`)
	rePPVID       = regexp.MustCompile(`PPVID\): (\d+), flags \[(.*)\]`)
	reLinkAgg     = regexp.MustCompile(`aggregation status \[(.*)\], aggregation port ID (\d+)`)
	reBracketList = regexp.MustCompile(`\[(.*)\] \(0x([0-9a-f]+)\)`)
)

// oracleFrame is what tcpdump printed for one frame.
type oracleFrame struct {
	n *inventory.Neighbor
	// ethernet is true when tcpdump printed the link-layer header (-e).
	ethernet bool
}

// oracleParser holds the state of one tcpdump text being parsed.
type oracleParser struct {
	t      *testing.T
	frames []oracleFrame
	n      *inventory.Neighbor
	tlv    string // LLDP TLV name, or CDP TLV type in hex
	typ    int    // LLDP TLV type
	oui    string // organizationally specific TLV's OUI
	sub    int    // its subtype
	hexbuf []byte // the TLV's hex dump
	lines  []string
}

// parseTcpdump reads testdata/name.tcpdump.txt.
func parseTcpdump(t *testing.T, name string) []oracleFrame {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".tcpdump.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &oracleParser{t: t}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p.line(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	p.flush()
	return p.frames
}

func (p *oracleParser) line(line string) {
	t := p.t
	if m := reFrame.FindStringSubmatch(line); m != nil {
		p.flush()
		at, err := time.Parse("2006-01-02 15:04:05.999999", m[2])
		if err != nil {
			t.Fatal(err)
		}
		p.n = &inventory.Neighbor{Protocol: "lldp", ReceivedAt: at}
		fr := oracleFrame{n: p.n}
		if s := reSrcMAC.FindStringSubmatch(m[3]); s != nil {
			p.n.SourceMAC, fr.ethernet = s[1], true
		}
		if c := reCDPHeader.FindStringSubmatch(m[3]); c != nil {
			p.n.Protocol, p.n.TTLSeconds = "cdp", uint16(atoi(t, c[1]))
		}
		p.frames = append(p.frames, fr)
		p.tlv, p.oui = "", ""
		return
	}
	if p.n == nil {
		return
	}
	if h := reHex.FindStringSubmatch(line); h != nil {
		b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(h[1]), " ", ""))
		if err != nil {
			t.Fatalf("hex line %q: %v", line, err)
		}
		p.hexbuf = append(p.hexbuf, b...)
		return
	}
	if p.n.Protocol == "cdp" {
		p.cdpLine(line)
		return
	}
	if m := reTLV.FindStringSubmatch(line); m != nil {
		p.flush()
		p.tlv, p.typ, p.oui, p.sub = m[1], atoi(t, m[2]), "", 0
		rest := m[4]
		switch p.tlv {
		case "Time to Live":
			p.n.TTLSeconds = uint16(atoi(t, reNum.FindString(rest)))
		case "Port Description":
			p.n.PortDescription = rest
		case "System Name":
			p.n.SystemName = rest
		case "Organization specific":
			if o := reOrg.FindStringSubmatch(rest); o != nil {
				p.oui = o[2]
			}
		}
		return
	}
	p.lldpLine(line)
}

// flush completes the TLV being parsed.
func (p *oracleParser) flush() {
	n := p.n
	if n == nil {
		return
	}
	switch {
	case p.tlv == "Unknown":
		n.Unknown = append(n.Unknown, inventory.UnknownTLV{Type: uint16(p.typ), Value: hex.EncodeToString(p.hexbuf)})
	case p.tlv == "Organization specific" && !knownOUI(p.oui) && len(p.hexbuf) >= 4:
		n.Unknown = append(n.Unknown, inventory.UnknownTLV{Type: 127, OUI: p.oui, Subtype: p.hexbuf[3], Value: hex.EncodeToString(p.hexbuf[4:])})
	case p.tlv == "System Description":
		n.SystemDescription = strings.ReplaceAll(strings.Join(p.lines, "\n"), "^J", "\n")
	case p.tlv == "0005":
		n.SoftwareVersion = strings.Join(p.lines, "\n")
	}
	p.hexbuf, p.lines = nil, nil
}

// lldpLine parses a line inside an LLDP TLV.
func (p *oracleParser) lldpLine(line string) {
	t, n := p.t, p.n
	text := strings.TrimPrefix(line, "\t  ")
	switch p.tlv {
	case "Chassis ID", "Port ID":
		m := reSubtype.FindStringSubmatch(line)
		if m == nil {
			return
		}
		sub, ok := oracleIDSubtypes[m[1]]
		if !ok {
			t.Fatalf("oracle has no name for subtype %q", m[1])
		}
		v := m[3]
		if i := strings.LastIndex(v, "): "); sub == "network_address" && i >= 0 {
			v = v[i+3:]
		}
		if p.tlv == "Chassis ID" {
			n.ChassisIDSubtype, n.ChassisID = sub, v
		} else {
			n.PortIDSubtype, n.PortID = sub, v
		}
	case "System Description":
		p.lines = append(p.lines, text)
	case "System Capabilities":
		if m := reCaps.FindStringSubmatch(line); m != nil {
			if m[1] == "Enabled " {
				n.CapabilitiesEnabled = mapList(t, m[2], oracleCaps)
			} else {
				n.CapabilitiesSupported = mapList(t, m[2], oracleCaps)
			}
		}
	case "Management Address":
		if m := reMgmt.FindStringSubmatch(line); m != nil {
			n.ManagementAddresses = append(n.ManagementAddresses, inventory.ManagementAddress{Family: oracleFamilies[m[1]], Address: m[2]})
		} else if m := reIfNum.FindStringSubmatch(line); m != nil && len(n.ManagementAddresses) > 0 {
			a := &n.ManagementAddresses[len(n.ManagementAddresses)-1]
			a.InterfaceSubtype, a.InterfaceNumber = oracleIfNumber[m[1]], uint32(atoi(t, m[2]))
		}
	case "Organization specific":
		if m := reOrgSub.FindStringSubmatch(line); m != nil {
			p.sub = atoi(t, m[2])
			p.orgStart()
			return
		}
		p.orgLine(text)
	}
}
