package server

import (
	"context"
	"encoding/json"
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
	v := newValidator(t)
	f := newFixture(t, func(c *Config) {
		c.Reenroll = reenroll.TPM{Verifier: &tpmverify.Verifier{Store: c.Store.(*sqlstore.Store)}}
	})
	tp, id := softwareTPM(t, lab.SWTPMConfig{Manufacture: true})
	inv := testinv.Machine(40)
	ev := &api.TPMEvidence{EKPublic: id.EK.Bytes, EKCertificate: id.EK.Certificate.DER, AKPublic: id.AK.Bytes}
	reg := api.RegisterRequest{Inventory: inv, TPM: ev}
	js, _ := json.Marshal(reg)
	v.validate("RegisterRequest", js)

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
	v.validate("TPMChallengeResponse", body)
	secret, err := tp.ActivateCredential(context.Background(), ch.TPMChallenge.CredentialBlob, ch.TPMChallenge.EncryptedSecret)
	if err != nil {
		t.Fatal(err)
	}
	answer := *ev
	answer.ChallengeID, answer.Credential = ch.TPMChallenge.ID, secret
	js, _ = json.Marshal(api.RegisterRequest{Inventory: inv, TPM: &answer})
	v.validate("RegisterRequest", js)
	status, _, body = f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv, TPM: &answer})
	v.validate("RegisterResponse", body)
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
