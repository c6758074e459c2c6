package lldp

import (
	"context"
	"fmt"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	wire "github.com/hwagent/hwagent/lldp"
)

// Watch listens on the same interfaces as Collect until ctx ends, without
// a deadline, and calls onChange with the complete neighbour table each
// time it changes: a neighbour heard, changed, shut down (TTL 0) or expired
// (its TTL passed without a new frame). onChange runs on Watch's goroutine;
// Result.Apply puts the table into an inventory.
//
// With env.Config.LLDPLinkUp, links brought up stay up until Watch returns
// and are then put back down. Watch returns nil when ctx ends, or an error
// at once when it cannot listen at all (no interface, no socket). Problems
// on single interfaces are logged to env.Logger.
func (c *Collector) Watch(ctx context.Context, env *collector.Env, onChange func(Result)) error {
	link, err := env.Paths.Machine().LinkLayer()
	if err != nil {
		return fmt.Errorf("lldp watch: %w", err)
	}
	var w collector.Warnings
	s, err := c.start(ctx, env, link, &w)
	if err != nil {
		return fmt.Errorf("lldp watch: %w", err)
	}
	defer func() {
		s.stop()
		logWarnings(env, &w)
	}()
	logWarnings(env, &w)
	var tb wire.Table
	expire := time.NewTicker(c.Tick)
	defer expire.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case u, ok := <-s.updates:
			if !ok {
				return fmt.Errorf("lldp watch: every interface failed")
			}
			if u.Neighbor == nil {
				env.Logger.Warn("lldp listening stopped", "interface", u.Interface, "error", u.Err)
				continue
			}
			if tb.Add(u) {
				onChange(s.result(&tb))
			}
		case now := <-expire.C:
			if tb.Expire(now) {
				onChange(s.result(&tb))
			}
		}
	}
}

// logWarnings logs and forgets the warnings recorded so far.
func logWarnings(env *collector.Env, w *collector.Warnings) {
	if err, ok := w.Err().(*collector.PartialError); ok {
		for _, msg := range err.Warnings {
			env.Logger.Warn("lldp", "problem", msg)
		}
	}
	*w = collector.Warnings{}
}
