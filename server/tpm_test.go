package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
	"github.com/hwagent/hwagent/server/tpmverify"
	"github.com/hwagent/hwagent/tpm"
)

// softwareTPM is a swtpm as an agent reads it, with its identity.
func softwareTPM(t *testing.T, cfg lab.SWTPMConfig) (*tpm.TPM, *tpm.Identity) {
	t.Helper()
	sw := lab.StartSWTPM(t, cfg)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	if err := os.Symlink(sw.Socket, filepath.Join(root, "dev", "tpmrm0")); err != nil {
		t.Fatal(err)
	}
	tp := tpm.New(tpm.HostOpener(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel())))
	id, err := tp.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tp, id
}

// TestTPMExchange: under --reenroll tpm a pinned machine's registration is
// answered with a challenge (200, no credential), the TPM's answer
// registers it; every body validates against docs/openapi.yaml.
func TestTPMExchange(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Reenroll = reenroll.TPM{Verifier: &tpmverify.Verifier{Store: c.Store.(*sqlstore.Store)}}
	})
	tp, id := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	inv := testinv.Machine(40)
	ev := &api.TPMEvidence{EKPublic: id.EK.Bytes, EKCertificate: id.EK.Certificate.DER, AKPublic: id.AK.Bytes}
	reg := api.RegisterRequest{Inventory: inv, TPM: ev}

	var first api.RegisterResponse
	f.call("POST", api.PathRegister, enrollToken, reg, 200, &first)
	if first.MachineID == "" || first.TPMChallenge != nil {
		t.Fatalf("first registration: %+v, want registered without challenge", first)
	}

	status, _, body := f.do("POST", api.PathRegister, enrollToken, reg)
	var ch api.RegisterResponse
	if err := json.Unmarshal(body, &ch); status != 200 || err != nil || ch.TPMChallenge == nil || ch.MachineID != "" || ch.Credential != "" {
		t.Fatalf("second registration: %d %s, want a challenge without credential", status, body)
	}
	secret, err := tp.ActivateCredential(context.Background(), ch.TPMChallenge.CredentialBlob, ch.TPMChallenge.EncryptedSecret)
	if err != nil {
		t.Fatal(err)
	}
	answer := *ev
	answer.ChallengeID, answer.Credential = ch.TPMChallenge.ID, secret
	status, _, body = f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &answer})
	var second api.RegisterResponse
	if err := json.Unmarshal(body, &second); status != 200 || err != nil || second.MachineID != first.MachineID || second.Credential == "" {
		t.Fatalf("answer: %d %s", status, body)
	}
	// The same answer again: refused, recorded.
	e := f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &answer}, 403, nil)
	if e.Code != api.CodeRefused || !strings.Contains(e.Message, "answered already") {
		t.Errorf("replayed answer: %+v", e)
	}
}

// TestTPMEvidenceRefused: evidence that is not what it claims is a 400,
// whatever the policy, and stores nothing.
func TestTPMEvidenceRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	_, id := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	_, other := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	good := api.TPMEvidence{EKPublic: id.EK.Bytes, EKCertificate: id.EK.Certificate.DER, AKPublic: id.AK.Bytes}
	withEK := testinv.Machine(41)
	withEK.Firmware = &inventory.Firmware{BootMode: "bios", TPM: &inventory.TPM{Device: "tpm0", EndorsementKey: &inventory.TPMEndorsementKey{Algorithm: "rsa-2048", PublicKeySHA256: other.EK.SHA256}}}
	for _, tc := range []struct {
		name string
		inv  *inventory.Inventory
		edit func(*api.TPMEvidence)
		msg  string
	}{
		{"AK as EK", nil, func(e *api.TPMEvidence) { e.EKPublic = id.AK.Bytes }, "field tpm.ek_public: endorsement key: attributes"},
		{"EK as AK", nil, func(e *api.TPMEvidence) { e.AKPublic = id.EK.Bytes }, "field tpm.ak_public: attestation key: attributes"},
		{"garbage EK", nil, func(e *api.TPMEvidence) { e.EKPublic = []byte{1, 2, 3} }, "field tpm.ek_public"},
		{"another TPM's certificate", nil, func(e *api.TPMEvidence) { e.EKCertificate = other.EK.Certificate.DER }, "certifies another key"},
		{"inventory names another EK", withEK, func(*api.TPMEvidence) {}, "the inventory's endorsement key is sha256:" + other.EK.SHA256},
		{"credential without challenge", nil, func(e *api.TPMEvidence) { e.Credential = []byte{1} }, "without challenge_id"},
		{"oversized credential", nil, func(e *api.TPMEvidence) { e.ChallengeID, e.Credential = "c-1", make([]byte, 65) }, "tpm.credential: longer than 64"},
	} {
		ev := good
		tc.edit(&ev)
		inv := tc.inv
		if inv == nil {
			inv = testinv.Machine(41)
		}
		e := f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &ev}, 400, nil)
		if e.Code != api.CodeInvalidBody || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %+v, want invalid_body: %s", tc.name, e, tc.msg)
		}
	}
	if ms, err := f.st.List(context.Background(), store.Filter{}); err != nil || len(ms) != 0 {
		t.Errorf("machines after refused evidence: %v %v", ms, err)
	}
}

