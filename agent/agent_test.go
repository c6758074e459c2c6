package agent

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

type runResult struct {
	outcome Outcome
	err     error
}

func start(ctx context.Context, a *Agent) <-chan runResult {
	done := make(chan runResult, 1)
	go func() {
		o, err := a.Run(ctx)
		done <- runResult{o, err}
	}()
	return done
}

func machine(t *testing.T, srv backend) clienttest.Machine {
	t.Helper()
	ms := srv.Machines()
	if len(ms) != 1 {
		t.Fatalf("server holds %d machines, want 1", len(ms))
	}
	return ms[0]
}

// TestRunRegistersBeforeLLDPThenSendsNeighbours is the netboot path: the
// registration carries the Identity collectors' sections and lists the
// First ones as pending; the first update completes the inventory without
// waiting for LLDP; when neighbours arrive the agent sends the inventory
// again; release ends Run after a "released" check-in.
func TestRunRegistersBeforeLLDPThenSendsNeighbours(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newBackend(t, kind, api.AgentConfig{})
			release, started := make(chan struct{}), make(chan struct{}, 1)
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(release, started), wait: 35 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)

			<-started
			waitFor(t, "the first update and a check-in", func() bool {
				return len(srv.Machines()) == 1 && machine(t, srv).InventoryPuts == 1 && machine(t, srv).Checkins >= 1
			})
			registered := firstRegistration(t, srv)
			if diff := cmp.Diff([]string{"firmware=pending", "host=ok", "network=ok", "system=ok"}, statuses(registered)); diff != "" {
				t.Errorf("the registration's collectors (-want +got):\n%s", diff)
			}
			if registered.Firmware != nil || registered.System == nil || registered.Host == nil || registered.Network == nil {
				t.Errorf("the registration holds firmware %v, system %v, host %v, network %v: want the Identity collectors' sections only",
					registered.Firmware, registered.System != nil, registered.Host != nil, registered.Network != nil)
			}
			m := machine(t, srv)
			if m.Inventory.Collector("lldp") != nil || m.Inventory.Network.Interfaces[0].Neighbors != nil {
				t.Errorf("the first update waited for LLDP: %+v", m.Inventory.Collectors)
			}
			if diff := cmp.Diff([]string{"firmware=ok", "host=ok", "network=ok", "system=ok"}, statuses(m.Inventory)); diff != "" {
				t.Errorf("the first update's collectors (-want +got):\n%s", diff)
			}
			if m.Inventory.Firmware == nil || m.Inventory.Firmware.BootMode != "bios" {
				t.Errorf("first update's firmware = %+v, want BIOS boot (testdata/host has no /sys/firmware/efi)", m.Inventory.Firmware)
			}
			if m.Inventory.Host.UptimeSeconds != registered.Host.UptimeSeconds || !m.Inventory.CollectedAt.Equal(registered.CollectedAt) {
				t.Errorf("the first update's host uptime %v and collection time %v: want the registration's (%v, %v), one collection",
					m.Inventory.Host.UptimeSeconds, m.Inventory.CollectedAt, registered.Host.UptimeSeconds, registered.CollectedAt)
			}
			// Identity from the X9DBL's SMBIOS table (dmidecode: UUID
			// 00000000-0000-0000-0000-0cc47a133878, serial 9000116105).
			if got := m.Inventory.Identity; got.SystemUUID != "00000000-0000-0000-0000-0cc47a133878" || got.SystemSerial != "Thomas-Krenn.AG/X9DBL-3F/X9DBL-iF/9000116105" {
				t.Errorf("identity = %+v", got)
			}
			if m.ID != m.Inventory.Identity.MachineID {
				t.Errorf("machine ID %s, want the inventory's %s", m.ID, m.Inventory.Identity.MachineID)
			}
			if m.LastCheckin.UptimeSeconds != 1251.07 || m.LastCheckin.AgentVersion != "test" || m.LastCheckin.State != api.StateRegistered {
				t.Errorf("check-in = %+v, want uptime 1251.07 from testdata/host/proc/uptime", m.LastCheckin)
			}

			close(release)
			waitFor(t, "the inventory with neighbours", func() bool { return machine(t, srv).InventoryPuts == 2 })
			m = machine(t, srv)
			nbs := m.Inventory.Network.Interfaces[0].Neighbors
			// As tcpdump decodes testdata/lldp_mudurl.pcap.
			if len(nbs) != 1 || nbs[0].ChassisID != "00:23:54:c2:57:02" || nbs[0].SystemName != "upstairs.ofcourseimright.com" || nbs[0].PortDescription != "eth0" {
				t.Fatalf("neighbours on the server = %+v", nbs)
			}
			if st := m.Inventory.Collector("lldp"); st == nil || st.Status != inventory.StatusOK {
				t.Errorf("lldp status = %+v", st)
			}
			// The next check-in's digest is the one of what the server holds.
			waitFor(t, "a check-in after the update", func() bool { return machine(t, srv).LastCheckin.InventoryDigest == machine(t, srv).Digest })

			if err := srv.SetAction(m.ID, api.ActionRelease); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil || r.outcome != Released {
				t.Fatalf("Run = %v, %v; want released", r.outcome, r.err)
			}
			if got := machine(t, srv).LastCheckin.State; got != api.StateReleased {
				t.Errorf("last state = %q, want released", got)
			}
			if got := machine(t, srv).Registrations; got != 1 {
				t.Errorf("%d registrations, want 1", got)
			}
		})
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		action   string
		powerErr error
		want     Outcome
		calls    []string
	}{
		{"reboot", api.ActionReboot, nil, Rebooting, []string{"reboot"}},
		{"poweroff", api.ActionPowerOff, nil, PoweringOff, []string{"poweroff"}},
		// Without CAP_SYS_BOOT the agent keeps checking in, so the machine
		// can still be released.
		{"reboot refused", api.ActionReboot, errors.New("reboot(2) restart: operation not permitted"), Released, []string{"reboot"}},
	}
	for _, kind := range backends {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newBackend(t, kind, api.AgentConfig{})
				power := &fakePower{err: tt.powerErr}
				a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), power: power})
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				done := start(ctx, a)
				waitFor(t, "registration", func() bool { return len(srv.Machines()) == 1 })
				if err := srv.SetAction(machine(t, srv).ID, tt.action); err != nil {
					t.Fatal(err)
				}
				if tt.powerErr != nil {
					waitFor(t, "the refused reboot", func() bool { return len(power.Calls()) == 1 })
					if err := srv.SetAction(machine(t, srv).ID, api.ActionRelease); err != nil {
						t.Fatal(err)
					}
				}
				r := <-done
				if r.err != nil || r.outcome != tt.want {
					t.Fatalf("Run = %q, %v; want %q", r.outcome, r.err, tt.want)
				}
				if diff := cmp.Diff(tt.calls, power.Calls()); diff != "" {
					t.Errorf("power calls (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestSendInventoryAction(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newBackend(t, kind, api.AgentConfig{})
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)
			waitFor(t, "registration", func() bool { return len(srv.Machines()) == 1 })
			id := machine(t, srv).ID
			if err := srv.SetAction(id, api.ActionSendInventory); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the inventory", func() bool { return machine(t, srv).InventoryPuts == 1 })
			if err := srv.SetAction(id, api.ActionRelease); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.outcome != Released {
				t.Fatalf("Run = %q, %v", r.outcome, r.err)
			}
			// The inventory was collected again: a later collection time.
			m := machine(t, srv)
			if m.Inventory.Agent.Mode != "run" || m.Inventory.Host.Hostname != "vm" {
				t.Errorf("inventory sent = %+v", m.Inventory.Agent)
			}
		})
	}
}

