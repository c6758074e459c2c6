package tpmverify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// machineTPM is a software TPM as the agent sees it.
func machineTPM(t *testing.T) *tpm.TPM {
	t.Helper()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{})
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "dev"), 0o755)
	if err := os.Symlink(sw.Socket, filepath.Join(root, "dev", "tpmrm0")); err != nil {
		t.Fatal(err)
	}
	return tpm.New(tpm.HostOpener(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel())))
}

func evidence(t *testing.T, tp *tpm.TPM) *api.TPMEvidence {
	t.Helper()
	id, err := tp.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &api.TPMEvidence{EKPublic: id.EK.Bytes, AKPublic: id.AK.Bytes}
}

// createMachine stores a machine (optionally with the EK in its
// inventory) and returns its ID.
func createMachine(t *testing.T, st *sqlstore.Store, i int, ekSHA string) string {
	t.Helper()
	inv := testinv.Machine(i)
	if ekSHA != "" {
		inv.Firmware = &inventory.Firmware{BootMode: "uefi", TPM: &inventory.TPM{Device: "tpm0", Version: "2.0",
			EndorsementKey: &inventory.TPMEndorsementKey{Algorithm: "rsa-2048", PublicKeySHA256: ekSHA}}}
	}
	doc, err := store.NewDocument(inv)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Register(context.Background(), store.Registration{Document: doc, CredentialHash: strings.Repeat("0", 63) + string(rune('a'+i%6)), Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return res.MachineID
}

// TestVerify drives the verifier through an exchange with a real TPM and
// a real store, and through every way an answer can be wrong.
func TestVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v := &tpmverify.Verifier{Store: st, TTL: time.Minute}
	genuine, other := machineTPM(t), machineTPM(t)
	ev := evidence(t, genuine)
	ek, _ := tpm.ParseEndorsementKey(ev.EKPublic)
	now := time.Now()
	req := func(machine string, pins map[string]string, ev *api.TPMEvidence, at time.Time) reenroll.Request {
		return reenroll.Request{MachineID: machine, Register: &api.RegisterRequest{Inventory: testinv.Machine(1), TPM: ev}, Pins: pins, Now: at}
	}

	// A new machine: allowed and pinned, no challenge.
	d, applies, err := v.Verify(ctx, req("", nil, ev, now))
	if err != nil || !applies || d.Verdict != reenroll.Allow || d.Pins[tpmverify.PinEK] != ek.SHA256 {
		t.Fatalf("new machine: %+v applies %v err %v", d, applies, err)
	}
	pinned := d.Pins
	m := createMachine(t, st, 1, "")
	// Without evidence and nothing known: the approve rules.
	if _, applies, err := v.Verify(ctx, req(m, nil, nil, now)); applies || err != nil {
		t.Errorf("unknown TPM, no evidence: applies %v, %v", applies, err)
	}

	// The pinned machine again: challenged; the TPM answers.
	d, _, err = v.Verify(ctx, req(m, pinned, ev, now))
	if err != nil || d.Verdict != reenroll.Challenge || d.Response == nil || d.Response.TPMChallenge == nil {
		t.Fatalf("pinned machine: %+v %v", d, err)
	}
	ch := d.Response.TPMChallenge
	secret, err := genuine.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret)
	if err != nil {
		t.Fatal(err)
	}
	answer := func(cred []byte) *api.TPMEvidence {
		a := *ev
		a.ChallengeID, a.Credential = ch.ID, cred
		return &a
	}
	d, _, err = v.Verify(ctx, req(m, pinned, answer(secret), now.Add(time.Second)))
	if err != nil || d.Verdict != reenroll.Allow || d.Pins[tpmverify.PinAnswered] != ch.ID {
		t.Fatalf("answer: %+v %v", d, err)
	}
	answered := map[string]string{tpmverify.PinEK: ek.SHA256, tpmverify.PinAnswered: ch.ID}
	// The other TPM cannot recover the secret.
	if got, err := other.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret); err == nil {
		t.Errorf("another TPM activated the credential: %x", got)
	}

	otherEv := evidence(t, other)
	wrong := append([]byte(nil), secret...)
	wrong[0] ^= 1
	failed := *ev
	failed.ChallengeID, failed.Error = ch.ID, "activate credential: TPM_RC_INTEGRITY"
	m2 := createMachine(t, st, 2, "")
	for _, tc := range []struct {
		name   string
		r      reenroll.Request
		reason string
	}{
		{"no evidence", req(m, pinned, nil, now), "carries no TPM evidence"},
		{"another TPM", req(m, pinned, otherEv, now), "is not the machine's"},
		{"wrong credential", req(m, pinned, answer(wrong), now.Add(time.Second)), "wrong credential"},
		{"answered twice", req(m, answered, answer(secret), now.Add(2*time.Second)), "answered already"},
		{"too late", req(m, pinned, answer(secret), now.Add(time.Minute)), "expired"},
		{"for another machine", req(m2, pinned, answer(secret), now.Add(time.Second)), "was issued for machine " + m},
		{"unknown challenge", req(m, pinned, func() *api.TPMEvidence { a := answer(secret); a.ChallengeID = "c-00"; return a }(), now), `challenge "c-00" unknown or expired`},
		{"agent's TPM failed", req(m, pinned, &failed, now), `could not answer the TPM challenge: "activate credential: TPM_RC_INTEGRITY"`},
	} {
		d, applies, err := v.Verify(ctx, tc.r)
		if err != nil || !applies || d.Verdict != reenroll.Refuse || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s: %+v applies %v err %v, want refused: %s", tc.name, d, applies, err, tc.reason)
		}
	}

	// A machine no policy pinned, whose stored inventory names its EK
	// (registered under another policy, or approved): challenged, and
	// pinned once it answers.
	m3 := createMachine(t, st, 3, ek.SHA256)
	d, _, err = v.Verify(ctx, req(m3, nil, ev, now))
	if err != nil || d.Verdict != reenroll.Challenge {
		t.Fatalf("EK from the inventory: %+v %v", d, err)
	}
	ch = d.Response.TPMChallenge
	secret, err = genuine.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err = v.Verify(ctx, req(m3, nil, answer(secret), now))
	if err != nil || d.Verdict != reenroll.Allow || d.Pins[tpmverify.PinEK] != ek.SHA256 {
		t.Errorf("EK from the inventory, answered: %+v %v", d, err)
	}
	if d, _, _ := v.Verify(ctx, req(m3, nil, otherEv, now)); d.Verdict != reenroll.Refuse || !strings.Contains(d.Reason, "in its inventory") {
		t.Errorf("another TPM for an inventory-known EK: %+v", d)
	}
}
