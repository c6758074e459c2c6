package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
)

// New machines on PostgreSQL are registered together: the registrations
// of machines nobody knows that are waiting when a worker is free go in
// two statements for all of them, where one alone took six round trips
// (BEGIN, the key lookup, two ID checks, the insert, COMMIT) in the
// general path:
//
//  1. one read says which of their keys are held and which of their
//     derived IDs name a machine or a deleted one;
//  2. the ones that are plain new machines (nothing held, the ID free,
//     nothing shared with an earlier one of the batch) are inserted by
//     one statement, atomic without a transaction around it.
//
// PostgreSQL spends most of a lone insert on what a statement costs
// whatever its rows (planning the read, starting the executor on six
// tables, committing): measured alone with pgbench, 190–235 µs of its CPU
// per machine inserted one at a time, 115–120 µs eight at a time. In
// bench/load's burst of 10,000 (batches of 9 on average), PostgreSQL's
// CPU fell from 5.1–5.3 s to 2.6 s.
//
// The read guarantees what the general path's reads do at READ
// COMMITTED, where they lock nothing either: a registration that takes a
// key or an ID in between makes the insert fail on the unique key, as it
// makes the general path's. Whatever is not a plain new machine, and a
// whole batch whose read or insert failed, goes to the general path (a
// transaction, with its retries), which decides as it always did.

// newBatchMax bounds the registrations of one batch; newWorkers is how
// many batches run at once (each on its own connection).
const (
	newBatchMax = 16
	newWorkers  = 4
)

// newMachines is the batcher.
type newMachines struct {
	s    *Store
	mu   sync.RWMutex
	shut bool
	reqs chan *newReq
	wg   sync.WaitGroup
}

type newReq struct {
	ctx  context.Context
	in   store.Registration
	id   string // the ID derived from the strongest key
	done chan newOutcome
}

// newOutcome is a request's answer: handled false sends it to the general
// path (nothing of it was written).
type newOutcome struct {
	handled bool
	err     error
}

func startNewMachines(s *Store) *newMachines {
	b := &newMachines{s: s, reqs: make(chan *newReq, newBatchMax*newWorkers)}
	for range newWorkers {
		b.wg.Add(1)
		go b.loop()
	}
	return b
}

// register registers in as a new machine if it is one; handled is false
// when the general path has to decide.
func (b *newMachines) register(ctx context.Context, in store.Registration) (res store.RegisterResult, handled bool, err error) {
	r := &newReq{ctx: ctx, in: in, id: inventory.MachineIDOf(in.Keys[0]), done: make(chan newOutcome, 1)}
	b.mu.RLock()
	if b.shut {
		b.mu.RUnlock()
		return res, false, nil
	}
	select {
	case b.reqs <- r:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return res, true, ctx.Err()
	}
	// Once queued, a request is answered: a worker that took it runs its
	// batch to the end.
	o := <-r.done
	if !o.handled || o.err != nil {
		return res, o.handled, o.err
	}
	return store.RegisterResult{MachineID: r.id, Created: true, Verdict: reenroll.Allow}, true, nil
}

