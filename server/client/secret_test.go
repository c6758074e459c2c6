package client

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	m := Machine{ID: "m-1", Credential: "cred-5d41402abc4b2a76b9719d911017c592"}
	var logs testutil.LockedBuffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("machine", "machine", m, "credential", m.Credential)
	j, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join([]string{
		fmt.Sprint(m), fmt.Sprintf("%v %+v %#v %s %q %x", m, m, m, m.Credential, m.Credential, m.Credential),
		string(j), logs.String(),
	}, "\n")
	if strings.Contains(out, "5d41402abc") {
		t.Errorf("credential printed:\n%s", out)
	}
	if !strings.Contains(out, "[redacted]") || m.Credential.Reveal() != "cred-5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("Secret does not redact or reveal:\n%s", out)
	}
}

// TestNoSecretInLogsOrErrors drives every call through success and failure
// with resty logging at debug level, logs every error the way the agent
// does, and checks that neither the enrollment token nor a machine
// credential shows up anywhere.
func TestNoSecretInLogsOrErrors(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	var logs testutil.LockedBuffer
	logger := debugLogger(&logs)
	good := newClient(t, srv, enrollToken, &logs)
	bad := newClient(t, srv, wrongToken, &logs)
	ctx := context.Background()
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
			logger.Warn("call failed", "err", err)
		}
	}

	_, err := bad.Register(ctx, x9dbl())
	note(err)
	reg, err := good.Register(ctx, x9dbl())
	if err != nil {
		t.Fatal(err)
	}
	m := Machine{ID: reg.MachineID, Credential: secret.Value(reg.Credential)}
	logger.Info("registered", "machine", m.ID, "credential", m.Credential, "response", reg.Config)
	_, err = good.Checkin(ctx, m, api.CheckinRequest{State: api.StateRegistered})
	note(err)
	_, err = good.Checkin(ctx, Machine{ID: m.ID, Credential: wrongToken}, api.CheckinRequest{State: api.StateRegistered})
	note(err)
	srv.Inject(clienttest.Fault{Status: 503, Body: "upstream down", RetryAfter: "1"})
	note(good.PutInventory(ctx, m, x9dbl()))
	srv.Close()
	note(good.PutInventory(ctx, m, x9dbl()))
	_, err = bad.Register(ctx, x9dbl())
	note(err)

	if len(errs) != 5 {
		t.Fatalf("%d errors, want 5: %v", len(errs), errs)
	}
	// The secrets did go over the wire, so the check below is not vacuous.
	var sawToken, sawCredential bool
	for _, q := range srv.Requests() {
		sawToken = sawToken || q.Auth == "Bearer "+enrollToken
		sawCredential = sawCredential || q.Auth == "Bearer "+reg.Credential
	}
	if !sawToken || !sawCredential {
		t.Fatalf("token sent %v, credential sent %v", sawToken, sawCredential)
	}
	text := logs.String()
	for _, e := range errs {
		text += "\n" + e.Error()
	}
	for _, secret := range []string{enrollToken, wrongToken, reg.Credential, "Authorization", "Bearer"} {
		if strings.Contains(text, secret) {
			t.Errorf("%q appears in logs or errors:\n%s", secret, text)
		}
	}
	// After Close, a call finds the server gone: refused on a new
	// connection, EOF on one the pool kept (which of the two is a race).
	gone := strings.Contains(text, "connection refused") || strings.Contains(text, `/inventory": EOF`)
	if !strings.Contains(text, "401 unauthorized") || !gone {
		t.Errorf("logs lack the failures they should describe:\n%s", text)
	}
}
