//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
)

// imageDir holds the initramfs both tests boot; TestMain removes it.
var imageDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hwagent-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	imageDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// rack is one test's datacenter: a network namespace with the guest's tap,
// the switch (lldpd) and the BMC simulator, and the guest's image.
type rack struct {
	m        fakeServer
	ns       *lab.Netns
	img      guestImage
	bmc      *lab.IPMISim
	tap      string
	lldpSock string
}

// tapName is the guest's first NIC's tap in every rack's namespace.
const tapName = "tap-srv01"

// newRack checks that every tool is installed (skipping the test, naming
// what is missing, when one is not), builds the guest once, and sets up a
// namespace with the tap, lldpd and ipmi_sim. From then on the calling
// test goroutine runs inside the namespace (Netns.LockThread): processes it
// starts, QEMU included, see the tap and ipmi_sim's loopback ports.
func newRack(t *testing.T, ctx context.Context) *rack {
	t.Helper()
	lab.Need(t, lab.NetworkNamespaces, lab.QEMU, lab.LLDPDaemon, lab.IPMISimulator)
	r := &rack{m: srv01(), tap: tapName}
	start := time.Now()
	img, err := buildGuest(ctx, imageDir)
	if err != nil {
		t.Fatalf("guest image: %v", err)
	}
	r.img = img
	t.Logf("guest image ready in %s (kernel and hwagent cached by internal/lab; initramfs %.1f MB)", time.Since(start).Round(time.Millisecond), float64(img.InitramfsBytes)/1e6)

	r.ns = lab.NewNetns(t, "hwe2e")
	if err := r.ns.AddTap(r.tap, r.m.TapAddr+"/"+r.m.PrefixLen); err != nil {
		t.Fatal(err)
	}
	r.lldpSock = lab.StartLLDPD(t, r.ns, r.tap, r.m.Switch).Socket
	// The BMC's LAN port is where its inventory says, 10.99.0.42:623, on
	// the namespace's loopback: the server checks BMC logins there as it
	// would on a management network.
	if err := r.ns.IP("addr", "add", r.m.BMC.IP+"/32", "dev", "lo"); err != nil {
		t.Fatal(err)
	}
	if err := r.ns.LockThread(); err != nil {
		t.Fatal(err)
	}
	r.bmc = lab.StartIPMISim(t, lab.IPMISimConfig{
		DeviceID: 0x20, DeviceRevision: 1, FirmwareMajor: 3, FirmwareMinor: 0x10,
		ManufacturerID: r.m.BMCManufacturerID, ProductID: r.m.BMCProductID,
		LAN: r.m.BMC, LANListen: r.m.BMC.IP + ":623",
	})
	return r
}

// guestRun is a QEMU guest running in the background.
type guestRun struct {
	done     chan struct{}
	console  string
	err      error
	exitedAt time.Time
}

// exited reports whether QEMU has exited.
func (g *guestRun) exited() bool {
	select {
	case <-g.done:
		return true
	default:
	}
	return false
}

// boot starts the guest with cmdline inside the rack's namespace; extra
// are more QEMU arguments (a TPM). QEMU is killed when the test ends if it
// is still running.
func (r *rack) boot(t *testing.T, ctx context.Context, cmdline string, extra ...string) *guestRun {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	vm := r.img.vm(r.m, r.tap, r.bmc.VMAddr, cmdline)
	vm.ExtraArgs = append(vm.ExtraArgs, extra...)
	g := &guestRun{done: make(chan struct{})}
	ran := r.ns.Go(func() error {
		g.console, g.err = vm.Run(ctx)
		g.exitedAt = time.Now()
		return nil
	})
	go func() {
		if err := <-ran; err != nil {
			g.err = err
			g.exitedAt = time.Now()
		}
		close(g.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-g.done
		if t.Failed() && g.console != "" {
			t.Logf("guest console saved to %s", writeConsole(t.TempDir(), g.console))
			t.Logf("guest console (end):\n%s", tail(g.console, 6000))
		}
	})
	return g
}

// waitFor polls cond every interval until it returns true, the guest
// exits, or the deadline passes; the last error cond returned explains a
// timeout.
func waitFor(t *testing.T, g *guestRun, what string, timeout time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if err != nil {
			last = err
		}
		if g != nil && g.exited() {
			t.Fatalf("waiting for %s: the guest exited (%v); last error: %v", what, g.err, last)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not after %s; last error: %v", what, timeout, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// loadAverage is the host's load average as the E2E TIMING line gives it:
// on a shared machine a slow figure is judged by it (the guest's one vCPU
// is a host thread among the others).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if err != nil || len(f) < 3 {
		return fmt.Sprintf("host load average unknown (%v)", err)
	}
	return fmt.Sprintf("host load average %s %s %s (1, 5, 15 min)", f[0], f[1], f[2])
}

// reportTimes prints the boot figures in a line CI logs and docs/e2e.md
// quote, and through t.Logf. sinceQEMU is the server's acknowledgement
// measured on the host from QEMU's start (firmware included), 0 when not
// measured.
func reportTimes(t *testing.T, name string, a agentTimes, sinceQEMU time.Duration, extra ...string) {
	line := fmt.Sprintf("E2E TIMING %s: boot-to-registered %.2f s (guest uptime at the server's acknowledgement); agent share %.3f s (hwagent exec to acknowledgement, LLDP not awaited)",
		name, a.BootToRegistered().Seconds(), a.AgentShare().Seconds())
	if sinceQEMU > 0 {
		line += fmt.Sprintf("; QEMU start to acknowledgement %.2f s (host clock)", sinceQEMU.Seconds())
	}
	for _, e := range extra {
		line += "; " + e
	}
	line += "; " + loadAverage()
	t.Log(line)
	fmt.Println(line)
	t.Logf("agent share: %s", a.Breakdown())
}
