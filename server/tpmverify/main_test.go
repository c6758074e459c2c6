package tpmverify_test

import (
	"os"
	"sync"
	"testing"

	"github.com/hwagent/hwagent/server/servertest"
)

// pg is the PostgreSQL cluster the tests that need one start (once).
var (
	pgOnce sync.Once
	pg     *servertest.Postgres
	pgErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pg != nil {
		pg.Stop()
	}
	os.Exit(code)
}

// storeDSN is a fresh database of the kind: sqlite or postgres.
func storeDSN(t *testing.T, kind string) string {
	t.Helper()
	if kind == "postgres" {
		pgOnce.Do(func() { pg, pgErr = servertest.StartPostgres(false) })
		return pg.NewDatabase(t, pgErr)
	}
	return "sqlite://" + t.TempDir() + "/hwagent.db"
}
