package sqlstore

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// dialect holds what differs between the databases.
type dialect struct {
	name       string
	postgres   bool
	migrations [][]string
	// forUpdate locks the rows a read-modify-write transaction reads
	// (SQLite has one writer, so it needs none).
	forUpdate string
}

var (
	sqliteDialect   = &dialect{name: "sqlite", migrations: slices.Concat(sqliteMigrations, nextMigrations(false))}
	postgresDialect = &dialect{name: "postgres", postgres: true, migrations: slices.Concat(postgresMigrations, nextMigrations(true)), forUpdate: " FOR UPDATE"}
)

// retryable reports whether a PostgreSQL transaction failed only because of
// a concurrent one: unique violation (a concurrent registration of the same
// machine won), serialization failure, deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505", "40001", "40P01":
			return true
		}
	}
	return false
}

// placeholders returns "$first, $first+1, ..." for n values.
func placeholders(first, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}

// rows returns "($1, $2), ($3, $4)" for n rows of width values.
func rows(n, width int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		b.WriteString(placeholders(1+i*width, width))
		b.WriteByte(')')
	}
	return b.String()
}
