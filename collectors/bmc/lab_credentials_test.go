package bmc

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
)

// The guest tests of `hwagent bmc credentials` share the collector's guest
// boots (lab_test.go): the commands run after the dumps.

// guestBMCPassword is the password the guests set; 16 characters: ipmi_sim
// keeps 16 bytes of any password.
const guestBMCPassword = "Gu3st-BMC-pw-016"

// credentialsCommands create user hwagent twice, the password in the
// environment (never an argument).
var credentialsCommands = []lab.Command{
	{Name: "credentials1", Shell: "HWAGENT_BMC_PASSWORD=" + guestBMCPassword + " hwagent bmc credentials --user hwagent -o json"},
	{Name: "credentials2", Shell: "HWAGENT_BMC_PASSWORD=" + guestBMCPassword + " hwagent bmc credentials --user hwagent -o json"},
}

// guestCredentials is what `bmc credentials -o json` prints.
type guestCredentials struct {
	Status, Error   string
	Slot            int
	Created         bool
	Channel         int
	Changes         []string
	Rewrites        []string
	PasswordForm    int     `json:"password_form"`
	DurationSeconds float64 `json:"duration_seconds"`
}

func credentialsRun(t *testing.T, console, name string) (guestCredentials, lab.Output) {
	t.Helper()
	out, err := lab.CommandOutput(console, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var c guestCredentials
	if err := json.Unmarshal([]byte(out.Stdout), &c); err != nil {
		t.Fatalf("%s printed %q (stderr %q): %v", name, out.Stdout, out.Stderr, err)
	}
	return c, out
}

// checkGuestCredentials: in the guest, hwagent created the user over
// /dev/ipmi0 and changed nothing the second time; from the host, over
// ipmi_sim's LAN port, ipmitool -I lanplus logs in as it at
// ADMINISTRATOR and the existing admin still does; the password was never
// printed.
func checkGuestCredentials(t *testing.T, sim *lab.IPMISim, console string) {
	t.Helper()
	first, out1 := credentialsRun(t, console, "credentials1")
	second, out2 := credentialsRun(t, console, "credentials2")
	t.Logf("bmc credentials in the guest: first run %.1f ms, second %.1f ms", first.DurationSeconds*1000, second.DurationSeconds*1000)
	// What a newcomer without a BMC reads to see the command at work
	// (docs/bmc.md, "Trying it without a BMC"); never the password.
	if !strings.Contains(out1.Stdout+out2.Stdout, guestBMCPassword) {
		t.Logf("hwagent bmc credentials --user hwagent -o json, first run:\n%s\nsecond run:\n%s", out1.Stdout, out2.Stdout)
	}
	if out1.ExitCode != 0 || first.Status != "ok" || !first.Created || first.Slot != 3 || first.Channel != 1 || first.PasswordForm != 20 {
		t.Errorf("first run: exit %d %+v (stderr %s)", out1.ExitCode, first, out1.Stderr)
	}
	wantChanges := []string{
		`named slot 3 "hwagent"`,
		"set the password (20-byte form)",
		"channel 1: IPMI messaging on, privilege administrator (was 0x00, messaging false)",
		"enabled user 3",
	}
	if diff := cmp.Diff(wantChanges, first.Changes); diff != "" {
		t.Errorf("first run's changes (-want +got):\n%s", diff)
	}
	// ipmi_sim accepts any password in a test and reports no enable
	// status: those two writes happen again, said so; nothing else does.
	if out2.ExitCode != 0 || second.Status != "ok" || second.Created || second.Slot != 3 || len(second.Changes) != 0 || len(second.Rewrites) != 2 {
		t.Errorf("second run: exit %d %+v", out2.ExitCode, second)
	}
	if strings.Contains(console, guestBMCPassword) {
		t.Error("the password appears on the guest's console")
	}
	ctx := t.Context()
	info, err := sim.Lanplus(ctx, "hwagent", guestBMCPassword, "ADMINISTRATOR", "mc", "info")
	if err != nil || !strings.Contains(info, "Manufacturer ID           : 10876") {
		t.Errorf("ipmitool -I lanplus -U hwagent -L ADMINISTRATOR mc info: %v\n%s", err, info)
	}
	if _, err := sim.Lanplus(ctx, "admin", "password", "ADMINISTRATOR", "mc", "info"); err != nil {
		t.Errorf("the existing admin no longer logs in: %v", err)
	}
	if _, err := sim.Lanplus(ctx, "hwagent", "Wr0ng-password-1", "ADMINISTRATOR", "mc", "info"); err == nil {
		t.Error("a wrong password logs in too: the login above proves nothing")
	}
}

// checkGuestCredentialsRefused: QEMU's ipmi-bmc-sim has no user commands;
// hwagent says so and exits non-zero.
func checkGuestCredentialsRefused(t *testing.T, console string) {
	t.Helper()
	c, out := credentialsRun(t, console, "credentials1")
	if out.ExitCode == 0 || c.Status != "refused" || !strings.Contains(c.Error, "completion code 0xc1 invalid command") ||
		!strings.Contains(out.Stderr, `BMC user "hwagent" not provisioned (refused)`) {
		t.Errorf("bmc credentials against QEMU's BMC: exit %d %+v, stderr %q", out.ExitCode, c, out.Stderr)
	}
}

// BenchmarkLabCredentials measures `hwagent bmc credentials` in a TCG
// guest against ipmi_sim (63 user slots: the worst case of the name scan):
// 20 runs in one boot, the first creating the user, the others finding it
// in place; the command's own duration_seconds (opening /dev/ipmi0 to the
// last check) is reported as the median (ns/op, ms/run) and the first run
// apart (create-ms). The boot is not measured.
func BenchmarkLabCredentials(b *testing.B) {
	lab.Need(b, lab.QEMU, lab.IPMISimulator)
	sim := lab.StartIPMISim(b, lab.TestBMC())
	const runs = 20
	cmd := lab.Command{Name: "loop", Shell: "i=0; while [ $i -lt 20 ]; do HWAGENT_BMC_PASSWORD=" + guestBMCPassword +
		" hwagent bmc credentials --user hwagent -o json | tr -d '\\n'; echo; i=$((i+1)); done"}
	console := bootGuest(b, lab.ExternalBMC{Addr: sim.VMAddr}, cmd)
	out, err := lab.CommandOutput(console, "loop")
	if err != nil || out.ExitCode != 0 {
		b.Fatalf("%v %+v", err, out)
	}
	var ms []float64
	for _, l := range strings.Split(strings.TrimSpace(out.Stdout), "\n") {
		var c guestCredentials
		if err := json.Unmarshal([]byte(l), &c); err != nil || c.Status != "ok" {
			b.Fatalf("%v: %q", err, l)
		}
		ms = append(ms, c.DurationSeconds*1000)
	}
	if len(ms) != runs {
		b.Fatalf("%d runs, want %d", len(ms), runs)
	}
	first := ms[0]
	rest := append([]float64(nil), ms[1:]...)
	sort.Float64s(rest)
	b.ReportMetric(rest[len(rest)/2]*1e6, "ns/op")
	b.ReportMetric(rest[len(rest)/2], "ms/run")
	b.ReportMetric(first, "create-ms")
	b.ReportMetric(rest[0], "min-ms")
	b.ReportMetric(rest[len(rest)-1], "max-ms")
}
