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
// for minIdleToClose is closed to make room. Past seven eighths of the
// places, every answer closes its connection (Connection: close), so that
// the place goes at once to the next one.
func TestConnectionsBounded(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Store: openStore(t, "sqlite"), EnrollToken: enrollToken, AdminToken: adminToken, MaxConnections: 4})
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
	type conn struct {
		net.Conn
		r *bufio.Reader
	}
	dial := func() conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return conn{c, bufio.NewReader(c)}
	}
	send := func(c conn) {
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: hwagent\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	// answer reads the answer to what was sent on c within d: its status
	// (0: none) and whether the server closes the connection after it.
	answer := func(c conn, d time.Duration) (int, bool) {
		c.SetReadDeadline(time.Now().Add(d)) //nolint:errcheck // a TCP connection
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil {
			return 0, false
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // the status is what counts
		resp.Body.Close()
		return resp.StatusCode, resp.Close
	}
	closedByServer := func(name string, c conn) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck // a TCP connection
		if _, err := c.r.ReadByte(); err != io.EOF {
			t.Errorf("%s: %v, want closed by the server (EOF)", name, err)
		}
	}
	// a and b silent, c answered and kept alive (3 of 4 held: room
	// left), d silent: the four places are held.
	a, b, c := dial(), dial(), dial()
	send(c)
	if got, closed := answer(c, 5*time.Second); got != 200 || closed {
		t.Fatalf("with room left: %d, closed %v; want 200 kept alive", got, closed)
	}
	dial()                             // d
	time.Sleep(100 * time.Millisecond) // all accepted
	e := dial()
	send(e)
	if got, _ := answer(e, 500*time.Millisecond); got != 0 {
		t.Fatalf("a fifth connection was served (%d) while four are held", got)
	}
	// a ends: e's request, sent already, is read once e is served, and
	// answered with Connection: close (the places are all held).
	a.Close()
	if got, closed := answer(e, 5*time.Second); got != 200 || !closed {
		t.Fatalf("once a connection ended, the waiting one: %d, closed %v; want 200 and Connection: close", got, closed)
	}
	closedByServer("the connection answered while the places were all held", e)
	// f takes e's place. g is served once c has been idle for
	// minIdleToClose: c is closed for it, the silent ones are not.
	dial() // f
	g := dial()
	start := time.Now()
	send(g)
	if got, closed := answer(g, minIdleToClose+10*time.Second); got != 200 || !closed {
		t.Fatalf("a new connection while an idle one is held: %d, closed %v; want 200 and Connection: close", got, closed)
	}
	if waited := time.Since(start); waited < minIdleToClose/2 {
		t.Errorf("served after %v: the idle connection was closed before it had been idle for %v", waited, minIdleToClose)
	}
	closedByServer("the idle connection", c)
	closedByServer("g", g)
	// b, d and f are held: 3 of 4, room again; b is answered and kept.
	send(b)
	if got, closed := answer(b, 5*time.Second); got != 200 || closed {
		t.Errorf("the connection that was new when the idle one was closed: %d, closed %v; want 200 kept alive", got, closed)
	}
	if l := srv.conns.Load(); l == nil || l.inUse() != 3 {
		t.Errorf("connections held: %v, want 3", l.inUse())
	}
	m := serve(srv, "GET", "/metrics", "", nil).Body.String()
	if !strings.Contains(m, "hwagent_server_idle_connections_closed_total 1\n") || !strings.Contains(m, "hwagent_server_connections 3\n") {
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
