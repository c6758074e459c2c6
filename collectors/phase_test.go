package collectors

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/lldp"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// TestPhases: the collector says its phase; host, system, network and tpm
// are the Identity collectors, LLDP the one Late collector, and ByPhase
// keeps the list's order in each part.
func TestPhases(t *testing.T) {
	t.Parallel()
	identity, first, late := ByPhase(All())
	if diff := cmp.Diff([]string{"host", "system", "network", "tpm"}, Names(identity)); diff != "" {
		t.Errorf("identity collectors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"lldp"}, Names(late)); diff != "" {
		t.Errorf("late collectors (-want +got):\n%s", diff)
	}
	var want []string
	for _, s := range All() {
		if p := s.Phase(); p == collector.First {
			want = append(want, s.Name())
		}
	}
	if diff := cmp.Diff(want, Names(first)); diff != "" {
		t.Errorf("first collectors (-want +got):\n%s", diff)
	}
	if p := collector.PhaseOf(fake{name: "x"}); p != collector.First {
		t.Errorf("a collector that says nothing is %s, want first", p)
	}
}

// TestIdentityPhaseIdentifiesAlone: over every recorded host of
// testdata/hosts, the Identity collectors alone derive the identity the
// whole collection derives (so a server decides the same on a
// registration that carries only them), and no other collector's Apply
// changes what they filled: the identity sections of the whole
// collection are theirs.
func TestIdentityPhaseIdentifiesAlone(t *testing.T) {
	t.Parallel()
	hosts := filepath.Join("..", "testdata", "hosts")
	ents, err := os.ReadDir(hosts)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Select(All(), nil, []string{"lldp"})
	if err != nil {
		t.Fatal(err)
	}
	identity, _, _ := ByPhase(specs)
	n := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		n++ // arm64-graviton's recording has no SMBIOS table and no NIC: no key either way
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel()
			paths := hostpaths.New(filepath.Join(hosts, e.Name()), nil)
			cfg := collector.Config{PCIIDsPath: filepath.Join(hosts, "pci.ids")}
			ctx := context.Background()
			whole := Collect(ctx, collector.NewEnv(paths, nil, cfg), specs, "test", "run")
			alone := Collect(ctx, collector.NewEnv(paths, nil, cfg), identity, "test", "run")
			if diff := cmp.Diff(whole.Identity, alone.Identity); diff != "" {
				t.Errorf("identity (-whole +identity collectors alone):\n%s", diff)
			}
			if diff := cmp.Diff(whole.System, alone.System); diff != "" {
				t.Errorf("system section (-whole +identity collectors alone):\n%s", diff)
			}
			if diff := cmp.Diff(whole.Host, alone.Host, cmpopts.IgnoreFields(inventory.Host{}, "UptimeSeconds")); diff != "" {
				t.Errorf("host section (-whole +identity collectors alone):\n%s", diff)
			}
			// The PCI collector names the NICs' PCI functions (not
			// identity); everything else of the network section is the
			// network collector's.
			if diff := cmp.Diff(whole.Network, alone.Network, cmpopts.IgnoreFields(inventory.PCIRef{}, "VendorName", "DeviceName")); diff != "" {
				t.Errorf("network section (-whole +identity collectors alone):\n%s", diff)
			}
		})
	}
	if n < 5 {
		t.Fatalf("%d recorded hosts in %s, want the whole set", n, hosts)
	}
}

