package server

import (
	"context"
	"sync"
	"time"
)

// bmcChecks runs the out-of-band checks of stored BMC passwords: one at a
// time per machine (a check asked for while one runs is run again after
// it, against whatever is stored then), and within a budget of failed
// logins per BMC address.
type bmcChecks struct {
	mu sync.Mutex
	// running holds the machines being checked; true when another check
	// was asked for meanwhile.
	running map[string]bool
	budget  loginBudget
}

// Results that are not logins at all: the BMC saw no failed attempt.
const (
	// VerifyAddressConflict: another machine reports the same BMC
	// address; the server logs in to neither for the other.
	VerifyAddressConflict = "address_conflict"
	// VerifyThrottled: the address had too many failed logins lately.
	VerifyThrottled = "throttled"
	// VerifyNoAddress: no unicast IP to check at.
	VerifyNoAddress = "no_address"
)

// loginBudget bounds the failed logins the server makes at one BMC
// address: BMCs lock out a user, or block the source address, after a few
// failures (iDRAC's IP blocking: 5 within 60 s by default; iLO and
// Supermicro lock the user), so a machine reporting another's address, or
// a BMC that keeps refusing, must not make the server lock itself out of
// it. A check takes a slot when it starts and gives it back when the login
// succeeds; at most Max slots are taken per address within Window.
type loginBudget struct {
	Max    int
	Window time.Duration
	// taken are the start times of the checks that took a slot, per
	// address (at most Max each).
	taken map[string][]time.Time
}

// take takes a slot for a check of addr at now; when none is left it
// returns false and when the next one frees.
func (b *loginBudget) take(addr string, now time.Time) (bool, time.Time) {
	if b.taken == nil {
		b.taken = map[string][]time.Time{}
	}
	if len(b.taken) > 4096 {
		b.prune(now)
	}
	recent := b.recent(addr, now)
	if len(recent) >= b.Max {
		b.taken[addr] = recent
		return false, recent[0].Add(b.Window)
	}
	b.taken[addr] = append(recent, now)
	return true, time.Time{}
}

// give gives back the slot a check of addr took at start (the login
// succeeded: nothing the BMC counts against anyone).
func (b *loginBudget) give(addr string, start time.Time) {
	slots := b.taken[addr]
	for i, t := range slots {
		if t.Equal(start) {
			b.taken[addr] = append(slots[:i:i], slots[i+1:]...)
			break
		}
	}
	if len(b.taken[addr]) == 0 {
		delete(b.taken, addr)
	}
}

// recent are addr's slots still within the window at now, oldest first.
func (b *loginBudget) recent(addr string, now time.Time) []time.Time {
	slots := b.taken[addr]
	i := 0
	for i < len(slots) && !slots[i].Add(b.Window).After(now) {
		i++
	}
	return slots[i:]
}

// prune forgets the addresses without a slot in the window.
func (b *loginBudget) prune(now time.Time) {
	for addr := range b.taken {
		if len(b.recent(addr, now)) == 0 {
			delete(b.taken, addr)
		}
	}
}

// verifyLater checks machine id's stored password in the background,
// bounded by MaxVerifying checks at once and one per machine: asked while
// the machine's check runs, it runs once more afterwards.
func (s *Server) verifyLater(id string) {
	c := &s.bmcChecks
	c.mu.Lock()
	if _, ok := c.running[id]; ok {
		c.running[id] = true
		c.mu.Unlock()
		return
	}
	if c.running == nil {
		c.running = map[string]bool{}
	}
	c.running[id] = false
	c.mu.Unlock()
	go func() {
		for {
			s.verifyOnce(id)
			c.mu.Lock()
			if !c.running[id] {
				delete(c.running, id)
				c.mu.Unlock()
				return
			}
			c.running[id] = false
			c.mu.Unlock()
		}
	}()
}

func (s *Server) verifyOnce(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.BMC.VerifyTimeout)
	defer cancel()
	select {
	case s.verifying <- struct{}{}:
		defer func() { <-s.verifying }()
	case <-ctx.Done():
		s.cfg.Logger.Warn("BMC check skipped: too many in progress", "machine_id", id)
		return
	}
	if _, err := s.verifyBMC(ctx, id, true); err != nil {
		s.cfg.Logger.Warn("BMC check not recorded", "machine_id", id, "err", err)
	}
}
