package client

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server/api"
)

// replica answers registrations with status (200: a registration) and
// counts them.
type replica struct {
	*httptest.Server
	status atomic.Int64
	got    atomic.Int64
}

func newReplica(t *testing.T, name string) *replica {
	r := &replica{}
	r.status.Store(200)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.got.Add(1)
		if s := int(r.status.Load()); s != 200 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(s)
			json.NewEncoder(w).Encode(api.Error{Code: "x", Message: name}) //nolint:errcheck // test server
			return
		}
		json.NewEncoder(w).Encode(api.RegisterResponse{MachineID: "m-" + name, Credential: "hwm_" + name}) //nolint:errcheck // test server
	}))
	t.Cleanup(r.Close)
	return r
}

// With several servers, the client keeps to one while it answers and
// moves to the next after a failure worth retrying (no answer, 5xx, 429),
// so that the retry goes to another replica; a 4xx is the request's
// fault and moves nothing.
func TestFailoverBetweenServers(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there
	a, b := newReplica(t, "a"), newReplica(t, "b")
	c, err := New(Options{Server: dead + ", " + a.URL + "," + b.URL + "/", EnrollmentToken: secret.Value(enrollToken), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.Servers()); got != 3 {
		t.Fatalf("servers %v", c.Servers())
	}
	var failures int
	r := Retrier{Sleep: func(context.Context, time.Duration) error { return nil }, OnRetry: func(int, time.Duration, error) { failures++ }}
	register := func() string {
		t.Helper()
		var res *api.RegisterResponse
		if err := r.Do(context.Background(), func(ctx context.Context) (err error) {
			res, err = c.Register(ctx, x9dbl())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return res.MachineID
	}
	// Wherever it starts (at random), it ends on a replica that answers
	// and stays there.
	first := register()
	for range 10 {
		if got := register(); got != first {
			t.Fatalf("registered with %s, then %s: the client did not keep to the server that answers", first, got)
		}
	}
	if failures > 1 {
		t.Errorf("%d failed attempts, want at most 1 (the dead server, once)", failures)
	}
	// The one in use fails (503): the retry goes to another.
	inUse, otherID := a, "m-b"
	if first == "m-b" {
		inUse, otherID = b, "m-a"
	}
	inUse.status.Store(503)
	if got := register(); got != otherID {
		t.Fatalf("after a 503 of %s the client registered with %s, want %s", first, got, otherID)
	}
	// A 400 is the request's fault: the client stays.
	now := c.Servers()[0]
	replicaOf := map[string]*replica{a.URL: a, b.URL: b}[now]
	if replicaOf == nil {
		t.Fatalf("in use: %s, want a or b", now)
	}
	replicaOf.status.Store(400)
	if _, err := c.Register(context.Background(), x9dbl()); err == nil {
		t.Fatal("a 400 registered")
	}
	if c.Servers()[0] != now {
		t.Errorf("after a 400 the client moved from %s to %s", now, c.Servers()[0])
	}
	// A malformed list is refused whole.
	if _, err := New(Options{Server: a.URL + ",ftp://x"}); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("a list with ftp://x: %v", err)
	}
}
