package lab

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLLDPDConf checks the lldpcli configuration generated for a switch
// against the one in LAB.md that real lldpd runs accepted.
func TestLLDPDConf(t *testing.T) {
	t.Parallel()
	got := lldpdConf("veth-sw", Switch{
		SystemName: "sw01.example", PortID: "Ethernet1/7", PortDescription: "Ethernet1/7 to srv01 eth0",
		PVID: 100, VLANName: "vlan100",
	})
	want := `configure system hostname sw01.example
configure lldp tx-interval 1
configure ports veth-sw lldp portidsubtype local Ethernet1/7 description "Ethernet1/7 to srv01 eth0"
configure lldp custom-tlv oui 00,80,c2 subtype 1 oui-info 00,64
configure lldp custom-tlv add oui 00,80,c2 subtype 3 oui-info 00,64,07,76,6c,61,6e,31,30,30
configure system capabilities enabled bridge
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lldpdConf (-want +got):\n%s", diff)
	}
}

// TestNetns creates a namespace with a tap, reaches a listener inside it
// from outside (DialContext) and a process started inside it (Command),
// and checks that the namespace is gone after the subtest that made it.
func TestNetns(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inside", func(t *testing.T) {
		ns := NewNetns(t, "hwlabt")
		name = ns.Name
		if err := ns.AddTap("tap-t0", "10.123.0.1/24"); err != nil {
			t.Fatal(err)
		}
		out, err := ns.Command(context.Background(), "ip", "-o", "-4", "addr", "show", "dev", "tap-t0").Output()
		if err != nil {
			t.Fatalf("ip addr show inside: %v", err)
		}
		if !strings.Contains(string(out), "inet 10.123.0.1/24") {
			t.Errorf("tap address inside the namespace: %q", out)
		}
		if _, err := net.InterfaceByName("tap-t0"); err == nil {
			t.Errorf("tap-t0 is visible outside the namespace")
		}

		ln := make(chan net.Listener, 1)
		if err := <-ns.Go(func() error {
			l, err := net.Listen("tcp", "10.123.0.1:0")
			ln <- l
			return err
		}); err != nil {
			t.Fatal(err)
		}
		l := <-ln
		defer l.Close()
		go func() {
			c, err := l.Accept()
			if err == nil {
				io.WriteString(c, "hello from inside\n")
				c.Close()
			}
		}()
		c, err := ns.DialContext(context.Background(), "tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		if string(b) != "hello from inside\n" {
			t.Errorf("read %q through DialContext", b)
		}
	})
	if name == "" {
		return // skipped
	}
	if _, err := os.Stat("/run/netns/" + name); !os.IsNotExist(err) {
		t.Errorf("namespace %s still exists after its test: %v", name, err)
	}
}

// TestLLDPD starts lldpd in a namespace and reads the configuration it
// applied back through its control socket: lldpd sends nothing until
// lldpcli, running as _lldpd, has applied it.
func TestLLDPD(t *testing.T) {
	t.Parallel()
	ns := NewNetns(t, "hwlabt")
	if err := ns.AddTap("tap-sw", "10.124.0.1/24"); err != nil {
		t.Fatal(err)
	}
	d := StartLLDPD(t, ns, "tap-sw", Switch{SystemName: "tor9.example", PortID: "Ethernet9/9", PortDescription: "to srv9", PVID: 42, VLANName: "v42"})
	var out []byte
	for range 50 { // lldpd applies the configuration, line by line, just after it starts
		var err error
		out, err = ns.Command(context.Background(), "lldpcli", "-u", d.Socket, "-f", "keyvalue", "show", "interfaces").Output()
		if err != nil {
			t.Fatalf("lldpcli: %v\n%s", err, d.Log())
		}
		// The port ID and its description are two configuration lines:
		// under load lldpcli answered between them (port.descr still
		// "tap-sw").
		if strings.Contains(string(out), "Ethernet9/9") && strings.Contains(string(out), "to srv9") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			got[k] = v
		}
	}
	for k, want := range map[string]string{
		"lldp.tap-sw.chassis.name": "tor9.example",
		"lldp.tap-sw.port.local":   "Ethernet9/9",
		"lldp.tap-sw.port.descr":   "to srv9",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q\n%s", k, got[k], want, out)
		}
	}
}
