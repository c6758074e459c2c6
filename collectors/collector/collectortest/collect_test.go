package collectortest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// hostname reads the kernel's hostname and release as the host collector
// does; bypass reads the release with os.ReadFile, behind hostpaths' back.
type hostname struct{ bypass bool }

func (hostname) Name() string { return "hostname" }

func (h hostname) Collect(_ context.Context, env *collector.Env) (collector.Apply, error) {
	name, err := env.Paths.ReadString(env.Paths.Proc("sys/kernel/hostname"))
	if err != nil {
		return nil, err
	}
	var release string
	var w collector.Warnings
	if h.bypass {
		b, err := os.ReadFile(env.Paths.Proc("sys/kernel/osrelease"))
		w.Add(err)
		release = strings.TrimSpace(string(b))
	} else {
		release, err = env.Paths.ReadString(env.Paths.Proc("sys/kernel/osrelease"))
		w.Add(err)
	}
	return func(inv *inventory.Inventory) {
		inv.Host = &inventory.Host{Hostname: name, KernelRelease: release}
	}, w.Err()
}

// kernel is the two files, as the build VM's (collectors/host's
// testdata/local/vm-virtio).
var kernel = map[string]string{
	"proc/sys/kernel/hostname":  "vm\n",
	"proc/sys/kernel/osrelease": "6.18.44-fc-v769\n",
}

func TestCollect(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, kernel)
	inv, err := collectortest.Collect(t, hostname{}, root, collector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&inventory.Host{Hostname: "vm", KernelRelease: "6.18.44-fc-v769"}, inv.Host); diff != "" {
		t.Errorf("host (-want +got):\n%s", diff)
	}

	// No release: a partial result and its warning.
	partial := t.TempDir()
	testutil.WriteTree(t, partial, map[string]string{"proc/sys/kernel/hostname": "vm\n"})
	inv, err = collectortest.Collect(t, hostname{}, partial, collector.Config{})
	want := []string{"open " + partial + "/proc/sys/kernel/osrelease: no such file or directory"}
	if diff := cmp.Diff(want, collectortest.Warnings(err)); diff != "" || inv.Host == nil || inv.Host.Hostname != "vm" {
		t.Errorf("warnings (-want +got):\n%s\nhost %+v", diff, inv.Host)
	}

	// Nothing: no Apply, an empty inventory and the collector's error.
	inv, err = collectortest.Collect(t, hostname{}, t.TempDir(), collector.Config{})
	if !errors.Is(err, fs.ErrNotExist) || inv == nil || !cmp.Equal(inv, &inventory.Inventory{}) || collectortest.Warnings(err) != nil {
		t.Errorf("empty host: %+v, %v", inv, err)
	}
}

func TestCollectPathsOverrides(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	// Hanlon's layout: proc mounted at /host-proc.
	testutil.WriteTree(t, root, map[string]string{
		"host-proc/sys/kernel/hostname":  "hanlon\n",
		"host-proc/sys/kernel/osrelease": "6.6.108\n",
	})
	inv, err := collectortest.CollectPaths(t, hostname{}, hostpaths.New(root, hostpaths.Overrides{hostpaths.Proc: root + "/host-proc"}), collector.Config{})
	if err != nil || inv.Host.Hostname != "hanlon" || inv.Host.KernelRelease != "6.6.108" {
		t.Errorf("host %+v, %v", inv.Host, err)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, kernel)
	if r := testutil.Record(t, func(tb testing.TB) { collectortest.SnapshotRoundTrip(tb, hostname{}, root) }); r.Failed() {
		t.Errorf("collector reading through hostpaths: %+v", r)
	}
	// A read behind hostpaths' back is missing from the snapshot: the
	// replay is partial.
	testutil.Record(t, func(tb testing.TB) { collectortest.SnapshotRoundTrip(tb, hostname{bypass: true}, root) }).
		WantFatal(t, "partial: open ")
	// A collector that fails on the host fails the test before any snapshot.
	testutil.Record(t, func(tb testing.TB) { collectortest.SnapshotRoundTrip(tb, hostname{}, t.TempDir()) }).
		WantFatal(t, "no such file or directory")
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	p := &collector.PartialError{Warnings: []string{"/proc/uptime: bad /proc/uptime: \"soon\""}}
	for _, tt := range []struct {
		err  error
		want []string
	}{
		{nil, nil},
		{fs.ErrNotExist, nil},
		{p, p.Warnings},
		{errors.Join(errors.New("other"), p), p.Warnings},
	} {
		if diff := cmp.Diff(tt.want, collectortest.Warnings(tt.err)); diff != "" {
			t.Errorf("Warnings(%v) (-want +got):\n%s", tt.err, diff)
		}
	}
}

func BenchmarkCollect(b *testing.B) {
	root := b.TempDir()
	testutil.WriteTree(b, root, kernel)
	collectortest.Benchmark(b, hostname{}, root, collector.Config{})
}
