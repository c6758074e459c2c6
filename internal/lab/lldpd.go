package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Switch is what a top-of-rack switch played by lldpd announces on one
// port.
type Switch struct {
	// SystemName is the LLDP system name (TLV 5), "sw01.example".
	SystemName string
	// PortID is sent with the "local" subtype (TLV 2), "Ethernet1/7";
	// PortDescription is TLV 4.
	PortID, PortDescription string
	// PVID is the 802.1 port VLAN ID; VLANName names that VLAN in an 802.1
	// VLAN name TLV. Both are sent as custom TLVs, as real switches send
	// them (this kernel has no VLAN interfaces for lldpd to learn them
	// from); 0 sends neither.
	PVID     uint16
	VLANName string
	// ManagementIP is the management address (TLV 8).
	ManagementIP string
}

// LLDPD is a running lldpd.
type LLDPD struct {
	// Socket is the control socket, for lldpcli -u.
	Socket string

	cmd *exec.Cmd
	out *bytes.Buffer
}

// StartLLDPD starts lldpd in ns, sending sw's frames on iface once a
// second, and stops it when the test ends. It needs the LLDPDaemon
// capability (Need).
func StartLLDPD(t testing.TB, ns *Netns, iface string, sw Switch) *LLDPD {
	t.Helper()
	Need(t, LLDPDaemon)
	// lldpd runs lldpcli on the configuration through its control socket
	// at start, and lldpcli drops privileges to _lldpd: both must be
	// reachable by that user, which t.TempDir (0700) is not. lldpd sends
	// nothing until that configuration is applied.
	dir, err := os.MkdirTemp("/run", "hwagent-lldpd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "lldpd.conf")
	if err := os.WriteFile(conf, []byte(lldpdConf(iface, sw)), 0o644); err != nil {
		t.Fatal(err)
	}
	// lldpd's privilege-separated child chroots there.
	if err := os.MkdirAll("/run/lldpd", 0o755); err != nil {
		t.Fatal(err)
	}
	d := &LLDPD{Socket: filepath.Join(dir, "lldpd.socket"), out: &bytes.Buffer{}}
	args := []string{"-d", "-u", d.Socket, "-I", iface, "-O", conf}
	if sw.ManagementIP != "" {
		args = append(args, "-m", sw.ManagementIP)
	}
	d.cmd = ns.Command(context.Background(), "lldpd", args...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start lldpd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- d.cmd.Wait() }()
	t.Cleanup(func() {
		// SIGTERM first: lldpd's monitor then stops its privilege-separated
		// child and reaps it, instead of leaving an orphan to init.
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			d.cmd.Process.Kill()
			<-exited
		}
	})
	// lldpd applies the configuration through lldpcli before it sends
	// anything; the socket appears at start.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(d.Socket); err == nil {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("lldpd exited: %v\n%s", err, d.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("lldpd has no control socket after 10 s:\n%s", d.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return d
}

// Log is what lldpd printed so far.
func (d *LLDPD) Log() string { return d.out.String() }

// lldpdConf is the lldpcli configuration of sw on iface.
func lldpdConf(iface string, sw Switch) string {
	var b strings.Builder
	if sw.SystemName != "" {
		fmt.Fprintf(&b, "configure system hostname %s\n", sw.SystemName)
	}
	b.WriteString("configure lldp tx-interval 1\n")
	if sw.PortID != "" {
		fmt.Fprintf(&b, "configure ports %s lldp portidsubtype local %s", iface, sw.PortID)
		if sw.PortDescription != "" {
			fmt.Fprintf(&b, " description %q", sw.PortDescription)
		}
		b.WriteString("\n")
	}
	if sw.PVID != 0 {
		// 802.1 (OUI 00-80-C2) subtype 1: port VLAN ID, 2 bytes.
		fmt.Fprintf(&b, "configure lldp custom-tlv oui 00,80,c2 subtype 1 oui-info %s\n", hexList([]byte{byte(sw.PVID >> 8), byte(sw.PVID)}))
		if sw.VLANName != "" {
			// Subtype 3: VLAN ID, name length, name.
			info := append([]byte{byte(sw.PVID >> 8), byte(sw.PVID), byte(len(sw.VLANName))}, sw.VLANName...)
			fmt.Fprintf(&b, "configure lldp custom-tlv add oui 00,80,c2 subtype 3 oui-info %s\n", hexList(info))
		}
	}
	b.WriteString("configure system capabilities enabled bridge\n")
	return b.String()
}

func hexList(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ",")
}
