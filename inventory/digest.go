package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/mailru/easyjson/jwriter"
)

var zeroTime time.Time

// Digest returns the hex SHA-256 of the inventory's canonical JSON with the
// fields that change on every collection removed (collection time, collector
// durations, uptime, neighbour receive times). Two collections of an
// unchanged machine have the same digest; a DIMM removed, a firmware update
// or a NIC moved to another switch port changes it.
func Digest(inv *Inventory) string {
	if inv == nil {
		return ""
	}
	c := *inv
	c.CollectedAt = zeroTime
	c.Collectors = make([]CollectorStatus, len(inv.Collectors))
	for i, s := range inv.Collectors {
		s.DurationSeconds = 0
		c.Collectors[i] = s
	}
	if inv.Host != nil {
		h := *inv.Host
		h.UptimeSeconds = 0
		c.Host = &h
	}
	if inv.Network != nil {
		n := *inv.Network
		n.Interfaces = make([]NIC, len(inv.Network.Interfaces))
		for i, nic := range inv.Network.Interfaces {
			if len(nic.Neighbors) > 0 {
				nb := make([]Neighbor, len(nic.Neighbors))
				for j, x := range nic.Neighbors {
					x.ReceivedAt = zeroTime
					nb[j] = x
				}
				nic.Neighbors = nb
			}
			n.Interfaces[i] = nic
		}
		c.Network = &n
	}
	// The JSON of json.Marshal, written by the generated encoders (the
	// same bytes: TestEncodeJSONMatchesEncodingJSON) and hashed from their
	// buffers, without reflection or a copy of the 20–50 KB document (the
	// server digests every registration; encoding/json's encoder was 15 %
	// of a registration's CPU).
	var w jwriter.Writer
	if err := writeJSON(&w, &c); err != nil {
		// Every field is a plain value: encoding fails only on a NaN or
		// infinite float, which encoding/json refuses too.
		panic("inventory: digest: " + err.Error())
	}
	h := sha256.New()
	w.DumpTo(h) //nolint:errcheck // a hash's Write never fails
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}
