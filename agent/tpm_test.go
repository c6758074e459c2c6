package agent

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors/host"
	tpmcollector "github.com/hwagent/hwagent/collectors/tpm"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/tpm"
	"github.com/hwagent/hwagent/tpm/tpmtest"
)

// tpmHost is the agent's test machine with a TPM: sw's command socket as
// the host's /dev/tpmrm0 (nil: no TPM).
func tpmHost(t *testing.T, sw *lab.SoftwareTPM) *hostpaths.Paths {
	t.Helper()
	if sw == nil {
		return hostTree(t, nil)
	}
	p := hostTree(t, map[string]string{"sys/class/tpm/tpm0/tpm_version_major": "2\n"})
	if err := os.MkdirAll(p.Dev(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sw.Socket, p.Dev("tpmrm0")); err != nil {
		t.Fatal(err)
	}
	// The tree on disk is a recording; its TPM is live.
	return p.WithMachine(hostpaths.Kernel())
}

// registerOnce boots the machine on paths once: a fresh agent (nothing
// kept from an earlier boot) collects and registers.
func registerOnce(t *testing.T, url string, paths *hostpaths.Paths) (*Registration, *testutil.LockedBuffer, error) {
	t.Helper()
	logs := &testutil.LockedBuffer{}
	a := realAgent(t, url, setup{paths: paths, logs: logs, mode: "register",
		specs: specsOf(host.New(), smbiosSystem{}, boardNIC{}, tpmcollector.New())})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reg, err := a.Register(ctx)
	return reg, logs, err
}

// TestTPMReenroll is --reenroll tpm against the real `hwagent serve` on
// SQLite and PostgreSQL, with software TPMs: the first registration pins
// the TPM's endorsement key, a reboot is challenged and answers, and
// another TPM, or no TPM, claiming the same machine's keys is refused,
// recorded, and changes nothing.
func TestTPMReenroll(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, database(t, kind), "127.0.0.1:0", "--reenroll", "tpm")
			tpmA := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
			machine := tpmHost(t, tpmA)

			first, logs, err := registerOnce(t, srv.URL, machine)
			if err != nil {
				t.Fatalf("first registration: %v\n%s", err, logs)
			}
			m, _ := srv.machine(t, first.Machine.ID)
			ek := m.Inventory.Firmware.TPM.EndorsementKey
			if ek == nil || ek.Persistent != "0x81010001" || !strings.HasPrefix(ek.CertificateIssuer, "CN=swtpm-localca") {
				t.Fatalf("stored endorsement key %+v: want the manufactured TPM's", ek)
			}
			if strings.Contains(logs.String(), "tpm challenge answered") {
				t.Errorf("the first registration was challenged:\n%s", logs)
			}
			noHandlesLeft(t, "the first registration", machine)
			if m.Pins["tpm.ek_sha256"] != ek.PublicKeySHA256 || m.Pins["tpm.ek_issuer"] != ek.CertificateIssuer {
				t.Errorf("pins %v: want the endorsement key %s pinned with its issuer", m.Pins, ek.PublicKeySHA256)
			}

			// The same machine boots again: challenged, answers, same ID.
			again, logs, err := registerOnce(t, srv.URL, machine)
			if err != nil {
				t.Fatalf("second registration: %v\n%s", err, logs)
			}
			if again.Machine.ID != first.Machine.ID {
				t.Errorf("second registration got %s, want %s", again.Machine.ID, first.Machine.ID)
			}
			if !strings.Contains(logs.String(), "tpm challenge answered") {
				t.Errorf("the second registration was not challenged:\n%s", logs)
			}
			noHandlesLeft(t, "the answered challenge", machine)
			before, _ := srv.machine(t, first.Machine.ID)
			hist := len(srv.history(t, first.Machine.ID))

			// Another machine with its own TPM claims the first one's keys.
			tpmB := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
			for _, tc := range []struct {
				name   string
				paths  *hostpaths.Paths
				reason string
			}{
				{"another TPM", tpmHost(t, tpmB), "tpm: TPM endorsement key sha256:"},
				{"no TPM", tpmHost(t, nil), "carries no TPM evidence"},
			} {
				_, logs, err := registerOnce(t, srv.URL, tc.paths)
				if !client.IsStatus(err, http.StatusForbidden) || !strings.Contains(err.Error(), tc.reason) {
					t.Errorf("%s: registration %v, want 403 naming %q\n%s", tc.name, err, tc.reason, logs)
				}
				if tc.name == "another TPM" {
					noHandlesLeft(t, "the refused registration", tc.paths)
				}
			}
			changes := srv.history(t, first.Machine.ID)
			var refused []string
			for _, c := range changes[hist:] {
				if c.Kind != api.ChangeRefused {
					t.Errorf("history after the refusals: %s %v", c.Kind, c.Details)
				}
				refused = append(refused, strings.Join(c.Details, "; "))
			}
			if len(refused) != 2 || !strings.Contains(refused[0], "is not the machine's") || !strings.Contains(refused[1], "carries no TPM evidence") {
				t.Errorf("refusals recorded: %q", refused)
			}
			after, _ := srv.machine(t, first.Machine.ID)
			if after.InventoryDigest != before.InventoryDigest || after.LastSeen != before.LastSeen {
				t.Errorf("the refused registrations changed the machine: %+v → %+v", before, after)
			}
			// The genuine machine's credential still works.
			c, err := client.New(client.Options{Server: srv.URL, EnrollmentToken: enrollToken, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Checkin(context.Background(), again.Machine, api.CheckinRequest{State: api.StateRegistered}); err != nil {
				t.Errorf("check-in with the genuine machine's credential after the refusals: %v", err)
			}
			// The genuine TPM still answers.
			if _, logs, err := registerOnce(t, srv.URL, machine); err != nil {
				t.Errorf("the genuine machine after the refusals: %v\n%s", err, logs)
			}
		})
	}
}