// TestReregisters: a check-in answered 401 (the credential is gone, the
// server's database was replaced) or 404 (the machine was deleted) makes
// the agent register again and carry on.
func TestReregisters(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		for _, status := range []int{http.StatusUnauthorized, http.StatusNotFound} {
			t.Run(kind+"/"+http.StatusText(status), func(t *testing.T) {
				t.Parallel()
				srv := newBackend(t, kind, api.AgentConfig{})
				a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				srv.Inject(clienttest.Fault{Path: "/v1/machines/", Status: status, Code: "gone"})
				done := start(ctx, a)
				waitFor(t, "a second registration", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Registrations == 2 })
				waitFor(t, "a check-in with the new credential", func() bool { return machine(t, srv).Checkins >= 1 })
				if err := srv.SetAction(machine(t, srv).ID, api.ActionRelease); err != nil {
					t.Fatal(err)
				}
				if r := <-done; r.err != nil || r.outcome != Released {
					t.Fatalf("Run = %q, %v", r.outcome, r.err)
				}
			})
		}
	}
}

// TestIdentityConflictRegistersAgain: an upload refused because the
// inventory carries another machine's identity key (409
// identity_conflict) makes the agent register again, which lets the server
// decide which machine this is, and carry on.
func TestIdentityConflictRegistersAgain(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newBackend(t, kind, api.AgentConfig{})
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)
			waitFor(t, "a check-in", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Checkins >= 1 })
			id := machine(t, srv).ID
			srv.Inject(clienttest.Fault{Path: "/v1/machines/" + id + "/inventory", Status: http.StatusConflict, Code: api.CodeIdentityConflict})
			if err := srv.SetAction(id, api.ActionSendInventory); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "a second registration", func() bool { return machine(t, srv).Registrations == 2 })
			checkins := machine(t, srv).Checkins
			waitFor(t, "a check-in with the new credential", func() bool { return machine(t, srv).Checkins > checkins })
			if err := srv.SetAction(id, api.ActionRelease); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.outcome != Released {
				t.Fatalf("Run = %q, %v", r.outcome, r.err)
			}
		})
	}
}