// close lets the workers finish what is queued.
func (b *newMachines) close() {
	b.mu.Lock()
	if !b.shut {
		b.shut = true
		close(b.reqs)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

func (b *newMachines) loop() {
	defer b.wg.Done()
	batches(b.reqs, newBatchMax, b.run)
}

// run registers a batch. Its statements use a context of their own: one
// request given up must not fail the others; a request already given up
// when the batch starts is answered with its context's error.
func (b *newMachines) run(batch []*newReq) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- newOutcome{handled: true, err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	plain, others, err := b.s.plainNew(ctx, live)
	if err == nil && len(plain) > 0 {
		err = b.s.insertNew(ctx, plain)
	}
	if err != nil {
		// The general path decides each (and reports a failure as its own).
		others = live
		plain = nil
	}
	for _, r := range plain {
		r.done <- newOutcome{handled: true}
	}
	for _, r := range others {
		r.done <- newOutcome{}
	}
}

// plainNew splits a batch into the plain new machines and the others.
func (s *Store) plainNew(ctx context.Context, batch []*newReq) (plain, others []*newReq, err error) {
	ids := make([]string, 0, len(batch))
	var keys []string
	for _, r := range batch {
		ids = append(ids, r.id)
		keys = append(keys, r.in.Keys...)
	}
	// Planned for these keys and IDs every time (evaluate says why), each
	// looked up by its own index probe: a plain IN list of a batch's 160
	// keys was read by scanning machine_keys while it held fewer than
	// about 30,000 keys (the planner's choice; 1.3 million rows read by
	// sequential scans for 3,000 registrations in TestKeyLookupUsesTheIndex),
	// and OFFSET 0 keeps the lookups from being flattened into a join the
	// planner may answer with a scan too.
	rs, err := s.write.QueryContext(ctx, `SELECT k.key FROM unnest($1::text[]) AS u(v)
			CROSS JOIN LATERAL (SELECT key FROM machine_keys WHERE key = u.v OFFSET 0) AS k
		UNION ALL SELECT m.id FROM unnest($2::text[]) AS u(v)
			CROSS JOIN LATERAL (SELECT id FROM machines WHERE id = u.v OFFSET 0) AS m
		UNION ALL SELECT r.id FROM unnest($2::text[]) AS u(v)
			CROSS JOIN LATERAL (SELECT id FROM retired_machines WHERE id = u.v OFFSET 0) AS r`,
		pgx.QueryExecModeExec, keys, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("find machines by identity: %w", err)
	}
	defer rs.Close()
	// Keys and IDs share one set: an ID ("m-" and hex) never has a key's
	// form ("kind:value").
	taken := map[string]bool{}
	for rs.Next() {
		var v string
		if err := rs.Scan(&v); err != nil {
			return nil, nil, fmt.Errorf("find machines by identity: %w", err)
		}
		taken[v] = true
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("find machines by identity: %w", err)
	}
	for _, r := range batch {
		free := !taken[r.id]
		for _, k := range r.in.Keys {
			free = free && !taken[k]
		}
		if !free {
			others = append(others, r)
			continue
		}
		// What this one takes, a later one of the batch cannot.
		taken[r.id] = true
		for _, k := range r.in.Keys {
			taken[k] = true
		}
		plain = append(plain, r)
	}
	return plain, others, nil
}

// insertNewSQL inserts new machines given as parallel arrays (unnest zips
// them): a statement whose text never changes, so PostgreSQL plans it once
// per connection (it reads no table: nothing a plan made while the tables
// were small could scan). $1 is the state, $2 the history kind, $3 the
// Kubernetes state.
const insertNewSQL = `WITH m AS (INSERT INTO machines (id, state, first_seen, last_seen, credential_hash,
		inventory_digest, manufacturer, product, serial, bmc_ip, hostname, worker_id, hw_addr, switches,
		agent_version, uptime_seconds, identity)
	SELECT id, $1, at, at, ch, d, mf, pr, se, bmc, hn, wi, hw, sw, av, up, idn
	FROM unnest($4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
		$12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::float8[], $18::text[])
		AS t(id, at, ch, d, mf, pr, se, bmc, hn, wi, hw, sw, av, up, idn)),
i AS (INSERT INTO machine_inventories (machine_id, inventory) SELECT * FROM unnest($4::text[], $19::text[])),
h AS (INSERT INTO machine_history (machine_id, at, kind, details) SELECT id, at, $2, d FROM unnest($4::text[], $5::bigint[], $20::text[]) AS t(id, at, d)),
k AS (INSERT INTO machine_keys (key, machine_id) SELECT * FROM unnest($21::text[], $22::text[])),
n AS (INSERT INTO machine_neighbours (machine_id, interface, switch, chassis_id, port) SELECT * FROM unnest($23::text[], $24::text[], $25::text[], $26::text[], $27::text[])),
ks AS (INSERT INTO kube_sync (machine_id, generation, state, next_attempt) SELECT id, 1, $3, at FROM unnest($28::text[], $29::bigint[]) AS t(id, at))
SELECT 1`

// insertNew inserts the machines of a batch, as createPostgres inserts one.
func (s *Store) insertNew(ctx context.Context, batch []*newReq) error {
	n := len(batch)
	var (
		ids, chs, ds, mfs, prs, ses, bmcs, hns, wis, hws, sws, avs, idns, invs, hists = make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n)
		ats                                     = make([]int64, 0, n)
		ups                                     = make([]float64, 0, n)
		keys, keyIDs                            []string
		nbIDs, nbIfs, nbSws, nbChassis, nbPorts []string
		kubeIDs                                 []string
		kubeAts                                 []int64
	)
	for _, r := range batch {
		in, sum := r.in, r.in.Summary
		details := append([]string{"first registration"}, fromPeer(in.Peer)...)
		hist, err := json.Marshal(capDetails(append(details, pendingDetail(in.Document)...)))
		if err != nil {
			return err
		}
		at := micros(in.Now)
		ids, ats, chs, ds = append(ids, r.id), append(ats, at), append(chs, in.CredentialHash), append(ds, in.Digest)
		mfs, prs, ses, bmcs = append(mfs, sum.Manufacturer), append(prs, sum.Product), append(ses, sum.Serial), append(bmcs, sum.BMCIP)
		hns, wis, hws, sws = append(hns, sum.Hostname), append(wis, sum.WorkerID), append(hws, sum.HWAddr), append(sws, switchesJSON(sum))
		avs, ups, idns = append(avs, agentVersion(in.Inventory)), append(ups, uptime(in.Inventory)), append(idns, identityJSON(in.Identity))
		invs, hists = append(invs, string(in.JSON)), append(hists, string(hist))
		for _, k := range in.Keys {
			keys, keyIDs = append(keys, k), append(keyIDs, r.id)
		}
		for _, nb := range sum.Neighbours {
			nbIDs, nbIfs, nbPorts = append(nbIDs, r.id), append(nbIfs, nb.Interface), append(nbPorts, nb.Port)
			nbSws, nbChassis = append(nbSws, strings.ToLower(nb.Switch)), append(nbChassis, strings.ToLower(nb.ChassisID))
		}
		// A document with pending collectors goes to the cluster with
		// the agent's first update, which completes it.
		if s.kube && len(in.Pending) == 0 {
			kubeIDs, kubeAts = append(kubeIDs, r.id), append(kubeAts, at)
		}
	}
	if _, err := s.write.ExecContext(ctx, insertNewSQL, api.StateRegistered, api.ChangeRegistered, api.KubePending,
		ids, ats, chs, ds, mfs, prs, ses, bmcs, hns, wis, hws, sws, avs, ups, idns, invs, hists,
		keys, keyIDs, nbIDs, nbIfs, nbSws, nbChassis, nbPorts, kubeIDs, kubeAts); err != nil {
		return fmt.Errorf("insert %d new machines: %w", n, err)
	}
	return nil
}
