package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// TestCLIRunReleaseExitsZero runs the hwagent binary in netboot mode against
// a real server: it registers, checks in, and exits 0 when released.
func TestCLIRunReleaseExitsZero(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	root := cliTree(t, "console=ttyS0 hw_addr=0c:c4:7a:13:38:78 worker_id=0c:c4:7a:13:38:78\n")
	p := startAgent(t, []string{"HWAGENT_TOKEN=" + enrollToken},
		"run", "--root", root, "--server", srv.URL, "--start-jitter", "0", "--lldp-wait", "0", "--backoff-base", "50ms")
	var m api.Machine
	waitFor(t, "a check-in", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			m = ms[0]
		}
		return len(ms) == 1 && m.AgentVersion != ""
	})
	// Tinkerbell's parameters reach the server, so the machine can be
	// matched to its Hardware.
	if m.WorkerID != "0c:c4:7a:13:38:78" || m.HWAddr != "0c:c4:7a:13:38:78" {
		t.Errorf("worker_id %q, hw_addr %q on the server", m.WorkerID, m.HWAddr)
	}
	srv.setAction(t, m.ID, api.ActionRelease)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := p.wait(t, ctx); code != 0 {
		t.Fatalf("hwagent run exited %d:\n%s", code, p.stderr.String())
	}
	if got, _ := srv.machine(t, m.ID); got.State != api.StateReleased {
		t.Errorf("state = %q, want released", got.State)
	}
	if !strings.Contains(p.stderr.String(), "released; exiting") {
		t.Errorf("log:\n%s", p.stderr.String())
	}
}

// TestCLIConfigPrecedence: flag > HWAGENT_* > kernel command line, with the
// real binary and server. Each source holds a value that would fail if a
// lower one won.
func TestCLIConfigPrecedence(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	root := cliTree(t, "console=ttyS0 hwagent.server=http://127.0.0.1:1 hwagent.token="+enrollToken+
		" hwagent.start-jitter=1h hwagent.register-timeout=1ms worker_id=0c:c4:7a:13:38:78\n")
	// HWAGENT_TOKEN stays unset: the token comes from the command line.
	env := []string{
		"HWAGENT_SERVER=" + srv.URL,    // env over the command line's dead server
		"HWAGENT_START_JITTER=0s",      // env over the command line's hour
		"HWAGENT_REGISTER_TIMEOUT=1ns", // the flag (1m) wins over this
	}
	p := startAgent(t, env, "register", "--root", root, "--register-timeout", "1m")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := p.wait(t, ctx); code != 0 {
		t.Fatalf("hwagent register exited %d:\n%s", code, p.stderr.String())
	}
	id := strings.TrimSpace(p.stdout.String())
	m, ok := srv.machine(t, id)
	if !ok {
		t.Fatalf("printed machine %q, which the server does not know", id)
	}
	if got := m.Inventory.Host.KernelCommandLine; strings.Contains(got, enrollToken) || !strings.Contains(got, "hwagent.token=[redacted]") {
		t.Errorf("kernel command line on the server = %q", got)
	}
	if m.Inventory.Agent.Mode != "register" || m.WorkerID != "0c:c4:7a:13:38:78" {
		t.Errorf("mode %q, worker_id %q", m.Inventory.Agent.Mode, m.WorkerID)
	}
	log := p.stderr.String()
	if !strings.Contains(log, `from_kernel_cmdline="[token]"`) && !strings.Contains(log, "from_kernel_cmdline=[token]") {
		t.Errorf("want only the token taken from the kernel command line:\n%s", log)
	}
	if strings.Contains(log, enrollToken) {
		t.Errorf("the token is in the log:\n%s", log)
	}
}

// TestCLITLS: a server with a private CA that requires client certificates.
func TestCLITLS(t *testing.T) {
	t.Parallel()
	pki, err := clienttest.WritePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0",
		"--tls-cert", pki.ServerCert, "--tls-key", pki.ServerKey, "--tls-client-ca", pki.CA)
	root := cliTree(t, "console=ttyS0\n")
	tests := []struct {
		name string
		args []string
		code int
		log  string
	}{
		{"private CA and client certificate", []string{"--ca", pki.CA, "--client-cert", pki.ClientCert, "--client-key", pki.ClientKey}, 0, "registered"},
		// TLS 1.3 reports the missing certificate after the handshake: an
		// attempt may fail with a broken pipe (retried) before one reads
		// the server's alert.
		{"no client certificate", []string{"--ca", pki.CA}, 1, "certificate required"},
		{"system roots", nil, 1, "certificate signed by unknown authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"register", "--root", root, "--server", srv.URL, "--start-jitter", "0", "--register-timeout", "30s", "--backoff-base", "50ms"}, tt.args...)
			p := startAgent(t, []string{"HWAGENT_TOKEN=" + enrollToken}, args...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			code := p.wait(t, ctx)
			if code != tt.code || !strings.Contains(p.stderr.String(), tt.log) {
				t.Errorf("exit %d, want %d with %q in:\n%s", code, tt.code, tt.log, p.stderr.String())
			}
		})
	}
}
