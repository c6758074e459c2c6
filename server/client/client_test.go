package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

func TestRegisterCheckinInventory(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	wait := 35
	srv.SetInterval(7)
	srv.SetConfig(api.AgentConfig{Collectors: []string{"host", "system"}, LLDPWaitSeconds: &wait})
	c := newClient(t, srv, enrollToken, nil)
	ctx := context.Background()
	inv := x9dbl()

	reg, err := c.Register(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if reg.MachineID != inv.Identity.MachineID || reg.Credential == "" || reg.CheckinIntervalSeconds != 7 {
		t.Fatalf("register = %+v, want machine %s, a credential, interval 7", reg, inv.Identity.MachineID)
	}
	if diff := cmp.Diff(api.AgentConfig{Collectors: []string{"host", "system"}, LLDPWaitSeconds: &wait}, reg.Config); diff != "" {
		t.Errorf("pushed config (-want +got):\n%s", diff)
	}
	stored := srv.Machines()
	if len(stored) != 1 {
		t.Fatalf("server holds %d machines, want 1", len(stored))
	}
	if diff := cmp.Diff(inv, stored[0].Inventory); diff != "" {
		t.Errorf("inventory on the server (-want +got):\n%s", diff)
	}
	if got := srv.Requests()[0].Auth; got != "Bearer "+enrollToken {
		t.Errorf("register Authorization = %q, want the enrollment token", got)
	}
	m := Machine{ID: reg.MachineID, Credential: secret.Value(reg.Credential)}

	steps := []struct {
		name   string
		digest string
		put    *inventory.Inventory
		action string
		want   string
	}{
		{name: "same digest", digest: inventory.Digest(inv), want: api.ActionNone},
		{name: "changed digest asks for the inventory", digest: "0000", want: api.ActionSendInventory},
		{name: "after the PUT the digests agree", put: withNeighbour(inv), digest: inventory.Digest(withNeighbour(inv)), want: api.ActionNone},
		{name: "pending action", digest: inventory.Digest(withNeighbour(inv)), action: api.ActionReboot, want: api.ActionReboot},
		{name: "action delivered once", digest: inventory.Digest(withNeighbour(inv)), want: api.ActionNone},
	}
	for _, s := range steps {
		if s.put != nil {
			if err := c.PutInventory(ctx, m, s.put); err != nil {
				t.Fatalf("%s: put: %v", s.name, err)
			}
		}
		if s.action != "" {
			if err := srv.SetAction(m.ID, s.action); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := c.Checkin(ctx, m, api.CheckinRequest{State: api.StateRegistered, InventoryDigest: s.digest, UptimeSeconds: 12.5, AgentVersion: "test"})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if resp.Action != s.want || resp.CheckinIntervalSeconds != 7 {
			t.Errorf("%s: check-in = %+v, want action %s, interval 7", s.name, resp, s.want)
		}
	}
	if got := srv.Machines()[0].LastCheckin; got.UptimeSeconds != 12.5 || got.AgentVersion != "test" {
		t.Errorf("last check-in on the server = %+v", got)
	}

	// Registering again is idempotent and rotates the credential.
	again, err := c.Register(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if again.MachineID != m.ID || again.Credential == reg.Credential {
		t.Errorf("re-register = %s/%q, want the same ID and a new credential", again.MachineID, again.Credential)
	}
	_, err = c.Checkin(ctx, m, api.CheckinRequest{State: api.StateRegistered})
	if !IsStatus(err, http.StatusUnauthorized) || Retryable(err) {
		t.Errorf("check-in with the old credential: %v, want a non-retryable 401", err)
	}
}

// withNeighbour returns a copy of inv whose NIC heard a switch.
func withNeighbour(inv *inventory.Inventory) *inventory.Inventory {
	c := *inv
	n := *inv.Network
	n.Interfaces = append([]inventory.NIC(nil), inv.Network.Interfaces...)
	n.Interfaces[0].Neighbors = []inventory.Neighbor{{Protocol: "lldp", ChassisIDSubtype: "mac", ChassisID: "00:01:30:f9:ad:a0", PortIDSubtype: "interface_name", PortID: "1/1", SystemName: "summit300-48"}}
	c.Network = &n
	return &c
}

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     clienttest.Fault
		want      StatusError
		retryable bool
	}{
		{"400 invalid body", clienttest.Fault{Status: 400, Code: api.CodeInvalidBody}, StatusError{Status: 400, Code: api.CodeInvalidBody, Message: "injected fault"}, false},
		{"401", clienttest.Fault{Status: 401, Code: api.CodeUnauthorized}, StatusError{Status: 401, Code: api.CodeUnauthorized, Message: "injected fault"}, false},
		{"403", clienttest.Fault{Status: 403, Code: api.CodeForbidden}, StatusError{Status: 403, Code: api.CodeForbidden, Message: "injected fault"}, false},
		{"404", clienttest.Fault{Status: 404, Code: api.CodeNotFound}, StatusError{Status: 404, Code: api.CodeNotFound, Message: "injected fault"}, false},
		{"409", clienttest.Fault{Status: 409, Code: api.CodeConflict}, StatusError{Status: 409, Code: api.CodeConflict, Message: "injected fault"}, false},
		{"413", clienttest.Fault{Status: 413, Code: api.CodeTooLarge}, StatusError{Status: 413, Code: api.CodeTooLarge, Message: "injected fault"}, false},
		{"429 with seconds", clienttest.Fault{Status: 429, Code: api.CodeRateLimited, RetryAfter: "3"}, StatusError{Status: 429, Code: api.CodeRateLimited, Message: "injected fault", RetryAfter: 3 * time.Second, HasRetryAfter: true}, true},
		{"500", clienttest.Fault{Status: 500, Code: api.CodeInternal}, StatusError{Status: 500, Code: api.CodeInternal, Message: "injected fault"}, true},
		{"502 from a proxy, HTML", clienttest.Fault{Status: 502, Body: "<html><body><h1>502 Bad Gateway</h1>\n</body></html>"}, StatusError{Status: 502, Message: "<html><body><h1>502 Bad Gateway</h1> </body></html>"}, true},
		{"503 empty body, bad Retry-After", clienttest.Fault{Status: 503, Body: " ", RetryAfter: "soon"}, StatusError{Status: 503, Message: "Service Unavailable"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := clienttest.New(enrollToken)
			defer srv.Close()
			srv.Inject(tt.fault)
			_, err := newClient(t, srv, enrollToken, nil).Register(context.Background(), x9dbl())
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *StatusError", err)
			}
			tt.want.Method, tt.want.Path = http.MethodPost, api.PathRegister
			if diff := cmp.Diff(&tt.want, se); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if Retryable(err) != tt.retryable {
				t.Errorf("Retryable = %v, want %v", !tt.retryable, tt.retryable)
			}
		})
	}
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no scheme", Options{Server: "prov:8080"}, `server URL "prov:8080": want http(s)://host[:port]`},
		{"ftp", Options{Server: "ftp://prov"}, `server URL "ftp://prov": want http(s)://host[:port]`},
		{"password in URL", Options{Server: "https://admin:hunter2@prov"}, `server URL "https://admin:xxxxx@prov": credentials go in --token, not in the URL`},
		{"missing CA", Options{Server: "https://prov", TLS: TLSOptions{CAFile: dir + "/nope.pem"}}, "ca: open " + dir + "/nope.pem: no such file or directory"},
		{"cert without key", Options{Server: "https://prov", TLS: TLSOptions{CertFile: "c.pem"}}, "client certificate: give both --client-cert and --client-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New = %v, want %q", err, tt.want)
			}
		})
	}
}

// RegisterEncoded sends the body it is given, byte for byte: the same
// request Register sends for the inventory, and the same answer.
func TestRegisterEncoded(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	c := newClient(t, srv, enrollToken, nil)
	ctx := context.Background()
	inv := x9dbl()

	first, err := c.Register(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(api.RegisterRequest{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.RegisterEncoded(ctx, body)
	if err != nil {
		t.Fatal(err)
	}
	if again.MachineID != first.MachineID || again.Credential == first.Credential {
		t.Errorf("RegisterEncoded = %s/%q, want machine %s with a new credential", again.MachineID, again.Credential, first.MachineID)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	if !bytes.Equal(reqs[0].Body, body) || !bytes.Equal(reqs[1].Body, body) {
		t.Errorf("bodies sent:\n%s\n%s\nwant both:\n%s", reqs[0].Body, reqs[1].Body, body)
	}
	if reqs[1].Auth != "Bearer "+enrollToken {
		t.Errorf("RegisterEncoded Authorization = %q, want the enrollment token", reqs[1].Auth)
	}
}
