package e2e

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/agent"
	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	protocol "github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/testinv"
)

// replicaMachines is the size of the registration burst of the replica
// test: HWAGENT_TEST_REPLICA_MACHINES, else 1,500 (the load benchmark,
// bench/load, is where 10,000 are measured).
func replicaMachines(t *testing.T) int {
	if v := os.Getenv("HWAGENT_TEST_REPLICA_MACHINES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			t.Fatalf("HWAGENT_TEST_REPLICA_MACHINES=%q: want a number ≥ 10", v)
		}
		return n
	}
	return 1500
}

// replicaSet is `hwagent serve` replicas on one PostgreSQL database, each on
// an address of its own that it keeps when restarted.
type replicaSet struct {
	dsn   string
	addrs []string
	mu    sync.Mutex
	serve []*servertest.Serve
	args  []string
}

// startReplicas starts n replicas at once on dsn.
func startReplicas(t *testing.T, dsn string, n int, args ...string) *replicaSet {
	t.Helper()
	rs := &replicaSet{dsn: dsn, serve: make([]*servertest.Serve, n), args: args}
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rs.addrs = append(rs.addrs, ln.Addr().String())
		ln.Close()
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = rs.start(i)
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for i, s := range rs.serve {
			if s == nil {
				continue
			}
			select {
			case <-s.Exited():
				continue // killed by the test
			default:
			}
			if err := s.Stop(); err != nil {
				t.Errorf("replica %d did not stop cleanly: %v", i, err)
			}
			if t.Failed() {
				t.Logf("replica %d log:\n%s", i, tail(s.Logs(), 30))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return rs
}

// start starts replica i on its address.
func (rs *replicaSet) start(i int) error {
	s, err := servertest.StartServe(bin, servertest.ServeOptions{Database: rs.dsn, EnrollToken: enrollToken, AdminToken: adminToken,
		Listen: rs.addrs[i], Args: rs.args})
	if err != nil {
		return fmt.Errorf("replica %d: %w", i, err)
	}
	rs.mu.Lock()
	rs.serve[i] = s
	rs.mu.Unlock()
	return nil
}

// kill sends replica i SIGKILL.
func (rs *replicaSet) kill(i int) {
	rs.mu.Lock()
	s := rs.serve[i]
	rs.mu.Unlock()
	s.Kill()
}

// Three `hwagent serve` replicas on one PostgreSQL behind haproxy (HTTP,
// health checks on /readyz), as the README says they may run:
//
//   - started together on an empty database, the migrations run once;
//   - a burst of registrations with the agent's client and retry policy,
//     one replica killed with SIGKILL in the middle: every acknowledged
//     registration is there, once, and the credential it was acknowledged
//     with works, whichever replica answers;
//   - steady check-ins through the balancer;
//   - an operator's reboot delivered to real agents (agent.Run) exactly
//     once across replicas, with another replica killed meanwhile and
//     answers lost on the way (the agent acknowledges before obeying and
//     the server keeps the action until then): each machine reboots once,
//     its history says delivered once, and the agent booting again after
//     the reboot is not told again.
func TestReplicasBehindHAProxy(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.HAProxy)
	dsn := pg.NewDatabase(t, pgErr)
	n := replicaMachines(t)
	rs := startReplicas(t, dsn, 3, "--checkin-interval", "1s")
	checkMigrationsOnce(t, dsn)
	lb := lab.StartHAProxy(t, lab.HAProxyConfig{Servers: rs.addrs, HealthPath: "/readyz", CheckInterval: 200 * time.Millisecond})
	if err := lb.WaitStates(20*time.Second, "UP", "UP", "UP"); err != nil {
		t.Fatalf("%v\n%s", err, lb.Logs())
	}
	c, err := protocol.New(protocol.Options{Server: lb.URL, EnrollmentToken: secret.Value(enrollToken), AdminToken: secret.Value(adminToken)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// The agent's policy (capped exponential backoff with full jitter on
	// top of Retry-After), with a shorter base and cap than the agent's
	// defaults so that the test ends sooner.
	retry := protocol.Retrier{Backoff: protocol.Backoff{Base: 200 * time.Millisecond, Cap: 3 * time.Second}}

	// The burst: every machine registers at once; replica 0 is killed
	// when 40 % are acknowledged.
	type ack struct{ id, cred string }
	acks := make([]ack, n)
	var acked atomic.Int64
	var causesMu sync.Mutex
	causes := map[string]int{} // why attempts were retried
	r := retry
	r.OnRetry = func(_ int, _ time.Duration, err error) {
		cause := "network"
		var se *protocol.StatusError
		if errors.As(err, &se) {
			cause = strconv.Itoa(se.Status)
		}
		causesMu.Lock()
		if causes[cause] == 0 {
			t.Logf("first retry for %s: %v", cause, err)
		}
		causes[cause]++
		causesMu.Unlock()
	}
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inv := testinv.Machine(200000 + i)
			err := r.Do(ctx, func(ctx context.Context) error {
				res, err := c.Register(ctx, inv)
				if err == nil {
					acks[i] = ack{res.MachineID, res.Credential}
				}
				return err
			})
			if err != nil {
				errc <- fmt.Errorf("registration %d: %w", i, err)
				return
			}
			acked.Add(1)
		}()
	}
	for acked.Load() < int64(n)*4/10 {
		time.Sleep(5 * time.Millisecond)
	}
	killedAt := acked.Load()
	rs.kill(0)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	t.Logf("%d registrations through haproxy to 3 replicas in %v; replica 0 killed at %d acknowledged; attempts retried: %v",
		n, time.Since(start).Round(time.Millisecond), killedAt, causes)
	if causes["502"]+causes["503"]+causes["network"] == 0 {
		t.Errorf("no registration failed for the kill: it did not land during the burst")
	}

	// Every acknowledged registration is there, once.
	list, err := c.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, m := range list {
		present[m.ID] = true
	}
	for i, a := range acks {
		if !present[a.id] {
			t.Errorf("registration %d acknowledged as %s is missing", i, a.id)
		}
	}
	if len(list) != n {
		t.Errorf("%d machines after %d registrations, want %d", len(list), n, n)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Replica 0 comes back; machines check in through the balancer with
	// the credential they were acknowledged with, whichever replica
	// answers: every one is answered none.
	if err := rs.start(0); err != nil {
		t.Fatal(err)
	}
	if err := lb.WaitStates(20*time.Second, "UP", "UP", "UP"); err != nil {
		t.Fatal(err)
	}
	const agents = 150
	var checkins atomic.Int64
	sem := make(chan struct{}, 64)
	for i := agents; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			m := protocol.Machine{ID: acks[i].id, Credential: secret.Value(acks[i].cred)}
			req := api.CheckinRequest{State: api.StateRegistered, InventoryDigest: inventory.Digest(testinv.Machine(200000 + i)), AcksActions: true, AgentVersion: "e2e"}
			for range 2 {
				var resp *api.CheckinResponse
				err := retry.Do(ctx, func(ctx context.Context) (err error) {
					resp, err = c.Checkin(ctx, m, req)
					return err
				})
				if err != nil || resp.Action != api.ActionNone {
					t.Errorf("check-in of %s: %+v %v, want none", m.ID, resp, err)
					return
				}
				checkins.Add(1)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d check-ins through haproxy, every one answered none", checkins.Load())

	// An operator reboots the first machines; their agents run for real.
	for i := range agents {
		if _, err := c.SetAction(ctx, acks[i].id, api.ActionReboot); err != nil {
			t.Fatal(err)
		}
	}
	fleet := &rebootFleet{reboots: map[int]int{}}
	outcomes := make([]agent.Outcome, agents)
	runErrs := make([]error, agents)
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i], runErrs[i] = runAgent(ctx, t, c, fleet, 200000+i, i%2 == 0, time.Minute)
		}()
	}
	for fleet.count() < agents/3 {
		time.Sleep(5 * time.Millisecond)
	}
	rebootedAt := fleet.count()
	rs.kill(1)
	wg.Wait()
	t.Logf("replica 1 killed when %d of %d machines had rebooted; %d answers dropped on the way", rebootedAt, agents, fleet.dropped.Load())
	for i := range agents {
		if runErrs[i] != nil || outcomes[i] != agent.Rebooting {
			t.Errorf("agent of machine %d: %q %v, want rebooting", i, outcomes[i], runErrs[i])
		}
	}
	// After the reboot every agent starts again, with nothing in memory:
	// it registers and checks in, and is not told to reboot again.
	for i := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i], runErrs[i] = runAgent(ctx, t, c, fleet, 200000+i, false, 3500*time.Millisecond)
		}()
	}
	wg.Wait()
	for i := range agents {
		if !errors.Is(runErrs[i], context.DeadlineExceeded) || outcomes[i] != "" {
			t.Errorf("agent of machine %d after its reboot: %q %v, want to still be waiting", i, outcomes[i], runErrs[i])
		}
	}
	for i := range agents {
		id := acks[i].id
		if got := fleet.reboots[200000+i]; got != 1 {
			t.Errorf("machine %s rebooted %d times, want once", id, got)
		}
		m, err := c.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.PendingAction != "" || m.PendingActionID != "" {
			t.Errorf("machine %s: action %q (%s) still pending after its acknowledgement", id, m.PendingAction, m.PendingActionID)
		}
		h, err := c.History(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		delivered := 0
		for _, ch := range h.Changes {
			if ch.Kind == api.ChangeActionDelivered {
				delivered++
			}
		}
		if delivered != 1 {
			t.Errorf("machine %s: %d action_delivered in its history, want 1", id, delivered)
		}
	}
}

