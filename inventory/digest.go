package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"time"
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
	// The JSON of json.Marshal, hashed as the encoder writes it: without
	// Marshal's copy of 20–50 KB (the server digests every registration).
	h := sha256.New()
	if err := json.NewEncoder(lastNewline{h}).Encode(&c); err != nil {
		// Every field is a plain value: encoding cannot fail.
		panic("inventory: digest: " + err.Error())
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// lastNewline writes what it is given but the newline json.Encoder ends a
// value with (it writes a value with one Write).
type lastNewline struct{ w io.Writer }

func (l lastNewline) Write(b []byte) (int, error) {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		if _, err := l.w.Write(b[:n-1]); err != nil {
			return 0, err
		}
		return n, nil
	}
	return l.w.Write(b)
}
