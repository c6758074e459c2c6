package sqlstore

import (
	"context"
	"sync"
	"testing"

	"github.com/hwagent/hwagent/server/testinv"
)

// A burst of registrations on a new PostgreSQL database finds each
// machine's keys through the index. The key lookup was a prepared
// statement, and a generic plan PostgreSQL cached for it could scan the
// whole of machine_keys at every registration after. Before, for 3,000
// registrations: 9.2 and 1.1 million rows read in two runs, 0.1 million in
// a third (it depends on when the plan was made); planned every time, at
// most 0.1 million in five runs.
func TestKeyLookupUsesTheIndex(t *testing.T) {
	t.Parallel()
	dsn := pg.NewDatabase(t, pgErr)
	s := openT(t, dsn)
	const n = 3000
	var wg sync.WaitGroup
	next := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				register(t, s, testinv.Machine(i), hash(i), 0)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	// Backends report their counts at the end of a transaction at most
	// once a second: fewer are seen, never more.
	var scans, rows int64
	if err := s.read.QueryRowContext(context.Background(), `SELECT seq_scan, seq_tup_read FROM pg_stat_user_tables WHERE relname = 'machine_keys'`).
		Scan(&scans, &rows); err != nil {
		t.Fatal(err)
	}
	t.Logf("machine_keys after %d registrations: %d sequential scans, %d rows read by them", n, scans, rows)
	if rows > 100*n {
		t.Errorf("machine_keys after %d registrations: %d sequential scans read %d rows, want the index used", n, scans, rows)
	}
}
