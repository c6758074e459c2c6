package lldp

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/bpf"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/lldp/lldptest"
)

// TestFilter runs the kernel filter in x/net/bpf's VM over every captured
// record: it must pass exactly the LLDP and CDP frames.
func TestFilter(t *testing.T) {
	t.Parallel()
	vm, err := bpf.NewVM(filterProgram)
	if err != nil {
		t.Fatal(err)
	}
	var accepted, rejected int
	for _, name := range captures(t) {
		for i, r := range readCapture(t, name) {
			n, err := vm.Run(r.Data)
			if err != nil {
				t.Fatalf("%s %d: %v", name, i+1, err)
			}
			_, derr := DecodeFrame(r.Data)
			isDiscovery := !errors.Is(derr, ErrNotDiscovery)
			if (n > 0) != isDiscovery {
				t.Errorf("%s frame %d: filter returned %d, decoder says discovery=%t", name, i+1, n, isDiscovery)
			}
			if n > 0 {
				accepted++
			} else {
				rejected++
			}
		}
	}
	if accepted != 25 || rejected != 1 {
		t.Errorf("accepted %d, rejected %d frames; want 25 and 1", accepted, rejected)
	}
	// Other traffic to the CDP address (VTP, DTP: other SNAP PIDs) and
	// STP to the LLDP addresses must not pass.
	for name, frame := range map[string][]byte{
		"VTP": {0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc, 0, 1, 2, 3, 4, 5, 0, 40, 0xaa, 0xaa, 3, 0, 0, 0x0c, 0x20, 0x03, 1},
		"STP": {0x01, 0x80, 0xc2, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 39, 0x42, 0x42, 3, 0, 0, 0, 0, 0},
	} {
		if n, _ := vm.Run(frame); n != 0 {
			t.Errorf("%s passes the filter", name)
		}
	}
}

func TestListen(t *testing.T) {
	t.Parallel()
	recs := readCapture(t, "LLDP_and_CDP")
	eth0, eth1 := lldptest.NewConn(), lldptest.NewConn()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	updates := Listen(ctx, map[string]Conn{"eth0": eth0, "eth1": eth1}, func() time.Time { return at })

	eth0.Send(recs[0].Data)                         // CDP from S1
	eth0.Send([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}) // runt: skipped
	eth1.Send(recs[2].Data)                         // LLDP from S2
	got := map[string][]*inventory.Neighbor{}
	for range 2 {
		u := <-updates
		if u.Err != nil {
			t.Fatalf("%s: %v", u.Interface, u.Err)
		}
		got[u.Interface] = append(got[u.Interface], u.Neighbor)
	}
	if got["eth0"][0].ChassisID != "S1" || got["eth1"][0].SystemName != "S2.cisco.com" || !got["eth1"][0].ReceivedAt.Equal(at) {
		t.Errorf("updates %+v %+v", got["eth0"][0], got["eth1"][0])
	}
	cancel()
	for u := range updates {
		t.Errorf("update after cancel: %+v", u)
	}
	if !eth0.Closed() || !eth1.Closed() {
		t.Error("conns not closed")
	}
}

func TestListenReadError(t *testing.T) {
	t.Parallel()
	c := lldptest.NewConn()
	_ = c.Close()
	ctx := t.Context()
	var got []Update
	for u := range Listen(ctx, map[string]Conn{"eth9": c}, nil) {
		got = append(got, u)
	}
	if len(got) != 1 || got[0].Interface != "eth9" || got[0].Err == nil || got[0].Neighbor != nil {
		t.Errorf("updates %+v, want one read error on eth9", got)
	}
}

func TestTable(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	nb := func(chassis string, ttl uint16, at time.Time, desc string) *inventory.Neighbor {
		return &inventory.Neighbor{Protocol: "lldp", ChassisIDSubtype: "local", ChassisID: chassis,
			PortIDSubtype: "local", PortID: "1", TTLSeconds: ttl, ReceivedAt: at, PortDescription: desc}
	}
	var tb Table
	steps := []struct {
		name    string
		update  Update
		expire  time.Time
		changed bool
		want    []string // chassis IDs on eth0
	}{
		{"first", Update{Interface: "eth0", Neighbor: nb("a", 120, t0, "")}, time.Time{}, true, []string{"a"}},
		{"same again", Update{Interface: "eth0", Neighbor: nb("a", 120, t0.Add(30*time.Second), "")}, time.Time{}, false, []string{"a"}},
		{"second neighbour", Update{Interface: "eth0", Neighbor: nb("b", 30, t0, "")}, time.Time{}, true, []string{"a", "b"}},
		{"changed description", Update{Interface: "eth0", Neighbor: nb("a", 120, t0.Add(60*time.Second), "uplink")}, time.Time{}, true, []string{"a", "b"}},
		{"partial without chassis", Update{Interface: "eth0", Neighbor: &inventory.Neighbor{Protocol: "lldp"}, Err: ErrMalformed}, time.Time{}, false, []string{"a", "b"}},
		{"read error", Update{Interface: "eth0", Err: errors.New("boom")}, time.Time{}, false, []string{"a", "b"}},
		{"b expires", Update{}, t0.Add(31 * time.Second), true, []string{"a"}},
		{"shutdown of a", Update{Interface: "eth0", Neighbor: nb("a", 0, t0.Add(90*time.Second), "")}, time.Time{}, true, nil},
	}
	for _, s := range steps {
		var changed bool
		if s.expire.IsZero() {
			changed = tb.Add(s.update)
		} else {
			changed = tb.Expire(s.expire)
		}
		var ids []string
		for _, n := range tb.Neighbors("eth0") {
			ids = append(ids, n.ChassisID)
		}
		if changed != s.changed || !cmp.Equal(ids, s.want, cmpopts.EquateEmpty()) {
			t.Errorf("%s: changed=%t neighbours %v; want %t %v", s.name, changed, ids, s.changed, s.want)
		}
	}
}

func TestBringUp(t *testing.T) {
	t.Parallel()
	links := lldptest.NewLinks(map[string]bool{"eth0": true, "eth1": false, "eth2": false})
	changed, restore, err := BringUp(links, []string{"eth0", "eth1", "eth2", "missing"})
	if err == nil {
		t.Error("no error for the missing link")
	}
	if diff := cmp.Diff([]string{"eth1", "eth2"}, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"eth0": true, "eth1": true, "eth2": true}, links.State()); diff != "" {
		t.Errorf("after BringUp (-want +got):\n%s", diff)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"eth0": true, "eth1": false, "eth2": false}, links.State()); diff != "" {
		t.Errorf("after restore (-want +got):\n%s", diff)
	}
}

// TestFilterAcceptsTaggedFrameHeader documents that the filter looks at
// offset 12 only: the kernel strips 802.1Q tags before AF_PACKET.
func TestFilterAcceptsTaggedFrameHeader(t *testing.T) {
	t.Parallel()
	vm, _ := bpf.NewVM(filterProgram)
	f := make([]byte, 60)
	binary.BigEndian.PutUint16(f[12:], EtherTypeLLDP)
	if n, _ := vm.Run(f); n != maxFrame {
		t.Errorf("LLDP frame: filter returned %d", n)
	}
}
