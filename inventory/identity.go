package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"sort"
	"strings"
)

// Identity holds the identifiers a server uses to recognise a machine again,
// with placeholder values already removed.
type Identity struct {
	// MachineID is a stable identifier derived from the strongest valid
	// identifier (see Basis): "m-" and 24 hex digits of a SHA-256.
	MachineID string `json:"machine_id,omitempty"`
	// Basis names the identifier MachineID was derived from:
	// "system_uuid", "system_serial", "baseboard_serial", "chassis_serial"
	// or "mac". Empty when the machine has no usable identifier.
	Basis string `json:"basis,omitempty"`
	// SystemUUID is the SMBIOS type 1 UUID unless it is a placeholder.
	SystemUUID string `json:"system_uuid,omitempty"`
	// SystemSerial is "manufacturer/product/serial" of SMBIOS type 1 when
	// the serial is not a placeholder.
	SystemSerial string `json:"system_serial,omitempty"`
	// BaseboardSerial is "manufacturer/product/serial" of SMBIOS type 2.
	BaseboardSerial string `json:"baseboard_serial,omitempty"`
	// ChassisSerial is "manufacturer/serial" of SMBIOS type 3.
	ChassisSerial string `json:"chassis_serial,omitempty"`
	// MACs are the permanent MACs of physical NICs, sorted.
	MACs []string `json:"macs,omitempty"`
}

// Keys returns every identifier as a "kind:value" string, strongest first. Two
// documents that share a key describe the same machine.
func (id Identity) Keys() []string {
	var keys []string
	add := func(kind, v string) {
		if v != "" {
			keys = append(keys, kind+":"+v)
		}
	}
	add("system_uuid", id.SystemUUID)
	add("system_serial", id.SystemSerial)
	add("baseboard_serial", id.BaseboardSerial)
	add("chassis_serial", id.ChassisSerial)
	for _, m := range id.MACs {
		add("mac", m)
	}
	return keys
}

// DeriveIdentity computes Identity from the System and Network sections.
func DeriveIdentity(inv *Inventory) Identity {
	var id Identity
	if s := inv.System; s != nil {
		if !IsPlaceholderUUID(s.Product.UUID) {
			id.SystemUUID = strings.ToLower(s.Product.UUID)
		}
		if !IsPlaceholderSerial(s.Product.Serial) {
			id.SystemSerial = joinID(s.Product.Manufacturer, s.Product.Name, s.Product.Serial)
		}
		if b := s.Baseboard; b != nil && !IsPlaceholderSerial(b.Serial) {
			id.BaseboardSerial = joinID(b.Manufacturer, b.Product, b.Serial)
		}
		if c := s.Chassis; c != nil && !IsPlaceholderSerial(c.Serial) {
			id.ChassisSerial = joinID(c.Manufacturer, c.Serial)
		}
	}
	if n := inv.Network; n != nil {
		for _, nic := range n.Interfaces {
			if nic.Kind != NICPhysical {
				continue
			}
			mac := nic.PermanentMAC
			if mac == "" {
				mac = nic.MAC
			}
			mac, ok := IdentityMAC(mac)
			if !ok || contains(id.MACs, mac) {
				continue
			}
			id.MACs = append(id.MACs, mac)
		}
		sort.Strings(id.MACs)
	}
	keys := id.Keys()
	if len(keys) > 0 {
		id.Basis = keys[0][:strings.IndexByte(keys[0], ':')]
		id.MachineID = MachineIDOf(keys[0])
	}
	return id
}

// MachineIDOf is the machine ID derived from an identity key (the
// strongest, Keys()[0]): "m-" and 24 hex digits of its SHA-256. The agent
// and the server derive it alike.
func MachineIDOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "m-" + hex.EncodeToString(sum[:12])
}

// IdentityMAC returns mac as an identity key holds it (lower-case, colon
// separated: "0c:c4:7a:00:00:09") and whether it can identify a NIC at
// all: a 48-bit address in any spelling net.ParseMAC reads ("0C-C4-7A-…",
// "0cc4.7a00.0009"), neither all zeros nor a group (multicast, broadcast)
// address, which no NIC owns. One spelling per address, so that a key
// cannot be passed off as another by writing it differently.
func IdentityMAC(mac string) (string, bool) {
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 || hw[0]&1 != 0 || string(hw) == "\x00\x00\x00\x00\x00\x00" {
		return "", false
	}
	return hw.String(), true
}

func joinID(parts ...string) string {
	for i, p := range parts {
		if IsPlaceholder(p) {
			p = ""
		}
		parts[i] = strings.TrimSpace(p)
	}
	return strings.Join(parts, "/")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
