package agent

import (
	"context"
	"time"

	"github.com/hwagent/hwagent/collectors"
)

// lateRun is a Late collection in progress.
type lateRun struct {
	cancel context.CancelFunc
	done   chan collectors.Results
}

// startLate runs the Late collectors in the background; Run applies their
// results to the current inventory when they finish.
func (a *Agent) startLate(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	run := &lateRun{cancel: cancel, done: make(chan collectors.Results, 1)}
	env, specs := a.env, a.late
	go func() { run.done <- collectors.Gather(ctx, env, specs) }()
	a.lateRun = run
	a.logger.Info("late collectors started in the background", "collectors", collectors.Names(specs), "lldp_wait", env.Config.LLDPWait)
}

// stopLate cancels a late collection in progress and waits for it, so that
// the LLDP collector restores the links it brought up.
func (a *Agent) stopLate() {
	if a.lateRun == nil {
		return
	}
	a.lateRun.cancel()
	<-a.lateRun.done
	a.lateRun = nil
}

// applyConfig applies what the server pushed at registration:
//   - Collectors: the exact list for later collections (names this agent
//     does not know are logged and skipped). A list without the late
//     collectors stops them and drops what they found.
//   - LLDPWaitSeconds: the LLDP wait for a late collection that has not
//     started yet; 0 stops one in progress.
//
// A late collection already running keeps its own wait.
func (a *Agent) applyConfig(ctx context.Context) {
	cfg := a.config
	if len(cfg.Collectors) > 0 {
		known := map[string]bool{}
		for _, s := range a.opts.All {
			known[s.Name()] = true
		}
		var names, unknown []string
		for _, n := range cfg.Collectors {
			if known[n] {
				names = append(names, n)
			} else {
				unknown = append(unknown, n)
			}
		}
		if len(unknown) > 0 {
			a.logger.Warn("the server asked for collectors this agent does not have; skipped", "collectors", unknown)
		}
		if len(names) > 0 {
			specs, err := collectors.Select(a.opts.All, names, nil)
			if err == nil {
				a.first, a.late = collectors.ByPhase(specs)
			}
		}
	}
	if cfg.LLDPWaitSeconds != nil {
		env := *a.env
		env.Config.LLDPWait = clampSeconds(*cfg.LLDPWaitSeconds, 0, MaxLLDPWait)
		if *cfg.LLDPWaitSeconds < 0 || env.Config.LLDPWait == MaxLLDPWait && *cfg.LLDPWaitSeconds > int(MaxLLDPWait/time.Second) {
			a.logger.Warn("the server's LLDP wait is out of range; clamped", "seconds", *cfg.LLDPWaitSeconds, "wait", env.Config.LLDPWait)
		}
		a.env = &env
	}
	wantLate := len(a.late) > 0 && a.env.Config.LLDPWait > 0
	switch {
	case !wantLate:
		a.stopLate()
		if a.lateRes != nil {
			// Drop what they found: collect the First ones again.
			a.lateRes = nil
			if err := a.collectFirst(ctx); err != nil {
				a.logger.Warn("collecting again without the late collectors failed; keeping their last results", "err", err)
			}
		}
	case a.lateRun == nil && a.lateRes == nil:
		a.startLate(ctx)
	}
}
