package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/bmcverify"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

func sealKey(t *testing.T) *bmcseal.Key {
	t.Helper()
	k, err := bmcseal.WriteKeyFile(filepath.Join(t.TempDir(), "seal.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sealed seals a BMC secret to key the way the agent does.
func sealed(t *testing.T, key *bmcseal.Key, sec api.BMCSecret) string {
	t.Helper()
	b, _ := json.Marshal(sec)
	s, err := bmcseal.Seal(key.Public(), b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestBMCReports checks what the server accepts from an agent and when
// it asks for a BMC user. The RMCP+ check is the real bmcverify, aimed at a
// port nothing answers (unreachable); the ipmi_sim checks are in
// agent.TestBMCProvisioningIPMISim and the e2e.
func TestBMCReports(t *testing.T) {
	t.Parallel()
	key := sealKey(t)
	f := newFixture(t, func(c *Config) {
		c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
			Address: func(api.Machine) string { return "127.0.0.1:9" }}
	})
	reg := f.register(testinv.Machine(1))
	req := reg.Config.BMCCredentials
	if req == nil || req.User != "hwagent" || req.Privilege != "administrator" || req.SealKey != key.Public() {
		t.Fatalf("registration answer asks %+v", req)
	}
	path := "/v1/machines/" + reg.MachineID + "/bmc-credentials"
	ok := func(sec string) api.BMCCredentialsReport {
		return api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, SealedPassword: sec}
	}
	other := sealKey(t)
	for _, tc := range []struct {
		name string
		rep  api.BMCCredentialsReport
		msg  string
	}{
		{"another machine's box", ok(sealed(t, key, api.BMCSecret{MachineID: "m-000000000000000000000000", User: "hwagent", Password: "Pw0123456789abcd"})), "sealed for another machine or user"},
		{"another user in the box", ok(sealed(t, key, api.BMCSecret{MachineID: reg.MachineID, User: "root", Password: "Pw0123456789abcd"})), "sealed for another machine or user"},
		{"another key", ok(sealed(t, other, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "Pw0123456789abcd"})), "does not open with this server's seal key"},
		{"a password with a space", ok(sealed(t, key, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "a b"})), "not 1-20 printable ASCII"},
		{"ok without a box", ok(""), "required with status ok"},
		{"bad status", api.BMCCredentialsReport{Status: "OK!", User: "hwagent"}, "field status"},
		{"bad user", api.BMCCredentialsReport{Status: "refused", User: "no spaces allowed"}, "field user"},
		{"too many changes", api.BMCCredentialsReport{Status: "refused", User: "hwagent", Changes: make([]string, 65)}, "more than 64"},
	} {
		e := f.call("PUT", path, reg.Credential, tc.rep, 400, nil)
		if !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %q, want %q", tc.name, e.Message, tc.msg)
		}
	}
	// The admin token is not a machine credential.
	f.call("PUT", path, adminToken, ok(""), 401, nil)

	// A failed provisioning is recorded and asked again at the next
	// registration.
	f.call("PUT", path, reg.Credential, api.BMCCredentialsReport{Status: "no_free_slot", Error: "no free BMC user slot", User: "hwagent", Privilege: "administrator"}, 204, nil)
	reg = f.register(testinv.Machine(1))
	if reg.Config.BMCCredentials == nil {
		t.Error("not asked again after a failed provisioning")
	}
	// A stored password: not asked again; revealed to the admin, logged.
	box := sealed(t, key, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "Pw0123456789abcd"})
	f.call("PUT", path, reg.Credential, ok(box), 204, nil)
	if again := f.register(testinv.Machine(1)); again.Config.BMCCredentials != nil {
		t.Error("asked again although the server holds a password")
	}
	var creds api.BMCCredentials
	f.call("GET", path, adminToken, nil, 200, &creds)
	if creds.User != "hwagent" || creds.Password != "Pw0123456789abcd" || creds.MachineID != reg.MachineID {
		t.Errorf("reveal %+v", creds.User)
	}
	if !strings.Contains(f.logs.String(), "BMC password revealed") || strings.Contains(f.logs.String(), "Pw0123456789abcd") {
		t.Errorf("reveal log:\n%s", f.logs)
	}
	f.call("GET", path, enrollToken, nil, 401, nil)
	// The check on demand: nothing answers at 127.0.0.1:9.
	var st api.BMCCredentialsStatus
	f.call("POST", path+"/verify", adminToken, nil, 200, &st)
	if st.Verification != bmcverify.Unreachable || st.VerifyAddress != "127.0.0.1:9" || st.VerifiedAt != nil {
		t.Errorf("verify: %+v", st)
	}
	// A password that stopped working is asked for again.
	err := f.st.SetBMCVerification(context.Background(), reg.MachineID, store.BMCVerification{Sealed: box, Result: bmcverify.WrongPassword, BMCIP: testinv.Machine(1).BMC.LAN[0].IPv4, Now: st.ReportedAt})
	if err != nil {
		t.Fatal(err)
	}
	if again := f.register(testinv.Machine(1)); again.Config.BMCCredentials == nil {
		t.Error("not asked again after the BMC refused the stored password")
	}
}

func TestBMCWithoutPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	reg := f.register(testinv.Machine(2))
	if reg.Config.BMCCredentials != nil {
		t.Error("a server without a policy asks for a BMC user")
	}
	e := f.call("PUT", "/v1/machines/"+reg.MachineID+"/bmc-credentials", reg.Credential, api.BMCCredentialsReport{Status: "refused", User: "hwagent"}, 409, nil)
	if !strings.Contains(e.Message, "no BMC credentials policy") {
		t.Errorf("report: %q", e.Message)
	}
	e = f.call("PUT", "/v1/machines/"+reg.MachineID+"/action", adminToken, api.ActionRequest{Action: api.ActionRotateBMCPassword}, 409, nil)
	if !strings.Contains(e.Message, "no BMC password to rotate") {
		t.Errorf("rotate: %q", e.Message)
	}
	f.call("GET", "/v1/machines/"+reg.MachineID+"/bmc-credentials", adminToken, nil, 404, nil)
}

func TestBMCPolicyValidation(t *testing.T) {
	t.Parallel()
	st := openStore(t, "sqlite")
	key := sealKey(t)
	for _, p := range []BMCPolicy{
		{User: "", Privilege: "administrator", Key: key},
		{User: "hwagent", Privilege: "user", Key: key},
		{User: "hwagent", Privilege: "administrator"},
		{User: "hwagent", Privilege: "administrator", Key: key, Channel: 12},
	} {
		if _, err := New(Config{Store: st, EnrollToken: enrollToken, BMC: &p}); err == nil {
			t.Errorf("policy %+v accepted", p)
		}
	}
}

// TestBMCAddressFromTheMachine: the address the server logs in to comes
// from the machine's own inventory. Only one unicast IP address is ever
// contacted, on port 623: a name (the server would resolve it), a port,
// loopback, multicast, broadcast or unspecified addresses are recorded as
// no_address and never contacted.
func TestBMCAddressFromTheMachine(t *testing.T) {
	t.Parallel()
	key := sealKey(t)
	var mu sync.Mutex
	var contacted []string
	f := newFixture(t, func(c *Config) {
		c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
			Verify: func(_ context.Context, tg bmcverify.Target) bmcverify.Result {
				mu.Lock()
				defer mu.Unlock()
				contacted = append(contacted, tg.Address)
				return bmcverify.Result{Class: bmcverify.Unreachable, Address: tg.Address}
			}}
	})
	for i, tc := range []struct{ reported, want string }{
		{"ssrf-probe.invalid", ""},
		{"10.20.0.11:8080", ""},
		{"127.0.0.1", ""},
		{"0.0.0.0", ""},
		{"224.0.0.1", ""},
		{"255.255.255.255", ""},
		{"169.254.1.1", ""},
		{"10.20.0.11", "10.20.0.11"},
		{"2001:db8::11", "2001:db8::11"},
	} {
		inv := testinv.Machine(60 + i)
		inv.BMC.LAN[0].IPv4 = tc.reported
		reg := f.register(inv)
		path := "/v1/machines/" + reg.MachineID + "/bmc-credentials"
		box := sealed(t, key, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "Pw0123456789abcd"})
		mu.Lock()
		contacted = nil
		mu.Unlock()
		f.call("PUT", path, reg.Credential, api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, SealedPassword: box}, 204, nil)
		var st api.BMCCredentialsStatus
		f.call("POST", path+"/verify", adminToken, nil, 200, &st)
		mu.Lock()
		got := contacted
		mu.Unlock()
		for _, a := range got {
			if a != tc.want {
				t.Errorf("BMC address %q: the server contacted %q", tc.reported, a)
			}
		}
		switch {
		case tc.want == "" && (st.Verification != "no_address" || !strings.Contains(st.VerifyError, "not one unicast IP address")):
			t.Errorf("BMC address %q: verification %q (%s), want no_address naming the address", tc.reported, st.Verification, st.VerifyError)
		case tc.want != "" && (st.Verification != bmcverify.Unreachable || len(got) == 0):
			t.Errorf("BMC address %q: verification %q after %v, want it checked", tc.reported, st.Verification, got)
		}
	}
}

