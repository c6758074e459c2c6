package kubesync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// StoredBMCLogin is a Config.BMCLogin: the BMC user the agent provisioned
// in band (hwagent bmc credentials) with the password it sealed to the
// server, opened with the server's seal key, once an RMCP+ login with it
// succeeded (verification "verified"). Unverified or missing credentials
// fall back to the plan's: a Rufio Machine is given only a login that is
// known to work.
func StoredBMCLogin(st store.Store, key *bmcseal.Key) func(context.Context, string) (plan.MachineCredentials, bool, error) {
	return func(ctx context.Context, id string) (plan.MachineCredentials, bool, error) {
		rec, err := st.BMCCredentials(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return plan.MachineCredentials{}, false, nil
		}
		if err != nil {
			return plan.MachineCredentials{}, false, err
		}
		if rec.Sealed == "" || rec.Status.Verification != "verified" || rec.Status.User == "" {
			return plan.MachineCredentials{}, false, nil
		}
		plain, err := key.Open(rec.Sealed)
		if err != nil {
			return plan.MachineCredentials{}, false, fmt.Errorf("stored BMC password of %s: %w", id, err)
		}
		// The box holds what the agent sealed (agent/bmc.go): the machine,
		// the user and the password, never the bare password.
		var sec api.BMCSecret
		if err := json.Unmarshal(plain, &sec); err != nil {
			return plan.MachineCredentials{}, false, fmt.Errorf("stored BMC password of %s: %w", id, err)
		}
		if sec.MachineID != id || sec.User != rec.Status.User || sec.Password == "" {
			return plan.MachineCredentials{}, false, fmt.Errorf("stored BMC password of %s: sealed for machine %q, user %q", id, sec.MachineID, sec.User)
		}
		return plan.MachineCredentials{Username: sec.User, Password: secret.Value(sec.Password)}, true, nil
	}
}
