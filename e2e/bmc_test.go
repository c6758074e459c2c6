//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/server/api"
)

// bmcUser is the BMC user the lab's server policy asks every agent for.
const bmcUser = "hwagent"

// bmcPolicyFlags writes a seal key and returns serve's BMC policy flags
// and the kernel parameter that pins the key on the agent: the lab's
// server speaks plain HTTP, over which the agent provisions only to a
// pinned key (docs/bmc.md).
func bmcPolicyFlags(t *testing.T) (flags []string, pin string) {
	t.Helper()
	key := filepath.Join(t.TempDir(), "bmc-seal.key")
	k, err := bmcseal.WriteKeyFile(key)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"--bmc-user", bmcUser, "--bmc-privilege", "administrator", "--bmc-seal-key", key}, "hwagent.bmc_seal_pubkey=" + k.Public()
}

// waitBMCVerified waits until the server's RMCP+ check of a password set
// after since succeeded, and returns the machine and its revealed login.
func waitBMCVerified(t *testing.T, ctx context.Context, g *guestRun, op operator, id string, since time.Time) (api.BMCCredentialsStatus, api.BMCCredentials) {
	t.Helper()
	var got struct {
		api.Machine
		Revealed *api.BMCCredentials `json:"revealed_bmc_credentials"`
	}
	waitFor(t, g, "a verified BMC password", 60*time.Second, func() (bool, error) {
		if err := op.runJSON(ctx, &got, "machines", "show", id); err != nil {
			return false, err
		}
		st := got.BMCCredentials
		if st != nil && st.PasswordSetAt != nil && st.PasswordSetAt.After(since) && st.Verification != "pending" && st.Verification != "verified" {
			t.Fatalf("BMC credentials check failed: %+v", st)
		}
		return st != nil && st.Verification == "verified" && st.PasswordSetAt != nil && st.PasswordSetAt.After(since), nil
	})
	if err := op.runJSON(ctx, &got, "machines", "show", id, "--reveal-bmc-password"); err != nil {
		t.Fatal(err)
	}
	if got.Revealed == nil || got.Revealed.User != bmcUser || len(got.Revealed.Password) != 16 {
		t.Fatalf("revealed BMC credentials: %+v", got.Revealed)
	}
	return *got.BMCCredentials, *got.Revealed
}

// checkBMCLogins logs in to the BMC's LAN port from the host side as an
// operator would: the new user at ADMINISTRATOR with ipmitool -I lanplus,
// the factory admin too; a wrong password must fail.
func checkBMCLogins(t *testing.T, ctx context.Context, r *rack, password string) {
	t.Helper()
	if out, err := r.bmc.Lanplus(ctx, bmcUser, password, "ADMINISTRATOR", "mc", "info"); err != nil || !strings.Contains(out, fmt.Sprintf("Manufacturer ID           : %d", r.m.BMCManufacturerID)) {
		t.Errorf("ipmitool -I lanplus -U %s -L ADMINISTRATOR mc info at %s: %v\n%s", bmcUser, r.bmc.LANAddr, err, out)
	}
	if _, err := r.bmc.Lanplus(ctx, "admin", "password", "ADMINISTRATOR", "mc", "info"); err != nil {
		t.Errorf("the BMC's existing admin no longer logs in: %v", err)
	}
	if _, err := r.bmc.Lanplus(ctx, bmcUser, "Wr0ng-password-1", "ADMINISTRATOR", "mc", "info"); err == nil {
		t.Error("a wrong password logs in too: the logins above prove nothing")
	}
}

// bmcTimes is the agent's "BMC credentials provisioned" log line.
type bmcTimes struct {
	InBand, Total time.Duration
	Changes       []string
	// Commands is how many requests went to the BMC, CommandTime the time
	// their answers took, Slowest the slowest three in words.
	Commands    int
	CommandTime time.Duration
	Slowest     string
}

// parseBMCTimes finds the first provisioning of the agent's log.
func parseBMCTimes(logs []logLine) (bmcTimes, error) {
	for _, l := range logs {
		if l.Msg != "BMC credentials provisioned" {
			continue
		}
		var rec struct {
			InBand      float64  `json:"inband_duration"`
			Total       float64  `json:"total_duration"`
			Changes     []string `json:"changes"`
			Commands    int      `json:"bmc_commands"`
			CommandTime float64  `json:"bmc_command_time"`
			Slowest     string   `json:"slowest_bmc_commands"`
		}
		if err := json.Unmarshal([]byte(l.Raw), &rec); err != nil {
			return bmcTimes{}, err
		}
		return bmcTimes{InBand: time.Duration(rec.InBand), Total: time.Duration(rec.Total), Changes: rec.Changes,
			Commands: rec.Commands, CommandTime: time.Duration(rec.CommandTime), Slowest: rec.Slowest}, nil
	}
	return bmcTimes{}, fmt.Errorf("no %q log line from the agent", "BMC credentials provisioned")
}

// checkNoPassword greps everything a password could leak into: the
// guest's console (the agent's log), the server's log, what the operator
// API shows (machines show with the inventory, history), /metrics, and
// the database file with its WAL.
func checkNoPassword(t *testing.T, ctx context.Context, r *rack, g *guestRun, srv *provServer, op operator, id string, passwords ...string) {
	t.Helper()
	places := map[string]string{"guest console": g.console, "server log": srv.Log()}
	for _, args := range [][]string{{"machines", "show", id, "-o", "json"}, {"machines", "history", id, "-o", "json"}, {"machines", "list", "-o", "json"}} {
		out, err := op.run(ctx, args...)
		if err != nil {
			t.Fatal(err)
		}
		places[strings.Join(args[:2], " ")] = string(out)
	}
	c := &http.Client{Transport: &http.Transport{DialContext: r.ns.DialContext}, Timeout: 5 * time.Second}
	resp, err := c.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	places["/metrics"] = string(metrics)
	for _, f := range []string{srv.DB, srv.DB + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		places[filepath.Base(f)] = string(b)
	}
	for _, pw := range passwords {
		enc := base64.StdEncoding.EncodeToString([]byte(pw))
		for where, text := range places {
			if strings.Contains(text, pw) || strings.Contains(text, enc) {
				t.Errorf("a BMC password appears in the %s", where)
			}
		}
	}
	if !strings.Contains(places["/metrics"], `hwagent_server_bmc_verifications_total{result="verified"}`) {
		t.Errorf("/metrics has no BMC verification counts")
	}
}
