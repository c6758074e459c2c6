package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
)

// mitm is a man in the middle on a plain HTTP path to the server: it
// replaces the seal key in registration answers with its own and keeps
// every sealed password the agent reports.
type mitm struct {
	URL    string
	key    *bmcseal.Key
	mu     sync.Mutex
	sealed []string
}

func startMITM(t *testing.T, serverURL string) *mitm {
	t.Helper()
	key, err := bmcseal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	m := &mitm{key: key}
	target, _ := url.Parse(serverURL)
	forward := httputil.NewSingleHostReverseProxy(target)
	forward.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != api.PathRegister || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var answer api.RegisterResponse
		if json.Unmarshal(body, &answer) == nil && answer.Config.BMCCredentials != nil {
			answer.Config.BMCCredentials.SealKey = key.Public()
			body, _ = json.Marshal(answer)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return nil
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/bmc-credentials") {
			body, _ := io.ReadAll(r.Body)
			var rep api.BMCCredentialsReport
			if json.Unmarshal(body, &rep) == nil && rep.SealedPassword != "" {
				m.mu.Lock()
				m.sealed = append(m.sealed, rep.SealedPassword)
				m.mu.Unlock()
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	m.URL = hs.URL
	return m
}

// opened are the passwords the man in the middle could open.
func (m *mitm) opened() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, s := range m.sealed {
		if plain, err := m.key.Open(s); err == nil {
			out = append(out, string(plain))
		}
	}
	return out
}

// countingBMC counts the commands that reach the BMC.
type countingBMC struct {
	ipmi.Device
	n atomic.Int64
}

func (c *countingBMC) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	c.n.Add(1)
	return c.Device.Send(ctx, netfn, cmd, data)
}

// TestBMCSealKeyTrust: the seal key arrives in the registration answer,
// so over plain HTTP whoever answers in the server's name can send its
// own and read the password. The agent provisions only to a key it
// pinned (--bmc-seal-pubkey) or one an authenticated server (https, a
// verified certificate) sent; otherwise it reports why and never touches
// the BMC.
func TestBMCSealKeyTrust(t *testing.T) {
	t.Parallel()
	plain := func(t *testing.T) *bmcServer { return startBMCServer(t, "127.0.0.1:9") }
	secure := func(t *testing.T) *bmcServer { return startBMCServerTLS(t, "127.0.0.1:9") }
	for _, tc := range []struct {
		name   string
		start  func(*testing.T) *bmcServer
		mitm   bool
		pin    func(s *bmcServer) string
		tls    func(s *bmcServer) client.TLSOptions
		status string
	}{
		{name: "plain HTTP, a man in the middle, nothing pinned", start: plain, mitm: true, status: StatusSealKeyUntrusted},
		{name: "plain HTTP, nothing pinned", start: plain, status: StatusSealKeyUntrusted},
		{name: "plain HTTP, a man in the middle, the server's key pinned", start: plain, mitm: true,
			pin: func(s *bmcServer) string { return s.key }, status: StatusSealKeyMismatch},
		{name: "plain HTTP, the server's key pinned", start: plain, pin: func(s *bmcServer) string { return s.key }, status: "ok"},
		{name: "https, verified certificate", start: secure,
			tls: func(s *bmcServer) client.TLSOptions { return client.TLSOptions{CAFile: s.caFile} }, status: "ok"},
		{name: "https, --insecure-skip-verify", start: secure,
			tls: func(*bmcServer) client.TLSOptions { return client.TLSOptions{InsecureSkipVerify: true} }, status: StatusSealKeyUntrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := tc.start(t)
			url := srv.url
			var m *mitm
			if tc.mitm {
				m = startMITM(t, url)
				url = m.URL
			}
			bmc := &countingBMC{Device: ipmitest.NewIPMISimUsers()}
			s := setup{url: url, specs: defaultSpecs(nil, nil), mutate: func(o *Options) {
				o.OpenBMC = func() (ipmi.Device, error) { return bmc, nil }
				if tc.pin != nil {
					o.BMCSealKey = tc.pin(srv)
				}
			}}
			if tc.tls != nil {
				s.tls = tc.tls(srv)
			}
			logs, cancel := runAgent(t, s)
			var st *api.BMCCredentialsStatus
			waitFor(t, "the BMC report", func() bool {
				if m != nil && len(m.opened()) > 0 {
					return true // the server refuses that box (400): never stored
				}
				if mc := srv.machine(t); mc != nil && mc.BMCCredentials != nil {
					st = mc.BMCCredentials
					return true
				}
				return false
			})
			if tc.status != "ok" && st != nil {
				// The agent logs why once the server took the report:
				// the test may see the report first.
				waitFor(t, "the log line that says why", func() bool {
					return strings.Contains(logs.String(), "BMC credentials not provisioned: the seal key is not trusted")
				})
			}
			cancel()
			if m != nil {
				if got := m.opened(); len(got) > 0 {
					t.Fatalf("the man in the middle opened %d sealed password(s): %s", len(got), got[0])
				}
			}
			if st.Status != tc.status {
				t.Fatalf("reported %q (%s), want %q", st.Status, st.Error, tc.status)
			}
			switch tc.status {
			case "ok":
				if st.PasswordSetAt == nil || bmc.n.Load() == 0 {
					t.Errorf("provisioned: %+v after %d BMC commands", st, bmc.n.Load())
				}
			default:
				if st.PasswordSetAt != nil || bmc.n.Load() != 0 {
					t.Errorf("%s: password stored %v, %d commands reached the BMC; want none", tc.status, st.PasswordSetAt, bmc.n.Load())
				}
				if !strings.Contains(logs.String(), "BMC credentials not provisioned: the seal key is not trusted") {
					t.Errorf("no log line says why:\n%s", logs)
				}
			}
		})
	}
}
