package agent

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
)

// dropFirstAnswer is a reverse proxy in front of the server that loses the
// first answer whose body holds match: the server has handled the request,
// the agent gets a 502, as when the connection breaks after the server
// wrote its answer.
func dropFirstAnswer(t *testing.T, target string, match []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	var dropped atomic.Int32
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(r *http.Response) error {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		if bytes.Contains(b, match) && dropped.Add(1) == 1 {
			return errors.New("answer lost on the way")
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		return nil
	}
	p.ErrorLog = nil
	hs := httptest.NewServer(p)
	t.Cleanup(hs.Close)
	return hs, &dropped
}

// Issue 11 row 5: the check-in answer carrying reboot was lost (client
// gone), and the server had already cleared the action and recorded it as
// delivered: the machine never rebooted. Actions are at-least-once now: the
// action stays pending until the agent acknowledges it, the agent
// acknowledges before obeying, and obeys one action ID once.
func TestLostActionAnswer(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, database(t, kind), "127.0.0.1:0")
			proxy, dropped := dropFirstAnswer(t, srv.URL, []byte(`"action":"reboot"`))
			power := &fakePower{}
			a := realAgent(t, proxy.URL, setup{specs: defaultSpecs(nil, nil), power: power})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			done := start(ctx, a)
			var id string
			waitFor(t, "registration and a check-in", func() bool {
				ms := srv.machines(t)
				if len(ms) == 1 && ms[0].AgentVersion == "test" {
					id = ms[0].ID
				}
				return id != ""
			})
			srv.setAction(t, id, api.ActionReboot)
			r := <-done
			if dropped.Load() == 0 {
				t.Fatal("no answer carried the reboot")
			}
			if r.err != nil || r.outcome != Rebooting {
				t.Fatalf("Run = %q, %v; want rebooting after the lost answer", r.outcome, r.err)
			}
			if calls := power.Calls(); !slices.Equal(calls, []string{"reboot"}) {
				t.Errorf("kernel calls = %v, want one reboot", calls)
			}
			m, _ := srv.machine(t, id)
			if m.PendingAction != "" {
				t.Errorf("pending action %q after the acknowledgement", m.PendingAction)
			}
			var delivered int
			for _, c := range srv.history(t, id) {
				if c.Kind == api.ChangeActionDelivered {
					delivered++
				}
			}
			if delivered != 1 {
				t.Errorf("%d action_delivered entries, want 1", delivered)
			}
		})
	}
}
