package server

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

// pg is the PostgreSQL cluster of the tests that run on both stores,
// started on first use.
var (
	pgOnce sync.Once
	pg     *servertest.Postgres
	pgErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	for _, d := range chainDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// storeKinds are the stores the server runs on.
var storeKinds = []string{"sqlite", "postgres"}

// openStore opens a fresh store of the kind for one test.
func openStore(t *testing.T, kind string) store.Store {
	t.Helper()
	dsn := "sqlite://" + t.TempDir() + "/hwagent.db"
	if kind == "postgres" {
		pgOnce.Do(func() { pg, pgErr = servertest.StartPostgres(false) })
		dsn = pg.NewDatabase(t, pgErr)
	}
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
