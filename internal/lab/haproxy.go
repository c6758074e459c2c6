package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
)

// LoadBalancer is a running haproxy putting several HTTP servers behind one
// address, as a load balancer in front of `hwagent serve` replicas does.
type LoadBalancer struct {
	// URL is http://127.0.0.1:PORT, the address clients use.
	URL string

	dir     string
	cmd     *exec.Cmd
	out     *testutil.LockedBuffer
	done    chan struct{}
	backend []string
}

// HAProxyConfig describes the servers behind it.
type HAProxyConfig struct {
	// Servers are the backends' host:port.
	Servers []string
	// HealthPath is the path of the HTTP health check ("/readyz"); a
	// server is taken out after two failed checks and back in after two
	// good ones, checked every CheckInterval (default 200 ms). A check
	// may take up to CheckTimeout (default 2 s, as with the `inter 2s`
	// of docs/protocol.md): without it haproxy allows a check only the
	// interval, and replicas busy with a burst on a loaded machine were
	// taken out of service (TestReplicasBehindHAProxy: 503 "no server is
	// available"). A killed replica's checks fail at once (connection
	// refused).
	HealthPath    string
	CheckInterval time.Duration
	CheckTimeout  time.Duration
}

// StartHAProxy starts haproxy in HTTP mode (round robin, health checks,
// connection failures retried on another server: `retries 3`, `option
// redispatch`), listening on a free loopback port, and stops it when the
// test ends. It needs the HAProxy capability (Need).
func StartHAProxy(t testing.TB, c HAProxyConfig) *LoadBalancer {
	t.Helper()
	Need(t, HAProxy)
	if c.CheckInterval <= 0 {
		c.CheckInterval = 200 * time.Millisecond
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = 2 * time.Second
	}
	dir := t.TempDir()
	var lastErr error
	// The port is chosen by binding port 0 and letting go of it: another
	// process may take it in between, so a bind failure tries again.
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort("tcp")
		if err != nil {
			t.Fatal(err)
		}
		h := &LoadBalancer{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, out: &testutil.LockedBuffer{}, done: make(chan struct{}), backend: c.Servers}
		cfg := h.config(port, c)
		if err := os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if lastErr = h.start(); lastErr == nil {
			t.Cleanup(h.stop)
			return h
		}
	}
	t.Fatalf("haproxy: %v", lastErr)
	return nil
}

func (h *LoadBalancer) config(port int, c HAProxyConfig) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
	maxconn 4000
	stats socket %s mode 600 level admin
defaults
	mode http
	timeout connect 2s
	timeout client 120s
	timeout server 120s
	timeout queue 60s
	retries 3
	option redispatch
	retry-on conn-failure empty-response
frontend api
	bind 127.0.0.1:%d
	default_backend replicas
backend replicas
	balance roundrobin
`, filepath.Join(h.dir, "admin.sock"), port)
	check := ""
	if c.HealthPath != "" {
		fmt.Fprintf(&b, "\toption httpchk GET %s\n\thttp-check expect status 200\n\ttimeout check %dms\n", c.HealthPath, c.CheckTimeout.Milliseconds())
		check = fmt.Sprintf(" check inter %dms fall 2 rise 2", c.CheckInterval.Milliseconds())
	}
	for i, s := range c.Servers {
		fmt.Fprintf(&b, "\tserver r%d %s%s\n", i, s, check)
	}
	return b.String()
}

func (h *LoadBalancer) start() error {
	h.cmd = exec.Command("haproxy", "-f", filepath.Join(h.dir, "haproxy.cfg"), "-db")
	h.cmd.Stdout, h.cmd.Stderr = h.out, h.out
	if err := h.cmd.Start(); err != nil {
		return err
	}
	go func() { h.cmd.Wait(); close(h.done) }() //nolint:errcheck // the output says why
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-h.done:
			return fmt.Errorf("haproxy exited:\n%s", h.out.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", strings.TrimPrefix(h.URL, "http://"), 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.stop()
	return fmt.Errorf("haproxy did not listen within 10 s:\n%s", h.out.String())
}

func (h *LoadBalancer) stop() {
	if h.cmd.Process != nil {
		h.cmd.Process.Kill() //nolint:errcheck // it may be gone already
		<-h.done
	}
}

// Logs returns what haproxy printed.
func (h *LoadBalancer) Logs() string { return h.out.String() }

// ServerStates returns each backend's state as haproxy sees it ("UP",
// "DOWN", "MAINT"...), in the order of HAProxyConfig.Servers.
func (h *LoadBalancer) ServerStates() ([]string, error) {
	out, err := h.command("show stat")
	if err != nil {
		return nil, err
	}
	states := make([]string, len(h.backend))
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		// # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,...
		f := strings.Split(sc.Text(), ",")
		if len(f) < 18 || f[0] != "replicas" || !strings.HasPrefix(f[1], "r") {
			continue
		}
		var i int
		if _, err := fmt.Sscanf(f[1], "r%d", &i); err == nil && i < len(states) {
			states[i] = f[17]
		}
	}
	return states, nil
}

// WaitStates waits until every backend's state starts with want[i]
// ("UP", "DOWN"), for at most d.
func (h *LoadBalancer) WaitStates(d time.Duration, want ...string) error {
	deadline := time.Now().Add(d)
	var got []string
	for {
		var err error
		got, err = h.ServerStates()
		ok := err == nil && len(got) == len(want)
		for i := 0; ok && i < len(want); i++ {
			ok = strings.HasPrefix(got[i], want[i])
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("haproxy backends %v after %v, want %v (%v)", got, d, want, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// command sends one command to haproxy's admin socket.
func (h *LoadBalancer) command(cmd string) (string, error) {
	c, err := net.DialTimeout("unix", filepath.Join(h.dir, "admin.sock"), 2*time.Second)
	if err != nil {
		return "", fmt.Errorf("haproxy admin socket: %w", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck // a local socket
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		return "", err
	}
	var out bytes.Buffer
	_, err = out.ReadFrom(c)
	return out.String(), err
}
