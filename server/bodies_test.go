package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// Refused bodies store nothing: no machine, no inventory change, no history.
func TestRefusedBodies(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
	good, _ := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(1)})
	big := testinv.Machine(2)
	for i := 0; i < 6; i++ {
		big.PCI.Devices = append(big.PCI.Devices, big.PCI.Devices...)
	}
	bigBody, _ := json.Marshal(api.RegisterRequest{Inventory: big})
	noID := testinv.Machine(4)
	noID.Identity, noID.System, noID.Network = inventory.Identity{}, nil, nil
	oldSchema := testinv.Machine(5)
	oldSchema.SchemaVersion = "hwagent.inventory/v0"
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"malformed", good[:len(good)/2], 400, api.CodeInvalidBody},
		{"not JSON", []byte("inventory=1"), 400, api.CodeInvalidBody},
		{"unknown top-level field", bytes.Replace(good, []byte(`{"inventory"`), []byte(`{"extra":1,"inventory"`), 1), 400, api.CodeInvalidBody},
		{"unknown nested field", bytes.Replace(good, []byte(`"serial":"`), []byte(`"seriall":"x","serial":"`), 1), 400, api.CodeInvalidBody},
		{"wrong type", bytes.Replace(good, []byte(`"total_bytes":99107631104`), []byte(`"total_bytes":"96 GiB"`), 1), 400, api.CodeInvalidBody},
		{"negative size", bytes.Replace(good, []byte(`"total_bytes":99107631104`), []byte(`"total_bytes":-1`), 1), 400, api.CodeInvalidBody},
		{"two documents", []byte(`{"inventory":null} {"inventory":null}`), 400, api.CodeInvalidBody},
		{"empty", nil, 400, api.CodeInvalidBody},
		{"null inventory", []byte(`{"inventory":null}`), 400, api.CodeInvalidBody},
		{"wrong schema", js(api.RegisterRequest{Inventory: oldSchema}), 400, api.CodeInvalidBody},
		{"no identity", js(api.RegisterRequest{Inventory: noID}), 400, api.CodeNoIdentity},
		{"oversized", bigBody, 413, api.CodeTooLarge},
	}
	if len(bigBody) <= 64<<10 {
		t.Fatalf("oversized body is only %d bytes", len(bigBody))
	}
	for _, tt := range tests {
		e := f.call("POST", api.PathRegister, enrollToken, tt.body, tt.status, nil)
		if e.Code != tt.code {
			t.Errorf("%s: code %q (%s), want %q", tt.name, e.Code, e.Message, tt.code)
		}
	}
	if n := f.count(); n != 0 {
		t.Fatalf("%d machines stored after refused registrations", n)
	}

	// The same for a registered machine's check-ins and uploads.
	reg := f.register(testinv.Machine(1))
	var before api.Machine
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 200, &before)
	inv := fmt.Sprintf(api.PathInventoryFmt, reg.MachineID)
	for _, tt := range tests {
		// The upload's body has the same shape as the registration's.
		if e := f.call("PUT", inv, reg.Credential, tt.body, tt.status, nil); e.Code != tt.code {
			t.Errorf("upload %s: code %q, want %q", tt.name, e.Code, tt.code)
		}
	}
	checkin := fmt.Sprintf(api.PathCheckinFmt, reg.MachineID)
	for name, body := range map[string]string{
		"state with spaces":    `{"state":"rm -rf"}`,
		"digest not hex":       `{"state":"registered","inventory_digest":"xyz"}`,
		"negative uptime":      `{"state":"registered","uptime_seconds":-5}`,
		"uptime as a string":   `{"state":"registered","uptime_seconds":"5"}`,
		"unknown field":        `{"state":"registered","action":"release"}`,
		"ack not an action ID": `{"state":"registered","acks_actions":true,"ack_action_id":"reboot"}`,
		"acks as a string":     `{"state":"registered","acks_actions":"yes"}`,
		"agent version > 128":  `{"agent_version":"` + strings.Repeat("v", 129) + `"}`,
		"oversized":            `{"agent_version":"` + strings.Repeat("v", 70<<10) + `"}`,
	} {
		status := 400
		if name == "oversized" {
			status = 413
		}
		f.call("POST", checkin, reg.Credential, []byte(body), status, nil)
	}
	// An operator's body goes through http.MaxBytesReader, not the
	// intake: too large is a 413 the client reads all the same.
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, bigBody, 413, nil)
	f.call("POST", fmt.Sprintf(api.PathApproveFmt, reg.MachineID), adminToken, bigBody, 413, nil)
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, []byte(`{"action":"format_disks"}`), 400, nil)
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, []byte(`{"action":"reboot","when":"now"}`), 400, nil)
	var after api.Machine
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 200, &after)
	if after.LastSeen != before.LastSeen || after.InventoryDigest != before.InventoryDigest || after.State != before.State || after.PendingAction != "" {
		t.Errorf("refused calls changed the machine: before %+v after %+v", before, after)
	}
	var h api.History
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil, 200, &h)
	if len(h.Changes) != 1 {
		t.Errorf("history after refused calls: %+v", h.Changes)
	}
}

func TestRoutingErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	status, hdr, body := f.do("GET", api.PathRegister, enrollToken, nil)
	if status != 405 || hdr.Get("Allow") != "POST" || !bytes.Contains(body, []byte(`"code":"method_not_allowed"`)) {
		t.Errorf("GET /v1/register: %d Allow=%q %s", status, hdr.Get("Allow"), body)
	}
	status, _, body = f.do("GET", "/v2/register", "", nil)
	if status != 404 || !bytes.Contains(body, []byte(`"code":"not_found"`)) {
		t.Errorf("GET /v2/register: %d %s", status, body)
	}
	for _, q := range []string{"?colour=red", "?limit=0", "?limit=abc", "?seen_since=yesterday", "?state=a&state=b"} {
		f.call("GET", api.PathMachines+q, adminToken, nil, 400, nil)
	}
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, "m-000000000000000000000000"), adminToken, nil, 404, nil)
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, "m-000000000000000000000000"), adminToken, api.ActionRequest{Action: "reboot"}, 404, nil)
	f.call("DELETE", fmt.Sprintf(api.PathMachineFmt, "m-000000000000000000000000"), adminToken, nil, 404, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		f.call("GET", p, "", nil, 200, nil)
	}
}

// blockingStore holds every registration until release is closed, so that
// a test can keep the processing slots busy.
type blockingStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) Register(ctx context.Context, in store.Registration) (store.RegisterResult, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.Store.Register(ctx, in)
}

// A registration that cannot get a slot in time is answered 429 with
// Retry-After.
func TestOverload(t *testing.T) {
	t.Parallel()
	blocked := &blockingStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	f := newFixture(t, func(c *Config) {
		c.MaxHeavy = 1
		c.QueueTimeout = 100 * time.Millisecond
		blocked.Store = c.Store
		c.Store = blocked
	})
	// A registration being processed holds the only slot.
	held := make(chan int)
	go func() {
		status, _, _ := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(1)})
		held <- status
	}()
	<-blocked.entered
	status, hdr, _ := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(2)})
	if status != 429 {
		t.Fatalf("status %d while the only slot was held, want 429", status)
	}
	if s, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || s < 1 || s > 5 {
		t.Errorf("429 with Retry-After %q, want 1-5 s", hdr.Get("Retry-After"))
	}
	close(blocked.release)
	if s := <-held; s != 200 {
		t.Fatalf("the held registration: status %d", s)
	}
	status, _, body := f.do("GET", "/metrics", "", nil)
	if status != 200 || !bytes.Contains(body, []byte(`hwagent_server_overloaded_total{route="POST /v1/register"}`)) ||
		!bytes.Contains(body, []byte(`hwagent_server_registrations_total{result="overloaded"}`)) {
		t.Errorf("metrics do not count the 429:\n%s", body)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	old := f.register(testinv.Machine(1))
	reg := f.register(testinv.Machine(1))
	f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), old.Credential, api.CheckinRequest{State: "released"}, 401, nil)
	f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential, api.CheckinRequest{State: "released"}, 200, nil)
	f.call("POST", api.PathRegister, "", nil, 401, nil)
	status, _, body := f.do("GET", "/metrics", "", nil)
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`hwagent_server_registrations_total{result="created"} 1`,
		`hwagent_server_registrations_total{result="updated"} 1`,
		`hwagent_server_registrations_total{result="unauthorized"} 1`,
		`hwagent_server_checkins_total{result="unauthorized"} 1`,
		`hwagent_server_checkins_total{result="send_inventory"} 1`,
		`hwagent_server_machines{state="registered"} 0`,
		`hwagent_server_machines{state="released"} 1`,
		`hwagent_server_machines_count_success 1`,
		`hwagent_server_request_duration_seconds_count{code="200",route="POST /v1/register"} 2`,
		`process_resident_memory_bytes`,
		`go_goroutines`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
