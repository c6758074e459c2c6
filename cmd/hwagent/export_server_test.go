package main

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/client/clienttest"
	"github.com/hwagent/hwagent/server/store/sqlstore"
)

// TestExportFromServerWithMutualTLS: `hwagent export --server` reaches a
// real server that requires a client certificate, with the same TLS flags
// as the agent and `hwagent machines`, and exports what the files give.
func TestExportFromServerWithMutualTLS(t *testing.T) {
	t.Parallel()
	const enroll, admin = "enroll-token-0123456789", "admin-token-0123456789abc"
	dir := t.TempDir()
	pki, err := clienttest.WritePKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "hwagent.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Config{Store: st, EnrollToken: enroll, AdminToken: admin})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pki.CAPool(), MinVersion: tls.VersionTLS12}
	ts.StartTLS()
	t.Cleanup(ts.Close)

	mtls := client.TLSOptions{CAFile: pki.CA, CertFile: pki.ClientCert, KeyFile: pki.ClientKey}
	agent, err := client.New(client.Options{Server: ts.URL, EnrollmentToken: enroll, TLS: mtls})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := source.FileRefs([]string{exportTestdata + "/fleet"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		inv, err := r.Load()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := agent.Register(context.Background(), inv); err != nil {
			t.Fatalf("register %s: %v", r.Name, err)
		}
	}
	tokenFile := filepath.Join(dir, "admin")
	if err := os.WriteFile(tokenFile, []byte(admin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	base := []string{"export", "hardware-csv", "--plan", exportTestdata + "/plans/basic.yaml", "--server", ts.URL, "--admin-token-file", tokenFile}
	stdout, stderr, err := runCLI(t, append(base, "--ca", pki.CA, "--client-cert", pki.ClientCert, "--client-key", pki.ClientKey)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want, err := os.ReadFile(exportTestdata + "/golden/basic.csv")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), stdout); diff != "" {
		t.Errorf("hardware.csv from the server (-files' golden +server):\n%s", diff)
	}

	for _, tc := range []struct {
		name, want string
		flags      []string
	}{
		{"no client certificate", "certificate required", []string{"--ca", pki.CA}},
		{"no CA", "certificate signed by unknown authority", []string{"--client-cert", pki.ClientCert, "--client-key", pki.ClientKey}},
		{"another CA", "certificate signed by unknown authority", []string{"--ca", pki.OtherCA, "--client-cert", pki.ClientCert, "--client-key", pki.ClientKey}},
	} {
		_, _, err := runCLI(t, append(base, tc.flags...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), admin) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}
