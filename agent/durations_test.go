package agent

import (
	"context"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// Issue 11 row 12: a server that says check in every 10^10 seconds made
// the duration overflow to a negative one, and the agent checked in
// thousands of times a second. Every duration a server gives is clamped to
// the documented range.
func TestServerDurationsClamped(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	srv.SetInterval(10_000_000_000)
	huge := 10_000_000_000
	srv.SetConfig(api.AgentConfig{LLDPWaitSeconds: &huge})
	a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	r := <-start(ctx, a)
	if r.err == nil {
		t.Fatalf("Run ended with %q before the deadline", r.outcome)
	}
	checkins := 0
	for _, req := range srv.Requests() {
		if req.Method == "POST" && req.Path != api.PathRegister {
			checkins++
		}
	}
	if checkins != 1 {
		t.Errorf("%d check-ins in one second with an interval of 10^10 s, want 1", checkins)
	}
	if a.interval != MaxCheckinInterval {
		t.Errorf("interval %v, want the maximum %v", a.interval, MaxCheckinInterval)
	}
	if got := a.env.Config.LLDPWait; got != MaxLLDPWait {
		t.Errorf("pushed LLDP wait of 10^10 s became %v, want the maximum %v", got, MaxLLDPWait)
	}
}

func TestClampServerSeconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		secs     int
		min, max time.Duration
		want     time.Duration
	}{
		{30, time.Second, time.Hour, 30 * time.Second},
		{0, time.Second, time.Hour, time.Second},
		{-5, 0, 10 * time.Minute, 0},
		{1 << 62, time.Second, time.Hour, time.Hour},
		{-1 << 62, time.Second, time.Hour, time.Second},
		{3600, time.Second, time.Hour, time.Hour},
		{3601, time.Second, time.Hour, time.Hour},
	}
	for _, tt := range tests {
		if got := clampSeconds(tt.secs, tt.min, tt.max); got != tt.want {
			t.Errorf("clampSeconds(%d, %v, %v) = %v, want %v", tt.secs, tt.min, tt.max, got, tt.want)
		}
	}
}
