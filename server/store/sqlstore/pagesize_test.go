package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// A new database gets 8 KiB pages and WAL; one that exists keeps its page
// size.
func TestSQLitePageSize(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "hwagent.db")
	pageSize := func() (int, string) {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var ps int
		var mode string
		if err := s.read.QueryRow(`PRAGMA page_size`).Scan(&ps); err != nil {
			t.Fatal(err)
		}
		if err := s.read.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		return ps, mode
	}
	if ps, mode := pageSize(); ps != sqlitePageSize || mode != "wal" {
		t.Errorf("new database: page size %d, journal %s; want %d, wal", ps, mode, sqlitePageSize)
	}
	if ps, _ := pageSize(); ps != sqlitePageSize {
		t.Errorf("opened again: page size %d", ps)
	}
	// A database an earlier version created, with 4 KiB pages.
	path = filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`PRAGMA page_size = 4096`, `PRAGMA journal_mode = WAL`, `CREATE TABLE early (x INTEGER)`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if ps, mode := pageSize(); ps != 4096 || mode != "wal" {
		t.Errorf("existing database: page size %d, journal %s; want 4096, wal", ps, mode)
	}
}
