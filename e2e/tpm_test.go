//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/tpm"
)

// TestNetbootTPM gives srv01 a TPM 2.0 (Debian's swtpm behind QEMU's
// tpm-tis, manufactured with an EK certificate) and runs the server with
// --reenroll tpm. Three boots:
//
//  1. the first registration pins the TPM's endorsement key; the operator
//     reboots the machine;
//  2. the same machine (the same TPM state) registers again: the server
//     challenges it, its TPM answers, it keeps its ID; the challenge's
//     cost is printed in the E2E TIMING line; the operator releases it;
//  3. another machine with its own TPM and srv01's identity (UUID,
//     serials, MACs) is refused, the refusal is in srv01's history, and
//     srv01's record is untouched.
func TestNetbootTPM(t *testing.T) {
	ctx := context.Background()
	r := newRack(t, ctx)
	lab.Need(t, lab.SWTPM)
	m := r.m
	srv := startServer(t, r.ns, r.img.HwagentFull, m.TapAddr+":"+m.ServerPort, "--reenroll", "tpm")
	op := operator{ns: r.ns, bin: r.img.HwagentFull, server: srv.URL}
	state := filepath.Join(t.TempDir(), "srv01-tpm") // srv01's TPM across its boots

	// Boot 1: registered, the TPM pinned.
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{StateDir: state, Manufacture: true, ForQEMU: true})
	g := r.boot(t, ctx, m.Cmdline(enrollToken), sw.QEMUArgs()...)
	id := waitRegistered(t, g, op)
	var first api.Machine
	if err := op.runJSON(ctx, &first, "machines", "show", id); err != nil {
		t.Fatal(err)
	}
	ek := endorsementKey(first)
	if ek == "" {
		t.Fatalf("no endorsement key in the inventory: tpm collector %+v", first.Inventory.Collector("tpm"))
	}
	if pin := first.Pins["tpm.ek_sha256"] + " " + first.Pins["tpm.ek_issuer"]; pin != ek {
		t.Errorf("pinned %q, want the inventory's endorsement key %q", pin, ek)
	}
	if st := first.Inventory.Collector("tpm"); st != nil {
		t.Logf("tpm collector in the guest: %s in %.0f ms (EK %s)", st.Status, st.DurationSeconds*1000, ek)
	}
	rebootGuest(t, ctx, op, g, id)
	if err := sw.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	firstLogs := agentLog(g.console)
	if hasLog(firstLogs, "tpm challenge answered") {
		t.Errorf("the first registration was challenged")
	}
	if times, err := parseAgentTimes(g.console, firstLogs); err != nil {
		t.Errorf("%v; console: %s", err, consoleOf(t, g))
	} else {
		reportTimes(t, "tpm-first (EK pinned, not challenged)", times, 0)
	}
	// The reference: the same TPM state read from the host by the tpm
	// package (whose reading tpm2-tools confirms in its own tests).
	ref := lab.StartSWTPM(t, lab.SWTPMConfig{StateDir: state})
	want := hostIdentity(t, ref)
	ref.Stop()
	if ek != want.EK.SHA256+" "+want.EK.Certificate.Issuer {
		t.Errorf("endorsement key read in the guest %q, on the host %q", ek, want.EK.SHA256+" "+want.EK.Certificate.Issuer)
	}

	// Boot 2: the same TPM, challenged, answered.
	sw = lab.StartSWTPM(t, lab.SWTPMConfig{StateDir: state, ForQEMU: true})
	g = r.boot(t, ctx, m.Cmdline(enrollToken), sw.QEMUArgs()...)
	waitFor(t, g, "the second registration", 90*time.Second, func() (bool, error) {
		h, err := history(ctx, op, id)
		return countKind(h, api.ChangeRegistered) >= 2, err
	})
	releaseGuest(t, ctx, op, g, id)
	logs := agentLog(g.console)
	answered := findLog(logs, "tpm challenge answered")
	if answered == nil {
		t.Fatalf("the agent did not answer a TPM challenge; console: %s", consoleOf(t, g))
	}
	var figures struct {
		Activate  float64 `json:"activate_ms"`
		RoundTrip float64 `json:"answer_round_trip_ms"`
	}
	if err := json.Unmarshal([]byte(answered.Raw), &figures); err != nil {
		t.Fatal(err)
	}
	if o, err := lab.CommandOutput(g.console, "agent"); err != nil || o.ExitCode != 0 {
		t.Errorf("hwagent after the release: %+v, %v", o, err)
	}
	times, err := parseAgentTimes(g.console, logs)
	if err != nil {
		t.Fatalf("%v; console: %s", err, consoleOf(t, g))
	}
	reportTimes(t, "tpm-reboot (challenge answered)", times, 0,
		fmt.Sprintf("tpm challenge: 1 extra round trip, agent activation %.1f ms (TCG guest; the TPM's flushes after it run in the background), answer round trip %.1f ms", figures.Activate, figures.RoundTrip))

	// Boot 3: another TPM claims srv01's identity.
	var before api.Machine
	if err := op.runJSON(ctx, &before, "machines", "show", id); err != nil {
		t.Fatal(err)
	}
	hBefore, err := history(ctx, op, id)
	if err != nil {
		t.Fatal(err)
	}
	impostor := lab.StartSWTPM(t, lab.SWTPMConfig{StateDir: filepath.Join(t.TempDir(), "other-tpm"), Manufacture: true, ForQEMU: true})
	g = r.boot(t, ctx, m.Cmdline(enrollToken), impostor.QEMUArgs()...)
	select {
	case <-g.done:
	case <-time.After(120 * time.Second):
		t.Fatalf("the impostor still runs after 120 s")
	}
	if o, err := lab.CommandOutput(g.console, "agent"); err != nil || o.ExitCode == 0 {
		t.Errorf("hwagent of the impostor: %+v, %v; want a failure (403)", o, err)
	}
	if !strings.Contains(g.console, "registration refused") {
		t.Errorf("the impostor's agent does not say it was refused; console: %s", consoleOf(t, g))
	}
	hAfter, err := history(ctx, op, id)
	if err != nil {
		t.Fatal(err)
	}
	added := hAfter.Changes[len(hBefore.Changes):]
	if len(added) != 1 || added[0].Kind != api.ChangeRefused || !strings.Contains(strings.Join(added[0].Details, "; "), "is not the machine's") ||
		!strings.Contains(strings.Join(added[0].Details, "; "), m.GuestAddr) {
		t.Errorf("history after the impostor: %+v, want one %s naming the other key and the peer %s", added, api.ChangeRefused, m.GuestAddr)
	}
	var after api.Machine
	if err := op.runJSON(ctx, &after, "machines", "show", id); err != nil {
		t.Fatal(err)
	}
	if after.InventoryDigest != before.InventoryDigest || !after.LastSeen.Equal(before.LastSeen) || after.State != before.State || endorsementKey(after) != ek {
		t.Errorf("the impostor changed srv01: digest %s → %s, last seen %s → %s, state %s → %s, EK %q → %q",
			before.InventoryDigest, after.InventoryDigest, before.LastSeen, after.LastSeen, before.State, after.State, ek, endorsementKey(after))
	}
	var list api.MachineList
	if err := op.runJSON(ctx, &list, "machines", "list"); err != nil || len(list.Machines) != 1 {
		t.Errorf("machines after the impostor: %+v, %v; want srv01 alone", list.Machines, err)
	}
}

