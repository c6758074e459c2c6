package lldp

import (
	"bytes"
	"context"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
)

// BenchmarkFrameToInventory measures the path of a frame from the socket
// (a fake Conn) to the neighbour being in the inventory: read, decode,
// table update, change callback and Apply. Iterations alternate between
// two frames of the same neighbour with different system names, so each is
// a change. The goal is under 10 ms (see ns/op).
func BenchmarkFrameToInventory(b *testing.B) {
	r := newRig(nil)
	a := frames(b, "LLDP_and_CDP")[2] // LLDP from S2.cisco.com
	i := bytes.Index(a, []byte("S2.cisco.com"))
	if i < 0 {
		b.Fatal("no system name in the frame")
	}
	c := bytes.Clone(a)
	c[i+1] = '3' // S3.cisco.com
	pair := [2][]byte{a, c}
	inv := &inventory.Inventory{Network: &inventory.Network{Interfaces: []inventory.NIC{{Name: "eth0"}, {Name: "eth1"}}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := make(chan Result)
	go func() {
		_ = r.c.Watch(ctx, r.env(hostTree(b), collector.Config{}), func(res Result) { changes <- res })
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		r.conns["eth1"].Send(pair[i%2])
		res := <-changes
		res.Apply(inv)
		if len(inv.Network.Interfaces[1].Neighbors) == 0 {
			b.Fatal("no neighbour in the inventory")
		}
	}
}
