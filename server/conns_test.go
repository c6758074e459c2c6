package server

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The server holds at most MaxConnections connections: a new one waits
// (in the kernel's listen queue) until one ends, and a kept-alive one idle
// for minIdleToClose is closed to make room.
func TestConnectionsBounded(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Store: openStore(t, "sqlite"), EnrollToken: enrollToken, AdminToken: adminToken, MaxConnections: 2})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, nil, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// ask sends GET /healthz on c and returns the status, 0 when there
	// is no answer within d.
	ask := func(c net.Conn, r *bufio.Reader, d time.Duration) int {
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hwagent\r\n\r\n"); err != nil {
			return 0
		}
		c.SetReadDeadline(time.Now().Add(d)) //nolint:errcheck // a TCP connection
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status is what counts
		resp.Body.Close()
		return resp.StatusCode
	}
	a, b := dial(), dial()
	time.Sleep(100 * time.Millisecond) // both accepted, neither sends
	c := dial()
	rc := bufio.NewReader(c)
	if got := ask(c, rc, 500*time.Millisecond); got != 0 {
		t.Fatalf("a third connection was served (%d) while two are held", got)
	}
	a.Close()
	// c's request was sent already: it is read once c is accepted.
	c.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck // a TCP connection
	resp, err := http.ReadResponse(rc, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("once a connection ended, the waiting one: %v %v", resp, err)
	}
	resp.Body.Close()
	// b and c are held; c is idle (kept alive), b new and silent. A new
	// connection is served once c has been idle for minIdleToClose: c is
	// closed for it, b is not.
	d := dial()
	start := time.Now()
	if got := ask(d, bufio.NewReader(d), minIdleToClose+10*time.Second); got != 200 {
		t.Fatalf("a new connection while an idle one is held: %d", got)
	}
	if waited := time.Since(start); waited < minIdleToClose/2 {
		t.Errorf("served after %v: the idle connection was closed before it had been idle for %v", waited, minIdleToClose)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck // a TCP connection
	if _, err := rc.ReadByte(); err != io.EOF {
		t.Errorf("the idle connection: %v, want closed (EOF)", err)
	}
	if got := ask(b, bufio.NewReader(b), 5*time.Second); got != 200 {
		t.Errorf("the connection that was new when the idle one was closed: %d, want still served", got)
	}
	if l := srv.conns.Load(); l == nil || l.inUse() != 2 {
		t.Errorf("connections held: %v, want 2", l.inUse())
	}
	m := serve(srv, "GET", "/metrics", "", nil).Body.String()
	if !strings.Contains(m, "hwagent_server_idle_connections_closed_total 1\n") || !strings.Contains(m, "hwagent_server_connections 2\n") {
		t.Errorf("metrics:\n%s", grepLines(m, "connections"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
