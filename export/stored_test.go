package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/server/api"
)

func TestStoredLoginFrom(t *testing.T) {
	t.Parallel()
	set := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	creds := &api.BMCCredentials{User: "hwagent", Password: "Pw0123456789abcd", Verification: "verified"}
	tests := []struct {
		name  string
		st    *api.BMCCredentialsStatus
		creds *api.BMCCredentials
		want  export.StoredLogin
	}{
		{"verified", &api.BMCCredentialsStatus{User: "hwagent", PasswordSetAt: &set, Verification: "verified", VerifiedAt: &set}, creds,
			export.StoredLogin{Username: "hwagent", Password: "Pw0123456789abcd", Verified: true}},
		{"wrong password now", &api.BMCCredentialsStatus{User: "hwagent", PasswordSetAt: &set, Verification: "wrong_password", VerifiedAt: &set, VerifyError: "RAKP 2: mismatch"},
			&api.BMCCredentials{User: "hwagent", Password: "x", Verification: "wrong_password"},
			export.StoredLogin{Username: "hwagent", Password: "x", Why: "wrong_password: RAKP 2: mismatch"}},
		{"pending", &api.BMCCredentialsStatus{User: "hwagent", PasswordSetAt: &set, Verification: "pending"}, &api.BMCCredentials{User: "hwagent", Password: "x", Verification: "pending"},
			export.StoredLogin{Username: "hwagent", Password: "x", Why: "pending"}},
		{"never provisioned", &api.BMCCredentialsStatus{User: "hwagent", Status: "no_free_slot", Error: "no free BMC user slot"}, nil,
			export.StoredLogin{Username: "hwagent", Why: "never provisioned: no_free_slot (no free BMC user slot)"}},
		// The status was listed verified, the reveal says a check failed
		// since: not verified.
		{"changed between list and reveal", &api.BMCCredentialsStatus{User: "hwagent", PasswordSetAt: &set, Verification: "verified"},
			&api.BMCCredentials{User: "hwagent", Password: "x", Verification: "unreachable"}, export.StoredLogin{Username: "hwagent", Password: "x", Why: "verified"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, export.StoredLoginFrom(tt.st, tt.creds)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestStoredLogins: a verified stored login replaces the credentials
// file's in hardware.csv and in Rufio's Secret; an unverified one keeps
// the file's and names the machine in a warning, or fails the export with
// bmc: required.
func TestStoredLogins(t *testing.T) {
	t.Parallel()
	const file = "testdata/fleet/srv-x9dbl.json"
	planText := func(mode string) string {
		return "cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.1]\nbmc: " + mode + "\n"
	}
	run := func(mode string, l export.StoredLogin, w func(*bytes.Buffer) export.Writer) (string, *export.Result, error) {
		p, err := plan.ParsePlan([]byte(planText(mode)))
		if err != nil {
			t.Fatal(err)
		}
		x, err := export.New(*p, &plan.Credentials{Username: "ADMIN", Password: "factory"})
		if err != nil {
			t.Fatal(err)
		}
		refs, err := source.FileRefs([]string{file})
		if err != nil {
			t.Fatal(err)
		}
		x.WithStoredLogins(map[string]export.StoredLogin{refs[0].Name: l})
		var b bytes.Buffer
		res, err := x.Export(context.Background(), refs, w(&b))
		return b.String(), res, err
	}
	csv := func(b *bytes.Buffer) export.Writer { return hardwarecsv.NewWriter(b) }
	verified := export.StoredLogin{Username: "hwagent", Password: "Pw0123456789abcd", Verified: true}
	out, res, err := run("auto", verified, csv)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, ",hwagent,Pw0123456789abcd,") || strings.Contains(out, "factory") || len(res.Warnings) != 0 {
		t.Errorf("verified login not used:\n%s%q", out, res.Warnings)
	}
	yaml, _, err := run("auto", verified, func(b *bytes.Buffer) export.Writer { return tinkerbell.NewWriter(b, "tink-system", "") })
	if err != nil {
		t.Fatal(err)
	}
	// base64 of "hwagent" and of the password in Rufio's Secret.
	if !strings.Contains(yaml, "username: aHdhZ2VudA==") || !strings.Contains(yaml, "password: UHcwMTIzNDU2Nzg5YWJjZA==") || !strings.Contains(yaml, "kind: Machine") {
		t.Errorf("Rufio Secret without the stored login:\n%s", yaml)
	}

	bad := export.StoredLogin{Username: "hwagent", Password: "old", Why: "wrong_password: RAKP 2 authentication code mismatch"}
	out, res, err = run("auto", bad, csv)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`1 machines have BMC credentials on the server that are not verified; their rows carry the credentials file's login, if any (bmc: required refuses them): ` + file +
		` (serial 9000116105): BMC credentials of user "hwagent" not verified (wrong_password: RAKP 2 authentication code mismatch)`}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, ",ADMIN,factory,") {
		t.Errorf("the file's login was not kept:\n%s", out)
	}
	_, _, err = run("required", bad, csv)
	if err == nil || !strings.Contains(err.Error(), `BMC credentials of user "hwagent" not verified (wrong_password`) {
		t.Errorf("bmc required with an unverified login: %v", err)
	}
}