// TestTPMOlderAnswerReplayed: an answer is never accepted again, even after
// a newer challenge was answered (the pin names only the last answer; the
// older challenge is still stored until it expires).
func TestTPMOlderAnswerReplayed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Reenroll = reenroll.TPM{Verifier: &tpmverify.Verifier{Store: c.Store.(*sqlstore.Store)}}
	})
	tp, id := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	inv := testinv.Machine(42)
	ev := api.TPMEvidence{EKPublic: id.EK.Bytes, EKCertificate: id.EK.Certificate.DER, AKPublic: id.AK.Bytes}
	var first api.RegisterResponse
	f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &ev}, 200, &first)
	answered := func() api.TPMEvidence {
		t.Helper()
		var ch api.RegisterResponse
		f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &ev}, 200, &ch)
		if ch.TPMChallenge == nil {
			t.Fatalf("no challenge: %+v", ch)
		}
		secret, err := tp.ActivateCredential(context.Background(), ch.TPMChallenge.CredentialBlob, ch.TPMChallenge.EncryptedSecret)
		if err != nil {
			t.Fatal(err)
		}
		a := ev
		a.ChallengeID, a.Credential = ch.TPMChallenge.ID, secret
		var r api.RegisterResponse
		f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &a}, 200, &r)
		if r.MachineID != first.MachineID || r.Credential == "" {
			t.Fatalf("answer: %+v", r)
		}
		return a
	}
	older := answered()
	answered()
	e := f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &older}, 403, nil)
	if e.Code != api.CodeRefused || !strings.Contains(e.Message, "answered already") {
		t.Errorf("older answer replayed after a newer one: %+v", e)
	}
}

