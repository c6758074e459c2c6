package lldp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
	"github.com/hwagent/hwagent/inventory"
	wire "github.com/hwagent/hwagent/lldp"
	"github.com/hwagent/hwagent/lldp/lldptest"
)

// fakeFlags is PrivateFlags over a map per interface.
type fakeFlags struct {
	mu    sync.Mutex
	flags map[string]map[string]bool
}

func (f *fakeFlags) PrivateFlags(ifname string) (map[string]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fl, ok := f.flags[ifname]
	if !ok {
		return nil, fmt.Errorf("no private flags on %s", ifname)
	}
	return fl, nil
}

func (f *fakeFlags) SetPrivateFlags(ifname string, flags map[string]bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range flags {
		f.flags[ifname][k] = v
	}
	return nil
}

// rig is a collector over a fake data link, with frames queued per
// interface.
type rig struct {
	c     *Collector
	conns map[string]*lldptest.Conn
	links *lldptest.Links
	flags *fakeFlags
}

// env gives the host tree p the rig's data link.
func (r *rig) env(p *hostpaths.Paths, cfg collector.Config) *collector.Env {
	link := &hostpaths.LinkLayer{
		Open: func(name string) (wire.Conn, error) {
			if c, ok := r.conns[name]; ok {
				return c, nil
			}
			return nil, fmt.Errorf("lldp socket on %s: no such device", name)
		},
		Links: r.links, Flags: r.flags,
	}
	return collector.NewEnv(p.WithMachine(hostpathstest.Machine{Live: true, Link: link}), nil, cfg)
}

func newRig(queued map[string][][]byte) *rig {
	r := &rig{
		conns: map[string]*lldptest.Conn{},
		links: lldptest.NewLinks(map[string]bool{"eth0": true, "eth1": true, "eth2": false, "veth0": true}),
		flags: &fakeFlags{flags: map[string]map[string]bool{"eth0": {"disable-fw-lldp": false, "link-down-on-close": false}}},
	}
	for _, name := range []string{"eth0", "eth1", "eth2", "veth0"} {
		c := lldptest.NewConn()
		for _, f := range queued[name] {
			c.Send(f)
		}
		r.conns[name] = c
	}
	r.c = &Collector{Tick: 10 * time.Millisecond, CarrierGrace: 50 * time.Millisecond}
	return r
}

// collect runs the collector; a 30 s context turns a collector that fails
// to stop early into a test failure rather than a hang.
func (r *rig) collect(t *testing.T, p *hostpaths.Paths, cfg collector.Config) (*inventory.Inventory, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	apply, err := r.c.Collect(ctx, r.env(p, cfg))
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("collector did not stop early")
	}
	inv := &inventory.Inventory{}
	if apply != nil {
		apply(inv)
	}
	return inv, err
}

// heard summarises an inventory's neighbours as "NIC: system port".
func heard(inv *inventory.Inventory) []string {
	var out []string
	if inv.Network == nil {
		return nil
	}
	for _, nic := range inv.Network.Interfaces {
		for _, n := range nic.Neighbors {
			out = append(out, nic.Name+": "+n.SystemName+" "+n.PortID)
		}
	}
	return out
}

