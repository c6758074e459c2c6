package server

import (
	"context"
	"time"
)

// limiter bounds how many requests of a kind are processed at once. A request
// waits up to timeout for a slot; the body is not read while it waits, so a
// burst costs goroutines and sockets, not decoded inventories.
type limiter struct {
	slots   chan struct{}
	timeout time.Duration
}

func newLimiter(n int, timeout time.Duration) *limiter {
	return &limiter{slots: make(chan struct{}, n), timeout: timeout}
}

// acquire takes a slot; false means the wait timed out or ctx ended.
func (l *limiter) acquire(ctx context.Context) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(l.timeout)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (l *limiter) release() { <-l.slots }

// inUse is the number of slots taken.
func (l *limiter) inUse() int { return len(l.slots) }
