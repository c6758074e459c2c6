// Package servertest runs the real pieces the server's integration tests
// need: a PostgreSQL cluster initialised in a temporary directory (Debian's
// postgresql package, run as the postgres user when the tests run as root)
// and `hwagent serve` processes built from this module. The agent's tests
// use it too.
package servertest
