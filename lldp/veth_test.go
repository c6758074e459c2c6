package lldp

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// inNetns moves the calling goroutine, locked to its thread, into a new
// empty network namespace and returns a function that moves it back. The
// namespace disappears with its last socket. It needs root (lab.Need).
func inNetns(tb testing.TB) (restore func()) {
	tb.Helper()
	lab.Need(tb, lab.Root)
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		tb.Fatal(err)
	}
	ns, err := netns.New()
	if err != nil {
		orig.Close()
		runtime.UnlockOSThread()
		tb.Fatal(err)
	}
	return func() {
		ns.Close()
		if err := netns.Set(orig); err == nil {
			runtime.UnlockOSThread() // else the thread dies with the goroutine
		}
		orig.Close()
	}
}

// vethPairs creates n veth pairs "swI"/"srvI", up, in the current namespace.
func vethPairs(tb testing.TB, n int) {
	tb.Helper()
	for i := range n {
		sw, srv := fmt.Sprintf("sw%d", i), fmt.Sprintf("srv%d", i)
		if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: sw}, PeerName: srv}); err != nil {
			tb.Fatalf("add veth %s: %v", sw, err)
		}
		for _, name := range []string{sw, srv} {
			l, err := netlink.LinkByName(name)
			if err == nil {
				err = netlink.LinkSetUp(l)
			}
			if err != nil {
				tb.Fatalf("set %s up: %v", name, err)
			}
		}
	}
	// The kernel's link watcher turns a new veth's carrier on
	// asynchronously; frames sent before are dropped.
	for i := range n {
		for _, name := range []string{fmt.Sprintf("sw%d", i), fmt.Sprintf("srv%d", i)} {
			waitOperUp(tb, name)
		}
	}
}

// waitOperUp polls until the link is operationally up.
func waitOperUp(tb testing.TB, name string) {
	tb.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(5 * time.Millisecond) {
		if l, err := netlink.LinkByName(name); err == nil && l.Attrs().OperState == netlink.OperUp {
			return
		}
	}
	tb.Fatalf("%s never came up", name)
}

// sender opens a raw socket that transmits frames on ifname.
func sender(tb testing.TB, ifname string) func(frame []byte) {
	tb.Helper()
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := packet.Listen(ifi, packet.Raw, ethPAll, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return func(frame []byte) {
		if _, err := c.WriteTo(frame, &packet.Addr{HardwareAddr: frame[:6]}); err != nil {
			tb.Fatalf("send on %s: %v", ifname, err)
		}
	}
}

// TestOpenPacketVeth checks the real socket: LLDP and CDP frames pass, other
// traffic and the host's own frames do not.
func TestOpenPacketVeth(t *testing.T) {
	restore := inNetns(t)
	defer restore()
	vethPairs(t, 1)
	conn, err := OpenPacket("srv0")
	if err != nil {
		t.Fatal(err)
	}
	fromSwitch, fromHost := sender(t, "sw0"), sender(t, "srv0")
	recs := readCapture(t, "LLDP_and_CDP")
	ipv4 := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00}, make([]byte, 46)...)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	updates := Listen(ctx, map[string]Conn{"srv0": conn}, nil)
	fromHost(recs[2].Data) // the host's own LLDP frame: ignored
	fromSwitch(ipv4)       // filtered in the kernel
	fromSwitch(recs[0].Data)
	fromSwitch(recs[2].Data)
	var got []string
	for len(got) < 2 {
		select {
		case u := <-updates:
			if u.Err != nil {
				t.Fatalf("%s: %v", u.Interface, u.Err)
			}
			got = append(got, u.Neighbor.Protocol+" "+u.Neighbor.ChassisID)
		case <-ctx.Done():
			t.Fatalf("only %v received", got)
		}
	}
	if got[0] != "cdp S1" || got[1] != "lldp 00:19:2f:a7:b2:8d" {
		t.Errorf("received %v", got)
	}
	select {
	case u := <-updates:
		t.Errorf("unexpected update %+v", u)
	case <-time.After(100 * time.Millisecond):
	}
}

// BenchmarkListen8 measures listening on 8 veth NICs at once: per
// iteration, one LLDP frame arrives on each and is decoded.
func BenchmarkListen8(b *testing.B) {
	restore := inNetns(b)
	defer restore()
	const nics = 8
	vethPairs(b, nics)
	conns := map[string]Conn{}
	var sends []func([]byte)
	for i := range nics {
		c, err := OpenPacket(fmt.Sprintf("srv%d", i))
		if err != nil {
			b.Fatal(err)
		}
		conns[fmt.Sprintf("srv%d", i)] = c
		sends = append(sends, sender(b, fmt.Sprintf("sw%d", i)))
	}
	frame := readCapture(b, "lldp_mudurl")[0].Data
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	updates := Listen(ctx, conns, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, send := range sends {
			send(frame)
		}
		for range nics {
			if u := <-updates; u.Err != nil {
				b.Fatal(u.Err)
			}
		}
	}
}

// BenchmarkOpenClose8 measures opening and closing 8 sockets; the close
// dominates (the kernel waits for an RCU grace period per socket).
func BenchmarkOpenClose8(b *testing.B) {
	restore := inNetns(b)
	defer restore()
	vethPairs(b, 8)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range 8 {
			c, err := OpenPacket(fmt.Sprintf("srv%d", i))
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	}
}
