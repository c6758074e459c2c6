package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hwagent/hwagent/server/store"
)

// op is one write: it runs inside a transaction (and on SQLite inside a
// savepoint of a shared transaction). It may run more than once (retries),
// so it must reset whatever it reports.
type op func(ctx context.Context, tx *sql.Tx) error

// writer runs write operations durably.
type writer interface {
	write(ctx context.Context, fn op) error
	close() error
}

// txWriter runs every operation in its own transaction (PostgreSQL),
// retrying those that lost a race with a concurrent transaction.
type txWriter struct {
	db      *sql.DB
	retries int
}

func (w *txWriter) write(ctx context.Context, fn op) error {
	var err error
	for attempt := 0; ; attempt++ {
		err = w.once(ctx, fn)
		if err == nil || !retryable(err) || attempt >= w.retries {
			return err
		}
		// A short jittered pause lets the winner's transaction commit.
		d := time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (w *txWriter) once(ctx context.Context, fn op) error {
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback() //nolint:errcheck // the op's error is the one to report
		return err
	}
	if err := tx.Commit(); err != nil {
		return unavailable(err)
	}
	return nil
}

func (w *txWriter) close() error { return nil }

// batchWriter is SQLite's group commit: one goroutine owns the only write
// connection and runs every operation that is waiting in one transaction,
// each in a savepoint, so that one fsync acknowledges them all.
type batchWriter struct {
	db       *sql.DB
	maxBatch int

	mu     sync.RWMutex
	closed bool
	reqs   chan *writeReq
	done   chan struct{}
}

type writeReq struct {
	ctx context.Context
	fn  op
	err chan error
}

func newBatchWriter(db *sql.DB, maxBatch int) *batchWriter {
	w := &batchWriter{db: db, maxBatch: maxBatch, reqs: make(chan *writeReq, maxBatch), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *batchWriter) write(ctx context.Context, fn op) error {
	r := &writeReq{ctx: ctx, fn: fn, err: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return fmt.Errorf("%w: closing", store.ErrUnavailable)
	}
	select {
	case w.reqs <- r:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the operation runs to completion unless it has not
	// started when ctx ends; waiting for its outcome keeps the answer true.
	return <-r.err
}

func (w *batchWriter) close() error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.reqs)
	}
	w.mu.Unlock()
	<-w.done
	return nil
}

func (w *batchWriter) loop() {
	defer close(w.done)
	batches(w.reqs, w.maxBatch, w.run)
}

// batches calls run with each batch of requests taken from reqs until it
// is closed: the first request waited for, then those already waiting, up
// to max.
func batches[T any](reqs <-chan T, max int, run func([]T)) {
	for r := range reqs {
		batch := []T{r}
	drain:
		for len(batch) < max {
			select {
			case r, ok := <-reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		run(batch)
	}
}

// run executes a batch. Operations use a context of their own: cancelling
// a statement interrupts SQLite, which would roll back the whole shared
// transaction, so a request's context is only checked before its turn.
func (w *batchWriter) run(batch []*writeReq) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := make([]error, len(batch))
	fail := func(err error) {
		for _, r := range batch {
			r.err <- err
		}
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		fail(unavailable(err))
		return
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
			tx.Rollback() //nolint:errcheck // reporting the savepoint error
			fail(unavailable(err))
			return
		}
		if errs[i] = runOp(ctx, tx, r.fn); errs[i] != nil {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO op`); err != nil {
				tx.Rollback() //nolint:errcheck // reporting the rollback error
				fail(unavailable(err))
				return
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE op`); err != nil {
			tx.Rollback() //nolint:errcheck // reporting the release error
			fail(unavailable(err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(unavailable(err))
		return
	}
	for i, r := range batch {
		r.err <- errs[i]
	}
}

// runOp runs fn, turning a panic into an error so one bad operation cannot
// take the writer down.
func runOp(ctx context.Context, tx *sql.Tx, fn op) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write operation panicked: %v", p)
		}
	}()
	return fn(ctx, tx)
}

// unavailable marks a database-level failure.
func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
}
