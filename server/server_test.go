package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

const (
	enrollToken = "enroll-0123456789abcdef"
	adminToken  = "admin-0123456789abcdef"
)

// fixture is a Server on a real SQLite store behind httptest.
type fixture struct {
	t    *testing.T
	url  string
	st   store.Store
	logs *testutil.LockedBuffer
}

func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	return newFixtureOn(t, "sqlite", mod)
}

// newFixtureOn is newFixture on a store of the kind: sqlite or postgres.
func newFixtureOn(t *testing.T, kind string, mod func(*Config)) *fixture {
	t.Helper()
	return newFixtureWith(t, openStore(t, kind), mod)
}

// newFixtureWith is newFixture on the store st.
func newFixtureWith(t *testing.T, st store.Store, mod func(*Config)) *fixture {
	t.Helper()
	logs := &testutil.LockedBuffer{}
	cfg := Config{
		Store: st, EnrollToken: enrollToken, AdminToken: adminToken,
		Logger:          slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		CheckinInterval: 7 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(conformant(t, srv))
	t.Cleanup(hs.Close)
	return &fixture{t: t, url: hs.URL, st: st, logs: logs}
}

// do sends a request; body is marshalled unless it is []byte or io.Reader.
func (f *fixture) do(method, path, token string, body any) (int, http.Header, []byte) {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.url+path, r)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json") // as every client sends it
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, out
}

// call expects status and decodes the answer into out (an api.Error for
// non-2xx when out is nil).
func (f *fixture) call(method, path, token string, body any, status int, out any) api.Error {
	f.t.Helper()
	got, _, b := f.do(method, path, token, body)
	if got != status {
		f.t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, status, b)
	}
	var e api.Error
	if status >= 400 {
		if err := json.Unmarshal(b, &e); err != nil || e.Code == "" || e.Message == "" {
			f.t.Fatalf("%s %s: error body %q is not an api.Error", method, path, b)
		}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			f.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return e
}

func (f *fixture) register(inv *inventory.Inventory) api.RegisterResponse {
	f.t.Helper()
	var r api.RegisterResponse
	f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv}, 200, &r)
	return r
}

func (f *fixture) count() int {
	f.t.Helper()
	var l api.MachineList
	f.call("GET", api.PathMachines, adminToken, nil, 200, &l)
	return len(l.Machines)
}

func TestAgentFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		wait := 12
		c.Push = api.AgentConfig{Collectors: []string{"smbios", "network"}, LLDPWaitSeconds: &wait}
	})
	inv := testinv.MachineWith(3, testinv.Options{NoNeighbours: true})
	reg := f.register(inv)
	wait := 12
	want := api.RegisterResponse{MachineID: inv.Identity.MachineID, Credential: reg.Credential, CheckinIntervalSeconds: 7,
		Config: api.AgentConfig{Collectors: []string{"smbios", "network"}, LLDPWaitSeconds: &wait}}
	if diff := cmp.Diff(want, reg); diff != "" {
		t.Errorf("registration (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(reg.Credential, "hwm_") || len(reg.Credential) != 4+43 {
		t.Errorf("credential %q: want hwm_ and 43 base64url characters", reg.Credential)
	}
	checkin := func(digest string) api.CheckinResponse {
		t.Helper()
		var r api.CheckinResponse
		f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential,
			api.CheckinRequest{State: api.StateRegistered, InventoryDigest: digest, UptimeSeconds: 50, AgentVersion: "v0.3.0"}, 200, &r)
		return r
	}
	if got := checkin(inventory.Digest(inv)); got != (api.CheckinResponse{Action: api.ActionNone, CheckinIntervalSeconds: 7}) {
		t.Errorf("check-in with the registered digest: %+v", got)
	}
	// The LLDP neighbours arrived: the agent's digest changed.
	late := testinv.Machine(3)
	if got := checkin(inventory.Digest(late)); got.Action != api.ActionSendInventory {
		t.Errorf("check-in with a new digest: %+v, want send_inventory", got)
	}
	f.call("PUT", fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), reg.Credential, api.InventoryRequest{Inventory: late}, 204, nil)
	if got := checkin(inventory.Digest(late)); got.Action != api.ActionNone {
		t.Errorf("check-in after the upload: %+v, want none", got)
	}
	// The operator reboots it.
	var m api.Machine
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, api.ActionRequest{Action: api.ActionReboot}, 200, &m)
	if m.PendingAction != api.ActionReboot {
		t.Errorf("after setting the action: pending %q", m.PendingAction)
	}
	if got := checkin(inventory.Digest(late)); got.Action != api.ActionReboot {
		t.Errorf("check-in with a pending reboot: %+v", got)
	}
	if got := checkin(inventory.Digest(late)); got.Action != api.ActionNone {
		t.Errorf("check-in after the reboot was delivered: %+v", got)
	}
	var h api.History
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil, 200, &h)
	var kinds []string
	for _, c := range h.Changes {
		kinds = append(kinds, c.Kind)
	}
	if diff := cmp.Diff([]string{"registered", "inventory_changed", "action_set", "action_delivered"}, kinds); diff != "" {
		t.Errorf("history kinds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"nic eno1 (00:26:b9:00:00:18) neighbour (none) → leaf-r000-a Ethernet4",
		"nic eno2 (00:26:b9:00:00:19) neighbour (none) → leaf-r000-b Ethernet4",
	}, h.Changes[1].Details); diff != "" {
		t.Errorf("inventory change (-want +got):\n%s", diff)
	}
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 200, &m)
	if m.Inventory == nil || inventory.Digest(m.Inventory) != inventory.Digest(late) || m.AgentVersion != "v0.3.0" {
		t.Errorf("show: inventory digest %s agent %q", m.InventoryDigest, m.AgentVersion)
	}
	f.call("DELETE", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 204, nil)
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 404, nil)
	// A deleted machine's agent is told to register again.
	e := f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential, api.CheckinRequest{State: "registered"}, 401, nil)
	if e.Code != api.CodeUnauthorized {
		t.Errorf("check-in of a deleted machine: %+v", e)
	}
	// Secrets never reach the log.
	logs := f.logs.String()
	for _, secret := range []string{enrollToken, adminToken, reg.Credential} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret %q", secret)
		}
	}
	if !strings.Contains(logs, "route=\"POST /v1/register\" status=200") {
		t.Errorf("no access log line for the registration:\n%s", logs)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.register(testinv.Machine(1))
	b := f.register(testinv.Machine(2))
	body := api.RegisterRequest{Inventory: testinv.Machine(3)}
	checkin := api.CheckinRequest{State: "registered"}
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
	}{
		{"register without token", "POST", api.PathRegister, "", body, 401, api.CodeUnauthorized},
		{"register with a wrong token", "POST", api.PathRegister, "enroll-0123456789abcdeX", body, 401, api.CodeUnauthorized},
		{"register with the admin token", "POST", api.PathRegister, adminToken, body, 401, api.CodeUnauthorized},
		{"register with a machine credential", "POST", api.PathRegister, a.Credential, body, 401, api.CodeUnauthorized},
		{"check-in without token", "POST", fmt.Sprintf(api.PathCheckinFmt, a.MachineID), "", checkin, 401, api.CodeUnauthorized},
		{"check-in with the enrollment token", "POST", fmt.Sprintf(api.PathCheckinFmt, a.MachineID), enrollToken, checkin, 401, api.CodeUnauthorized},
		{"check-in as another machine", "POST", fmt.Sprintf(api.PathCheckinFmt, a.MachineID), b.Credential, checkin, 403, api.CodeForbidden},
		{"inventory of another machine", "PUT", fmt.Sprintf(api.PathInventoryFmt, a.MachineID), b.Credential, api.InventoryRequest{Inventory: testinv.Machine(2)}, 403, api.CodeForbidden},
		{"check-in of an unknown machine with a valid credential", "POST", fmt.Sprintf(api.PathCheckinFmt, "m-000000000000000000000000"), b.Credential, checkin, 403, api.CodeForbidden},
		{"operator API without token", "GET", api.PathMachines, "", nil, 401, api.CodeUnauthorized},
		{"operator API with the enrollment token", "GET", api.PathMachines, enrollToken, nil, 401, api.CodeUnauthorized},
		{"operator API with a machine credential", "DELETE", fmt.Sprintf(api.PathMachineFmt, a.MachineID), a.Credential, nil, 401, api.CodeUnauthorized},
		{"action with a machine credential", "PUT", fmt.Sprintf(api.PathActionFmt, b.MachineID), b.Credential, api.ActionRequest{Action: "reboot"}, 401, api.CodeUnauthorized},
	}
	for _, tt := range tests {
		status, hdr, out := f.do(tt.method, tt.path, tt.token, tt.body)
		var e api.Error
		json.Unmarshal(out, &e) //nolint:errcheck // checked through e.Code
		if status != tt.status || e.Code != tt.code {
			t.Errorf("%s: %d %+v, want %d %s", tt.name, status, e, tt.status, tt.code)
		}
		if status == 401 && hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
	}
	// Nothing changed: two machines, a's state and pending action intact.
	var l api.MachineList
	f.call("GET", api.PathMachines, adminToken, nil, 200, &l)
	if len(l.Machines) != 2 || l.Machines[0].PendingAction != "" || l.Machines[1].PendingAction != "" {
		t.Errorf("after refused calls: %+v", l.Machines)
	}
}

// An operator API without an admin token refuses everything.
func TestNoAdminToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.AdminToken = "" })
	e := f.call("GET", api.PathMachines, "", nil, 401, nil)
	if !strings.Contains(e.Message, "operator API disabled") {
		t.Errorf("message %q", e.Message)
	}
	f.call("GET", api.PathMachines, enrollToken, nil, 401, nil)
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, c := range map[string]Config{
		"no store":        {EnrollToken: enrollToken},
		"short enroll":    {Store: st, EnrollToken: "short"},
		"short admin":     {Store: st, EnrollToken: enrollToken, AdminToken: "short"},
		"same two tokens": {Store: st, EnrollToken: enrollToken, AdminToken: enrollToken},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
