package inventory_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/testinv"
)

// Digest is the SHA-256 of json.Marshal of the inventory with the
// volatile fields zeroed, whatever the strings hold (HTML characters, NUL,
// line separators, invalid UTF-8).
func TestDigestIsMarshalsSHA256(t *testing.T) {
	t.Parallel()
	for i, mutate := range []func(*inventory.Inventory){
		func(*inventory.Inventory) {},
		func(inv *inventory.Inventory) {
			inv.System.Product.Manufacturer = "<Dell & Co>\x00\u2028\xff"
			inv.Host.Hostname = "line\nbreak"
		},
	} {
		inv := testinv.Machine(i)
		mutate(inv)
		c := *inv
		c.CollectedAt = time.Time{}
		c.Collectors = append([]inventory.CollectorStatus(nil), inv.Collectors...)
		for j := range c.Collectors {
			c.Collectors[j].DurationSeconds = 0
		}
		h := *inv.Host
		h.UptimeSeconds = 0
		c.Host = &h
		n := *inv.Network
		n.Interfaces = append([]inventory.NIC(nil), inv.Network.Interfaces...)
		for j := range n.Interfaces {
			nb := append([]inventory.Neighbor(nil), n.Interfaces[j].Neighbors...)
			for k := range nb {
				nb[k].ReceivedAt = time.Time{}
			}
			n.Interfaces[j].Neighbors = nb
		}
		c.Network = &n
		b, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got, want := inventory.Digest(inv), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%d: Digest %s, want %s", i, got, want)
		}
	}
}
