package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// TestReplayOfThisMachine snapshots the machine the test runs on and dumps
// the unpacked tree on that same machine, where every interface of the
// tree has a live twin with the same name, ifindex and MAC: the worst case
// for a replay mixing in the live machine. With its manifest the replay
// gives exactly the network section of the snapshot's own inventory (the
// netlink and ethtool facts were saved); without it, the tree is a bare
// recording and the live addresses, permanent MACs and driver info must
// not appear.
func TestReplayOfThisMachine(t *testing.T) {
	t.Parallel()
	var tarball bytes.Buffer
	noEnv := func(string) (string, bool) { return "", false }
	var stderr bytes.Buffer
	if err := runEnv(t.Context(), []string{"snapshot", "--out", "-", "--lldp-wait", "0", "--pci-ids", "none"}, noEnv, &tarball, &stderr); err != nil {
		t.Fatalf("snapshot: %v\n%s", err, stderr.Bytes())
	}
	dir := t.TempDir()
	testutil.UntarGz(t, &tarball, dir)

	var snap inventory.Inventory
	readJSON(t, filepath.Join(dir, "hwagent-inventory.json"), &snap)
	var live []string // interfaces with addresses: what a mix-up would leak
	for _, n := range snap.Network.Interfaces {
		if len(n.Addresses) > 0 {
			live = append(live, n.Name)
		}
	}
	if len(live) == 0 {
		t.Fatal("this machine has no interface with an IP address besides lo: nothing a replay could leak, the test proves nothing")
	}
	if k := hostpaths.New(dir, nil).Kind(); k != hostpaths.Recording {
		t.Fatalf("the unpacked snapshot is a %s host, want a recording", k)
	}

	replay := dumpNetwork(t, dir)
	if diff := cmp.Diff(snap.Network, replay); diff != "" {
		t.Errorf("replayed network differs from the snapshot's (-snapshot +replay):\n%s", diff)
	}

	if err := os.Remove(filepath.Join(dir, hostpaths.ManifestName)); err != nil {
		t.Fatal(err)
	}
	bare := dumpNetwork(t, dir)
	if len(bare.Interfaces) != len(snap.Network.Interfaces) {
		t.Fatalf("bare tree: %d interfaces, snapshot %d", len(bare.Interfaces), len(snap.Network.Interfaces))
	}
	for _, n := range bare.Interfaces {
		if n.Addresses != nil || n.PermanentMAC != "" || n.DriverVersion != "" || n.BusInfo != "" {
			t.Errorf("%s: a tree without its manifest took this machine's live facts: addresses %v, permanent MAC %q, driver version %q, bus %q",
				n.Name, n.Addresses, n.PermanentMAC, n.DriverVersion, n.BusInfo)
		}
	}
}

// dumpNetwork dumps the tree at dir and returns its network section.
func dumpNetwork(t *testing.T, dir string) *inventory.Network {
	t.Helper()
	out := dumpTree(t, []string{"dump", "-o", "json", "--lldp-wait", "0", "--pci-ids", "none", "--root", dir})
	var inv inventory.Inventory
	if err := json.Unmarshal(out, &inv); err != nil {
		t.Fatal(err)
	}
	return inv.Network
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