// checkMigrationsOnce checks that every schema version is recorded once.
func checkMigrationsOnce(t *testing.T, dsn string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := 1
	for rows.Next() {
		var v, count int
		if err := rows.Scan(&v, &count); err != nil {
			t.Fatal(err)
		}
		if v != want || count != 1 {
			t.Errorf("schema_migrations: version %d recorded %d times, want version %d once", v, count, want)
		}
		want++
	}
	if want < 2 {
		t.Error("schema_migrations is empty")
	}
}

// rebootFleet counts the reboots of the machines its agents run on, and the
// answers it dropped.
type rebootFleet struct {
	mu      sync.Mutex
	reboots map[int]int
	dropped atomic.Int64
}

func (f *rebootFleet) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reboots)
}

// machinePower is machine i's power: a reboot is counted, and Run
// returns.
type machinePower struct {
	f *rebootFleet
	i int
}

func (p machinePower) Reboot() error {
	p.f.mu.Lock()
	defer p.f.mu.Unlock()
	p.f.reboots[p.i]++
	return nil
}

func (p machinePower) PowerOff() error { return errors.New("not asked for") }

// fleetMachine is a collector that finds machine i of server/testinv.
type fleetMachine int

func (fleetMachine) Name() string { return "fleet" }
func (m fleetMachine) Collect(context.Context, *collector.Env) (collector.Apply, error) {
	return func(inv *inventory.Inventory) {
		src := testinv.Machine(int(m))
		src.SchemaVersion, src.CollectedAt, src.Agent, src.Collectors, src.Identity = inv.SchemaVersion, inv.CollectedAt, inv.Agent, inv.Collectors, inv.Identity
		*inv = *src
	}, nil
}

