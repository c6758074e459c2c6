package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// eachKube is each with the Kubernetes outbox on.
func eachKube(t *testing.T, fn func(t *testing.T, s *Store, reopen func(kube bool) *Store)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			_, dsn := b.open(t)
			reopen := func(kube bool) *Store {
				s, err := Open(context.Background(), dsn, Options{KubeOutbox: kube})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			fn(t, reopen(true), reopen)
		})
	}
}

func claim(t *testing.T, s *Store, owner string, now time.Time) []store.KubeTask {
	t.Helper()
	tasks, err := s.KubeClaim(context.Background(), owner, now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	return tasks
}

func finish(t *testing.T, s *Store, o store.KubeOutcome) {
	t.Helper()
	if err := s.KubeFinish(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

func kubeOf(t *testing.T, s *Store, id string) *api.KubeSync {
	t.Helper()
	m, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Kube
}

func TestKubeOutbox(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, _ func(bool) *Store) {
		ctx := context.Background()
		id := register(t, s, testinv.Machine(1), hash(1), 0).MachineID
		if d := cmp.Diff(&api.KubeSync{State: api.KubePending}, kubeOf(t, s, id)); d != "" {
			t.Errorf("after registering (-want +got):\n%s", d)
		}
		got := claim(t, s, "a", at(1))
		if d := cmp.Diff([]store.KubeTask{{MachineID: id, Generation: 1}}, got); d != "" {
			t.Fatalf("claim (-want +got):\n%s", d)
		}
		if again := claim(t, s, "b", at(1)); len(again) != 0 {
			t.Errorf("a leased machine was claimed again: %v", again)
		}
		// The machine registers again while "a" applies: "a"'s outcome
		// must not hide the newer inventory.
		register(t, s, testinv.Machine(1), hash(2), 1)
		finish(t, s, store.KubeOutcome{KubeTask: got[0], Owner: "a", State: api.KubeApplied, Objects: []string{"Hardware ns/a"}, Config: "c1", Now: at(2)})
		got = claim(t, s, "a", at(2))
		if d := cmp.Diff([]store.KubeTask{{MachineID: id, Generation: 2}}, got); d != "" {
			t.Fatalf("claim after re-registration (-want +got):\n%s", d)
		}

		// A failure: retried at NextAttempt, not before.
		finish(t, s, store.KubeOutcome{KubeTask: store.KubeTask{MachineID: id, Generation: 2, Attempts: 1}, Owner: "a",
			State: api.KubeFailed, Message: "unreachable", NextAttempt: at(10), Now: at(3)})
		next, last := at(10), at(3)
		want := &api.KubeSync{State: api.KubeFailed, Objects: []string{"Hardware ns/a"}, Message: "unreachable", Attempts: 1, LastAttempt: &last, NextAttempt: &next, AppliedAt: timePtr(at(2))}
		if d := cmp.Diff(want, kubeOf(t, s, id)); d != "" {
			t.Errorf("after a failure (-want +got):\n%s", d)
		}
		if early := claim(t, s, "a", at(9)); len(early) != 0 {
			t.Errorf("claimed before its next attempt: %v", early)
		}
		got = claim(t, s, "a", at(10))
		if len(got) != 1 || got[0].Attempts != 1 {
			t.Fatalf("claim at the next attempt: %v", got)
		}
		// The lease runs out: "b" takes over, and "a"'s late outcome is dropped.
		taken := claim(t, s, "b", at(12))
		if len(taken) != 1 {
			t.Fatalf("claim after the lease ran out: %v", taken)
		}
		finish(t, s, store.KubeOutcome{KubeTask: got[0], Owner: "a", State: api.KubeApplied, Config: "c1", Now: at(12)})
		finish(t, s, store.KubeOutcome{KubeTask: taken[0], Owner: "b", State: api.KubeConflict, Message: ".spec.interfaces (held by kubectl-edit)",
			Objects: []string{"Hardware ns/a"}, Config: "c1", Now: at(13)})
		want = &api.KubeSync{State: api.KubeConflict, Objects: []string{"Hardware ns/a"}, Message: ".spec.interfaces (held by kubectl-edit)",
			LastAttempt: timePtr(at(13)), AppliedAt: timePtr(at(13))}
		if d := cmp.Diff(want, kubeOf(t, s, id)); d != "" {
			t.Errorf("after a conflict (-want +got):\n%s", d)
		}
		if none := claim(t, s, "a", at(30)); len(none) != 0 {
			t.Errorf("a conflict is not retried by itself: %v", none)
		}

		// The same configuration again: nothing to do; another: everything.
		if n, err := s.KubeResync(ctx, "c1", at(31)); err != nil || n != 0 {
			t.Errorf("resync with the same config: %d, %v", n, err)
		}
		if n, err := s.KubeResync(ctx, "c2", at(31)); err != nil || n != 1 {
			t.Errorf("resync with another config: %d, %v", n, err)
		}
		counts, err := s.KubeCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(map[string]int{api.KubePending: 1}, counts); d != "" {
			t.Errorf("counts (-want +got):\n%s", d)
		}
		// Deleting the machine drops its row.
		if err := s.Delete(ctx, id); err != nil {
			t.Fatal(err)
		}
		if counts, _ := s.KubeCounts(ctx); len(counts) != 0 {
			t.Errorf("counts after delete: %v", counts)
		}
	})
}

func timePtr(t time.Time) *time.Time { return &t }

// TestKubeOutboxOff: without the outbox, registrations leave no row; the
// first resync of a server started with --kubeconfig marks every machine.
func TestKubeOutboxOff(t *testing.T) {
	eachKube(t, func(t *testing.T, _ *Store, reopen func(bool) *Store) {
		off := reopen(false)
		for i := 1; i <= 3; i++ {
			register(t, off, testinv.Machine(i), hash(i), 0)
		}
		if k := kubeOf(t, off, testinv.Machine(1).Identity.MachineID); k != nil {
			t.Errorf("outbox off: kube %+v", k)
		}
		on := reopen(true)
		if n, err := on.KubeResync(context.Background(), "c", at(1)); err != nil || n != 3 {
			t.Fatalf("resync: %d, %v", n, err)
		}
		if got := claim(t, on, "a", at(1)); len(got) != 3 {
			t.Errorf("claimed %d, want 3", len(got))
		}
	})
}

// TestKubeClaimReplicas: appliers of several replicas claiming at once
// share the work without overlap (SKIP LOCKED on PostgreSQL, the single
// writer on SQLite).
func TestKubeClaimReplicas(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, reopen func(bool) *Store) {
		const machines = 40
		for i := 1; i <= machines; i++ {
			register(t, s, testinv.Machine(i), hash(i), 0)
		}
		stores := []*Store{s, reopen(true), reopen(true)}
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for r, st := range stores {
			for w := 0; w < 2; w++ {
				wg.Add(1)
				owner := fmt.Sprintf("replica-%d/%d", r, w)
				go func() {
					defer wg.Done()
					for {
						tasks, err := st.KubeClaim(context.Background(), owner, at(1), time.Minute, 3)
						if err != nil {
							t.Error(err)
							return
						}
						if len(tasks) == 0 {
							return
						}
						mu.Lock()
						for _, tk := range tasks {
							if prev, dup := seen[tk.MachineID]; dup {
								t.Errorf("%s claimed by %s and %s", tk.MachineID, prev, owner)
							}
							seen[tk.MachineID] = owner
						}
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
		ids := make([]string, 0, len(seen))
		for id := range seen {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) != machines {
			t.Errorf("%d machines claimed, want %d", len(ids), machines)
		}
	})
}

func TestKubeAddress(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, reopen func(bool) *Store) {
		ctx := context.Background()
		a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
		pool := store.AddressPool{Start: a("10.10.10.1"), End: a("10.10.10.6"), Reserved: []netip.Addr{a("10.10.10.1"), a("10.10.10.2")}}
		var ids []string
		for i := 1; i <= 4; i++ {
			ids = append(ids, register(t, s, testinv.Machine(i), hash(i), 0).MachineID)
		}
		// testinv.Machine(1..4)'s BMC addresses are taken too.
		bmc := map[netip.Addr]bool{}
		for i := 1; i <= 4; i++ {
			if lan := testinv.Machine(i).BMC.PrimaryLAN(); lan != nil {
				bmc[a(lan.IPv4)] = true
			}
		}
		got := map[string]netip.Addr{}
		for _, id := range ids[:2] {
			addr, err := s.KubeAddress(ctx, id, pool)
			if err != nil {
				t.Fatal(err)
			}
			got[id] = addr
		}
		if got[ids[0]] != a("10.10.10.3") || got[ids[1]] != a("10.10.10.4") {
			t.Errorf("addresses %v, want .3 and .4 (.1 and .2 reserved)", got)
		}
		// Stable: the same machine keeps its address.
		if again, err := s.KubeAddress(ctx, ids[0], pool); err != nil || again != got[ids[0]] {
			t.Errorf("again: %v, %v; want %v", again, err, got[ids[0]])
		}
		// The plan reserves .3 now: its holder moves to the next free one.
		moved := pool
		moved.Reserved = append(moved.Reserved, a("10.10.10.3"))
		if addr, err := s.KubeAddress(ctx, ids[0], moved); err != nil || addr != a("10.10.10.5") {
			t.Errorf("after reserving .3: %v, %v; want .5", addr, err)
		}
		if addr, err := s.KubeAddress(ctx, ids[2], moved); err != nil || addr != a("10.10.10.6") {
			t.Errorf("third machine: %v, %v; want .6", addr, err)
		}
		if _, err := s.KubeAddress(ctx, ids[3], moved); !errors.Is(err, store.ErrPoolExhausted) {
			t.Errorf("fourth machine: %v, want ErrPoolExhausted", err)
		}
		// Deleting a machine frees its address.
		if err := s.Delete(ctx, ids[2]); err != nil {
			t.Fatal(err)
		}
		if addr, err := s.KubeAddress(ctx, ids[3], moved); err != nil || addr != a("10.10.10.6") {
			t.Errorf("after a delete: %v, %v; want .6", addr, err)
		}
		for addr := range bmc {
			if addr == got[ids[0]] || addr == got[ids[1]] {
				t.Errorf("%v is a BMC address", addr)
			}
		}
	})
}

// TestKubeAddressReplicas: replicas handing out addresses at once never
// give one address twice.
func TestKubeAddressReplicas(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, reopen func(bool) *Store) {
		const machines = 24
		var ids []string
		for i := 1; i <= machines; i++ {
			ids = append(ids, register(t, s, testinv.Machine(i), hash(i), 0).MachineID)
		}
		pool := store.AddressPool{Start: netip.MustParseAddr("10.0.0.1"), End: netip.MustParseAddr("10.0.3.254")}
		stores := []*Store{s, reopen(true), reopen(true)}
		var mu sync.Mutex
		seen := map[netip.Addr]string{}
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				addr, err := stores[i%len(stores)].KubeAddress(context.Background(), id, pool)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if other, dup := seen[addr]; dup {
					t.Errorf("%v handed to %s and %s", addr, other, id)
				}
				seen[addr] = id
			}()
		}
		wg.Wait()
		if len(seen) != machines {
			t.Errorf("%d addresses for %d machines", len(seen), machines)
		}
	})
}

