package server

import (
	"bytes"
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
// reserves nothing.

// Budget is reserved in small steps while a body is short (a trickling
// client holds one small step) and in large ones once it is long.
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
func (in *intake) read(w http.ResponseWriter, r *http.Request) (*body, error) {
	rc := http.NewResponseController(w)
	defer rc.SetReadDeadline(time.Time{}) //nolint:errcheck // not every writer has a connection
	b := &body{in: in}
	var buf bytes.Buffer
	left := in.timeout
	var waited time.Duration
	chunk := make([]byte, largeStep)
	for {
		if b.reserved-int64(buf.Len()) < smallStep {
			step := int64(smallStep)
			if buf.Len() >= largeStep {
				step = largeStep
			}
			start := time.Now()
			if err := in.reserve(r.Context(), step, in.queueTimeout-waited); err != nil {
				b.release()
				return nil, &bodyError{http.StatusTooManyRequests, api.CodeRateLimited, "server busy reading other requests, retry after the Retry-After delay"}
			}
			waited += time.Since(start)
			b.reserved += step
		}
		room := min(b.reserved-int64(buf.Len()), int64(len(chunk)))
		start := time.Now()
		rc.SetReadDeadline(start.Add(left)) //nolint:errcheck // without a deadline the server's ReadTimeout still holds
		n, err := r.Body.Read(chunk[:room])
		left -= time.Since(start)
		buf.Write(chunk[:n])
		if int64(buf.Len()) > in.limit {
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
	b.data = buf.Bytes()
	return b, nil
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
