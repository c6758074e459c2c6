// Package e2e tests `hwagent serve` as operators run it: the real binary,
// built from this module, started as a process on loopback over SQLite and
// over a real PostgreSQL cluster, driven through its HTTP API and through
// `hwagent machines`, killed with SIGKILL in the middle of a burst and
// restarted on the same database.
package e2e
