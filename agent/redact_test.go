package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// TestNoSecretInLogsOrInventory runs the agent with everything logged at
// debug level and the enrollment token on the kernel command line, and
// checks that neither the token nor the machine credential appears in the
// log or in the inventory the server stores.
func TestNoSecretInLogsOrInventory(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	srv.Inject(clienttest.Fault{Path: "/v1/machines/", Status: 401, Code: api.CodeUnauthorized})
	logs := &testutil.LockedBuffer{}
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
