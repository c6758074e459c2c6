package agent

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/agent/workflow"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/server/api"
)

// workflowID is a Tinkerbell workflow's ID as tink-worker names its data
// directory.
const workflowID = "0b8b2a5e-6f1e-4c1a-9d1e-2f3a4b5c6d7e"

// startWorkflow makes the host look like tink-worker started a workflow's
// first action: its data directory appears under the host's /run/worker.
func startWorkflow(t *testing.T, p *hostpaths.Paths) {
	t.Helper()
	if err := os.MkdirAll(p.Run("worker", workflowID), 0o755); err != nil {
		t.Fatal(err)
	}
}

func detect(p *hostpaths.Paths) func() (string, error) {
	return func() (string, error) {
		ev, err := workflow.Detect(p)
		return string(ev), err
	}
}

// A reboot the operator sets after a workflow started is refused: the
// kernel is never asked, the agent releases the machine and Run ends, on
// the real server. The background watch is slowed down so that the last
// look before reboot(2) is what catches it.
func TestRebootRefusedOnceAWorkflowStarted(t *testing.T) {
	t.Parallel()
	for _, action := range []string{api.ActionReboot, api.ActionPowerOff} {
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
			paths := hostTree(t, nil)
			power := &fakePower{}
			logs := &testutil.LockedBuffer{}
			var looks atomic.Int32
			a := realAgent(t, srv.URL, setup{paths: paths, specs: defaultSpecs(nil, nil), power: power, logs: logs, mutate: func(o *Options) {
				o.WorkflowStarted = func() (string, error) {
					looks.Add(1)
					return detect(paths)()
				}
				o.WorkflowPoll = time.Hour
			}})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)
			var id string
			waitFor(t, "registration", func() bool {
				ms := srv.machines(t)
				if len(ms) == 1 {
					id = ms[0].ID
				}
				return id != ""
			})
			// The watch looks once when it starts (after the
			// registration, in its own goroutine), then in an hour: the
			// workflow starts after that look, or the watch, not the
			// look before reboot(2), would catch it (CI saw it under load).
			waitFor(t, "the watch's first look", func() bool { return looks.Load() >= 1 })
			startWorkflow(t, paths)
			srv.setAction(t, id, action)
			r := <-done
			if r.err != nil || r.outcome != WorkflowStarted {
				t.Fatalf("Run = %q, %v; want %q", r.outcome, r.err, WorkflowStarted)
			}
			if calls := power.Calls(); len(calls) != 0 {
				t.Errorf("the kernel was asked to %v", calls)
			}
			if m, _ := srv.machine(t, id); m.State != api.StateReleased {
				t.Errorf("state %q on the server, want released", m.State)
			}
			if log := logs.String(); !strings.Contains(log, "refused: a Tinkerbell workflow has started") || !strings.Contains(log, "/run/worker/"+workflowID) {
				t.Errorf("log does not say why:\n%s", log)
			}
		})
	}
}

// The watch sees a workflow start while the agent waits for its next
// check-in, and the agent steps aside without being asked anything.
func TestWorkflowWatchReleases(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	paths := hostTree(t, nil)
	power := &fakePower{}
	logs := &testutil.LockedBuffer{}
	a := realAgent(t, srv.URL, setup{paths: paths, specs: defaultSpecs(nil, nil), power: power, logs: logs, mutate: func(o *Options) {
		o.WorkflowStarted = detect(paths)
		o.WorkflowPoll = 10 * time.Millisecond
	}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := start(ctx, a)
	var id string
	waitFor(t, "registration", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			id = ms[0].ID
		}
		return id != ""
	})
	startWorkflow(t, paths)
	r := <-done
	if r.err != nil || r.outcome != WorkflowStarted {
		t.Fatalf("Run = %q, %v; want %q", r.outcome, r.err, WorkflowStarted)
	}
	if m, _ := srv.machine(t, id); m.State != api.StateReleased {
		t.Errorf("state %q on the server, want released", m.State)
	}
	if log := logs.String(); !strings.Contains(log, "stepping aside") {
		t.Errorf("log:\n%s", log)
	}
}

// Without a workflow the guard is silent: the reboot is carried out.
func TestRebootWithoutWorkflow(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	paths := hostTree(t, map[string]string{"run/worker/.keep": ""})
	os.Remove(paths.Run("worker", ".keep")) // an empty /run/worker, as Hook has before any workflow
	power := &fakePower{}
	a := realAgent(t, srv.URL, setup{paths: paths, specs: defaultSpecs(nil, nil), power: power, mutate: func(o *Options) {
		o.WorkflowStarted = detect(paths)
		o.WorkflowPoll = 10 * time.Millisecond
	}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := start(ctx, a)
	var id string
	waitFor(t, "registration", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			id = ms[0].ID
		}
		return id != ""
	})
	srv.setAction(t, id, api.ActionReboot)
	r := <-done
	if r.err != nil || r.outcome != Rebooting {
		t.Fatalf("Run = %q, %v; want rebooting", r.outcome, r.err)
	}
	if calls := power.Calls(); len(calls) != 1 || calls[0] != "reboot" {
		t.Errorf("kernel calls %v", calls)
	}
}
