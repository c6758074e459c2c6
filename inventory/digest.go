package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	b, err := json.Marshal(&c)
	if err != nil {
		// Every field is a plain value: Marshal cannot fail.
		panic("inventory: digest: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
