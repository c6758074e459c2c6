package lldp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
	wire "github.com/hwagent/hwagent/lldp"
)

// session is listening in progress on a set of interfaces.
type session struct {
	nics []NIC
	// state is each interface's carrier and admin state, re-read every tick.
	state map[string]linkState
	// broughtUp holds the interfaces this session brought up, at upAt.
	broughtUp map[string]bool
	upAt      time.Time
	// stopped holds the NICs whose firmware LLDP agent was stopped.
	stopped map[string]bool
	updates <-chan wire.Update
	cancel  context.CancelFunc
	restore func() error
	w       *collector.Warnings
}

// start prepares the interfaces and starts listening. Sockets and netlink
// requests are made on the calling goroutine, so they act in its thread's
// network namespace.
func (c *Collector) start(ctx context.Context, env *collector.Env, link hostpaths.LinkLayer, w *collector.Warnings) (*session, error) {
	cfg := env.Config
	nics, err := Interfaces(env.Paths, cfg.LLDPInterfaces, w)
	if err != nil {
		return nil, err
	}
	switch {
	case len(nics) == 0 && len(cfg.LLDPInterfaces) > 0:
		return nil, collector.NotApplicable("none of the interfaces %s exists", strings.Join(cfg.LLDPInterfaces, ", "))
	case len(nics) == 0:
		return nil, collector.NotApplicable("no physical network interface to listen on")
	}
	s := &session{state: map[string]linkState{}, broughtUp: map[string]bool{}, stopped: map[string]bool{}, w: w}
	if cfg.LLDPStopFirmwareAgent {
		for _, n := range nics {
			if !hasFirmwareAgent(n) {
				continue
			}
			if err := stopFirmwareAgent(env.Paths, link.Flags, n); err != nil {
				w.Add(err)
				continue
			}
			s.stopped[n.Name] = true
		}
	}
	// Links first: a socket bound to a down interface starts with an
	// ENETDOWN error.
	if cfg.LLDPLinkUp {
		names := make([]string, len(nics))
		for i, n := range nics {
			names[i] = n.Name
		}
		changed, restore, err := wire.BringUp(link.Links, names)
		w.Add(err)
		s.restore, s.upAt = restore, time.Now()
		for _, name := range changed {
			s.broughtUp[name] = true
		}
	}
	conns := map[string]wire.Conn{}
	var openErrs []error
	for _, n := range nics {
		conn, err := link.Open(n.Name)
		if err != nil {
			openErrs = append(openErrs, err)
			continue
		}
		conns[n.Name] = conn
		s.nics = append(s.nics, n)
	}
	if len(conns) == 0 {
		s.cancel = func() {}
		s.stop()
		return nil, fmt.Errorf("no LLDP socket could be opened: %w", errors.Join(openErrs...))
	}
	for _, err := range openErrs {
		w.Add(err)
	}
	lctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	s.updates = wire.Listen(lctx, conns, nil)
	s.refresh(env.Paths)
	return s, nil
}

// stop ends listening and puts the links it brought up back down. The
// sockets close in the background.
func (s *session) stop() {
	s.cancel()
	if s.restore != nil {
		if err := s.restore(); err != nil {
			s.w.Addf("restore link state: %v", err)
		}
		s.restore = nil
	}
}

// refresh re-reads every interface's link state.
func (s *session) refresh(p *hostpaths.Paths) {
	for _, n := range s.nics {
		s.state[n.Name] = readLinkState(p, n.Name)
	}
}

// progress counts the interfaces that heard a neighbour and those still
// worth waiting for: with carrier, or brought up less than grace ago and
// possibly still negotiating.
func (s *session) progress(tb *wire.Table, now time.Time, grace time.Duration) (heard, waiting int) {
	for _, n := range s.nics {
		switch {
		case tb.Heard(n.Name):
			heard++
		case s.state[n.Name].carrier:
			waiting++
		case s.broughtUp[n.Name] && now.Sub(s.upAt) < grace:
			waiting++
		}
	}
	return heard, waiting
}

// result is the neighbour table as a Result.
func (s *session) result(tb *wire.Table) Result {
	r := Result{NICs: s.nics, Neighbors: map[string][]inventory.Neighbor{}}
	for _, name := range tb.Interfaces() {
		r.Neighbors[name] = tb.Neighbors(name)
	}
	return r
}
