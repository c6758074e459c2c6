package agent

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// realAgent builds an in-process agent against a real server URL.
func realAgent(t *testing.T, url string, s setup) *Agent {
	t.Helper()
	s.url = url
	return newAgent(t, s)
}

// TestAgainstServe: register → check-in → late LLDP neighbours → an action
// set through the operator API reaches the agent (reboot → the fake
// kernel), on SQLite and on PostgreSQL.
func TestAgainstServe(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, database(t, kind), "127.0.0.1:0")
			release, started := make(chan struct{}), make(chan struct{}, 1)
			power := &fakePower{}
			a := realAgent(t, srv.URL, setup{specs: defaultSpecs(release, started), wait: 35 * time.Second, power: power})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			done := start(ctx, a)
			<-started

			var m api.Machine
			waitFor(t, "registration and a check-in", func() bool {
				ms := srv.machines(t)
				if len(ms) == 1 {
					m = ms[0]
				}
				return len(ms) == 1 && m.AgentVersion == "test"
			})
			want := a.inv.Identity.MachineID
			if m.ID == "" || m.State != api.StateRegistered || m.Serial != "9000116105" || m.Product != "X9DBL-3F/X9DBL-iF" || m.UptimeSeconds != 1251.07 {
				t.Errorf("machine on the server = %+v (agent identity %s)", m, want)
			}
			if len(m.Switches) != 0 {
				t.Errorf("switches before LLDP finished: %v", m.Switches)
			}

			close(release)
			waitFor(t, "the neighbours", func() bool {
				got, _ := srv.machine(t, m.ID)
				return len(got.Switches) > 0
			})
			got, _ := srv.machine(t, m.ID)
			if !strings.Contains(strings.Join(got.Switches, ","), "upstairs.ofcourseimright.com") {
				t.Errorf("switches = %v, want the LLDP neighbour of testdata/lldp_mudurl.pcap", got.Switches)
			}
			if got.Inventory == nil || got.InventoryDigest != inventory.Digest(got.Inventory) {
				t.Errorf("stored digest %s does not match the stored inventory", got.InventoryDigest)
			}

			srv.setAction(t, m.ID, api.ActionReboot)
			r := <-done
			if r.err != nil || r.outcome != Rebooting {
				t.Fatalf("Run = %q, %v; want rebooting", r.outcome, r.err)
			}
			if calls := power.Calls(); !slices.Equal(calls, []string{"reboot"}) {
				t.Errorf("kernel calls = %v, want [reboot]", calls)
			}
			var kinds []string
			for _, c := range srv.history(t, m.ID) {
				kinds = append(kinds, c.Kind)
			}
			for _, k := range []string{api.ChangeRegistered, api.ChangeInventory, api.ChangeActionSet, api.ChangeActionDelivered} {
				if !slices.Contains(kinds, k) {
					t.Errorf("history %v lacks %s", kinds, k)
				}
			}
		})
	}
}

// timedServer records when each registration attempt started and how it
// ended.
type timedServer struct {
	Server
	mu       sync.Mutex
	attempts []attempt
}

type attempt struct {
	at  time.Time
	err error
}

func (s *timedServer) RegisterTPM(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence) (*api.RegisterResponse, error) {
	at := time.Now()
	r, err := s.Server.RegisterTPM(ctx, inv, ev)
	s.mu.Lock()
	s.attempts = append(s.attempts, attempt{at, err})
	s.mu.Unlock()
	return r, err
}

func (s *timedServer) list() []attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]attempt(nil), s.attempts...)
}

// TestServerDownAtStart: the server is down when the machine boots; once it
// is up, the registration arrives within one backoff step.
func TestServerDownAtStart(t *testing.T) {
	t.Parallel()
	addr := freePort(t)
	backoff := client.Backoff{Base: 50 * time.Millisecond, Cap: time.Second}
	var ts *timedServer
	a := realAgent(t, "http://"+addr, setup{specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
		ts = &timedServer{Server: o.Server}
		o.Server = ts
		o.Backoff = backoff
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := start(ctx, a)
	// Let the backoff reach its cap: windows 50, 100, 200, 400, 800 ms, 1 s.
	waitFor(t, "six failed registrations", func() bool { return len(ts.list()) >= 6 })

	srv := startServe(t, database(t, "sqlite"), addr)
	waitFor(t, "the registration", func() bool {
		l := ts.list()
		return l[len(l)-1].err == nil
	})
	l := ts.list()
	ok := l[len(l)-1]
	// The attempt that failed last began before the server was up and was
	// followed by one wait of at most the cap; the slack covers the
	// moment the test reads the server's "listening" line and scheduling.
	const slack = 500 * time.Millisecond
	if late := ok.at.Sub(srv.UpAt); late > backoff.Cap+slack {
		t.Errorf("registered %v after the server was up; want within one backoff step (%v)", late, backoff.Cap)
	}
	for _, at := range l[:len(l)-1] {
		if at.at.After(srv.UpAt.Add(slack)) {
			t.Errorf("an attempt %v after the server was up failed: %v", at.at.Sub(srv.UpAt), at.err)
		}
	}
	var m api.Machine
	waitFor(t, "the machine on the server", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			m = ms[0]
		}
		return len(ms) == 1
	})
	srv.setAction(t, m.ID, api.ActionRelease)
	if r := <-done; r.err != nil || r.outcome != Released {
		t.Fatalf("Run = %q, %v", r.outcome, r.err)
	}
	t.Logf("%d failed attempts before the server was up; registered %v after it was", len(l)-1, ok.at.Sub(srv.UpAt))
}

// TestReregistersAfterDelete: an operator deletes the machine; its next
// check-in is refused and the agent registers again.
func TestReregistersAfterDelete(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	a := realAgent(t, srv.URL, setup{specs: defaultSpecs(nil, nil)})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	done := start(ctx, a)
	var id string
	waitFor(t, "registration", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			id = ms[0].ID
		}
		return len(ms) == 1
	})
	if st := srv.admin(t, http.MethodDelete, "/v1/machines/"+id, nil, nil); st != http.StatusNoContent && st != http.StatusOK {
		t.Fatalf("delete: %d", st)
	}
	waitFor(t, "registration again", func() bool { _, ok := srv.machine(t, id); return ok })
	srv.setAction(t, id, api.ActionRelease)
	if r := <-done; r.err != nil || r.outcome != Released {
		t.Fatalf("Run = %q, %v", r.outcome, r.err)
	}
	m, _ := srv.machine(t, id)
	if m.State != api.StateReleased {
		t.Errorf("state = %q, want released", m.State)
	}
}