func TestCollect(t *testing.T) {
	t.Parallel()
	p := hostTree(t)
	cdp := frames(t, "LLDP_and_CDP")
	long := 10 * time.Minute // never reached when the collector stops early
	tests := []struct {
		name      string
		queued    map[string][][]byte
		cfg       collector.Config
		want      []string
		wantErr   string // substring; "" for ok
		wantLinks map[string]bool
		wantCalls []string
	}{
		{
			name:   "every NIC with carrier heard: stops early, ok",
			queued: map[string][][]byte{"eth0": {cdp[2]}, "eth1": {cdp[0]}},
			cfg:    collector.Config{LLDPWait: long},
			want:   []string{"eth0: S2.cisco.com Uplink to S1", "eth1: S1 FastEthernet0/13"},
		},
		{
			name:    "one NIC silent: partial with a per-NIC warning",
			queued:  map[string][][]byte{"eth1": {cdp[3]}},
			cfg:     collector.Config{LLDPWait: 300 * time.Millisecond},
			want:    []string{"eth1: S1.cisco.com Fa0/13"},
			wantErr: "partial: eth0: no LLDP received within 300ms; i40e firmware LLDP agent may consume LLDP frames on eth0; use --lldp-stop-firmware-agent",
		},
		{
			name:    "nothing heard: not applicable, with the reasons",
			cfg:     collector.Config{LLDPWait: 100 * time.Millisecond},
			wantErr: "not applicable: no LLDP or CDP neighbour: eth0: no LLDP received within 100ms; i40e firmware LLDP agent may consume LLDP frames on eth0; use --lldp-stop-firmware-agent; eth1: no LLDP received within 100ms; eth2 down (use --lldp-link-up)",
		},
		{
			name:    "firmware agent stopped through the ethtool private flag",
			queued:  map[string][][]byte{"eth1": {cdp[3]}},
			cfg:     collector.Config{LLDPWait: 100 * time.Millisecond, LLDPStopFirmwareAgent: true},
			want:    []string{"eth1: S1.cisco.com Fa0/13"},
			wantErr: "partial: eth0: no LLDP received within 100ms",
		},
		{
			name:      "link brought up for LLDP and restored",
			queued:    map[string][][]byte{"eth0": {cdp[2]}, "eth1": {cdp[3]}, "eth2": {cdp[0]}},
			cfg:       collector.Config{LLDPWait: long, LLDPLinkUp: true},
			want:      []string{"eth0: S2.cisco.com Uplink to S1", "eth1: S1.cisco.com Fa0/13", "eth2: S1 FastEthernet0/13"},
			wantLinks: map[string]bool{"eth0": true, "eth1": true, "eth2": false, "veth0": true},
			wantCalls: []string{"eth2 up=true", "eth2 up=false"},
		},
		{
			name:    "explicit virtual interface",
			queued:  map[string][][]byte{"veth0": {cdp[2]}},
			cfg:     collector.Config{LLDPWait: long, LLDPInterfaces: []string{"veth0"}},
			want:    []string{"veth0: S2.cisco.com Uplink to S1"},
			wantErr: "",
		},
		{
			name:    "explicit interfaces that do not exist",
			cfg:     collector.Config{LLDPWait: long, LLDPInterfaces: []string{"eth7", "eth8"}},
			wantErr: "not applicable: none of the interfaces eth7, eth8 exists",
		},
		{
			name:    "disabled",
			cfg:     collector.Config{LLDPWait: 0},
			wantErr: "not applicable: LLDP listening disabled (--lldp-wait 0)",
		},
		{
			name:    "no socket",
			cfg:     collector.Config{LLDPWait: long, LLDPInterfaces: []string{"lo"}},
			wantErr: "no LLDP socket could be opened: lldp socket on lo: no such device",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(tt.queued)
			inv, err := r.collect(t, p, tt.cfg)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v\nwant %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, heard(inv)); diff != "" {
				t.Errorf("neighbours (-want +got):\n%s", diff)
			}
			if tt.wantLinks != nil {
				if diff := cmp.Diff(tt.wantLinks, r.links.State()); diff != "" {
					t.Errorf("links after (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.wantCalls, r.links.Calls()); diff != "" {
				t.Errorf("link changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectFirmwareFlagSet(t *testing.T) {
	t.Parallel()
	r := newRig(nil)
	_, _ = r.collect(t, hostTree(t), collector.Config{LLDPWait: 50 * time.Millisecond, LLDPStopFirmwareAgent: true})
	if got := r.flags.flags["eth0"]["disable-fw-lldp"]; !got {
		t.Error("disable-fw-lldp not set on the i40e NIC")
	}
}

func TestCollectProgress(t *testing.T) {
	t.Parallel()
	r := newRig(nil)
	type call struct {
		remaining      time.Duration
		heard, waiting int
	}
	var calls []call
	cfg := collector.Config{LLDPWait: 100 * time.Millisecond, LLDPProgress: func(rem time.Duration, h, w int) {
		calls = append(calls, call{rem, h, w})
	}}
	_, _ = r.collect(t, hostTree(t), cfg)
	if len(calls) < 3 {
		t.Fatalf("%d progress calls: %+v", len(calls), calls)
	}
	first, last := calls[0], calls[len(calls)-1]
	if first.remaining <= 0 || first.remaining > 100*time.Millisecond || first.waiting != 2 || first.heard != 0 {
		t.Errorf("first progress %+v, want ~100ms left, 2 waiting (eth0, eth1 have carrier)", first)
	}
	if last != (call{0, 0, 0}) {
		t.Errorf("last progress %+v, want the zero call that clears a countdown", last)
	}
}

func TestCollectCancel(t *testing.T) {
	t.Parallel()
	r := newRig(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := collector.Config{LLDPWait: time.Hour, LLDPLinkUp: true, LLDPProgress: func(time.Duration, int, int) { cancel() }}
	_, err := r.c.Collect(ctx, r.env(hostTree(t), cfg))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if r.links.State()["eth2"] {
		t.Error("eth2 left up after cancel")
	}
}