// lossyServer is the network between an agent and the balancer: with
// lose, it drops the first answer that carries an action and the first
// that confirms an acknowledgement, after the server acted on them (a
// connection broken on the way back).
type lossyServer struct {
	*protocol.Client
	f                    *rebootFleet
	lose                 bool
	lostAction, lostAckd bool
}

func (s *lossyServer) Checkin(ctx context.Context, m protocol.Machine, req api.CheckinRequest) (*api.CheckinResponse, error) {
	resp, err := s.Client.Checkin(ctx, m, req)
	if err != nil || !s.lose {
		return resp, err
	}
	switch {
	case resp.ActionID != "" && !s.lostAction:
		s.lostAction = true
	case resp.AckedActionID != "" && !s.lostAckd:
		s.lostAckd = true
	default:
		return resp, nil
	}
	s.f.dropped.Add(1)
	return nil, errors.New("connection reset by peer (the answer was lost)")
}

// runAgent runs the real agent loop for machine i through c until it ends
// or d passes.
func runAgent(ctx context.Context, t *testing.T, c *protocol.Client, f *rebootFleet, i int, lose bool, d time.Duration) (agent.Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	a, err := agent.New(agent.Options{
		Server:  &lossyServer{Client: c, f: f, lose: lose},
		Env:     collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{}),
		Specs:   []collectors.Spec{{Collector: fleetMachine(i)}},
		Version: "e2e",
		Mode:    "run",
		Backoff: protocol.Backoff{Base: 200 * time.Millisecond, Cap: 3 * time.Second},
		Power:   machinePower{f: f, i: i},
	})
	if err != nil {
		return "", err
	}
	return a.Run(ctx)
}

