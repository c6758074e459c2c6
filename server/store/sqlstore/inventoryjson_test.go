package sqlstore

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/testinv"
)

// A stored document reads back as encoding/json reads it, including the
// strings firmware and switches send (NUL, invalid UTF-8 made U+FFFD by
// the encoder, escapes, separators) and times with offsets.
func TestDecodeStoredAsV1(t *testing.T) {
	t.Parallel()
	for i, mutate := range []func(*inventory.Inventory){
		func(*inventory.Inventory) {},
		func(inv *inventory.Inventory) {
			inv.System.Product.Manufacturer = "Dell\x00 \xff\xfe <&> \u2028 \"q\" \\"
			inv.Network.Interfaces[0].Neighbors[0].SystemName = "\x1b]0;pwned\a"
		},
		func(inv *inventory.Inventory) { inv.System = nil; inv.Network = nil },
	} {
		inv := testinv.Machine(i)
		mutate(inv)
		raw, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		var want, got inventory.Inventory
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if err := decodeStored(string(raw), &got); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d: (-encoding/json +decodeStored):\n%s", i, diff)
		}
	}
	// Not a document: encoding/json's error.
	var inv inventory.Inventory
	if err := decodeStored(`{"system":`, &inv); err == nil {
		t.Error("a truncated document decoded")
	}
}
