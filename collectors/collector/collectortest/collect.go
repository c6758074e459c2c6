package collectortest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// Collect runs c on the host tree rooted at root with cfg and applies its
// result to an empty inventory. The inventory is never nil: when c returns
// no Apply it stays empty, so a caller may read its section, nil then,
// whatever the error. The error is c's, unchanged.
func Collect(t testing.TB, c collector.Collector, root string, cfg collector.Config) (*inventory.Inventory, error) {
	t.Helper()
	return CollectPaths(t, c, hostpaths.New(root, nil), cfg)
}

// CollectPaths is Collect on a host described by paths (a root with
// per-tree overrides, or a recording).
func CollectPaths(t testing.TB, c collector.Collector, paths *hostpaths.Paths, cfg collector.Config) (*inventory.Inventory, error) {
	t.Helper()
	apply, err := c.Collect(t.Context(), collector.NewEnv(paths, nil, cfg))
	inv := &inventory.Inventory{}
	if apply != nil {
		apply(inv)
	}
	return inv, err
}

// Warnings returns the warnings of the *collector.PartialError in err's
// chain, nil when there is none.
func Warnings(err error) []string {
	if p, ok := errors.AsType[*collector.PartialError](err); ok {
		return p.Warnings
	}
	return nil
}

// Benchmark runs c on the host tree rooted at root with cfg in b's loop,
// one Env for all iterations as the agent has, and reports allocations.
// An error, partial ones included, fails the benchmark.
func Benchmark(b *testing.B, c collector.Collector, root string, cfg collector.Config) {
	b.Helper()
	env := collector.NewEnv(hostpaths.New(root, nil), nil, cfg)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Collect(b.Context(), env); err != nil {
			b.Fatal(err)
		}
	}
}

// SnapshotRoundTrip checks that every file c reads goes through hostpaths:
// it runs c on the host tree rooted at root while recording, packs the
// recording as `hwagent snapshot` does (Tree.WriteTarGz), unpacks it into a
// temporary directory, runs c there and compares the two inventories. An
// error from either run, partial ones included, fails the test.
func SnapshotRoundTrip(t testing.TB, c collector.Collector, root string) {
	t.Helper()
	paths := hostpaths.New(root, nil)
	rec := paths.Record()
	want, err := CollectPaths(t, c, paths, collector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := paths.Snapshot(rec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tree.WriteTarGz(&buf, nil); err != nil {
		t.Fatal(err)
	}
	replay := t.TempDir()
	testutil.UntarGz(t, &buf, replay)
	got, err := Collect(t, c, replay, collector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: inventory from the snapshot (-want +got):\n%s", c.Name(), diff)
	}
}
