package sqlstore

import (
	"context"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// columns lists each table's column names, sorted, as the database itself
// reports them after every migration.
func columns(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	if !s.d.postgres {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	rows, err := s.read.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", s.d.name, err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

// TestSchemasAgree: after every migration, SQLite and PostgreSQL have the
// same tables with the same columns (the migrations are two lists written
// by hand, one per dialect).
func TestSchemasAgree(t *testing.T) {
	t.Parallel()
	sqlite := openT(t, "sqlite://"+filepath.Join(t.TempDir(), "hwagent.db"))
	postgres := openT(t, pg.NewDatabase(t, pgErr))
	if sqlite.Version != postgres.Version {
		t.Errorf("schema version: SQLite %d, PostgreSQL %d", sqlite.Version, postgres.Version)
	}
	lite, pq := columns(t, sqlite), columns(t, postgres)
	if len(lite) < 3 {
		t.Fatalf("SQLite has %d tables: the query found nothing", len(lite))
	}
	if diff := cmp.Diff(lite, pq); diff != "" {
		t.Errorf("tables and columns (-SQLite +PostgreSQL):\n%s", diff)
	}
}
