package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// New machines registered together on PostgreSQL are stored exactly as
// the general path stores each alone: every row of every table a new
// machine has, compared between a store that registered 48 machines at
// once through its batcher and one that registered them one by one in
// transactions. A third of them have collectors pending (no Kubernetes
// mark yet, another history line), half a peer.
func TestNewMachinesTogetherAsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	open := func() *Store {
		s, err := Open(ctx, pg.NewDatabase(t, pgErr), Options{KubeOutbox: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	together, alone := open(), open()
	alone.news.close()
	alone.news = nil // the general path for every registration

	regs := make([]store.Registration, 48)
	for i := range regs {
		inv := testinv.Machine(200 + i)
		if i%3 == 0 {
			inv = testinv.Registration(inv)
		}
		regs[i] = store.Registration{Document: doc(t, inv), CredentialHash: hash(i), Now: at(i)}
		if i%2 == 0 {
			regs[i].Peer = fmt.Sprintf("10.0.0.%d", i)
		}
	}
	var wg sync.WaitGroup
	for _, r := range regs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, handled, err := together.news.register(ctx, r)
			want := store.RegisterResult{MachineID: inventory.MachineIDOf(r.Keys[0]), Created: true, Verdict: "allow"}
			if !handled || err != nil || !cmp.Equal(res, want) {
				t.Errorf("registered together: %+v, handled %v, %v; want %+v", res, handled, err, want)
			}
		}()
	}
	wg.Wait()
	for _, r := range regs {
		if res, err := alone.Register(ctx, r); err != nil || !res.Created {
			t.Fatalf("registered alone: %+v, %v", res, err)
		}
	}
	for _, q := range []string{
		`SELECT * FROM machines`,
		`SELECT * FROM machine_inventories`,
		`SELECT * FROM machine_keys`,
		`SELECT * FROM machine_neighbours`,
		`SELECT machine_id, at, kind, details FROM machine_history`,
		`SELECT * FROM kube_sync`,
	} {
		a, b := rowsOf(t, together, q), rowsOf(t, alone, q)
		if len(a) == 0 {
			t.Errorf("%s: no rows", q)
		}
		if d := cmp.Diff(b, a); d != "" {
			t.Errorf("%s (-alone +together):\n%s", q, d)
		}
	}

	// What is not a plain new machine is left to the general path,
	// nothing written: a machine known by its keys, one whose derived
	// ID a deleted machine had.
	if _, handled, err := together.news.register(ctx, regs[1]); handled || err != nil {
		t.Errorf("a known machine: handled %v, %v; want it left to the general path", handled, err)
	}
	id := inventory.MachineIDOf(regs[2].Keys[0])
	if err := together.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, handled, err := together.news.register(ctx, regs[2]); handled || err != nil {
		t.Errorf("a deleted machine's ID: handled %v, %v; want it left to the general path", handled, err)
	}
	if res, err := together.Register(ctx, regs[2]); err != nil || res.MachineID != id || !res.Created {
		t.Errorf("the deleted machine again: %+v, %v; want %s given back to the same machine", res, err, id)
	}
}

// rowsOf is the rows q selects, each as JSON, sorted.
func rowsOf(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rs, err := s.read.QueryContext(context.Background(), `SELECT row_to_json(r)::text FROM (`+q+`) AS r ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
