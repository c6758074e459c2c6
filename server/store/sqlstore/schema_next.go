//go:build hwagent_nextschema

package sqlstore

// With the build tag hwagent_nextschema, hwagent has one migration more
// than its source: the newer version of the tests that start replicas of
// two versions on one database (server/e2e TestReplicasOfTwoVersions). It
// is what a next migration looks like: additive (a column with a default,
// an index, a backfill), so that replicas of the previous version keep
// working beside it, and it takes a moment, as real ones do on a fleet's
// database. Never built into a release.
func nextMigrations(postgres bool) [][]string {
	m := []string{
		`ALTER TABLE machines ADD COLUMN rack TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX machines_rack ON machines (rack)`,
		`UPDATE machines SET rack = 'unknown' WHERE rack = ''`,
	}
	if postgres {
		m = append(m, `SELECT pg_sleep(1)`)
	}
	return [][]string{m}
}
