// Package sqlstore implements store.Store on SQLite (modernc.org/sqlite,
// pure Go) and PostgreSQL (pgx) with one set of queries.
//
// SQLite: one file in WAL mode with synchronous=FULL, so a write the server
// acknowledged survives kill -9 and power loss. All writes go through one
// connection and a group-commit loop: the operations waiting when a
// transaction starts run in it, each inside its own savepoint, and share one
// fsync. Reads use a separate pool of read-only connections.
//
// PostgreSQL: every write is its own READ COMMITTED transaction, retried on
// unique violations, serialization failures and deadlocks; several server
// processes can share the database. Concurrent registrations of one machine
// meet on the primary key of machine_keys: the loser's transaction fails and
// its retry finds the winner's machine.
//
// Migrations are versioned, recorded in schema_migrations, and run at Open
// in one transaction (under an advisory lock on PostgreSQL).
package sqlstore