// TestTPMReplaced: a machine whose TPM was replaced (a new motherboard)
// is refused under --reenroll tpm, and its refused registration is kept
// for an operator, who approves it without deleting the machine: the
// record and its history stay, the new TPM is challenged and pinned at the
// next registration, the old one is refused from then on. On SQLite and
// PostgreSQL.
func TestTPMReplaced(t *testing.T) {
	t.Parallel()
	oldTPM, oldID := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	newTPM, newID := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, kind, func(c *Config) {
				c.Reenroll = reenroll.TPM{Verifier: &tpmverify.Verifier{Store: c.Store.(*sqlstore.Store)}}
			})
			ctx := context.Background()
			withTPM := func(id *tpm.Identity) (*inventory.Inventory, *api.TPMEvidence) {
				inv := testinv.Machine(43)
				inv.Firmware = &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", EndorsementKey: &inventory.TPMEndorsementKey{
					Algorithm: "rsa-2048", PublicKeySHA256: id.EK.SHA256, CertificateIssuer: id.EK.Certificate.Issuer}}}
				return inv, &api.TPMEvidence{EKPublic: id.EK.Bytes, EKCertificate: id.EK.Certificate.DER, AKPublic: id.AK.Bytes}
			}
			// register answers a challenge when there is one.
			register := func(tp *tpm.TPM, id *tpm.Identity, status int) (api.RegisterResponse, *api.Error) {
				t.Helper()
				inv, ev := withTPM(id)
				code, _, body := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: ev})
				var r api.RegisterResponse
				if code == 200 {
					json.Unmarshal(body, &r)
				}
				if code == 200 && r.TPMChallenge != nil {
					secret, err := tp.ActivateCredential(ctx, r.TPMChallenge.CredentialBlob, r.TPMChallenge.EncryptedSecret)
					if err != nil {
						t.Fatal(err)
					}
					a := *ev
					a.ChallengeID, a.Credential = r.TPMChallenge.ID, secret
					code, _, body = f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &a})
					r = api.RegisterResponse{}
					if code == 200 {
						json.Unmarshal(body, &r)
					}
				}
				if code != status {
					t.Fatalf("registration: %d %s, want %d", code, body, status)
				}
				if code != 200 {
					var e api.Error
					json.Unmarshal(body, &e)
					return r, &e
				}
				return r, nil
			}
			first, _ := register(oldTPM, oldID, 200)
			again, _ := register(oldTPM, oldID, 200) // challenged, answered
			if again.MachineID != first.MachineID {
				t.Fatalf("the same TPM registered as %s, then %s", first.MachineID, again.MachineID)
			}
			before, err := f.st.History(ctx, first.MachineID)
			if err != nil {
				t.Fatal(err)
			}

			// The motherboard is replaced: refused, kept for an operator.
			_, e := register(newTPM, newID, 403)
			m, err := f.st.Get(ctx, first.MachineID)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Pending) != 1 || !strings.Contains(e.Message, "kept as "+m.Pending[0].ID) ||
				!strings.Contains(e.Message, "hwagent machines approve "+first.MachineID+" --pending "+m.Pending[0].ID) {
				t.Fatalf("refusal %+v; held %+v", e, m.Pending)
			}
			wantDiff := "tpm.endorsement_key rsa-2048 sha256:" + oldID.EK.SHA256[:16] + "… → rsa-2048 sha256:" + newID.EK.SHA256[:16] + "…"
			if !strings.Contains(strings.Join(m.Pending[0].Differences, "\n"), "tpm.endorsement_key") ||
				!strings.Contains(m.Pending[0].Reason, newID.EK.SHA256) || m.Pins[tpmverify.PinEK] != oldID.EK.SHA256 {
				t.Errorf("held registration %+v (want a difference like %q and the new key in full), pins %v", m.Pending[0], wantDiff, m.Pins)
			}
			if m.InventoryDigest != inventory.Digest(func() *inventory.Inventory { i, _ := withTPM(oldID); return i }()) {
				t.Errorf("the refused registration changed the machine's inventory")
			}

			// The operator approves it: same machine, history kept, the
			// old TPM's pin gone.
			f.call("POST", fmt.Sprintf(api.PathApproveFmt, first.MachineID), adminToken, api.ApprovalRequest{PendingID: m.Pending[0].ID}, 200, nil)
			if m, err = f.st.Get(ctx, first.MachineID); err != nil || len(m.Pins) != 0 {
				t.Errorf("pins after the approval: %v, %v", m.Pins, err)
			}
			// Its agent registers again: challenged against the new TPM,
			// answered, pinned.
			after, _ := register(newTPM, newID, 200)
			if after.MachineID != first.MachineID || after.Credential == "" {
				t.Fatalf("after the approval the new TPM registered as %+v", after)
			}
			m, err = f.st.Get(ctx, first.MachineID)
			if err != nil || m.Pins[tpmverify.PinEK] != newID.EK.SHA256 || m.Pins[tpmverify.PinAnswered] == "" {
				t.Errorf("pins after the new TPM answered: %v, %v", m.Pins, err)
			}
			h, err := f.st.History(ctx, first.MachineID)
			if err != nil || len(h) < len(before)+3 || h[0].Kind != before[0].Kind || !h[0].At.Equal(before[0].At) {
				t.Errorf("history: %d changes before, %d after (%v); want the old ones kept", len(before), len(h), err)
			}
			var kinds []string
			for _, c := range h[len(before):] {
				kinds = append(kinds, c.Kind)
			}
			if want := []string{api.ChangeRefused, api.ChangeApproved}; len(kinds) < 2 || kinds[0] != want[0] || kinds[1] != want[1] {
				t.Errorf("history after the replacement: %v, want %v first", kinds, want)
			}
			// The old TPM is another machine's now.
			if _, e := register(oldTPM, oldID, 403); !strings.Contains(e.Message, "is not the machine's") {
				t.Errorf("the old TPM after the replacement: %+v", e)
			}
			if ms, err := f.st.List(ctx, store.Filter{}); err != nil || len(ms) != 1 {
				t.Errorf("machines: %d, %v; want the one", len(ms), err)
			}
		})
	}
}
