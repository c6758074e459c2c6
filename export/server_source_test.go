package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

const (
	enrollToken = "enroll-token-0123456789"
	adminToken  = "admin-token-0123456789abc"
)

// startServer runs the real hwagent server (SQLite store in a temp dir) in
// process and registers the fleet's inventories through its agent API. ids
// maps each document's identity.machine_id to the ID the server gave it.
func startServer(t *testing.T) (ts *httptest.Server, ids map[string]string) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "hwagent.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, EnrollToken: enrollToken, AdminToken: adminToken})
	if err != nil {
		t.Fatal(err)
	}
	ts = httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ids = map[string]string{}
	refs, err := source.FileRefs([]string{"testdata/fleet"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		inv, err := r.Load()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(api.RegisterRequest{Inventory: inv})
		req, _ := http.NewRequest(http.MethodPost, ts.URL+api.PathRegister, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+enrollToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var reg api.RegisterResponse
		err = json.NewDecoder(resp.Body).Decode(&reg)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			t.Fatalf("register %s: %s %v", r.Name, resp.Status, err)
		}
		ids[inv.Identity.MachineID] = reg.MachineID
	}
	return ts, ids
}

func newClient(t *testing.T, server string, token secret.Value) *client.Client {
	t.Helper()
	c, err := client.New(client.Options{Server: server, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Exporting from the server gives the same hardware.csv and manifests as
// exporting the same inventories from files, each machine named by the ID
// the server gave it (hwagent.io/machine-id). The server derives IDs
// itself, with its own placeholder rules: the Synology's UUID is AMI's
// template (a placeholder to this server, not to the agent that recorded
// it), so its ID comes from its MACs, not from the ID in its document.
func TestServerSource(t *testing.T) {
	t.Parallel()
	ts, ids := startServer(t)
	src := &source.ServerSource{Client: newClient(t, ts.URL, adminToken)}
	refs, err := src.Spool(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 8 || !strings.HasPrefix(refs[0].Name, "server:m-") {
		t.Fatalf("refs %+v", refs)
	}
	for _, tc := range []struct {
		mk   func(*bytes.Buffer, *plan.Plan) export.Writer
		file string
	}{{csvWriter, "basic.csv"}, {yamlWriter, "basic.yaml"}} {
		got, _, err := exportOnce(t, "basic.yaml", plan.MachineCredentials{}, refs, tc.mk)
		if err != nil {
			t.Fatal(err)
		}
		golden, err := os.ReadFile("testdata/golden/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		want := string(golden)
		for doc, srv := range ids {
			want = strings.ReplaceAll(want, doc, srv)
		}
		if diff := cmp.Diff(want, string(got)); diff != "" {
			t.Errorf("%s from the server differs from the files' (-files +server):\n%s", tc.file, diff)
		}
	}

	// Filters and paging.
	src.Query = url.Values{api.QueryVendor: {"lenovo"}, api.QueryLimit: {"1"}}
	refs, err = src.Spool(context.Background(), t.TempDir())
	if err != nil || len(refs) != 1 {
		t.Fatalf("vendor filter: %v %v", refs, err)
	}
	src.Query = url.Values{api.QueryLimit: {"2"}}
	if refs, err = src.Spool(context.Background(), t.TempDir()); err != nil || len(refs) != 8 {
		t.Fatalf("paging by 2: %d refs, %v", len(refs), err)
	}

	// A wrong token: the server's message, not the token.
	bad := &source.ServerSource{Client: newClient(t, ts.URL, "wrong-token-that-must-not-leak")}
	_, err = bad.Spool(context.Background(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "must-not-leak") {
		t.Errorf("wrong token: %v", err)
	}
}
