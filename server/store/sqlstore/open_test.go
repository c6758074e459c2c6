package sqlstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
				var c string
				if err := s.read.QueryRowContext(ctx, `SELECT attcompression FROM pg_attribute
					WHERE attrelid = 'machine_inventories'::regclass AND attname = 'inventory'`).Scan(&c); err != nil || c != "l" {
					t.Errorf("inventory column compression %q (%v), want l (lz4; Debian's PostgreSQL has it)", c, err)
				}
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
