package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/servertest"
)

// pg is the cluster the PostgreSQL half of every test uses; pgErr says why
// there is none.
var (
	pg    *servertest.Postgres
	pgErr error
)

func TestMain(m *testing.M) {
	pg, pgErr = servertest.StartPostgres(false)
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// backend opens a fresh store.
type backend struct {
	name string
	open func(t *testing.T) (*Store, string)
}

var backends = []backend{
	{"sqlite", func(t *testing.T) (*Store, string) {
		dsn := "sqlite://" + filepath.Join(t.TempDir(), "hwagent.db")
		return openT(t, dsn), dsn
	}},
	{"postgres", func(t *testing.T) (*Store, string) {
		dsn := pg.NewDatabase(t, pgErr)
		return openT(t, dsn), dsn
	}},
}

func openT(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs fn on every backend as parallel subtests.
func each(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _ := b.open(t)
			fn(t, s)
		})
	}
}

// at is a fixed clock for deterministic histories.
func at(minute int) time.Time {
	return time.Date(2025, 6, 1, 12, minute, 0, 0, time.UTC)
}

func hash(n int) string { return fmt.Sprintf("%064x", n) }
