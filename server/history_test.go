package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// bigInventory is machine i with n PCI functions whose addresses move
// with round, so that every upload differs from the last in 2n places (n
// functions removed, n added).
func bigInventory(i, n, round int) *inventory.Inventory {
	inv := testinv.Machine(i)
	d := inv.PCI.Devices[0]
	inv.PCI.Devices = make([]inventory.PCIDevice, n)
	for j := range inv.PCI.Devices {
		d.Address = fmt.Sprintf("%04x:%02x:%02x.%d", round, j/256, j%256/8, j%8)
		inv.PCI.Devices[j] = d
	}
	return inv
}

// Issue 11 row 6: 10 uploads of a 3.7 MB inventory grew the database by
// 41 MB and GET …/history answered 42 MB at once. An entry's differences
// are capped, a machine's history is pruned to --history-max-entries, and
// the history is read in pages (limit, after → next).
func TestHistoryBoundedAndPaginated(t *testing.T) {
	t.Parallel()
	st, err := sqlstore.Open(context.Background(), "sqlite://"+t.TempDir()+"/hwagent.db", sqlstore.Options{HistoryMaxEntries: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newFixtureWith(t, st, func(c *Config) { c.MaxBodyBytes = 8 << 20 })
	reg := f.register(bigInventory(1, 8000, 0))
	path := fmt.Sprintf(api.PathInventoryFmt, reg.MachineID)
	for round := 1; round <= 10; round++ {
		f.call("PUT", path, reg.Credential, api.InventoryRequest{Inventory: bigInventory(1, 8000, round)}, 204, nil)
	}
	hist := fmt.Sprintf(api.PathHistoryFmt, reg.MachineID)
	status, _, body := f.do("GET", hist, adminToken, nil)
	if status != 200 || len(body) > 256<<10 {
		t.Fatalf("GET history: %d, %d bytes, want 200 and at most 256 KiB", status, len(body))
	}
	var all api.History
	f.call("GET", hist, adminToken, nil, 200, &all)
	if len(all.Changes) != 8 || all.Next != "" {
		t.Fatalf("history holds %d entries (next %q), want the newest 8", len(all.Changes), all.Next)
	}
	for _, c := range all.Changes {
		if c.Kind != api.ChangeInventory {
			t.Fatalf("kept %s, want only the newest inventory changes", c.Kind)
		}
		last := c.Details[len(c.Details)-1]
		if len(c.Details) != api.MaxChangeDetails+1 || !strings.HasPrefix(last, "… and 15800 more differences") {
			t.Errorf("an entry of %d lines ending %q, want %d and a count of the rest", len(c.Details), last, api.MaxChangeDetails+1)
		}
	}
	// Pages of 3 give the same entries, in order, once each.
	var paged []api.Change
	after := ""
	for pages := 0; ; pages++ {
		var h api.History
		q := "?limit=3"
		if after != "" {
			q += "&after=" + after
		}
		f.call("GET", hist+q, adminToken, nil, 200, &h)
		paged = append(paged, h.Changes...)
		if h.Next == "" {
			break
		}
		if pages > 5 || len(h.Changes) != 3 {
			t.Fatalf("page %d: %d entries, next %q", pages, len(h.Changes), h.Next)
		}
		after = h.Next
	}
	if diff := cmp.Diff(all.Changes, paged); diff != "" {
		t.Errorf("pages differ from the whole (-whole +pages):\n%s", diff)
	}
	for _, q := range []string{"?limit=0", "?limit=10001", "?limit=x", "?after=x", "?after=-1", "?colour=red"} {
		e := f.call("GET", hist+q, adminToken, nil, 400, nil)
		if !strings.Contains(e.Message, "query parameter") {
			t.Errorf("history%s: %q", q, e.Message)
		}
	}
}
