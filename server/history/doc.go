// Package history turns two inventories of the same machine into the
// human-readable differences a provisioning server keeps as the machine's
// history: a DIMM or disk gone, a firmware version changed, a NIC moved to
// another switch port. Diff is a pure function over two documents.
package history
