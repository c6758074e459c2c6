// Package collectortest runs an hwagent collector the way its tests need:
// once on a host tree (Collect, CollectPaths), in a benchmark loop
// (Benchmark), and through `hwagent snapshot` and back (SnapshotRoundTrip,
// which proves every file the collector reads goes through hostpaths).
//
// It imports collectors/collector, hostpaths and inventory, so the
// internal tests of those packages (and of smbios, which
// collector imports) cannot use it; they use package testutil, which
// imports nothing of hwagent. Nor does it import package collectors (the
// runner), which lists every collector: tests of the collector packages
// could not import it. Tests that want a collector's status as the agent
// records it call collectors.Run themselves.
package collectortest
