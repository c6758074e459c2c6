package agent

import (
	"context"
	"time"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/inventory"
)

// The agent's inventory is rebuilt from what its collectors found: the
// Identity and First collectors of the current collection (found; pending
// are the First ones still to run) and the Late collectors' last results
// (lateRes). `hwagent run` collects in turn (collector.Phase): the
// Identity collectors, the registration, the First ones while the
// registration's inventory lists them as pending, the first inventory
// update; the Late ones in the background.

// phaseRun is a collection running in the background.
type phaseRun struct {
	cancel context.CancelFunc
	done   chan collectors.Results
}

// startRun runs specs in the background.
func (a *Agent) startRun(ctx context.Context, specs []collectors.Spec) *phaseRun {
	ctx, cancel := context.WithCancel(ctx)
	run := &phaseRun{cancel: cancel, done: make(chan collectors.Results, 1)}
	env := a.env
	go func() { run.done <- collectors.Gather(ctx, env, specs) }()
	return run
}

// stop cancels the run and waits for it: a collector restores what it
// changed (LLDP brings links it raised down again) before it returns.
func (r *phaseRun) stop() {
	if r != nil {
		r.cancel()
		<-r.done
	}
}

// order is the order in which results apply: the collector list's.
func (a *Agent) order() []collectors.Spec {
	if len(a.opts.All) > 0 {
		return a.opts.All
	}
	return a.opts.Specs
}

// rebuild makes the current inventory from the results at hand, listing
// the First collectors still to run as pending.
func (a *Agent) rebuild() {
	inv := collectors.NewInventory(a.collectedAt, a.opts.Version, a.opts.Mode)
	rs := []collectors.Results{a.found}
	if a.lateRes != nil {
		rs = append(rs, *a.lateRes)
	}
	collectors.Join(a.order(), rs...).ApplyTo(inv)
	collectors.MarkPending(inv, a.pending)
	inv.Identity = inventory.DeriveIdentity(inv)
	a.inv = inv
}

// collectIdentity runs the Identity collectors and makes their inventory
// the current one, the First collectors pending. When they give no
// identity key, nothing is gained by registering early: the First
// collectors run too, and the registration carries everything (the
// server's answer then says what is missing).
func (a *Agent) collectIdentity(ctx context.Context) error {
	start := time.Now()
	a.collectedAt = start.UTC().Truncate(time.Millisecond)
	a.found = collectors.Gather(ctx, a.env, a.ident)
	a.pending = a.first
	a.rebuild()
	if len(a.inv.Identity.Keys()) == 0 && len(a.pending) > 0 {
		a.logger.Info("the identity collectors found no identity key; collecting everything before registering", "collectors", collectors.Names(a.ident))
		a.finishFirst(ctx)
	}
	if err := collectors.Usable(a.inv); err != nil {
		return err
	}
	a.logger.Info("inventory collected", "phase", "identity", "collectors", len(a.ident), "pending", collectors.Names(a.pending),
		"duration", time.Since(start).Round(time.Millisecond), "machine_id", a.inv.Identity.MachineID, "basis", a.inv.Identity.Basis)
	return nil
}

// startFirst starts the pending First collectors in the background, once.
func (a *Agent) startFirst(ctx context.Context) {
	if len(a.pending) == 0 || a.firstRun != nil {
		return
	}
	a.firstStart = time.Now()
	a.firstRun = a.startRun(ctx, a.pending)
}

// pollFirst applies the First collectors' results when they have finished,
// without waiting.
func (a *Agent) pollFirst() {
	if a.firstRun == nil {
		return
	}
	select {
	case r := <-a.firstRun.done:
		a.firstDone(r)
	default:
	}
}

// finishFirst runs the pending First collectors (or waits for the run in
// progress) and applies their results. It returns when ctx ends too:
// the collectors' own deadlines bound the wait otherwise.
func (a *Agent) finishFirst(ctx context.Context) {
	if len(a.pending) == 0 {
		return
	}
	a.startFirst(ctx)
	a.firstDone(<-a.firstRun.done)
}

// firstDone applies a finished First run.
func (a *Agent) firstDone(r collectors.Results) {
	took := time.Since(a.firstStart)
	names := collectors.Names(a.pending)
	a.firstRun, a.pending = nil, nil
	a.found = collectors.Join(a.order(), a.found, r)
	a.rebuild()
	a.logger.Info("inventory completed", "collectors", names, "duration", took.Round(time.Millisecond))
}

// stopFirst cancels a First run in progress; its collectors stay pending.
func (a *Agent) stopFirst() {
	a.firstRun.stop()
	a.firstRun = nil
}

// collectFirst collects the Identity and First collectors again, all at
// once, and makes their inventory the current one, the Late collectors'
// last results applied again. When nothing could be read, the current
// inventory stays.
func (a *Agent) collectFirst(ctx context.Context) error {
	start := time.Now()
	a.stopFirst()
	specs := append(append([]collectors.Spec(nil), a.ident...), a.first...)
	found := collectors.Gather(ctx, a.env, specs)
	at, oldFound, oldPending, oldInv := a.collectedAt, a.found, a.pending, a.inv
	a.collectedAt, a.found, a.pending = start.UTC().Truncate(time.Millisecond), found, nil
	a.rebuild()
	if err := collectors.Usable(a.inv); err != nil {
		a.collectedAt, a.found, a.pending, a.inv = at, oldFound, oldPending, oldInv
		return err
	}
	a.logger.Info("inventory collected", "collectors", len(specs), "duration", time.Since(start).Round(time.Millisecond), "machine_id", a.inv.Identity.MachineID, "basis", a.inv.Identity.Basis)
	return nil
}

// applyLate keeps what the Late collectors found and applies it to the
// current inventory (and to the collections to come).
func (a *Agent) applyLate(r collectors.Results) {
	a.lateRes = &r
	a.rebuild()
}

// startLate runs the Late collectors in the background; Run applies their
// results to the current inventory when they finish.
func (a *Agent) startLate(ctx context.Context) {
	a.lateRun = a.startRun(ctx, a.late)
	a.logger.Info("late collectors started in the background", "collectors", collectors.Names(a.late), "lldp_wait", a.env.Config.LLDPWait)
}

// stopLate cancels a late collection in progress and waits for it, so that
// the LLDP collector restores the links it brought up.
func (a *Agent) stopLate() {
	a.lateRun.stop()
	a.lateRun = nil
}
