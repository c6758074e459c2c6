package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// A machine keeps its newest HistoryMaxEntries changes, each capped, and
// pages of the history walk them once each, on both stores.
func TestHistoryRetentionAndPages(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			dsn := "sqlite://" + filepath.Join(t.TempDir(), "hwagent.db")
			if kind == "postgres" {
				dsn = pg.NewDatabase(t, pgErr)
			}
			s, err := Open(context.Background(), dsn, Options{HistoryMaxEntries: 3})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			ctx := context.Background()
			id := register(t, s, testinv.Machine(1), hash(1), 0).MachineID
			for i := 1; i <= 5; i++ {
				if err := s.SetAction(ctx, id, api.ActionReboot, at(i)); err != nil {
					t.Fatal(err)
				}
			}
			// A change with 1000 lines of details.
			err = s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				lines := make([]string, 1000)
				for i := range lines {
					lines[i] = fmt.Sprintf("difference %d", i)
				}
				return s.record(ctx, tx, id, at(9), api.ChangeInventory, lines)
			})
			if err != nil {
				t.Fatal(err)
			}
			h, err := s.History(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 3 || !h[0].At.Equal(at(4)) || h[2].Kind != api.ChangeInventory {
				t.Fatalf("history %+v, want the newest 3", h)
			}
			if d := h[2].Details; len(d) != api.MaxChangeDetails+1 || d[len(d)-1] != "… and 800 more differences" || d[0] != "difference 0" {
				t.Errorf("capped details: %d lines, last %q", len(d), d[len(d)-1])
			}
			var paged []api.Change
			after := ""
			for {
				page, next, err := s.HistoryPage(ctx, id, after, 2)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, page...)
				if next == "" {
					break
				}
				after = next
			}
			if len(paged) != 3 || !paged[0].At.Equal(h[0].At) || !paged[2].At.Equal(h[2].At) {
				t.Errorf("pages %+v", paged)
			}
			if _, _, err := s.HistoryPage(ctx, id, "x", 2); err != store.ErrBadCursor {
				t.Errorf("bad cursor: %v", err)
			}
			if _, _, err := s.HistoryPage(ctx, "m-000000000000000000000000", "", 2); err != store.ErrNotFound {
				t.Errorf("unknown machine: %v", err)
			}
			if strings.Contains(fmt.Sprint(h), "difference 999") {
				t.Errorf("a line past the cap was kept")
			}
		})
	}
}