// TestTPMPinWithoutCertificate: a TPM without EK certificate (a firmware
// TPM) is pinned by its key alone.
func TestTPMPinWithoutCertificate(t *testing.T) {
	t.Parallel()
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0", "--reenroll", "tpm")
	machine := tpmHost(t, lab.StartSWTPM(t, lab.SWTPMConfig{}))
	first, logs, err := registerOnce(t, srv.URL, machine)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	m, _ := srv.machine(t, first.Machine.ID)
	if ek := m.Inventory.Firmware.TPM.EndorsementKey; ek == nil || ek.CertificateIssuer != "" || ek.Persistent != "" {
		t.Errorf("endorsement key %+v: want one derived from the template, without certificate", ek)
	}
	if _, logs, err := registerOnce(t, srv.URL, machine); err != nil || !strings.Contains(logs.String(), "tpm challenge answered") {
		t.Errorf("second registration: %v\n%s", err, logs)
	}
	// The EK derived again, a transient object, flushed too.
	noHandlesLeft(t, "the answered challenge", machine)
}

// noHandlesLeft fails when the machine's TPM, a software TPM without a
// resource manager, still holds an object or a session once the agent
// returned: the agent flushes what the activation loaded in the
// background, and Register waits for it.
func noHandlesLeft(t *testing.T, after string, machine *hostpaths.Paths) {
	t.Helper()
	if h := tpmtest.LoadedHandles(t, tpm.HostOpener(machine)); len(h) > 0 {
		t.Errorf("after %s the TPM holds %#x", after, h)
	}
}

// TestActivationFallback: the challenge's secret comes from a prepared
// activation; when the TPM refuses a command of the preparation once, a
// whole ActivateCredential answers instead; either way nothing stays
// loaded once the background flushes are done.
func TestActivationFallback(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
	machine := tpmHost(t, sw)
	ctx := context.Background()
	o := &tpmtest.FaultOpener{Next: tpm.HostOpener(machine)}
	tp := tpm.New(o.Open)
	id, err := tp.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		refuse uint32
		warn   bool
	}{
		{"prepared", 0, false},
		{"the policy session refused", 0x176, true}, // TPM2_StartAuthSession
		{"the policy refused", 0x151, true},         // TPM2_PolicySecret
	} {
		logs := &testutil.LockedBuffer{}
		a := &Agent{logger: slog.New(slog.NewTextHandler(logs, nil))}
		secret := make([]byte, tpm.SecretSize)
		rand.Read(secret)
		blob, enc, err := tpm.MakeCredential(rand.Reader, &id.EK.Public, id.AK, secret)
		if err != nil {
			t.Fatal(err)
		}
		o.Fail(tc.refuse, 0x922, true) // TPM_RC_RETRY ("try again"), the first time
		got, err := a.activate(ctx, tp, &api.TPMChallenge{ID: "c", CredentialBlob: blob, EncryptedSecret: enc})
		if err != nil || !bytes.Equal(got, secret) {
			t.Errorf("%s: activate %x, %v; want %x", tc.name, got, err, secret)
		}
		if warned := strings.Contains(logs.String(), "trying a whole ActivateCredential"); warned != tc.warn || (tc.warn && !strings.Contains(logs.String(), "TPM_RC_RETRY")) {
			t.Errorf("%s: fell back %v, want %v:\n%s", tc.name, warned, tc.warn, logs)
		}
		a.releases.Wait()
		noHandlesLeft(t, tc.name, machine)
	}
}
