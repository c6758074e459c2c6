package export

import (
	"fmt"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server/api"
)

// StoredLogin is the BMC login an hwagent server holds for a machine: the
// user its agent created in-band and the password it sealed to the
// server (docs/bmc.md). Only a login whose latest out-of-band check
// succeeded is used; otherwise Why says what the check found.
type StoredLogin struct {
	Username string
	Password secret.Value
	// Verified: the server's latest RMCP+ login with this password
	// succeeded.
	Verified bool
	// Why the login is not verified ("wrong_password: ...", "pending").
	Why string
}

// StoredLoginFrom makes a StoredLogin of the server's answers: the
// machine's status and, when the server revealed it, its login.
func StoredLoginFrom(st *api.BMCCredentialsStatus, creds *api.BMCCredentials) StoredLogin {
	l := StoredLogin{}
	if st != nil {
		l.Username = st.User
	}
	if creds != nil {
		l.Username, l.Password = creds.User, secret.Value(creds.Password)
	}
	switch {
	case st == nil:
		l.Why = "the server has no status"
	case st.PasswordSetAt == nil:
		l.Why = "never provisioned: " + st.Status
		if st.Error != "" {
			l.Why += " (" + st.Error + ")"
		}
	case st.Verification == "verified" && creds != nil && creds.Verification == "verified":
		l.Verified = true
	case st.VerifyError != "":
		l.Why = st.Verification + ": " + st.VerifyError
	default:
		l.Why = st.Verification
	}
	return l
}

// StoredLogins turns what a server source fetched into stored logins, by
// ref name.
func StoredLogins(logins map[string]source.Login) map[string]StoredLogin {
	out := make(map[string]StoredLogin, len(logins))
	for name, l := range logins {
		out[name] = StoredLoginFrom(l.Status, l.Credentials)
	}
	return out
}

// WithStoredLogins makes the export take BMC logins from logins (keyed by
// Ref.Name, as ServerSource names its refs) before the plan's credentials
// file. A machine whose stored login is not verified keeps the file's
// credentials and is named in a warning; with bmc: required it fails.
func (x *Exporter) WithStoredLogins(logins map[string]StoredLogin) {
	x.stored = logins
}

// storedLogin applies a stored login to e's row; it reports a problem
// with e.fail under bmc: required, and records a warning otherwise.
func (x *Exporter) storedLogin(e *entry, r *Row) {
	l, ok := x.stored[e.ref.Name]
	if !ok {
		return
	}
	if l.Verified {
		r.BMCUsername, r.BMCPassword = l.Username, l.Password
		return
	}
	msg := fmt.Sprintf("BMC credentials of user %q not verified (%s)", l.Username, l.Why)
	if x.c.bmcMode == plan.BMCRequired {
		e.fail("bmc_password", msg+"; bmc required exports only verified credentials: fix the BMC, then hwagent machines verify-bmc or action rotate-bmc-password")
		return
	}
	e.unverifiedBMC = msg
}
