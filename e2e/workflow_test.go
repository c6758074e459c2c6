//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/server/api"
)

// TestNetbootWorkflow boots srv01 as Hook would once tink-worker has
// started a workflow's first action (its data directory /run/worker/ID
// exists on the host): hwagent registers, sees the workflow from the host,
// steps aside without being asked (no reboot or power-off from then on),
// tells the server the machine is released and exits 0.
func TestNetbootWorkflow(t *testing.T) {
	const workflowID = "0b8b2a5e-6f1e-4c1a-9d1e-2f3a4b5c6d7e"
	ctx := context.Background()
	r := newRack(t, ctx)
	m := r.m
	srv := startServer(t, r.ns, r.img.HwagentFull, m.TapAddr+":"+m.ServerPort)
	op := operator{ns: r.ns, bin: r.img.HwagentFull, server: srv.URL}
	g := r.boot(t, ctx, m.Cmdline(enrollToken, "e2e.workflow="+workflowID))
	id := waitRegistered(t, g, op)
	select {
	case <-g.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the guest still runs 60 s after the registration: the agent did not step aside")
	}
	if g.err != nil {
		t.Fatalf("guest: %v", g.err)
	}
	logs := agentLog(g.console)
	if !hasLog(logs, "a Tinkerbell workflow has started on this machine: stepping aside, no reboot or power-off from now on", "/run/worker/"+workflowID) {
		t.Errorf("the agent did not say it steps aside for the workflow; console: %s", writeConsole(t.TempDir(), g.console))
	}
	if o, err := lab.CommandOutput(g.console, "agent"); err != nil || o.ExitCode != 0 {
		t.Errorf("hwagent did not exit 0 (%+v, %v); console: %s", o, err, writeConsole(t.TempDir(), g.console))
	}
	var got api.Machine
	if err := op.runJSON(ctx, &got, "machines", "show", id); err != nil {
		t.Fatal(err)
	}
	if got.State != api.StateReleased {
		t.Errorf("state %q, want %q", got.State, api.StateReleased)
	}
	for _, l := range logs {
		if strings.Contains(l.Raw, `"action"`) {
			t.Errorf("an action reached the agent: %s", l.Raw)
		}
	}
}
