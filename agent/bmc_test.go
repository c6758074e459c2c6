package agent

import (
	"context"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

// bmcServer is the reference server in-process, with a BMC credentials
// policy whose checks go to bmcAddr, on SQLite in a temporary directory.
type bmcServer struct {
	url, dsn string
	logs     *testutil.LockedBuffer
	// key is the seal key's public half, as agents pin it.
	key string
	// caFile is the test CA the TLS server's certificate chains to
	// (startBMCServerTLS), "" for plain HTTP; hc reaches the server.
	caFile string
	hc     *http.Client
}

func startBMCServer(t *testing.T, bmcAddr string) *bmcServer {
	t.Helper()
	return startBMCServerOn(t, "sqlite", bmcAddr)
}

// startBMCServerOn is startBMCServer on a database of the kind: sqlite or
// postgres.
func startBMCServerOn(t *testing.T, kind, bmcAddr string) *bmcServer {
	t.Helper()
	return startBMCServerWith(t, kind, bmcAddr, false)
}

// startBMCServerTLS is startBMCServer over https with a test CA.
func startBMCServerTLS(t *testing.T, bmcAddr string) *bmcServer {
	t.Helper()
	return startBMCServerWith(t, "sqlite", bmcAddr, true)
}

func startBMCServerWith(t *testing.T, kind, bmcAddr string, useTLS bool) *bmcServer {
	t.Helper()
	dir := t.TempDir()
	key, err := bmcseal.WriteKeyFile(filepath.Join(dir, "seal.key"))
	if err != nil {
		t.Fatal(err)
	}
	dsn := database(t, kind)
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &testutil.LockedBuffer{}
	srv, err := server.New(server.Config{
		Store: st, EnrollToken: enrollToken, AdminToken: adminToken, CheckinInterval: time.Second,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BMC: &server.BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key,
			Address: func(api.Machine) string { return bmcAddr }},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !useTLS {
		hs := httptest.NewServer(srv)
		t.Cleanup(hs.Close)
		return &bmcServer{url: hs.URL, dsn: dsn, logs: logs, key: key.Public(), hc: hs.Client()}
	}
	hs := httptest.NewTLSServer(srv)
	t.Cleanup(hs.Close)
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &bmcServer{url: hs.URL, dsn: dsn, logs: logs, key: key.Public(), caFile: ca, hc: hs.Client()}
}

// contents is every byte the server's database holds, as text: the SQLite
// file and its WAL, or every row of every PostgreSQL table.
func (s *bmcServer) contents(t *testing.T) string {
	t.Helper()
	if file, ok := strings.CutPrefix(s.dsn, "sqlite://"); ok {
		db, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wal, _ := os.ReadFile(file + "-wal")
		return string(db) + string(wal)
	}
	db, err := sql.Open("pgx", s.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rs, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rs.Next() {
		var name string
		if err := rs.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rs.Close()
	if len(tables) < 5 {
		t.Fatalf("PostgreSQL tables: %v", tables)
	}
	var all strings.Builder
	for _, table := range tables {
		var rows sql.NullString
		if err := db.QueryRow(`SELECT string_agg(t::text, E'\n') FROM "` + table + `" t`).Scan(&rows); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		all.WriteString(rows.String + "\n")
	}
	if !strings.Contains(all.String(), "hwagent") {
		t.Fatalf("the PostgreSQL dump lacks the BMC user: %.200s", all.String())
	}
	return all.String()
}

func (s *bmcServer) get(t *testing.T, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func (s *bmcServer) machine(t *testing.T) *api.Machine {
	t.Helper()
	var l api.MachineList
	if st := s.get(t, api.PathMachines, &l); st != 200 || len(l.Machines) > 1 {
		t.Fatalf("list: %d %+v", st, l)
	}
	if len(l.Machines) == 0 {
		return nil
	}
	return &l.Machines[0]
}

func runAgent(t *testing.T, s setup) (*testutil.LockedBuffer, context.CancelFunc) {
	t.Helper()
	s.logs = &testutil.LockedBuffer{}
	a := newAgent(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }() //nolint:errcheck // ended by cancel
	t.Cleanup(func() { cancel(); <-done })
	return s.logs, cancel
}

// TestBMCProvisioningIPMISim is the whole agent mode against a real BMC:
// the server's registration answer asks for user hwagent; the agent
// creates it on OpenIPMI's ipmi_sim (through the simulator's command
// handlers) with a password it generated, sends it sealed; the server
// logs in over RMCP+ and records the verification; ipmitool -I lanplus
// logs in with the revealed password, the existing admin still does. A
// rotation replaces the password: the old one stops working, the new one
// works. No password appears in either log, in /metrics or in the
// database file.
func TestBMCProvisioningIPMISim(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			bmcProvisioningIPMISim(t, kind)
		})
	}
}

func bmcProvisioningIPMISim(t *testing.T, kind string) {
	lab.Need(t, lab.IPMISimulator)
	sim := lab.StartIPMISim(t, lab.TestBMC())
	srv := startBMCServerOn(t, kind, sim.LANAddr)
	agentLogs, _ := runAgent(t, setup{url: srv.url, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
		o.BMCSealKey = srv.key // plain HTTP: the server's key pinned
		o.OpenBMC = func() (ipmi.Device, error) { return sim.Device(t), nil }
	}})
	ctx := t.Context()

	verified := func(after time.Time) *api.Machine {
		var m *api.Machine
		waitFor(t, "a verified BMC password", func() bool {
			m = srv.machine(t)
			return m != nil && m.BMCCredentials != nil && m.BMCCredentials.Verification == "verified" &&
				m.BMCCredentials.PasswordSetAt != nil && m.BMCCredentials.PasswordSetAt.After(after)
		})
		return m
	}
	m := verified(time.Time{})
	st := m.BMCCredentials
	if st.User != "hwagent" || st.Slot != 3 || st.Channel != 1 || st.Status != "ok" || st.VerifiedAt == nil || st.VerifyAddress != sim.LANAddr {
		t.Errorf("BMC credentials status %+v", st)
	}
	var creds api.BMCCredentials
	if code := srv.get(t, "/v1/machines/"+m.ID+"/bmc-credentials", &creds); code != 200 || len(creds.Password) != 16 || creds.User != "hwagent" {
		t.Fatalf("reveal: %d %+v", code, creds.User)
	}
	if _, err := sim.Lanplus(ctx, "hwagent", creds.Password, "ADMINISTRATOR", "mc", "info"); err != nil {
		t.Errorf("ipmitool -I lanplus with the stored password: %v", err)
	}
	if _, err := sim.Lanplus(ctx, "admin", "password", "ADMINISTRATOR", "mc", "info"); err != nil {
		t.Errorf("the existing admin no longer logs in: %v", err)
	}

	// Rotation.
	rotated := time.Now()
	req, _ := http.NewRequest(http.MethodPut, srv.url+"/v1/machines/"+m.ID+"/action", strings.NewReader(`{"action":"rotate_bmc_password"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("rotate: %v %v", resp, err)
	}
	resp.Body.Close()
	verified(rotated)
	var creds2 api.BMCCredentials
	srv.get(t, "/v1/machines/"+m.ID+"/bmc-credentials", &creds2)
	if creds2.Password == creds.Password || len(creds2.Password) != 16 {
		t.Fatal("rotation kept the password")
	}
	if _, err := sim.Lanplus(ctx, "hwagent", creds2.Password, "ADMINISTRATOR", "mc", "info"); err != nil {
		t.Errorf("the rotated password does not log in: %v", err)
	}
	if _, err := sim.Lanplus(ctx, "hwagent", creds.Password, "ADMINISTRATOR", "mc", "info"); err == nil {
		t.Errorf("the old password still logs in after the rotation")
	}
	if m2 := srv.machine(t); m2.BMCCredentials.Slot != 3 {
		t.Errorf("rotation moved the user to slot %d", m2.BMCCredentials.Slot)
	}

	var metrics strings.Builder
	mresp, err := http.Get(srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&metrics, mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(metrics.String(), `hwagent_server_bmc_verifications_total{result="verified"} 2`) {
		t.Errorf("metrics lack two verifications")
	}
	db := srv.contents(t)
	for _, pw := range []string{creds.Password, creds2.Password} {
		for where, text := range map[string]string{"agent log": agentLogs.String(), "server log": srv.logs.String(), "/metrics": metrics.String(),
			"database": db} {
			if strings.Contains(text, pw) {
				t.Errorf("a BMC password appears in the %s", where)
			}
		}
	}
	if !strings.Contains(agentLogs.String(), "BMC credentials provisioned") || !strings.Contains(srv.logs.String(), "BMC password revealed") {
		t.Errorf("missing log lines:\nagent: %s\nserver: %s", agentLogs, srv.logs)
	}
}

// TestBMCProvisioningFailures: a BMC that refuses user commands, one with
// no free slot and one whose LAN channel is disabled each leave a clear
// status on the server, and the machine is registered all the same.
func TestBMCProvisioningFailures(t *testing.T) {
	t.Parallel()
	full := ipmitest.NewIPMISimUsers()
	full.MaxUsers = 8
	for id := uint8(3); id <= 8; id++ {
		full.SetUser(id, ipmitest.UserSlot{Name: "taken" + string(rune('0'+id)), Enabled: true})
	}
	disabled := ipmitest.NewIPMISimUsers()
	disabled.ChannelAccess[1] = ipmi.ChannelAccess{Mode: ipmi.AccessDisabled, Privilege: ipmi.PrivilegeAdministrator}
	tests := []struct {
		name     string
		bmc      ipmi.Device
		status   string
		errPart  string
		changesv string
	}{
		{"refuses user commands", &ipmitest.BMC{}, "refused", "completion code 0xc1 invalid command", ""},
		{"no free slot", full, "no_free_slot", "no free BMC user slot: slots 3-8 are named or enabled", ""},
		{"LAN channel disabled", disabled, "ok", "", "channel 1 (non-volatile): access disabled → always available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startBMCServer(t, "127.0.0.1:9") // nothing answers there
			logs, _ := runAgent(t, setup{url: srv.url, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
				o.BMCSealKey = srv.key
				o.OpenBMC = func() (ipmi.Device, error) { return tt.bmc, nil }
			}})
			var m *api.Machine
			waitFor(t, "a BMC report", func() bool {
				m = srv.machine(t)
				return m != nil && m.BMCCredentials != nil
			})
			st := m.BMCCredentials
			if m.State != api.StateRegistered || st.Status != tt.status || !strings.Contains(st.Error, tt.errPart) {
				t.Errorf("machine %s state %s, BMC %+v; want status %s with %q", m.ID, m.State, st, tt.status, tt.errPart)
			}
			if tt.status != "ok" && st.PasswordSetAt != nil {
				t.Errorf("a password was stored for a failed provisioning")
			}
			if tt.changesv != "" {
				var h api.History
				srv.get(t, "/v1/machines/"+m.ID+"/history", &h)
				b, _ := json.Marshal(h)
				if !strings.Contains(string(b), tt.changesv) {
					t.Errorf("history lacks %q: %s", tt.changesv, b)
				}
				// The check over RMCP+ goes nowhere: unreachable, said so.
				waitFor(t, "the check", func() bool {
					m = srv.machine(t)
					return m.BMCCredentials.Verification == "unreachable"
				})
			}
			// The agent logs the outcome once the server took the report.
			waitFor(t, "the agent's log line on the outcome", func() bool {
				return strings.Contains(logs.String(), "BMC credentials")
			})
		})
	}
}