// endorsementKey is a machine's stored EK fingerprint and certificate
// issuer, "" when none.
func endorsementKey(m api.Machine) string {
	if m.Inventory == nil || m.Inventory.Firmware == nil || m.Inventory.Firmware.TPM == nil || m.Inventory.Firmware.TPM.EndorsementKey == nil {
		return ""
	}
	ek := m.Inventory.Firmware.TPM.EndorsementKey
	return ek.PublicKeySHA256 + " " + ek.CertificateIssuer
}

// hostIdentity reads a software TPM from the host, through a tree whose
// /dev/tpmrm0 is its socket.
func hostIdentity(t *testing.T, sw *lab.SoftwareTPM) *tpm.Identity {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sw.Socket, filepath.Join(root, "dev", "tpmrm0")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := tpm.New(tpm.HostOpener(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()))).Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// rebootGuest sets a reboot and waits for QEMU to exit (-no-reboot).
func rebootGuest(t *testing.T, ctx context.Context, op operator, g *guestRun, id string) {
	t.Helper()
	if _, err := op.run(ctx, "machines", "action", id, api.ActionReboot); err != nil {
		t.Fatal(err)
	}
	waitExit(t, g, "the reboot")
}

// releaseGuest releases the machine: the agent exits 0, init powers off.
func releaseGuest(t *testing.T, ctx context.Context, op operator, g *guestRun, id string) {
	t.Helper()
	if _, err := op.run(ctx, "machines", "action", id, api.ActionRelease); err != nil {
		t.Fatal(err)
	}
	waitExit(t, g, "the release")
}

func waitExit(t *testing.T, g *guestRun, after string) {
	t.Helper()
	select {
	case <-g.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("the guest still runs 60 s after %s", after)
	}
	if g.err != nil {
		t.Fatalf("guest: %v", g.err)
	}
}

func history(ctx context.Context, op operator, id string) (api.History, error) {
	var h api.History
	err := op.runJSON(ctx, &h, "machines", "history", id)
	return h, err
}

func countKind(h api.History, kind string) int {
	n := 0
	for _, c := range h.Changes {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

func findLog(logs []logLine, msg string) *logLine {
	for i := range logs {
		if logs[i].Msg == msg {
			return &logs[i]
		}
	}
	return nil
}

func consoleOf(t *testing.T, g *guestRun) string { return writeConsole(t.TempDir(), g.console) }
