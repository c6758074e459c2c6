package agent

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/firmware"
	"github.com/hwagent/hwagent/collectors/host"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// registrations are the inventories of the registrations srv accepted.
func registrations(t *testing.T, srv backend) []*inventory.Inventory {
	t.Helper()
	var out []*inventory.Inventory
	for _, r := range srv.Requests() {
		if r.Method != http.MethodPost || r.Path != api.PathRegister || r.Status != http.StatusOK {
			continue
		}
		var req api.RegisterRequest
		if err := json.Unmarshal(r.Body, &req); err != nil {
			t.Fatalf("registration body: %v", err)
		}
		out = append(out, req.Inventory)
	}
	return out
}

// waitFirstRun is a Sleep that returns once the First collectors started
// in the background have finished (their result waits in the channel),
// so that what the next request carries does not depend on the machine's
// speed. It runs on Run's goroutine, as the agent's Sleep does.
func waitFirstRun(a **Agent) func(ctx context.Context, d time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		for (*a).firstRun != nil && len((*a).firstRun.done) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
		return ctx.Err()
	}
}

// TestRunWaitsCarryEverything: when the agent waits before registering (a
// start delay, or a failed attempt's backoff), the First collectors run
// meanwhile and the registration carries their sections: nothing is
// pending, no update follows.
func TestRunWaitsCarryEverything(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		for _, wait := range []string{"start delay", "failed attempt"} {
			t.Run(kind+"/"+wait, func(t *testing.T) {
				t.Parallel()
				srv := newBackend(t, kind, api.AgentConfig{})
				if wait == "failed attempt" {
					srv.Inject(clienttest.Fault{Path: api.PathRegister, Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable})
				}
				var a *Agent
				a = newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
					if wait == "start delay" {
						o.StartJitter, o.Rand = time.Second, fixedRand(time.Second)
					}
					o.Sleep = waitFirstRun(&a)
				}})
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				done := start(ctx, a)
				waitFor(t, "a check-in", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Checkins >= 1 })
				regs := registrations(t, srv)
				if len(regs) != 1 {
					t.Fatalf("%d registrations accepted, want 1", len(regs))
				}
				if diff := cmp.Diff([]string{"firmware=ok", "host=ok", "network=ok", "system=ok"}, statuses(regs[0])); diff != "" {
					t.Errorf("the registration's collectors (-want +got):\n%s", diff)
				}
				m := machine(t, srv)
				if m.InventoryPuts != 0 || m.Digest != m.LastCheckin.InventoryDigest {
					t.Errorf("%d updates, digests %s (server) %s (check-in): want none, the registration complete", m.InventoryPuts, m.Digest, m.LastCheckin.InventoryDigest)
				}
				if err := srv.SetAction(m.ID, api.ActionRelease); err != nil {
					t.Fatal(err)
				}
				if r := <-done; r.err != nil || r.outcome != Released {
					t.Fatalf("Run = %q, %v", r.outcome, r.err)
				}
			})
		}
	}
}

// TestRunWithoutIdentityKeyCollectsEverything: when the Identity
// collectors give no identity key (no SMBIOS table, no NIC), registering
// early gains nothing: the registration carries every First collector.
func TestRunWithoutIdentityKeyCollectsEverything(t *testing.T) {
	t.Parallel()
	srv := newBackend(t, "server", api.AgentConfig{})
	a := newAgent(t, setup{srv: srv, specs: specsOf(host.New(), firmware.New())})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := a.Run(ctx); err == nil || !strings.Contains(err.Error(), api.CodeNoIdentity) {
		t.Fatalf("Run = %v, want the server's refusal of a machine without identity", err)
	}
	var req api.RegisterRequest
	for _, r := range srv.Requests() {
		if r.Path == api.PathRegister && r.Status == http.StatusBadRequest {
			if err := json.Unmarshal(r.Body, &req); err != nil {
				t.Fatal(err)
			}
		}
	}
	if req.Inventory == nil {
		t.Fatal("no registration sent")
	}
	if diff := cmp.Diff([]string{"firmware=ok", "host=ok"}, statuses(req.Inventory)); diff != "" {
		t.Errorf("the registration's collectors (-want +got):\n%s", diff)
	}
}
