package agent

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/firmware"
	"github.com/hwagent/hwagent/collectors/host"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/lldp"
	"github.com/hwagent/hwagent/lldp/pcapfile"
	"github.com/hwagent/hwagent/server/client"
)

// testdata/host is a real host tree: /proc and /etc captured on a Debian 12
// VM (copied from collectors/host/testdata/local/vm-virtio) and the SMBIOS
// table of the SuperMicro X9DBL in /work/shared/fixtures/smbios (entry
// point = the dump's first 31 bytes, DMI = the table from offset 0x20).
// testdata/lldp_mudurl.pcap is a real LLDP frame from the tcpdump test
// suite, with tcpdump's decoding beside it.

const enrollToken = "enroll-7f3c9a1e5b2d4f60a8c1e3b5d7f90a2c"

// hostTree copies testdata/host into a temporary directory, with files
// replaced or added.
func hostTree(t *testing.T, files map[string]string) *hostpaths.Paths {
	t.Helper()
	dir := t.TempDir()
	err := filepath.WalkDir(filepath.Join("testdata", "host"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "host"), path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return hostpaths.New(dir, nil)
}

// smbiosSystem maps the host's SMBIOS table like the system collector.
type smbiosSystem struct{}

func (smbiosSystem) Name() string { return "system" }

// Phase says it is an Identity collector, as the real system collector.
func (smbiosSystem) Phase() collector.Phase { return collector.Identity }
func (smbiosSystem) Collect(_ context.Context, env *collector.Env) (collector.Apply, error) {
	t, err := env.SMBIOS()
	if err != nil {
		return nil, err
	}
	sys, err := t.System()
	if err != nil {
		return nil, err
	}
	return func(inv *inventory.Inventory) { inv.System = sys }, nil
}

// boardNIC is the X9DBL's first NIC; its MAC is the one in the board's
// SMBIOS UUID (Supermicro OUI 0c:c4:7a).
type boardNIC struct{}

func (boardNIC) Name() string { return "network" }

// Phase says it is an Identity collector, as the real network collector.
func (boardNIC) Phase() collector.Phase { return collector.Identity }
func (boardNIC) Collect(context.Context, *collector.Env) (collector.Apply, error) {
	return func(inv *inventory.Inventory) {
		inv.Network = &inventory.Network{Interfaces: []inventory.NIC{{
			Name: "eno1", Kind: inventory.NICPhysical, MAC: "0c:c4:7a:13:38:78", PermanentMAC: "0c:c4:7a:13:38:78",
			Driver: "igb", Carrier: true, AdminUp: true, SpeedMbps: 1000, Duplex: "full",
		}}}
	}, nil
}

// pcapLLDP "hears" the frames of a pcap file on eno1 once release is
// closed (or at once when it is nil), decoding them with the real decoder.
type pcapLLDP struct {
	file    string
	release <-chan struct{}
	started chan<- struct{}
}

func (pcapLLDP) Name() string { return "lldp" }

// Phase says it is Late, as the real LLDP collector.
func (pcapLLDP) Phase() collector.Phase { return collector.Late }

func (p pcapLLDP) Collect(ctx context.Context, env *collector.Env) (collector.Apply, error) {
	if env.Config.LLDPWait == 0 {
		return nil, collector.NotApplicable("--lldp-wait is 0")
	}
	if p.started != nil {
		p.started <- struct{}{}
	}
	if p.release != nil {
		select {
		case <-p.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f, err := os.Open(p.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, recs, err := pcapfile.ReadAll(f)
	if err != nil {
		return nil, err
	}
	// A switch repeats its frame every 30 s: keep the latest per chassis
	// and port, as a listener does.
	var nbs []inventory.Neighbor
	for _, r := range recs {
		n, err := lldp.DecodeFrame(r.Data)
		if err != nil {
			return nil, err
		}
		n.ReceivedAt = r.Time
		if len(nbs) > 0 && nbs[len(nbs)-1].ChassisID == n.ChassisID && nbs[len(nbs)-1].PortID == n.PortID {
			nbs[len(nbs)-1] = *n
			continue
		}
		nbs = append(nbs, *n)
	}
	return func(inv *inventory.Inventory) {
		for i := range inv.Network.Interfaces {
			if inv.Network.Interfaces[i].Name == "eno1" {
				inv.Network.Interfaces[i].Neighbors = nbs
			}
		}
	}, nil
}

func specsOf(cs ...collector.Collector) []collectors.Spec {
	out := make([]collectors.Spec, len(cs))
	for i, c := range cs {
		out[i] = collectors.Spec{Collector: c, DefaultEnabled: true, Timeout: time.Minute}
	}
	return out
}

// fakePower records what the agent asked of the kernel.
type fakePower struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (p *fakePower) Reboot() error   { return p.record("reboot") }
func (p *fakePower) PowerOff() error { return p.record("poweroff") }
func (p *fakePower) record(what string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, what)
	return p.err
}

func (p *fakePower) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.calls...)
}

type setup struct {
	srv    backend
	url    string // the server's URL when srv is nil
	paths  *hostpaths.Paths
	specs  []collectors.Spec
	wait   time.Duration // LLDP wait
	power  *fakePower
	logs   *testutil.LockedBuffer
	mode   string
	tls    client.TLSOptions // the agent's TLS options (https servers)
	mutate func(*Options)
}

// newAgent builds an agent against s.srv with fast retries.
func newAgent(t *testing.T, s setup) *Agent {
	t.Helper()
	if s.paths == nil {
		s.paths = hostTree(t, nil)
	}
	if s.power == nil {
		s.power = &fakePower{}
	}
	if s.logs == nil {
		s.logs = &testutil.LockedBuffer{}
	}
	if s.mode == "" {
		s.mode = "run"
	}
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if s.url == "" {
		s.url = s.srv.BaseURL()
	}
	c, err := client.New(client.Options{Server: s.url, EnrollmentToken: enrollToken, TLS: s.tls, Timeout: 5 * time.Second, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Server:  c,
		Env:     collector.NewEnv(s.paths, logger, collector.Config{LLDPWait: s.wait}),
		Specs:   s.specs,
		All:     s.specs,
		Version: "test",
		Mode:    s.mode,
		Backoff: client.Backoff{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond},
		// Used while the server hands out no interval (clienttest's
		// default); the real server's is at least 1 s.
		Interval: 20 * time.Millisecond,
		Power:    s.power,
		Logger:   logger,
	}
	if s.mutate != nil {
		s.mutate(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// defaultSpecs are, in the order of the real list, the real host
// collector, the SMBIOS system mapping and the board NIC (the Identity
// collectors), LLDP from the pcap (Late) and the real firmware collector
// (First: BIOS boot, no /sys/firmware/efi in testdata/host).
func defaultSpecs(release <-chan struct{}, started chan<- struct{}) []collectors.Spec {
	return specsOf(host.New(), smbiosSystem{}, boardNIC{}, pcapLLDP{file: filepath.Join("testdata", "lldp_mudurl.pcap"), release: release, started: started}, firmware.New())
}

// waitFor polls cond until it holds or the test times out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
