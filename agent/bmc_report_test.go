package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// noPolicyAnswer is what a real server without a BMC credentials policy
// answers a BMC report (as after a restart without --bmc-user between
// the registration and the report): status and body.
func noPolicyAnswer(t *testing.T) (int, []byte) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "hwagent.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, EnrollToken: enrollToken, AdminToken: adminToken,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	send := func(method, path, token string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, hs.URL+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	status, b := send(http.MethodPost, api.PathRegister, enrollToken, api.RegisterRequest{Inventory: testinv.Machine(1)})
	var reg api.RegisterResponse
	if err := json.Unmarshal(b, &reg); status != 200 || err != nil {
		t.Fatalf("register: %d %s", status, b)
	}
	key, err := bmcseal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	box, _ := bmcseal.Seal(key.Public(), []byte("{}"))
	status, b = send(http.MethodPut, "/v1/machines/"+reg.MachineID+"/bmc-credentials", reg.Credential,
		api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1, SealedPassword: box})
	if status != http.StatusConflict {
		t.Fatalf("report to a server without a policy: %d %s, want 409", status, b)
	}
	return status, b
}

// TestBMCReportRefusedKeepsRunning: a BMC report the server refuses for
// good (here the 409 of a server without a BMC policy) is logged; the
// agent goes on checking in, as every other BMC failure: it never ends
// `hwagent run` (the machine stays registered and obeys its actions).
func TestBMCReportRefusedKeepsRunning(t *testing.T) {
	t.Parallel()
	status, body := noPolicyAnswer(t)
	srv := startBMCServer(t, "127.0.0.1:9")
	target, _ := url.Parse(srv.url)
	forward := httputil.NewSingleHostReverseProxy(target)
	var refused, checkinsAfter atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/bmc-credentials"):
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write(body)
			refused.Add(1)
			return
		case strings.HasSuffix(r.URL.Path, "/checkin") && refused.Load() > 0:
			checkinsAfter.Add(1)
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	logs, _ := runAgent(t, setup{url: proxy.URL, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
		o.BMCSealKey = srv.key
		o.OpenBMC = func() (ipmi.Device, error) { return ipmitest.NewIPMISimUsers(), nil }
	}})
	waitFor(t, "the refused BMC report", func() bool { return refused.Load() > 0 })
	waitFor(t, "check-ins after the refused report", func() bool { return checkinsAfter.Load() >= 2 })
	if !strings.Contains(logs.String(), "the BMC has a new password the server never received") {
		t.Errorf("the agent did not say the report failed:\n%s", logs)
	}
}
