package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/hwagent/hwagent/server/api"
)

// A request's body is read whole, under a deadline, before the request
// takes a processing slot: a client that trickles its body holds a
// goroutine and the bytes it sent, never a slot (issue 11: 70 connections
// trickling register bodies got every real registration 429).
//
// The bytes read and not yet processed are bounded by one budget
// (Config.MaxBodyMemory), reserved as they arrive: a request waits for
// budget (at most QueueTimeout) instead of the server growing without
// bound under a burst, and a client that only announced a large body
// reserves at most largeStep (64 KiB) before it sends it.

// A body announced up to largeStep (every real request) is reserved whole
// before it is read; a larger one, or one not announced, is reserved as it
// arrives: then each time less than a small step is left, as much again as
// is reserved. A body of n bytes holds at most its announced length and
// one byte, or, not announced, less than 2n + smallStep. largeStep is also
// what the budget must hold beyond the largest body (Config.validate).
const (
	smallStep = 4 << 10
	largeStep = 64 << 10
)

// intake reads request bodies within the memory budget.
type intake struct {
	budget       *semaphore.Weighted
	timeout      time.Duration // time spent reading one body
	queueTimeout time.Duration // time spent waiting for budget
	limit        int64         // MaxBodyBytes
}

// body is a request body read into memory; release returns its budget.
type body struct {
	data     []byte
	reserved int64
	in       *intake
}

func (b *body) release() {
	if b != nil && b.reserved > 0 {
		b.in.budget.Release(b.reserved)
		b.reserved = 0
	}
}

// read reads r's body: at most limit bytes (else 413), within timeout of
// reading (else 408; the time spent waiting for budget does not count),
// waiting at most queueTimeout for budget (else 429). The error is a
// *bodyError.
//
// The bytes are read straight into the body's buffer, whose capacity is
// the budget reserved: a burst of 10,000 connections waiting for budget
// holds no buffers (a 64 KiB read buffer per request held 340 MiB in such
// a burst).
func (in *intake) read(w http.ResponseWriter, r *http.Request) (*body, error) {
	rc := http.NewResponseController(w)
	defer rc.SetReadDeadline(time.Time{}) //nolint:errcheck // not every writer has a connection
	b := &body{in: in}
	var buf []byte
	left := in.timeout
	var waited time.Duration
	for {
		if step := in.step(b.reserved, int64(len(buf)), r.ContentLength); step > 0 {
			start := time.Now()
			if err := in.reserve(r.Context(), step, in.queueTimeout-waited); err != nil {
				b.release()
				return nil, &bodyError{http.StatusTooManyRequests, api.CodeRateLimited, "server busy reading other requests, retry after the Retry-After delay"}
			}
			waited += time.Since(start)
			b.reserved += step
		}
		if len(buf) == cap(buf) {
			buf = grow(buf, b.reserved)
		}
		start := time.Now()
		rc.SetReadDeadline(start.Add(left)) //nolint:errcheck // without a deadline the server's ReadTimeout still holds
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		left -= time.Since(start)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > in.limit {
			b.release()
			return nil, &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", in.limit)}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.release()
			var mbe *http.MaxBytesError
			switch {
			case errors.Is(err, os.ErrDeadlineExceeded) || left <= 0:
				return nil, &bodyError{http.StatusRequestTimeout, api.CodeRequestTimeout, fmt.Sprintf("body not received within %v", in.timeout)}
			case errors.As(err, &mbe):
				return nil, &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", in.limit)}
			}
			return nil, &bodyError{http.StatusBadRequest, api.CodeInvalidBody, "unreadable body: " + err.Error()}
		}
		if left <= 0 {
			b.release()
			return nil, &bodyError{http.StatusRequestTimeout, api.CodeRequestTimeout, fmt.Sprintf("body not received within %v", in.timeout)}
		}
	}
	b.data = buf
	return b, nil
}

// step is the budget to reserve before reading more of a body that holds
// n bytes with reserved reserved (0: none needed). A body whose length was
// announced is reserved whole at once, up to largeStep: every real request
// (an inventory is 20–50 KB) then never waits for budget once it started,
// and a client announcing a large body holds at most largeStep before it
// sends it. Reserved in steps as it arrives, each step waiting for budget,
// the bodies of a burst of 10,000 registrations held the whole budget
// between them, none could finish, and every one was answered 429 after
// the queue timeout. Past that first reservation (a body announced larger
// than largeStep, or not announced), when less than a small step is left,
// as much again as is reserved, at least a small step, and never more
// than the announced length and the limit, plus the one byte of the read
// that finds the end, need.
func (in *intake) step(reserved, n, announced int64) int64 {
	end := in.limit + 1
	if announced >= 0 {
		end = min(end, announced+1)
	}
	switch {
	case reserved >= end:
		return 0
	case reserved == 0 && announced >= 0:
		return min(end, largeStep)
	case reserved == 0:
		return smallStep
	case reserved-n >= smallStep:
		return 0
	}
	return min(max(reserved, smallStep), end-reserved)
}

// grow returns buf with its capacity raised to what is reserved.
func grow(buf []byte, reserved int64) []byte {
	if reserved <= int64(cap(buf)) {
		return buf
	}
	out := make([]byte, len(buf), reserved)
	copy(out, buf)
	return out
}

// reserve takes n bytes of budget, waiting at most d.
func (in *intake) reserve(ctx context.Context, n int64, d time.Duration) error {
	if in.budget.TryAcquire(n) {
		return nil
	}
	if d <= 0 {
		return context.DeadlineExceeded
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return in.budget.Acquire(ctx, n)
}

// shares bounds the requests one credential has in progress (reading,
// waiting for a slot, processed): a machine's agent sends one at a time,
// so a credential with more is a stolen or broken one, and it must not
// hold the slots every other machine needs (issue 11: 260 slow check-ins
// with one credential got every machine's check-in 429).
type shares struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newShares(max int) *shares { return &shares{max: max, n: map[string]int{}} }

// acquire counts one more request of key; false when it has max already.
func (s *shares) acquire(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[key] >= s.max {
		return false
	}
	s.n[key]++
	return true
}

func (s *shares) release(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n[key]--; s.n[key] <= 0 {
		delete(s.n, key)
	}
}
