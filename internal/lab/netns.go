package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Netns is a network namespace a test created (ip netns add), with
// loopback up. It holds the "datacenter" side of a guest's network: a tap
// for the guest's NIC, an LLDP switch, servers bound to the tap's address.
type Netns struct {
	// Name is the namespace's name under /run/netns.
	Name string
}

// NewNetns creates a network namespace with a unique name starting with
// prefix and deletes it when the test ends, failed or not, after killing
// every process still inside it (all of them started by the test). It
// needs the NetworkNamespaces capability (root and iproute2's ip).
func NewNetns(t testing.TB, prefix string) *Netns {
	t.Helper()
	Need(t, NetworkNamespaces)
	var b [3]byte
	rand.Read(b[:])
	// Interface-name-sized: short enough to reuse as a tap name prefix.
	n := &Netns{Name: fmt.Sprintf("%s-%d-%s", prefix, os.Getpid()%100000, hex.EncodeToString(b[:]))}
	if out, err := exec.Command("ip", "netns", "add", n.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", n.Name, err, out)
	}
	t.Cleanup(func() { n.remove(t) })
	if out, err := exec.Command("ip", "-n", n.Name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		t.Fatalf("ip -n %s link set lo up: %v: %s", n.Name, err, out)
	}
	return n
}

// remove kills the processes left in the namespace and deletes it.
func (n *Netns) remove(t testing.TB) {
	for range 50 {
		pids := n.pids()
		if len(pids) == 0 {
			break
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := exec.Command("ip", "netns", "del", n.Name).CombinedOutput(); err != nil {
		t.Errorf("ip netns del %s: %v: %s", n.Name, err, out)
	}
}

// pids lists the processes inside the namespace (ip netns pids).
func (n *Netns) pids() []int {
	out, err := exec.Command("ip", "netns", "pids", n.Name).Output()
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Command returns a command that runs name inside the namespace
// (ip netns exec, which execs it: the process is the program itself).
func (n *Netns) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
}

// IP runs ip -n NAME args.
func (n *Netns) IP(args ...string) error {
	out, err := exec.Command("ip", append([]string{"-n", n.Name}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip -n %s %s: %w: %s", n.Name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// AddTap creates a tap device in the namespace for a QEMU guest's NIC
// (NIC.Netdev "tap,ifname=NAME,script=no,downscript=no"), gives it the
// address cidr ("10.77.0.1/24") and sets it up. Its carrier comes up when
// QEMU opens it.
func (n *Netns) AddTap(name, cidr string) error {
	for _, args := range [][]string{
		{"tuntap", "add", "dev", name, "mode", "tap"},
		{"addr", "add", cidr, "dev", name},
		{"link", "set", name, "up"},
	} {
		if err := n.IP(args...); err != nil {
			return err
		}
	}
	return nil
}

// LockThread locks the calling goroutine to its OS thread and moves that
// thread into the namespace for the rest of the goroutine's life. Every
// process the goroutine starts afterwards (exec.Cmd.Start forks from the
// calling thread) runs inside the namespace, as do the sockets it opens;
// goroutines it starts do not. The thread is never unlocked, so the Go
// runtime discards it when the goroutine ends instead of reusing a thread
// in the wrong namespace.
//
// Call it from the test goroutine after everything that needs the host's
// network (go build, apt-get) is done; lab helpers that start processes
// (StartIPMISim, VM.Run) then start them inside the namespace.
func (n *Netns) LockThread() error {
	runtime.LockOSThread()
	f, err := os.Open("/run/netns/" + n.Name)
	if err != nil {
		return fmt.Errorf("netns %s: %w", n.Name, err)
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("setns %s: %w", n.Name, err)
	}
	return nil
}

// Go runs fn in a new goroutine whose thread is inside the namespace (see
// LockThread). An error entering it is passed to fn's caller through
// the returned channel, which also receives fn's result.
func (n *Netns) Go(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		if err := n.LockThread(); err != nil {
			done <- err
			return
		}
		done <- fn()
	}()
	return done
}

// DialContext connects to address from inside the namespace, for an
// http.Transport's DialContext: the socket is created on a thread in the
// namespace and stays there; the connection is used from anywhere.
func (n *Netns) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		if err := n.LockThread(); err != nil {
			ch <- result{err: err}
			return
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, network, address)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.conn, r.err
}
