package agent

import (
	"context"
	"time"

	"github.com/hwagent/hwagent/collectors"
)

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
	a.applyCollectors()
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
			a.lateRes = nil // drop what they found
			a.rebuild()
		}
	case a.lateRun == nil && a.lateRes == nil:
		a.startLate(ctx)
	}
}

// applyCollectors applies the collector list the server pushed, if any:
// the exact list for later collections (names this agent does not know
// are logged and skipped). First collectors still pending that the list
// leaves out are no longer run; a run of them in progress is stopped.
func (a *Agent) applyCollectors() {
	cfg := a.config
	if len(cfg.Collectors) == 0 {
		return
	}
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
	if len(names) == 0 {
		return
	}
	specs, err := collectors.Select(a.opts.All, names, nil)
	if err != nil {
		return
	}
	a.ident, a.first, a.late = collectors.ByPhase(specs)
	if len(a.pending) == 0 {
		return
	}
	wanted := map[string]bool{}
	for _, s := range a.first {
		wanted[s.Name()] = true
	}
	var pending []collectors.Spec
	for _, s := range a.pending {
		if wanted[s.Name()] {
			pending = append(pending, s)
		}
	}
	if len(pending) != len(a.pending) {
		a.stopFirst()
		a.pending = pending
		a.rebuild()
	}
}
