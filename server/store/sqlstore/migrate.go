package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrationLockID is the PostgreSQL advisory lock that serializes migrations
// of replicas starting together ("hwagent" in ASCII).
const migrationLockID = 0x687761676e74

// migrate brings the schema to the newest version in one transaction and
// returns the version. A database newer than this binary is an error.
func migrate(ctx context.Context, db *sql.DB, d *dialect) (int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockID)); err != nil {
			return 0, fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return 0, fmt.Errorf("migrate: schema_migrations: %w", err)
	}
	var current sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	have := int(current.Int64)
	if have > len(d.migrations) {
		return have, fmt.Errorf("migrate: database schema version %d is newer than this hwagent's (%d): upgrade hwagent", have, len(d.migrations))
	}
	for v := have + 1; v <= len(d.migrations); v++ {
		for _, stmt := range d.migrations[v-1] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return have, fmt.Errorf("migrate: version %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, micros(time.Now())); err != nil {
			return have, fmt.Errorf("migrate: record version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return have, fmt.Errorf("migrate: commit: %w", err)
	}
	return len(d.migrations), nil
}

// micros is t as Unix microseconds; fromMicros is the inverse, in UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
