package agent

import (
	"context"
	"time"
)

// DefaultWorkflowPoll is how often a registered agent looks for a started
// Tinkerbell workflow (Options.WorkflowStarted).
const DefaultWorkflowPoll = time.Second

// WorkflowStarted Outcome: a Tinkerbell workflow started on the machine;
// the agent released itself and carried out no reboot or power-off.
const WorkflowStarted Outcome = "workflow_started"

// workflowWatch polls Options.WorkflowStarted in the background and sends
// the first evidence; nil when there is nothing to watch with.
type workflowWatch struct {
	found  chan string
	cancel context.CancelFunc
}

// watchWorkflow starts the watch, from the registration on: before, the
// agent carries out no action, and the poll must not compete with the
// registration for the CPU.
func (a *Agent) watchWorkflow(ctx context.Context) *workflowWatch {
	if a.opts.WorkflowStarted == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &workflowWatch{found: make(chan string, 1), cancel: cancel}
	poll := a.opts.WorkflowPoll
	if poll <= 0 {
		poll = DefaultWorkflowPoll
	}
	go func() {
		t := time.NewTicker(poll)
		defer t.Stop()
		warned := false
		for {
			if ev := a.workflowEvidence(&warned); ev != "" {
				w.found <- ev
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *workflowWatch) stop() {
	if w != nil {
		w.cancel()
	}
}

// foundCh is the watch's channel; nil (never ready) without a watch.
func (w *workflowWatch) foundCh() <-chan string {
	if w == nil {
		return nil
	}
	return w.found
}

// workflowEvidence asks Options.WorkflowStarted once. A failed look is
// logged once (*warned) and says nothing.
func (a *Agent) workflowEvidence(warned *bool) string {
	if a.opts.WorkflowStarted == nil {
		return ""
	}
	ev, err := a.opts.WorkflowStarted()
	if err != nil && !*warned {
		*warned = true
		a.logger.Warn("cannot tell whether a Tinkerbell workflow has started", "err", err)
	}
	return ev
}

// stepAside ends Run because a workflow started: no reboot or power-off
// from now on; the server hears the machine is released.
func (a *Agent) stepAside(ctx context.Context, evidence, refused string) Outcome {
	if refused != "" {
		a.logger.Error("refused: a Tinkerbell workflow has started on this machine; a "+refused+" now would interrupt it", "action", refused, "evidence", evidence, "machine", a.machine.ID)
	} else {
		a.logger.Warn("a Tinkerbell workflow has started on this machine: stepping aside, no reboot or power-off from now on", "evidence", evidence, "machine", a.machine.ID)
	}
	a.release(ctx)
	return WorkflowStarted
}
