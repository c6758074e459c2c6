//go:build !hwagent_nextschema

package sqlstore

// nextMigrations is empty: see schema_next.go.
func nextMigrations(bool) [][]string { return nil }
