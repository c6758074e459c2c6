package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/report/client/clienttest"
	"github.com/hwagent/hwagent/server/api"
)

func TestRedactCmdline(t *testing.T) {
	t.Parallel()
	keys := []string{"hwagent.token"}
	tests := []struct{ in, want string }{
		{"", ""},
		{"console=ttyS0 quiet", "console=ttyS0 quiet"},
		{"hwagent.server=https://10.0.2.2:8443 hwagent.token=s3cr3t quiet\n", "hwagent.server=https://10.0.2.2:8443 hwagent.token=[redacted] quiet\n"},
		{"hwagent.token=a hwagent.token=b", "hwagent.token=[redacted] hwagent.token=[redacted]"},
		{`msg="a b" hwagent.token="with space" x`, `msg="a b" hwagent.token=[redacted] x`},
		{`"hwagent.token=quoted whole"`, `hwagent.token=[redacted]`},
		{"hwagent.token", "hwagent.token"}, // bare flag: no value to hide
		{"hwagent.tokens=x xhwagent.token=y", "hwagent.tokens=x xhwagent.token=y"},
		{"a  \t hwagent.token=x", "a  \t hwagent.token=[redacted]"},
		{`hwagent.token="unterminated value`, `hwagent.token=[redacted]`},
	}
	for _, tt := range tests {
		if got := RedactCmdline(tt.in, keys); got != tt.want {
			t.Errorf("RedactCmdline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRedactCmdline(f *testing.F) {
	for _, s := range []string{
		"hwagent.token=s3cr3t quiet", `msg="a b" hwagent.token="x y"`, `"unterminated`,
		"mitigations=auto,no_guest_host,no_guest_guest console=ttyS0 quiet reboot=k panic=1 nomodule",
	} {
		f.Add(s, "s3cr3t")
	}
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		if strings.ContainsAny(secret, " \t\n\"") || secret == "" {
			return
		}
		line := prefix + " hwagent.token=" + secret + " "
		got := RedactCmdline(line, SecretParams)
		if !strings.Contains(got, "hwagent.token=[redacted]") && !strings.Contains(prefix, `"`) {
			t.Fatalf("RedactCmdline(%q) = %q: the token is not redacted", line, got)
		}
		if again := RedactCmdline(got, SecretParams); again != got {
			t.Fatalf("not idempotent: %q then %q", got, again)
		}
		if plain := RedactCmdline(prefix, nil); plain != prefix {
			t.Fatalf("no keys changed %q into %q", prefix, plain)
		}
	})
}

// TestNoSecretInLogsOrInventory runs the agent with everything logged at
// debug level and the enrollment token on the kernel command line, and
// checks that neither the token nor the machine credential appears in the
// log or in the inventory the server stores.
func TestNoSecretInLogsOrInventory(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	srv.Inject(clienttest.Fault{Path: "/v1/machines/", Status: 401, Code: api.CodeUnauthorized})
	logs := &logBuffer{}
	paths := hostTree(t, map[string]string{"proc/cmdline": "console=ttyS0 hwagent.server=" + srv.URL + " hwagent.token=" + enrollToken + " worker_id=0c:c4:7a:13:38:78\n"})
	a := newAgent(t, setup{srv: srv, paths: paths, specs: defaultSpecs(nil, nil), wait: time.Second, logs: logs})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := start(ctx, a)
	waitFor(t, "re-registration and the neighbours", func() bool {
		return len(srv.Machines()) == 1 && machine(t, srv).Registrations == 2 && machine(t, srv).InventoryPuts >= 1
	})
	if err := srv.SetAction(machine(t, srv).ID, api.ActionRelease); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil {
		t.Fatal(r.err)
	}
	m := machine(t, srv)
	if got := m.Inventory.Host.KernelCommandLine; got != "console=ttyS0 hwagent.server="+srv.URL+" hwagent.token=[redacted] worker_id=0c:c4:7a:13:38:78" {
		t.Errorf("command line on the server = %q", got)
	}
	if m.Inventory.Host.WorkerID != "0c:c4:7a:13:38:78" {
		t.Errorf("worker_id = %q, want it recorded for Tinkerbell", m.Inventory.Host.WorkerID)
	}
	var creds []string
	for _, q := range srv.Requests() {
		if c, ok := strings.CutPrefix(q.Auth, "Bearer "); ok && c != enrollToken {
			creds = append(creds, c)
		}
		if strings.Contains(string(q.Body), enrollToken) {
			t.Errorf("%s %s body holds the enrollment token", q.Method, q.Path)
		}
	}
	if len(creds) == 0 {
		t.Fatal("no request carried a machine credential")
	}
	text := logs.String()
	if !strings.Contains(text, "registering again") || !strings.Contains(text, "released") {
		t.Fatalf("the log misses the story:\n%s", text)
	}
	for _, s := range append(creds, enrollToken, "Bearer") {
		if strings.Contains(text, s) {
			t.Errorf("%q in the log:\n%s", s, text)
		}
	}
}
