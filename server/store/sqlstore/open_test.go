package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestOpenDSN(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, dsn := range []string{
		"sqlite://" + filepath.Join(dir, "a", "b.db"), // creates the directory
		"sqlite:" + filepath.Join(dir, "c.db"),
		filepath.Join(dir, "plain.db"),
	} {
		s, err := Open(context.Background(), dsn, Options{})
		if err != nil {
			t.Errorf("Open(%q): %v", dsn, err)
			continue
		}
		if s.Dialect() != "sqlite" || s.Version != len(sqliteMigrations) {
			t.Errorf("Open(%q): dialect %s version %d", dsn, s.Dialect(), s.Version)
		}
		s.Close()
	}
	if _, err := Open(context.Background(), "mysql://db/x", Options{}); err == nil || !strings.Contains(err.Error(), "want sqlite") {
		t.Errorf("Open(mysql://): err = %v", err)
	}
	if got := Redact("postgres://u:secret@db/x"); strings.Contains(got, "secret") {
		t.Errorf("Redact kept the password: %s", got)
	}
}

// Migrations run once; a database from a newer hwagent is refused.
func TestMigrations(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, dsn := b.open(t)
			ctx := context.Background()
			register(t, s, testinv.Machine(1), hash(1), 0)
			// Open again (a restart, or a second replica) and concurrently.
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s2, err := Open(ctx, dsn, Options{})
					if err != nil {
						t.Error(err)
						return
					}
					s2.Close()
				}()
			}
			wg.Wait()
			var n, v int
			if err := s.read.QueryRowContext(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v); err != nil {
				t.Fatal(err)
			}
			if n != len(s.d.migrations) || v != len(s.d.migrations) {
				t.Errorf("schema_migrations: %d rows, version %d; want %d", n, v, len(s.d.migrations))
			}
			if s.d.postgres {
				checkInventoryColumn(t, s)
			}
			if ms, err := s.List(ctx, store.Filter{}); err != nil || len(ms) != 1 {
				t.Errorf("after reopening: %d machines, %v", len(ms), err)
			}
			if _, err := s.write.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)`); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(ctx, dsn, Options{}); err == nil || !strings.Contains(err.Error(), "newer than this hwagent") {
				t.Errorf("Open of a newer schema: err = %v", err)
			}
		})
	}
}

// checkInventoryColumn checks that PostgreSQL stores inventories as text
// (migration 13), compressed with lz4.
func checkInventoryColumn(t *testing.T, s *Store) {
	t.Helper()
	var typ, c string
	if err := s.read.QueryRowContext(context.Background(), `SELECT format_type(atttypid, atttypmod), attcompression FROM pg_attribute
		WHERE attrelid = 'machine_inventories'::regclass AND attname = 'inventory'`).Scan(&typ, &c); err != nil {
		t.Fatal(err)
	}
	if typ != "text" || c != "l" {
		t.Errorf("inventory column %s, compression %q; want text, l (lz4; Debian's PostgreSQL has it)", typ, c)
	}
}

// Migration 13 turns PostgreSQL's json inventories into text: what the
// previous version stored is read back byte for byte and is the same
// machine. A replica of the previous version, whose connections prepared
// their statements against the json column, keeps writing inventories
// (its json parameter is assigned to text); its prepared read of the
// column fails once per connection (its result type changed), pgx
// prepares it again, and the next read works.
func TestInventoryTextMigration(t *testing.T) {
	t.Parallel()
	s, dsn := backends[1].open(t)
	ctx := context.Background()
	first := register(t, s, testinv.Machine(1), hash(1), 0)
	// Back to version 12: the column as the previous version made it.
	for _, q := range []string{
		`ALTER TABLE machine_inventories ALTER COLUMN inventory TYPE JSON USING inventory::json`,
		`DELETE FROM schema_migrations WHERE version = 13`,
	} {
		if _, err := s.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// The previous version's replica: one connection, statements
	// prepared and cached as pgx does.
	old, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	old.SetMaxOpenConns(1)
	const (
		read   = `SELECT inventory FROM machine_inventories WHERE machine_id = $1`
		insert = `INSERT INTO machine_inventories (machine_id, inventory) VALUES ($1, $2)`
	)
	var before string
	if err := old.QueryRowContext(ctx, read, first.MachineID).Scan(&before); err != nil {
		t.Fatal(err)
	}
	// Its insert prepared too (and rolled back).
	tx, err := old.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM machine_inventories WHERE machine_id = $1`, first.MachineID); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, insert, first.MachineID, before); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	second := register(t, openT(t, dsn), testinv.Machine(2), hash(2), 1) // migrates
	s = openT(t, dsn)
	checkInventoryColumn(t, s)

	var after string
	if err := s.read.QueryRowContext(ctx, read, first.MachineID).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("inventory after the migration differs from the one stored before (%d bytes, %d before)", len(after), len(before))
	}
	for i, want := range []string{first.MachineID, second.MachineID} {
		m, err := s.Get(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(inventory.Digest(testinv.Machine(i+1)), inventory.Digest(m.Inventory)); diff != "" {
			t.Errorf("machine %s: digest of the inventory read back (-want +got):\n%s", want, diff)
		}
		if got := register(t, s, testinv.Machine(i+1), hash(10+i), 2); got.MachineID != want || got.Created {
			t.Errorf("machine %d registered again: %+v, want machine %s, not created", i+1, got, want)
		}
	}

	// The previous version's connection after the migration.
	if _, err := s.write.ExecContext(ctx, `DELETE FROM machine_inventories WHERE machine_id = $1`, second.MachineID); err != nil {
		t.Fatal(err)
	}
	if _, err := old.ExecContext(ctx, insert, second.MachineID, before); err != nil {
		t.Errorf("previous version's insert after the migration: %v", err)
	}
	var got string
	// Its first read on that connection: "cached plan must not change
	// result type" (PostgreSQL 15), and pgx forgets the statement.
	err = old.QueryRowContext(ctx, read, first.MachineID).Scan(&got)
	t.Logf("previous version's first read after the migration: %v", err)
	if err := old.QueryRowContext(ctx, read, second.MachineID).Scan(&got); err != nil || got != before {
		t.Errorf("previous version's read after the migration: %d bytes, %v; want the %d bytes it wrote", len(got), err, len(before))
	}
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM machine_inventories WHERE (inventory::jsonb -> 'system') IS NOT NULL`).Scan(&n); err != nil || n != 2 {
		t.Errorf("inventories read as jsonb: %d (%v), want 2", n, err)
	}
}

// In a SQLite group commit, one operation's failure is rolled back to its
// savepoint and the others in the same transaction still commit.
func TestBatchIsolatesFailures(t *testing.T) {
	t.Parallel()
	s, dsn := backends[0].open(t)
	ctx := context.Background()
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = s.Register(ctx, store.Registration{Document: doc(t, testinv.Machine(1000+i)), CredentialHash: hash(i), Now: at(0)})
			} else {
				_, errs[i] = s.Checkin(ctx, store.Checkin{MachineID: "m-000000000000000000000000", CredentialHash: hash(i), Now: at(0)})
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 0 && err != nil {
			t.Errorf("registration %d: %v", i, err)
		}
		if i%2 == 1 && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("check-in %d of an unknown machine: %v, want ErrNotFound", i, err)
		}
	}
	s.Close()
	// Closing checkpointed the WAL into the database and emptied it.
	path := strings.TrimPrefix(dsn, "sqlite://")
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() != 0 {
		t.Errorf("WAL holds %d bytes after Close, want 0", st.Size())
	}
	// Everything acknowledged is on disk.
	s2 := openT(t, dsn)
	ms, err := s2.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != n/2 {
		t.Errorf("%d machines after reopening, want %d", len(ms), n/2)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	t.Parallel()
	s, _ := backends[0].open(t)
	s.Close()
	_, err := s.Register(context.Background(), store.Registration{Document: doc(t, testinv.Machine(1)), CredentialHash: hash(1), Now: at(0)})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("register on a closed store: %v, want ErrUnavailable", err)
	}
}
