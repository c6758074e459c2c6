package lldp

import (
	"context"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// shutdown turns an LLDP frame into its shutdown LLDPDU (TTL 0).
func shutdown(t testing.TB, frame []byte) []byte {
	t.Helper()
	f := append([]byte(nil), frame...)
	// Ethernet header, chassis ID TLV, port ID TLV, then the TTL TLV.
	off := 14
	for range 2 {
		off += 2 + int(f[off+1])
	}
	if f[off] != 3<<1 || f[off+1] != 2 {
		t.Fatalf("no TTL TLV at %d", off)
	}
	f[off+2], f[off+3] = 0, 0
	return f
}

func TestWatch(t *testing.T) {
	t.Parallel()
	r := newRig(nil)
	lldp := frames(t, "lldp_mudurl")[0]
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan Result, 4)
	done := make(chan error, 1)
	env := r.env(hostTree(t), collector.Config{LLDPLinkUp: true})
	go func() { done <- r.c.Watch(ctx, env, func(res Result) { changes <- res }) }()

	r.conns["eth1"].Send(lldp)
	res := <-changes
	if n := res.Neighbors["eth1"]; len(n) != 1 || n[0].SystemName != "upstairs.ofcourseimright.com" {
		t.Fatalf("first change %+v", res.Neighbors)
	}
	r.conns["eth1"].Send(lldp) // the same again: no change
	r.conns["eth1"].Send(shutdown(t, lldp))
	res = <-changes
	if len(res.Neighbors["eth1"]) != 0 {
		t.Fatalf("after shutdown %+v", res.Neighbors)
	}
	inv := &inventory.Inventory{Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eth1", Neighbors: []inventory.Neighbor{{}}}}}}
	res.Apply(inv)
	if len(inv.Network.Interfaces[0].Neighbors) != 0 {
		t.Error("Apply kept a neighbour that shut down")
	}
	if !r.links.State()["eth2"] {
		t.Error("eth2 not brought up while watching")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r.links.State()["eth2"] {
		t.Error("eth2 left up after Watch")
	}
}
