package agent

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/client/clienttest"
)

func TestRegisterOneShot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		wait      time.Duration
		wantLLDP  bool
		wantState string
	}{
		{"LLDP off (the default)", 0, false, ""},
		{"LLDP on: heard before registering", time.Second, true, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := clienttest.New(enrollToken)
			defer srv.Close()
			srv.SetInterval(42)
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), wait: tt.wait, mode: "register"})
			reg, err := a.Register(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			m := machine(t, srv)
			if reg.Machine.ID != m.ID || reg.Machine.Credential.Reveal() != m.Credential || reg.Interval != 42*time.Second {
				t.Errorf("registration = %+v, server has %s", reg, m.ID)
			}
			if m.Inventory.Agent.Mode != "register" || m.Checkins != 0 {
				t.Errorf("mode %q, %d check-ins; want register, 0", m.Inventory.Agent.Mode, m.Checkins)
			}
			gotLLDP := len(m.Inventory.Network.Interfaces[0].Neighbors) == 1
			if gotLLDP != tt.wantLLDP {
				t.Errorf("neighbours sent: %v, want %v", gotLLDP, tt.wantLLDP)
			}
		})
	}
}

// TestRegisterGivesUpAtTheDeadline: with the server down, Register retries
// until its context's deadline and reports the last error.
func TestRegisterGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	srv.Close()
	var attempts int
	a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), mode: "register", mutate: func(o *Options) {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			attempts++
			if attempts == 4 {
				return context.DeadlineExceeded
			}
			return ctx.Err()
		}
	}})
	_, err := a.Register(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Register = %v, want the deadline and the last error", err)
	}
	if attempts != 4 {
		t.Errorf("%d waits, want 4", attempts)
	}
}

// TestStartDelay: the first request waits a random delay in
// [0, StartJitter].
func TestStartDelay(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	var waits []time.Duration
	a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), mode: "register", mutate: func(o *Options) {
		o.StartJitter = 10 * time.Second
		o.Rand = fixedRand(7)
		o.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	}})
	if _, err := a.Register(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 7 {
		t.Errorf("waits = %v, want the drawn 7ns", waits)
	}
}

// fixedRand draws v (or n-1 when n <= v).
type fixedRand int64

func (f fixedRand) Int64N(n int64) int64 { return min(int64(f), n-1) }
