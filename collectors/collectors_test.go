package collectors

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// fake is a collector whose behaviour a test chooses.
type fake struct {
	name  string
	apply collector.Apply
	err   error
	sleep time.Duration
	panic bool
}

func (f fake) Name() string { return f.name }

func (f fake) Collect(ctx context.Context, _ *collector.Env) (collector.Apply, error) {
	if f.panic {
		panic("boom")
	}
	if f.sleep > 0 {
		select {
		case <-time.After(f.sleep):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return f.apply, f.err
}

func TestRunRecordsEveryOutcome(t *testing.T) {
	t.Parallel()
	specs := []Spec{
		{Collector: fake{name: "host", apply: func(inv *inventory.Inventory) { inv.Host = &inventory.Host{Hostname: "node1"} }}},
		{Collector: fake{name: "bmc", err: collector.NotApplicable("no BMC: no SMBIOS type 38 and no /dev/ipmi0")}},
		{Collector: fake{name: "storage", panic: true}},
		{Collector: fake{name: "slow", sleep: time.Hour}, Timeout: 50 * time.Millisecond},
		{Collector: fake{name: "memory", apply: func(inv *inventory.Inventory) { inv.Memory = &inventory.Memory{TotalBytes: 42} },
			err: &collector.PartialError{Warnings: []string{"read /proc/meminfo: permission denied"}}}},
		{Collector: fake{name: "cpu", err: errors.New("open /proc/cpuinfo: no such file or directory")}},
	}
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	inv := Collect(context.Background(), env, specs, "test", "dump")

	if inv.Host == nil || inv.Host.Hostname != "node1" {
		t.Errorf("host section not applied: %+v", inv.Host)
	}
	if inv.Memory == nil || inv.Memory.TotalBytes != 42 {
		t.Errorf("partial memory section not applied: %+v", inv.Memory)
	}
	got := map[string]inventory.Status{}
	for _, c := range inv.Collectors {
		got[c.Name] = c.Status
	}
	want := map[string]inventory.Status{
		"host": inventory.StatusOK, "bmc": inventory.StatusNotApplicable, "storage": inventory.StatusFailed,
		"slow": inventory.StatusFailed, "memory": inventory.StatusPartial, "cpu": inventory.StatusFailed,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if c := inv.Collector("storage"); !strings.Contains(c.Error, "panic: boom") {
		t.Errorf("panic not recorded: %q", c.Error)
	}
	if c := inv.Collector("slow"); !strings.Contains(c.Error, "deadline of 50ms exceeded") || c.DurationSeconds > 5 {
		t.Errorf("slow collector: %+v", c)
	}
	if c := inv.Collector("memory"); len(c.Warnings) != 1 {
		t.Errorf("warnings lost: %+v", c)
	}
	if err := Usable(inv); err != nil {
		t.Errorf("Usable = %v, want nil with two collectors succeeding", err)
	}
	if inv.SchemaVersion != inventory.SchemaVersion || inv.Agent.Mode != "dump" {
		t.Errorf("header: %q %+v", inv.SchemaVersion, inv.Agent)
	}
}

func TestUsableWhenEverythingFailed(t *testing.T) {
	t.Parallel()
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	inv := Collect(context.Background(), env, []Spec{{Collector: fake{name: "cpu", err: errors.New("no /proc/cpuinfo")}}}, "test", "dump")
	err := Usable(inv)
	if !errors.Is(err, ErrNothingCollected) || !strings.Contains(err.Error(), "cpu (failed): no /proc/cpuinfo") {
		t.Errorf("Usable = %v", err)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	all := []Spec{
		{Collector: fake{name: "a"}, DefaultEnabled: true},
		{Collector: fake{name: "b"}, DefaultEnabled: true},
		{Collector: fake{name: "c"}, DefaultEnabled: false},
	}
	for _, tc := range []struct {
		name            string
		enable, disable []string
		want            []string
		wantErr         string
	}{
		{name: "defaults", want: []string{"a", "b"}},
		{name: "exact list", enable: []string{"c", "a"}, want: []string{"a", "c"}},
		{name: "disable", disable: []string{"a"}, want: []string{"b"}},
		{name: "unknown", enable: []string{"x"}, wantErr: "unknown collector x (known: a, b, c)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Select(all, tc.enable, tc.disable)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if diff := cmp.Diff(tc.want, Names(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllNamesUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, s := range All() {
		if seen[s.Name()] {
			t.Errorf("collector %q listed twice", s.Name())
		}
		seen[s.Name()] = true
		if s.Description == "" {
			t.Errorf("collector %q has no description", s.Name())
		}
	}
}

// Gather starts the costliest collectors first, list order among equals;
// the results stay in list order whatever the start order.
func TestStartOrder(t *testing.T) {
	t.Parallel()
	specs := All()
	var got []string
	for _, i := range startOrder(specs) {
		got = append(got, specs[i].Name())
	}
	want := []string{"pci", "network", "storage", "cpu", "memory", "host", "system", "lldp", "virtualization", "firmware", "tpm", "bmc"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("start order (-want +got):\n%s", diff)
	}
	fakes := []Spec{
		{Collector: fake{name: "a", apply: func(inv *inventory.Inventory) { inv.Host = &inventory.Host{Hostname: "a"} }}},
		{Collector: fake{name: "b", apply: func(inv *inventory.Inventory) { inv.Host.Hostname += "b" }}, Cost: 9},
	}
	inv := Collect(context.Background(), collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{}), fakes, "test", "dump")
	if inv.Host == nil || inv.Host.Hostname != "ab" {
		t.Errorf("results applied out of list order: %+v", inv.Host)
	}
}

// pathsProbe records whether the Paths it was given bound each read.
type pathsProbe struct {
	name    string
	bounded chan bool
}

func (p pathsProbe) Name() string { return p.name }

func (p pathsProbe) Collect(_ context.Context, env *collector.Env) (collector.Apply, error) {
	p.bounded <- env.Paths.BoundsEachRead()
	return nil, nil
}

// The runner bounds a collector by its deadline, so the collector reads
// directly, not each read through a goroutine of its own; the Env it was
// given keeps bounding each read (the agent's own reads).
func TestCollectorsReadUnbounded(t *testing.T) {
	t.Parallel()
	probe := pathsProbe{name: "cpu", bounded: make(chan bool, 1)}
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	Gather(context.Background(), env, []Spec{{Collector: probe}})
	if <-probe.bounded {
		t.Errorf("a collector's reads are bounded one by one")
	}
	if !env.Paths.BoundsEachRead() {
		t.Errorf("Gather changed the Env's own Paths")
	}
	if !env.Paths.Unbounded().Bounded().BoundsEachRead() || env.Paths.Unbounded().BoundsEachRead() {
		t.Errorf("Bounded and Unbounded do not switch the per-read bound")
	}
}
