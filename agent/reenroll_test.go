package agent

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// TestHeldTakeoverUnderApprove: against `hwagent serve --reenroll
// approve`, a second agent with the first one's identity is held: it keeps
// checking in (answered "none"), the machine's actions still reach the
// first agent, and once an operator approves, the second agent is the
// machine (the first one's credential is gone; it registers again and is
// held in turn).
func TestHeldTakeoverUnderApprove(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0", "--reenroll", "approve")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ctxA, stopA := context.WithCancel(ctx)
	defer stopA()
	a := realAgent(t, srv.URL, setup{specs: defaultSpecs(nil, nil)})
	doneA := start(ctxA, a)
	var id string
	waitFor(t, "the first registration and its first update", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			id = ms[0].ID
		}
		if len(ms) != 1 || ms[0].AgentVersion != "test" {
			return false
		}
		m, _ := srv.machine(t, id)
		st := m.Inventory.Collector("firmware")
		return st != nil && st.Status == inventory.StatusOK
	})

	b := realAgent(t, srv.URL, setup{specs: defaultSpecs(nil, nil)})
	doneB := start(ctx, b)
	waitFor(t, "the second registration held", func() bool {
		m, _ := srv.machine(t, id)
		return len(m.Pending) == 1
	})
	if len(srv.machines(t)) != 1 {
		t.Fatalf("a held registration made another machine: %+v", srv.machines(t))
	}
	kinds := func() []string {
		var out []string
		for _, c := range srv.history(t, id) {
			out = append(out, c.Kind)
		}
		return out
	}
	// The first registration, the first update completing it (the
	// firmware collector reported after the registration), the held one.
	if diff := cmp.Diff([]string{api.ChangeRegistered, api.ChangeInventory, api.ChangeHeld}, kinds()); diff != "" {
		t.Fatalf("history (-want +got):\n%s", diff)
	}

	var m api.Machine
	if status := srv.admin(t, "POST", fmt.Sprintf(api.PathApproveFmt, id), nil, &m); status != 200 {
		t.Fatalf("approve: %d", status)
	}
	srv.setAction(t, id, api.ActionRelease)
	select {
	case r := <-doneB:
		if r.err != nil || r.outcome != Released {
			t.Fatalf("the approved agent's Run = %q, %v", r.outcome, r.err)
		}
	case r := <-doneA:
		t.Fatalf("the first agent, whose credential was replaced, ended: %q, %v", r.outcome, r.err)
	case <-ctx.Done():
		t.Fatal("the approved agent never received the release")
	}
	waitFor(t, "the first agent held in turn", func() bool {
		m, _ := srv.machine(t, id)
		return len(m.Pending) == 1
	})
	stopA()
	<-doneA
}
