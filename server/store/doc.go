// Package store defines what the provisioning server keeps about machines
// and the Store interface its backends (server/store/sqlstore: SQLite and
// PostgreSQL) implement. Every method that changes a machine is one
// transaction; a method that returned nil has made its change durable.
package store
