package lldp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	wire "github.com/hwagent/hwagent/lldp"
)

// Collector is the LLDP/CDP collector. The hardware it touches (raw
// sockets, link state, NIC private flags) is the host's data link,
// hostpaths.Machine.LinkLayer: the kernel's on a live host; a recording
// has none, and the collector is not applicable there.
type Collector struct {
	// Tick is how often progress is reported and link states re-read.
	Tick time.Duration
	// CarrierGrace is how long a link brought up may take to get carrier
	// before the collector stops waiting for it.
	CarrierGrace time.Duration
}

// New returns the collector.
func New() *Collector {
	return &Collector{Tick: time.Second, CarrierGrace: 5 * time.Second}
}

// Name implements collector.Collector.
func (*Collector) Name() string { return "lldp" }

// Phase implements collector.Phased: LLDP waits for frames, so the agent
// runs it after the first report; its Result.Apply replaces the neighbours
// of every interface it listened on, so it can be applied again.
func (*Collector) Phase() collector.Phase { return collector.Late }

// Timeout is the deadline the runner should give the collector: the wait
// plus time to open sockets, bring links up and restore them.
func Timeout(cfg collector.Config) time.Duration { return cfg.LLDPWait + 10*time.Second }

// Collect implements collector.Collector: it listens up to
// env.Config.LLDPWait, stopping early when every interface with carrier has
// a neighbour. See the package documentation for the status it reports.
func (c *Collector) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	cfg := env.Config
	if cfg.LLDPWait <= 0 {
		return nil, collector.NotApplicable("LLDP listening disabled (--lldp-wait 0)")
	}
	link, err := env.Paths.Machine().LinkLayer()
	if errors.Is(err, hostpaths.ErrRecorded) {
		return nil, collector.NotApplicable("a recorded host: LLDP listens on the running machine's links (the neighbours heard when the snapshot was taken are in its hwagent-inventory.json)")
	}
	if err != nil {
		return nil, err
	}
	var w collector.Warnings
	s, err := c.start(ctx, env, link, &w)
	if err != nil {
		return nil, err
	}
	var tb wire.Table
	firstErr := map[string]error{}
	deadline := time.Now().Add(cfg.LLDPWait)
	timer := time.NewTimer(cfg.LLDPWait)
	defer timer.Stop()
	ticker := time.NewTicker(c.Tick)
	defer ticker.Stop()
	report := func(now time.Time) bool {
		heard, waiting := s.progress(&tb, now, c.CarrierGrace)
		if cfg.LLDPProgress != nil {
			cfg.LLDPProgress(deadline.Sub(now), heard, waiting)
		}
		return waiting == 0
	}
	done := report(time.Now())
	for !done {
		select {
		case u, ok := <-s.updates:
			if !ok { // every reader stopped on an error
				done = true
				break
			}
			switch {
			case u.Neighbor == nil:
				w.Add(u.Err)
			case wire.Usable(u):
				if tb.Add(u) {
					env.Logger.Debug("neighbour", "interface", u.Interface, "protocol", u.Neighbor.Protocol,
						"system", u.Neighbor.SystemName, "port", u.Neighbor.PortID)
				}
			case firstErr[u.Interface] == nil:
				firstErr[u.Interface] = u.Err
			}
			heard, waiting := s.progress(&tb, time.Now(), c.CarrierGrace)
			done = waiting == 0 && heard > 0
		case now := <-ticker.C:
			s.refresh(env.Paths)
			done = report(now)
		case <-timer.C:
			done = true
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		}
	}
	s.stop()
	if cfg.LLDPProgress != nil {
		cfg.LLDPProgress(0, len(tb.Interfaces()), 0)
	}
	return c.finish(s, &tb, firstErr, cfg.LLDPWait, &w)
}

// finish turns what was heard into the collector's result and status.
func (c *Collector) finish(s *session, tb *wire.Table, firstErr map[string]error, wait time.Duration, w *collector.Warnings) (collector.Apply, error) {
	var silent, down, noCarrier []string
	for _, n := range s.nics {
		if tb.Heard(n.Name) {
			continue
		}
		st := s.state[n.Name]
		switch {
		case st.carrier:
			msg := fmt.Sprintf("%s: no LLDP received within %s", n.Name, wait)
			if err := firstErr[n.Name]; err != nil {
				msg += fmt.Sprintf(" (%v)", err)
			}
			if hasFirmwareAgent(n) && !s.stopped[n.Name] {
				msg += "; " + firmwareHint(n)
			}
			silent = append(silent, msg)
		case !st.adminUp:
			down = append(down, n.Name)
		default:
			noCarrier = append(noCarrier, n.Name)
		}
	}
	if len(tb.Interfaces()) == 0 {
		var parts []string
		parts = append(parts, silent...)
		if len(noCarrier) > 0 {
			parts = append(parts, "no carrier on "+strings.Join(noCarrier, ", "))
		}
		if len(down) > 0 {
			parts = append(parts, strings.Join(down, ", ")+" down (use --lldp-link-up)")
		}
		if err := w.Err(); err != nil {
			parts = append(parts, err.Error())
		}
		return nil, collector.NotApplicable("no LLDP or CDP neighbour: %s", strings.Join(parts, "; "))
	}
	for _, msg := range silent {
		w.Addf("%s", msg)
	}
	return s.result(tb).Apply, w.Err()
}