// The replicas given to the agent's client as a list of server URLs, no
// balancer: a burst of registrations, one replica killed with SIGKILL in
// the middle; every acknowledged registration is there, once, and every
// machine then checks in through the list, the dead replica skipped.
func TestReplicasAsServerList(t *testing.T) {
	t.Parallel()
	dsn := pg.NewDatabase(t, pgErr)
	n := replicaMachines(t) / 3
	rs := startReplicas(t, dsn, 3)
	var urls []string
	for _, a := range rs.addrs {
		urls = append(urls, "http://"+a)
	}
	// Each agent has a client of its own, as on its own machine: they
	// start on replicas at random.
	clients := make([]*protocol.Client, n)
	for i := range clients {
		var err error
		if clients[i], err = protocol.New(protocol.Options{Server: strings.Join(urls, ","), EnrollmentToken: secret.Value(enrollToken)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	retry := protocol.Retrier{Backoff: protocol.Backoff{Base: 200 * time.Millisecond, Cap: 3 * time.Second}}
	ids := make([]string, n)
	creds := make([]string, n)
	var acked, failedOver atomic.Int64
	r := retry
	r.OnRetry = func(int, time.Duration, error) { failedOver.Add(1) }
	// At most 32 registrations at a time, so that new ones keep starting
	// after the kill and a third of those start on the dead replica: with
	// every registration in flight at once, a fast replica may have
	// answered all of its own before the kill lands.
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			err := r.Do(ctx, func(ctx context.Context) error {
				res, err := clients[i].Register(ctx, testinv.Machine(400000+i))
				if err == nil {
					ids[i], creds[i] = res.MachineID, res.Credential
				}
				return err
			})
			if err != nil {
				t.Errorf("registration %d: %v", i, err)
				return
			}
			acked.Add(1)
		}()
	}
	for acked.Load() < int64(n)*4/10 && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	rs.kill(2)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d registrations over a list of 3 replicas, replica 2 killed at 40 %%; %d attempts failed and went to another replica", n, failedOver.Load())
	if failedOver.Load() == 0 {
		t.Errorf("no attempt failed: the kill did not land during the burst")
	}
	admin, err := protocol.New(protocol.Options{Server: strings.Join(urls, ","), AdminToken: secret.Value(adminToken)})
	if err != nil {
		t.Fatal(err)
	}
	var list []api.Machine
	if err := retry.Do(ctx, func(ctx context.Context) (err error) {
		list, err = admin.List(ctx, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, m := range list {
		present[m.ID] = true
	}
	for i, id := range ids {
		if !present[id] {
			t.Errorf("registration %d acknowledged as %s is missing", i, id)
		}
	}
	if len(list) != n {
		t.Errorf("%d machines after %d registrations, want %d", len(list), n, n)
	}
	for i := range n {
		m := protocol.Machine{ID: ids[i], Credential: secret.Value(creds[i])}
		var resp *api.CheckinResponse
		err := retry.Do(ctx, func(ctx context.Context) (err error) {
			resp, err = clients[i].Checkin(ctx, m, api.CheckinRequest{State: api.StateRegistered, InventoryDigest: inventory.Digest(testinv.Machine(400000 + i)), AcksActions: true})
			return err
		})
		if err != nil || resp.Action != api.ActionNone {
			t.Errorf("check-in of %s: %+v %v", m.ID, resp, err)
		}
		if s := clients[i].Servers()[0]; s == urls[2] {
			t.Errorf("machine %s's client is on the killed replica after a check-in", m.ID)
		}
	}
}
