package hostpaths_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
)

// TestKind: the agent's own root is the running machine; a tree on disk,
// with or without a manifest, is a recording, and a recording answers
// ErrRecorded for sockets and devices.
func TestKind(t *testing.T) {
	t.Parallel()
	if k := hostpaths.New("/", nil).Kind(); k != hostpaths.Live {
		t.Errorf("/ is a %s host, want live", k)
	}
	if k := hostpaths.Detect(func(string) (os.FileInfo, error) { return nil, os.ErrNotExist }).Kind(); k != hostpaths.Live {
		t.Errorf("the detected own root is a %s host, want live", k)
	}
	// Hanlon's layout of the live trees: proc is a procfs.
	if k := hostpaths.New(t.TempDir(), hostpaths.Overrides{hostpaths.Proc: "/proc", hostpaths.Sys: "/sys"}).Kind(); k != hostpaths.Live {
		t.Errorf("--proc /proc is a %s host, want live", k)
	}

	dir := t.TempDir()
	p := hostpaths.New(dir, nil)
	if k := p.Kind(); k != hostpaths.Recording {
		t.Fatalf("a tree on disk is a %s host, want a recording", k)
	}
	m := p.Machine()
	if _, err := m.LinkLayer(); !errors.Is(err, hostpaths.ErrRecorded) {
		t.Errorf("recording LinkLayer: %v, want ErrRecorded", err)
	}
	if _, err := m.OpenIPMI(p.Dev("ipmi0")); !errors.Is(err, hostpaths.ErrRecorded) {
		t.Errorf("recording OpenIPMI: %v, want ErrRecorded", err)
	}
	if _, err := m.OpenTPM(p.Dev("tpmrm0")); !errors.Is(err, hostpaths.ErrRecorded) {
		t.Errorf("recording OpenTPM: %v, want ErrRecorded", err)
	}
	n, err := m.Network()
	if err != nil {
		t.Fatal(err)
	}
	if links, err := n.Links(); err != nil || len(links) != 0 {
		t.Errorf("recording without a manifest: links %v, %v; want none", links, err)
	}

	// WithMachine overrides detection, on a copy.
	q := p.WithMachine(hostpathstest.Machine{Live: true})
	if q.Kind() != hostpaths.Live || p.Kind() != hostpaths.Recording {
		t.Errorf("WithMachine: copy %s, original %s", q.Kind(), p.Kind())
	}
}

// TestManifestRoundTrip records what a machine's network answers, writes
// the manifest beside the tree's proc, and replays it: the same links,
// the same driver info, the same errors (EOPNOTSUPP stays EOPNOTSUPP).
func TestManifestRoundTrip(t *testing.T) {
	t.Parallel()
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	links := []hostpaths.NetLink{
		{Index: 1, Name: "lo", Addrs: []string{"127.0.0.1/8", "::1/128"}},
		{Index: 2, Name: "eth0", MAC: mac("52:54:00:12:34:56"), PermMAC: mac("52:54:00:12:34:56"), Addrs: []string{"192.0.2.10/24"}},
		{Index: 3, Name: "eth0.100", MAC: mac("52:54:00:12:34:56"), VLANID: 100, ParentIndex: 2},
	}
	drivers := map[string]hostpaths.DriverInfo{"eth0": {Driver: "virtio_net", Version: "1.0.0", BusInfo: "0000:00:03.0"}}
	live := hostpathstest.Machine{Live: true, Net: hostpathstest.Network{NetLinks: links, Drivers: drivers}}

	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	p := hostpaths.New(dir, nil).WithMachine(live)
	rec := p.Record()
	n, err := p.Machine().Network()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Links(); err != nil {
		t.Fatal(err)
	}
	n.DriverInfo("eth0")
	_, vlanErr := n.DriverInfo("eth0.100")
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	b, err := rec.Manifest("v1.2.3", at, p.String()).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, hostpaths.ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}

	r := hostpaths.New(dir, nil)
	if r.Kind() != hostpaths.Recording {
		t.Fatalf("a tree with a manifest is a %s host", r.Kind())
	}
	rn, err := r.Machine().Network()
	if err != nil {
		t.Fatal(err)
	}
	got, err := rn.Links()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(links, got); diff != "" {
		t.Errorf("replayed links (-recorded +replayed):\n%s", diff)
	}
	if d, err := rn.DriverInfo("eth0"); err != nil || d != drivers["eth0"] {
		t.Errorf("replayed eth0 driver info %+v, %v", d, err)
	}
	_, err = rn.DriverInfo("eth0.100")
	if !errors.Is(err, syscall.EOPNOTSUPP) || !errors.Is(vlanErr, syscall.EOPNOTSUPP) {
		t.Errorf("replayed eth0.100 driver info error %v (recorded %v), want EOPNOTSUPP", err, vlanErr)
	}
	if _, err := rn.DriverInfo("eth9"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("driver info never asked: %v, want not exist", err)
	}
}

// TestBadManifest: a manifest that cannot be read is an error of the
// network, never a fall-back to the live machine.
func TestBadManifest(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"not json":       "{",
		"unknown format": `{"format": 99}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, hostpaths.ManifestName), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			p := hostpaths.New(dir, nil)
			if p.Kind() != hostpaths.Recording {
				t.Fatalf("%s host", p.Kind())
			}
			if _, err := p.Machine().Network(); err == nil {
				t.Error("Network() of a bad manifest succeeded")
			}
		})
	}

}
