package client

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retrier calls an operation until it succeeds, waiting a Backoff between
// attempts.
type Retrier struct {
	Backoff Backoff
	// Sleep waits d or until ctx ends, returning ctx's error then; nil
	// means a real timer. Tests inject a fake that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about each failed attempt before the wait
	// (attempt counts from 1), so the caller can log it.
	OnRetry func(attempt int, wait time.Duration, err error)
}

// Do calls op until it returns nil or an error that Retryable rejects, or
// ctx ends, and returns op's last error (wrapped with the context's error
// when ctx ended first). The wait after a failure is the server's
// Retry-After, when it sent one, plus Backoff's full-jitter delay: a
// Retry-After is a lower bound, and the jitter on top keeps a rack told the
// same Retry-After from returning as one spike. With no deadline on ctx, Do
// retries forever.
func (r Retrier) Do(ctx context.Context, op func(ctx context.Context) error) error {
	sleep := r.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	for n := 0; ; n++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		}
		if !Retryable(err) {
			return err
		}
		wait := r.Backoff.Delay(n)
		var se *StatusError
		if errors.As(err, &se) && se.HasRetryAfter {
			wait += se.RetryAfter
		}
		if r.OnRetry != nil {
			r.OnRetry(n+1, wait, err)
		}
		if serr := sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (last error: %w)", serr, err)
		}
	}
}

// Sleep waits d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
