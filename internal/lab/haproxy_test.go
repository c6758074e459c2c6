package lab

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// haproxy spreads requests over its servers, and a server whose health
// check fails gets none until it passes again.
func TestHAProxy(t *testing.T) {
	t.Parallel()
	var ready [2]atomic.Bool
	var servers []string
	for i := range 2 {
		ready[i].Store(true)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/readyz" && !ready[i].Load() {
				w.WriteHeader(503)
				return
			}
			io.WriteString(w, []string{"a", "b"}[i]) //nolint:errcheck // test server
		}))
		t.Cleanup(srv.Close)
		servers = append(servers, strings.TrimPrefix(srv.URL, "http://"))
	}
	lb := StartHAProxy(t, HAProxyConfig{Servers: servers, HealthPath: "/readyz", CheckInterval: 100 * time.Millisecond})
	if err := lb.WaitStates(10*time.Second, "UP", "UP"); err != nil {
		t.Fatalf("%v\n%s", err, lb.Logs())
	}
	seen := func(n int) map[string]int {
		got := map[string]int{}
		for range n {
			resp, err := http.Get(lb.URL + "/x")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got[string(b)]++
		}
		return got
	}
	if got := seen(10); got["a"] != 5 || got["b"] != 5 {
		t.Errorf("round robin over two servers: %v", got)
	}
	ready[1].Store(false)
	if err := lb.WaitStates(10*time.Second, "UP", "DOWN"); err != nil {
		t.Fatal(err)
	}
	if got := seen(6); got["a"] != 6 {
		t.Errorf("with b failing its health check: %v", got)
	}
}