func TestReregistersAfterServerLostItsDatabase(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newBackend(t, kind, api.AgentConfig{})
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)
			waitFor(t, "a check-in", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Checkins >= 1 })
			srv.Forget()
			waitFor(t, "registration again", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Checkins >= 1 })
			if err := srv.SetAction(machine(t, srv).ID, api.ActionRelease); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.outcome != Released {
				t.Fatalf("Run = %q, %v", r.outcome, r.err)
			}
		})
	}
}

// TestFatalAnswers: 4xx other than 401/404 on check-in, and any 4xx on
// registration, end Run with the server's error and no retry.
func TestFatalAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault clienttest.Fault
		want  int
	}{
		{"wrong enrollment token", clienttest.Fault{Path: api.PathRegister, Status: 401, Code: api.CodeUnauthorized}, 401},
		{"registration rejected", clienttest.Fault{Path: api.PathRegister, Status: 400, Code: api.CodeInvalidBody}, 400},
		{"check-in rejected", clienttest.Fault{Path: "/v1/machines/", Status: 400, Code: api.CodeInvalidBody}, 400},
		{"check-in forbidden", clienttest.Fault{Path: "/v1/machines/", Status: 403, Code: api.CodeForbidden}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := clienttest.New(enrollToken)
			defer srv.Close()
			srv.Inject(tt.fault)
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil)})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := a.Run(ctx)
			if !client.IsStatus(err, tt.want) {
				t.Fatalf("Run = %v, want %d", err, tt.want)
			}
			var n int
			for _, q := range srv.Requests() {
				if strings.HasPrefix(q.Path, tt.fault.Path) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d requests to %s, want 1 (no retry)", n, tt.fault.Path)
			}
		})
	}
}

// TestRetriesTemporaryFailures: 503 and 429 with Retry-After, then success.
func TestRetriesTemporaryFailures(t *testing.T) {
	t.Parallel()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newBackend(t, kind, api.AgentConfig{})
			srv.Inject(
				clienttest.Fault{Path: api.PathRegister, Status: 503, Code: api.CodeUnavailable, RetryAfter: "1"},
				clienttest.Fault{Path: api.PathRegister, Status: 429, Code: api.CodeRateLimited},
				clienttest.Fault{Path: "/v1/machines/", Status: 500, Body: "boom"},
			)
			var waits []time.Duration
			a := newAgent(t, setup{srv: srv, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
				o.Sleep = func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return ctx.Err() }
			}})
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			done := start(ctx, a)
			waitFor(t, "a check-in", func() bool { return len(srv.Machines()) == 1 && machine(t, srv).Checkins >= 1 })
			if err := srv.SetAction(machine(t, srv).ID, api.ActionRelease); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.outcome != Released {
				t.Fatalf("Run = %q, %v", r.outcome, r.err)
			}
			if len(waits) != 3 || waits[0] < time.Second || waits[0] > time.Second+10*time.Millisecond || waits[1] > 20*time.Millisecond || waits[2] > 10*time.Millisecond {
				t.Errorf("waits = %v, want 1s+[0,10ms], [0,20ms], [0,10ms]", waits)
			}
		})
	}
}

// firstRegistration is the inventory of the first registration srv
// received.
func firstRegistration(t *testing.T, srv backend) *inventory.Inventory {
	t.Helper()
	for _, r := range srv.Requests() {
		if r.Method != http.MethodPost || r.Path != api.PathRegister {
			continue
		}
		var req api.RegisterRequest
		if err := json.Unmarshal(r.Body, &req); err != nil || req.Inventory == nil {
			t.Fatalf("registration body: %v", err)
		}
		return req.Inventory
	}
	t.Fatal("no registration received")
	return nil
}