// TestBMCHeldRegistration: a registration held for approval is not asked
// for a BMC user (its agent would change the BMC's password for a
// registration that may never be approved), and a report with its
// credential is 409 pending_approval, never a 200 that stored nothing.
func TestBMCHeldRegistration(t *testing.T) {
	t.Parallel()
	key := sealKey(t)
	f := newFixture(t, func(c *Config) {
		c.Reenroll = reenroll.Approve{}
		c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
			Address: func(api.Machine) string { return "127.0.0.1:9" }}
	})
	first := f.register(testinv.Machine(70))
	if first.Config.BMCCredentials == nil {
		t.Fatal("a new machine is not asked for a BMC user")
	}
	var held api.RegisterResponse
	f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.MachineWith(70, testinv.Options{BIOSVersion: "6.6.1"})}, 202, &held)
	if !held.PendingApproval {
		t.Fatalf("held registration answer: %+v", held)
	}
	if held.Config.BMCCredentials != nil {
		t.Errorf("a held registration is asked for a BMC user: %+v", held.Config.BMCCredentials)
	}
	box := sealed(t, key, api.BMCSecret{MachineID: held.MachineID, User: "hwagent", Password: "Pw0123456789abcd"})
	e := f.call("PUT", "/v1/machines/"+held.MachineID+"/bmc-credentials", held.Credential,
		api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, SealedPassword: box}, 409, nil)
	if e.Code != api.CodePendingApproval {
		t.Errorf("report with a held credential: %+v", e)
	}
	if _, err := f.st.BMCCredentials(context.Background(), held.MachineID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("BMC credentials after the held report: %v, want none", err)
	}
}

// TestBMCReportNUL: IPMI user names are NUL-padded 16-byte fields, so an
// agent's error quoting one carries NUL, as can a BMC's answer the check
// quotes. PostgreSQL's text holds no NUL: a report was a 500 there (which
// the agent retries) and stored verbatim on SQLite. Both stores now keep
// the report with U+FFFD for NUL, as every other column does
// (store.ColumnText), and give the same answers.
func TestBMCReportNUL(t *testing.T) {
	t.Parallel()
	got := map[string][]any{}
	for _, kind := range storeKinds {
		key := sealKey(t)
		f := newFixtureOn(t, kind, func(c *Config) {
			c.BMC = &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
				Address: func(api.Machine) string { return "10.99.7.1" },
				Verify: func(_ context.Context, tg bmcverify.Target) bmcverify.Result {
					return bmcverify.Result{Class: bmcverify.WrongPassword, Address: tg.Address + "\x00:623",
						Err: errors.New("user \"hwagent\x00\x00\": RAKP 2: unauthorized name")}
				}}
		})
		reg := f.register(testinv.Machine(80))
		path := "/v1/machines/" + reg.MachineID + "/bmc-credentials"
		f.call("PUT", path, reg.Credential, api.BMCCredentialsReport{Status: "failed", User: "hwagent", Privilege: "administrator\x00",
			Error: "bad\x00thing", Changes: []string{"slot 3 was \"old\x00\x00\x00\""}}, 204, nil)
		var m api.Machine
		f.call("GET", "/v1/machines/"+reg.MachineID, adminToken, nil, 200, &m)
		if m.BMCCredentials == nil || m.BMCCredentials.Error != "bad\uFFFDthing" || m.BMCCredentials.Privilege != "administrator\uFFFD" {
			t.Errorf("%s: stored status %+v, want the error and privilege with U+FFFD for NUL", kind, m.BMCCredentials)
		}
		box := sealed(t, key, api.BMCSecret{MachineID: reg.MachineID, User: "hwagent", Password: "Pw0123456789abcd"})
		f.call("PUT", path, reg.Credential, api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1,
			SealedPassword: box, Changes: []string{"name of slot 3 \"\x00\" → \"hwagent\""}}, 204, nil)
		var st api.BMCCredentialsStatus
		f.call("POST", path+"/verify", adminToken, nil, 200, &st)
		if st.Verification != bmcverify.WrongPassword || st.VerifyError != "user \"hwagent\uFFFD\uFFFD\": RAKP 2: unauthorized name" ||
			st.VerifyAddress != "10.99.7.1\uFFFD:623" {
			t.Errorf("%s: verification %+v, want the BMC's error and address with U+FFFD for NUL", kind, st)
		}
		var h api.History
		f.call("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil, 200, &h)
		var lines []string
		for _, c := range h.Changes {
			if c.Kind == api.ChangeBMCCredentials || c.Kind == api.ChangeBMCVerified {
				lines = append(lines, c.Kind+": "+strings.Join(c.Details, " | "))
			}
		}
		got[kind] = []any{m.BMCCredentials.Error, st.Verification, st.VerifyError, st.VerifyAddress, lines}
	}
	want := []any{"bad\uFFFDthing", bmcverify.WrongPassword, "user \"hwagent\uFFFD\uFFFD\": RAKP 2: unauthorized name", "10.99.7.1\uFFFD:623", []string{
		"bmc_credentials: user \"hwagent\": failed | bad\uFFFDthing | slot 3 was \"old\uFFFD\uFFFD\uFFFD\"",
		"bmc_credentials: user \"hwagent\": ok (slot 3, channel 1) | name of slot 3 \"\uFFFD\" → \"hwagent\" | new password stored (sealed)",
		"bmc_verification: wrong_password at 10.99.7.1\uFFFD:623 | user \"hwagent\uFFFD\uFFFD\": RAKP 2: unauthorized name",
	}}
	for _, kind := range storeKinds {
		if diff := cmp.Diff(want, got[kind]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", kind, diff)
		}
	}
}