// TestKubeMessageNUL: an apply's message quotes the machine's own strings
// (export.One: "BMC <its BMC IP> has no credentials", an API server's
// refusal quoting a field): a NUL in one made PostgreSQL refuse the
// outcome, so it was never recorded and the machine was applied again at
// every lease. Both stores keep it with U+FFFD (store.ColumnText).
func TestKubeMessageNUL(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, _ func(bool) *Store) {
		id := register(t, s, testinv.Machine(1), hash(1), 0).MachineID
		task := claim(t, s, "a", at(1))[0]
		finish(t, s, store.KubeOutcome{KubeTask: task, Owner: "a", State: api.KubeApplied, Config: "c1", Now: at(1),
			Message: "not written: BMC 10.0.0.1\x00 has no credentials; \xff\xfe"})
		got := kubeOf(t, s, id)
		if got == nil || got.State != api.KubeApplied || got.Message != "not written: BMC 10.0.0.1\uFFFD has no credentials; \uFFFD" {
			t.Errorf("kube %+v, want applied with the message's NUL and invalid bytes as U+FFFD", got)
		}
	})
}

// TestKubeName: a Hardware name is one machine's until that machine takes
// another name or is deleted; replicas claiming one name at once give it
// to exactly one machine.
func TestKubeName(t *testing.T) {
	eachKube(t, func(t *testing.T, s *Store, reopen func(bool) *Store) {
		ctx := context.Background()
		var ids []string
		for i := 1; i <= 8; i++ {
			ids = append(ids, register(t, s, testinv.Machine(i), hash(i), 0).MachineID)
		}
		claim := func(id, name, want string) {
			t.Helper()
			if got, err := s.KubeName(ctx, id, name); err != nil || got != want {
				t.Errorf("%s claims %s: holder %q, %v; want %q", id, name, got, err, want)
			}
		}
		const n, m = "Hardware eksa-system/discovery-a", "Hardware eksa-system/discovery-b"
		claim(ids[0], n, ids[0])
		claim(ids[0], n, ids[0]) // again: still its own
		claim(ids[1], n, ids[0])
		claim(ids[1], "Hardware other/discovery-a", ids[1]) // another namespace, another name
		// Renamed: the old name is given up.
		claim(ids[0], m, ids[0])
		claim(ids[2], n, ids[2])
		// Deleted: its name is free.
		if err := s.Delete(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		claim(ids[3], m, ids[3])

		// Five machines, three replicas, one name, at once.
		stores := []*Store{s, reopen(true), reopen(true)}
		const race = "Hardware eksa-system/discovery-race"
		holders := make([]string, 5)
		var wg sync.WaitGroup
		for i, id := range ids[3:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h, err := stores[i%len(stores)].KubeName(ctx, id, race)
				if err != nil {
					t.Error(err)
				}
				holders[i] = h
			}()
		}
		wg.Wait()
		winners := 0
		for i, id := range ids[3:] {
			if holders[i] == id {
				winners++
			}
			if holders[i] != holders[0] {
				t.Errorf("holders %v: want one machine for every claim", holders)
				break
			}
		}
		if winners != 1 {
			t.Errorf("%d machines claimed %s, want 1 (holders %v)", winners, race, holders)
		}
	})
}
