package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/hwagent/hwagent/server/store"
)

// DefaultWriteFailureWindow is how long a write that failed for a storage
// reason keeps the store not ready.
const DefaultWriteFailureWindow = 10 * time.Second

// probeEvery throttles the probe write of Ready: a load balancer's health
// checks every second or two must not each cost an fsync.
const probeEvery = time.Second

// health remembers the latest write that failed for a storage reason (a
// full disk, an I/O error, a read-only or unreachable database), so that
// Ready can say "not ready" while writes fail even when a small probe
// write still fits (SQLite reuses its WAL file's space).
type health struct {
	window time.Duration
	mu     sync.Mutex
	failed time.Time
	err    error
	probed time.Time
	probe  error
	// committed is when a write last committed.
	committed time.Time
}

// note records err when it is a storage failure, and when a write
// committed (err nil).
func (h *health) note(err error) {
	if err == nil {
		h.mu.Lock()
		h.committed = time.Now()
		h.mu.Unlock()
		return
	}
	if !storageFailure(err) {
		return
	}
	h.mu.Lock()
	h.failed, h.err = time.Now(), err
	h.mu.Unlock()
}

// recent is the storage failure of the last window, if any.
func (h *health) recent() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil && time.Since(h.failed) < h.window {
		return h.err
	}
	return nil
}

// storageFailure reports whether a write failed because the database
// cannot store anything now, rather than because of the request (not
// found, a wrong credential, a lost race that is retried).
func storageFailure(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code of an extended one
		case 8, 10, 11, 13, 14, 26: // READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) >= 2 && (pe.Code[:2] == "53" || pe.Code[:2] == "58" || pe.Code[:2] == "08" || pe.Code[:2] == "XX"),
			pe.Code == "25006", pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			// insufficient resources (disk full), system/I/O error,
			// connection, internal; read-only (a standby); shutting down.
			return true
		}
		return false
	}
	// A failed BEGIN or COMMIT without a database error: the connection.
	return errors.Is(err, store.ErrUnavailable) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// healthWriter notes the outcome of every write.
type healthWriter struct {
	writer
	h *health
}

// A storage failure inside an operation (a full disk while inserting) is
// the database's, not the request's: it becomes store.ErrUnavailable (503,
// retried), not a 500.
func (w healthWriter) write(ctx context.Context, fn op) error {
	return w.h.outcome(w.writer.write(ctx, fn))
}

// outcome notes the outcome of a write and makes a storage failure
// store.ErrUnavailable.
func (h *health) outcome(err error) error {
	h.note(err)
	if err != nil && storageFailure(err) && !errors.Is(err, store.ErrUnavailable) {
		return unavailable(err)
	}
	return err
}

// Ready implements store.Store: no write failed for a storage reason
// within the failure window, and either a write committed within the last
// probeEvery or the database answers and a probe write (at most one a
// second, shared by the callers in between) commits. The probe rewrites
// schema_migrations' first row in place: a real write, in a table every
// version has. The writes of the requests are proof enough: under a burst
// the probe queued behind them and a ping waited for a connection, and a
// load balancer's health check timed out and took a busy replica out of
// service (all three at once in TestReplicasBehindHAProxy: 503 from
// haproxy).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.health.recent(); err != nil {
		return fmt.Errorf("%w: a write failed in the last %v: %w", store.ErrUnavailable, s.health.window, err)
	}
	s.health.mu.Lock()
	fresh := time.Since(s.health.committed) < probeEvery
	s.health.mu.Unlock()
	if fresh {
		return nil
	}
	if err := s.Ping(ctx); err != nil {
		return err
	}
	s.health.mu.Lock()
	due := time.Since(s.health.probed) >= probeEvery
	last := s.health.probe
	if due {
		s.health.probed = time.Now()
	}
	s.health.mu.Unlock()
	if !due {
		return last
	}
	err := s.w.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE schema_migrations SET applied_at = applied_at WHERE version = 1`)
		return err
	})
	if err != nil {
		err = fmt.Errorf("%w: probe write: %w", store.ErrUnavailable, err)
	}
	s.health.mu.Lock()
	s.health.probe = err
	s.health.mu.Unlock()
	return err
}
