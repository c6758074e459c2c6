package agent

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

func statuses(inv *inventory.Inventory) []string {
	var out []string
	for _, s := range inv.Collectors {
		out = append(out, s.Name+"="+string(s.Status))
	}
	return out
}

// TestPushedConfig: what the server pushes at registration decides the
// later collections and whether LLDP runs.
func TestPushedConfig(t *testing.T) {
	t.Parallel()
	zero, five := 0, 5
	tests := []struct {
		name      string
		localWait time.Duration
		config    api.AgentConfig
		// want are the collector statuses of the inventory the server
		// holds after it asked for it again.
		want []string
	}{
		{
			name:      "nothing pushed: local LLDP wait",
			localWait: time.Second,
			want:      []string{"firmware=ok", "host=ok", "lldp=ok", "network=ok", "system=ok"},
		},
		{
			name:      "server turns LLDP on",
			localWait: 0,
			config:    api.AgentConfig{LLDPWaitSeconds: &five},
			want:      []string{"firmware=ok", "host=ok", "lldp=ok", "network=ok", "system=ok"},
		},
		{
			name:      "server turns LLDP off",
			localWait: time.Hour,
			config:    api.AgentConfig{LLDPWaitSeconds: &zero},
			want:      []string{"firmware=ok", "host=ok", "network=ok", "system=ok"},
		},
		{
			name:      "server's collector list, with one this agent lacks",
			localWait: time.Hour,
			config:    api.AgentConfig{Collectors: []string{"network", "system", "gpu"}},
			want:      []string{"network=ok", "system=ok"},
		},
	}
	for _, kind := range backends {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newBackend(t, kind, tt.config)
				// LLDP "hears" its frame at once unless the wait is an hour.
				var release chan struct{}
				if tt.localWait == time.Hour {
					release = make(chan struct{})
				}
				a := newAgent(t, setup{srv: srv, specs: defaultSpecs(release, nil), wait: tt.localWait})
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				done := start(ctx, a)
				waitFor(t, "registration", func() bool { return len(srv.Machines()) == 1 })
				id := machine(t, srv).ID
				if err := srv.SetAction(id, api.ActionSendInventory); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "the inventory", func() bool {
					return machine(t, srv).InventoryPuts >= 1 && machine(t, srv).Digest == machine(t, srv).LastCheckin.InventoryDigest
				})
				if slices.Contains(tt.want, "lldp=ok") {
					waitFor(t, "the neighbours", func() bool { return machine(t, srv).Inventory.Collector("lldp") != nil })
				}
				if err := srv.SetAction(id, api.ActionRelease); err != nil {
					t.Fatal(err)
				}
				if r := <-done; r.err != nil || r.outcome != Released {
					t.Fatalf("Run = %q, %v", r.outcome, r.err)
				}
				if diff := cmp.Diff(tt.want, statuses(machine(t, srv).Inventory)); diff != "" {
					t.Errorf("collectors (-want +got):\n%s", diff)
				}
			})
		}
	}
}