// TestJoinAppliesInListOrder: results of two runs (the Identity
// collectors', then the First ones') apply in the collector list's order
// once joined: the tpm collector's endorsement key completes the
// firmware collector's section, which would otherwise replace it.
func TestJoinAppliesInListOrder(t *testing.T) {
	t.Parallel()
	ek := &inventory.TPMEndorsementKey{Algorithm: "rsa2048", PublicKeySHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}
	firmware := fake{name: "firmware", apply: func(inv *inventory.Inventory) {
		inv.Firmware = &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0"}}
	}}
	tpm := fake{name: "tpm", apply: func(inv *inventory.Inventory) {
		if inv.Firmware == nil {
			inv.Firmware = &inventory.Firmware{}
		}
		if inv.Firmware.TPM == nil {
			inv.Firmware.TPM = &inventory.TPM{Device: "tpm0", Version: "2.0"}
		}
		inv.Firmware.TPM.EndorsementKey = ek
	}}
	order := []Spec{{Collector: firmware}, {Collector: tpm}}
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	ctx := context.Background()
	identityRun := Gather(ctx, env, order[1:])
	firstRun := Gather(ctx, env, order[:1])

	inv := NewInventory(time.Time{}, "test", "run")
	Join(order, identityRun, firstRun).ApplyTo(inv)
	want := &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0", EndorsementKey: ek}}
	if diff := cmp.Diff(want, inv.Firmware); diff != "" {
		t.Errorf("joined (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"firmware", "tpm"}, statusNames(inv)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}

	// Applied run by run, in the order they ran, the firmware section
	// replaces the key: what Join is for.
	inv = NewInventory(time.Time{}, "test", "run")
	identityRun.ApplyTo(inv)
	firstRun.ApplyTo(inv)
	if inv.Firmware.TPM.EndorsementKey != nil {
		t.Errorf("applied run by run, the key survived: the test no longer shows the ordering problem")
	}
}

// TestMarkPending: collectors still running are listed as pending, and
// their results replace the status when they arrive.
func TestMarkPending(t *testing.T) {
	t.Parallel()
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	cpu := Spec{Collector: fake{name: "cpu", apply: func(inv *inventory.Inventory) { inv.CPU = &inventory.CPU{LogicalThreads: 2} }}}
	host := Spec{Collector: fake{name: "host", apply: func(inv *inventory.Inventory) { inv.Host = &inventory.Host{Hostname: "srv01"} }}}
	inv := Collect(context.Background(), env, []Spec{host}, "test", "run")
	MarkPending(inv, []Spec{cpu})
	want := []inventory.CollectorStatus{{Name: "cpu", Status: inventory.StatusPending}, {Name: "host", Status: inventory.StatusOK}}
	if diff := cmp.Diff(want, zeroDurations(inv.Collectors)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cpu"}, inv.Pending()); diff != "" {
		t.Errorf("Pending (-want +got):\n%s", diff)
	}
	Gather(context.Background(), env, []Spec{cpu}).ApplyTo(inv)
	want[0].Status = inventory.StatusOK
	if diff := cmp.Diff(want, zeroDurations(inv.Collectors)); diff != "" {
		t.Errorf("statuses once it ran (-want +got):\n%s", diff)
	}
	if inv.Pending() != nil {
		t.Errorf("still pending: %v", inv.Pending())
	}
}

func statusNames(inv *inventory.Inventory) []string {
	var out []string
	for _, c := range inv.Collectors {
		out = append(out, c.Name)
	}
	return out
}

// TestLateResultsApplyAgain: the Late collectors' results go into one
// inventory, then again into a newer collection of the First ones, with one
// status each time and the neighbours of the last result only.
func TestLateResultsApplyAgain(t *testing.T) {
	t.Parallel()
	sw := inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "local", ChassisID: "leaf-01", SystemName: "leaf-01", PortIDSubtype: "interface_name", PortID: "Ethernet1/7"}
	heard := lldp.Result{
		NICs:      []lldp.NIC{{Name: "eno1", Kind: inventory.NICPhysical}, {Name: "eno2", Kind: inventory.NICPhysical}},
		Neighbors: map[string][]inventory.Neighbor{"eno1": {sw}},
	}
	late := fake{name: "lldp", apply: heard.Apply, err: &collector.PartialError{Warnings: []string{"eno2: no LLDP received within 35s"}}}
	nics := func(inv *inventory.Inventory) {
		inv.Network = &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1"}, {Name: "eno2", Neighbors: []inventory.Neighbor{sw}}}}
	}
	env := collector.NewEnv(hostpaths.New(t.TempDir(), nil), nil, collector.Config{})
	r := Gather(context.Background(), env, []Spec{{Collector: late}})

	want := &inventory.Inventory{
		Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eno1", Neighbors: []inventory.Neighbor{sw}}, {Name: "eno2"}}},
		Collectors: []inventory.CollectorStatus{
			{Name: "lldp", Status: inventory.StatusPartial, Warnings: []string{"eno2: no LLDP received within 35s"}},
			{Name: "network", Status: inventory.StatusOK},
		},
	}
	for _, round := range []string{"first collection", "collected again"} {
		inv := Collect(context.Background(), env, []Spec{{Collector: fake{name: "network", apply: nics}}}, "test", "run")
		r.ApplyTo(inv)
		r.ApplyTo(inv) // idempotent
		inv.CollectedAt, inv.SchemaVersion, inv.Agent, inv.Identity = want.CollectedAt, "", inventory.Agent{}, inventory.Identity{}
		for i := range inv.Collectors {
			inv.Collectors[i].DurationSeconds = 0
		}
		if diff := cmp.Diff(want, inv); diff != "" {
			t.Errorf("%s (-want +got):\n%s", round, diff)
		}
	}
	if diff := cmp.Diff([]inventory.CollectorStatus{want.Collectors[0]}, zeroDurations(r.Statuses())); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func zeroDurations(sts []inventory.CollectorStatus) []inventory.CollectorStatus {
	for i := range sts {
		sts[i].DurationSeconds = 0
	}
	return sts
}
