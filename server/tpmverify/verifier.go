package tpmverify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/tpm"
)

// Pins the verifier keeps on a machine (reenroll.Decision.Pins).
const (
	// PinEK is the pinned endorsement key's fingerprint (tpm.Fingerprint).
	PinEK = "tpm.ek_sha256"
	// PinEKIssuer is the EK certificate's issuer when the agent sent one.
	PinEKIssuer = "tpm.ek_issuer"
	// PinAnswered is the last challenge answered: never accepted again.
	PinAnswered = "tpm.answered_challenge"
	// PinAK is the attestation key (its name, hex) the machine's TPM
	// registered with first, then answered with: its challenges are never
	// pushed out by challenges for other keys.
	PinAK = "tpm.ak_name"
)

// DefaultTTL is how long an agent has to answer a challenge: one
// ActivateCredential and one request, with room for a slow TPM.
const DefaultTTL = 2 * time.Minute

// Store keeps challenges between the two registrations of an exchange
// (any replica may receive the answer) and reads what a machine's stored
// inventory says its TPM is. *sqlstore.Store implements it.
type Store interface {
	// PutTPMChallenge stores c within the per-machine bounds; the
	// challenges for the attestation key keepAK are not pushed out by
	// challenges for other keys.
	PutTPMChallenge(ctx context.Context, c store.TPMChallenge, keepAK string) error
	// TPMChallenge returns store.ErrNotFound for an unknown ID.
	TPMChallenge(ctx context.Context, id string) (store.TPMChallenge, error)
	// OutstandingTPMChallenge returns the newest challenge for machine and
	// keys that can be sent again and expires after validUntil, or
	// store.ErrNotFound.
	OutstandingTPMChallenge(ctx context.Context, machine, ekSHA256, akName string, validUntil time.Time) (store.TPMChallenge, error)
	// RecordedEK is the EK fingerprint in the machine's stored inventory,
	// "" when none.
	RecordedEK(ctx context.Context, machineID string) (string, error)
}

// Verifier implements reenroll.Verifier (docs/protocol.md, "TPM-bound
// identity").
type Verifier struct {
	Store Store
	// TTL bounds the answer's delay (DefaultTTL when 0).
	TTL time.Duration
	// Rand draws secrets and IDs (crypto/rand when nil).
	Rand io.Reader
}

var _ reenroll.Verifier = (*Verifier)(nil)

// Verify implements reenroll.Verifier:
//
//   - a new machine with TPM evidence: allowed, its endorsement key pinned;
//   - a known machine with no TPM known (nothing pinned, none in its stored
//     inventory): not applicable, the approve rules hold it;
//   - a known machine whose TPM is known, and a registration without TPM
//     evidence or with another endorsement key: refused;
//   - the same endorsement key: challenged; the answer's registration is
//     allowed when the secret is right (and the key pinned, when it was
//     known only from the inventory), refused otherwise.
func (v *Verifier) Verify(ctx context.Context, r reenroll.Request) (reenroll.Decision, bool, error) {
	var ev *api.TPMEvidence
	if r.Register != nil {
		ev = r.Register.TPM
	}
	var ek *tpm.Public
	if ev != nil {
		var err error
		// The server checked the evidence already (400 otherwise).
		if ek, err = tpm.ParseEndorsementKey(ev.EKPublic); err != nil {
			return refuse("TPM evidence: %v", err), true, nil
		}
	}
	if !r.Takeover() {
		if ev == nil {
			return reenroll.Decision{}, false, nil
		}
		return reenroll.Decision{Verdict: reenroll.Allow, Reason: "tpm: endorsement key sha256:" + short(ek.SHA256) + " pinned", Pins: pins(ev, ek)}, true, nil
	}
	known, source := r.Pins[PinEK], "pinned"
	if known == "" {
		recorded, err := v.Store.RecordedEK(ctx, r.MachineID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return reenroll.Decision{}, false, err
		}
		known, source = recorded, "in its inventory"
	}
	switch {
	case known == "":
		return reenroll.Decision{}, false, nil
	case ev == nil:
		return approvable(refuse("the machine's TPM (endorsement key sha256:%s, %s) must prove it and this registration carries no TPM evidence (an agent without TPM support, its tpm collector disabled, or its TPM failing or removed)", short(known), source)), true, nil
	case ek.SHA256 != known:
		return approvable(refuse("TPM endorsement key sha256:%s is not the machine's (sha256:%s, %s)", ek.SHA256, short(known), source)), true, nil
	case ev.ChallengeID == "":
		return v.challenge(ctx, r, ev, ek)
	case ev.Error != "":
		return refuse("the agent could not answer the TPM challenge: %q", ev.Error), true, nil
	}
	if err := v.checkAnswer(ctx, r, ev, ek); err != nil {
		if errors.Is(err, store.ErrUnavailable) {
			return reenroll.Decision{}, false, err
		}
		return refuse("TPM challenge not answered: %v", err), true, nil
	}
	p := pins(ev, ek)
	p[PinAnswered] = ev.ChallengeID
	return reenroll.Decision{Verdict: reenroll.Allow, Reason: "tpm: challenge answered (endorsement key sha256:" + short(ek.SHA256) + ")", Pins: p}, true, nil
}

// challenge answers a registration with a credential challenge: the one
// outstanding for the machine and keys when there is one with at least
// half its time left, else a new one. Sending the outstanding one again
// keeps it answerable: anyone holding the enrollment token and the
// machine's public keys (sent in every registration) could otherwise push
// the genuine agent's challenge out with a few dozen registrations. Only
// the TPM holding the EK can answer it, once.
func (v *Verifier) challenge(ctx context.Context, r reenroll.Request, ev *api.TPMEvidence, ek *tpm.Public) (reenroll.Decision, bool, error) {
	ak, err := tpm.ParseAttestationKey(ev.AKPublic)
	if err != nil {
		return refuse("TPM evidence: %v", err), true, nil
	}
	ttl := v.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	akName := hex.EncodeToString(ak.Name)
	c, err := v.Store.OutstandingTPMChallenge(ctx, r.MachineID, ek.SHA256, akName, r.Now.Add(ttl/2))
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return reenroll.Decision{}, false, err
	default:
		answered, err := v.answered(ctx, r, c)
		if err != nil {
			return reenroll.Decision{}, false, err
		}
		if !answered {
			return sendChallenge(c, r.Now, "tpm: challenge "+c.ID+" sent again (outstanding)"), true, nil
		}
	}
	rnd := v.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	secret := make([]byte, tpm.SecretSize)
	var id [16]byte
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return reenroll.Decision{}, false, err
	}
	if _, err := io.ReadFull(rnd, id[:]); err != nil {
		return reenroll.Decision{}, false, err
	}
	blob, enc, err := tpm.MakeCredential(rnd, ek, ak, secret)
	if err != nil {
		return refuse("TPM evidence: %v", err), true, nil
	}
	c = store.TPMChallenge{
		ID: "c-" + hex.EncodeToString(id[:]), MachineID: r.MachineID,
		EKSHA256: ek.SHA256, AKName: akName, SecretSHA256: sha256Hex(secret),
		IssuedAt: r.Now, ExpiresAt: r.Now.Add(ttl), CredentialBlob: blob, EncryptedSecret: enc,
	}
	keep := r.Pins[PinAK]
	if r.Pins[PinEK] != ek.SHA256 {
		keep = "" // pinned for another TPM, or nothing pinned
	}
	if err := v.Store.PutTPMChallenge(ctx, c, keep); err != nil {
		return reenroll.Decision{}, false, err
	}
	return sendChallenge(c, r.Now, "tpm: challenge "+c.ID+" issued"), true, nil
}

// sendChallenge is the decision that sends challenge c at now.
func sendChallenge(c store.TPMChallenge, now time.Time, reason string) reenroll.Decision {
	return reenroll.Decision{
		Verdict: reenroll.Challenge,
		Reason:  reason,
		Response: &api.RegisterResponse{TPMChallenge: &api.TPMChallenge{
			ID: c.ID, CredentialBlob: c.CredentialBlob, EncryptedSecret: c.EncryptedSecret,
			ExpiresInSeconds: int(c.ExpiresAt.Sub(now) / time.Second),
		}},
	}
}

// answered reports whether challenge c was answered already: it is the
// last one answered, or was issued before it. The pin names the last
// answer only; when the pinned one is gone, every older one is too:
// challenges expire after the same TTL and the oldest are pushed out
// first.
func (v *Verifier) answered(ctx context.Context, r reenroll.Request, c store.TPMChallenge) (bool, error) {
	last := r.Pins[PinAnswered]
	switch {
	case last == "":
		return false, nil
	case last == c.ID:
		return true, nil
	}
	p, err := v.Store.TPMChallenge(ctx, last)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return !issuedAfter(c, p), nil
}

// checkAnswer checks an answer against its challenge: same machine, same
// keys, in time, not answered before, and the secret only the TPM holding
// the endorsement key could recover.
func (v *Verifier) checkAnswer(ctx context.Context, r reenroll.Request, ev *api.TPMEvidence, ek *tpm.Public) error {
	c, err := v.Store.TPMChallenge(ctx, ev.ChallengeID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("challenge %q unknown or expired", ev.ChallengeID)
	}
	if err != nil {
		return err
	}
	ak, err := tpm.ParseAttestationKey(ev.AKPublic)
	if err != nil {
		return err
	}
	switch {
	case c.MachineID != r.MachineID:
		return fmt.Errorf("challenge %s was issued for machine %s", c.ID, c.MachineID)
	case c.EKSHA256 != ek.SHA256 || c.AKName != hex.EncodeToString(ak.Name):
		return fmt.Errorf("challenge %s was issued for other keys", c.ID)
	case !r.Now.Before(c.ExpiresAt):
		return fmt.Errorf("challenge %s expired at %s", c.ID, c.ExpiresAt.Format(time.RFC3339))
	case r.Pins[PinAnswered] == c.ID:
		return fmt.Errorf("challenge %s was answered already", c.ID)
	}
	// An older challenge still stored (it has not expired) must not be
	// answered after a newer one was.
	switch answered, err := v.answered(ctx, r, c); {
	case err != nil:
		return err
	case answered:
		return fmt.Errorf("challenge %s was answered already (or issued before %s, the last one answered)", c.ID, r.Pins[PinAnswered])
	}
	switch {
	case subtle.ConstantTimeCompare([]byte(sha256Hex(ev.Credential)), []byte(c.SecretSHA256)) != 1:
		return fmt.Errorf("wrong credential for challenge %s", c.ID)
	}
	return nil
}

// issuedAfter reports whether challenge c was issued after p (IDs break
// ties, as the store orders them).
func issuedAfter(c, p store.TPMChallenge) bool {
	if !c.IssuedAt.Equal(p.IssuedAt) {
		return c.IssuedAt.After(p.IssuedAt)
	}
	return c.ID > p.ID
}

// pins are what a verified or first registration pins.
func pins(ev *api.TPMEvidence, ek *tpm.Public) map[string]string {
	p := map[string]string{PinEK: ek.SHA256, PinEKIssuer: ""}
	if ak, err := tpm.ParseAttestationKey(ev.AKPublic); err == nil {
		p[PinAK] = hex.EncodeToString(ak.Name)
	}
	if len(ev.EKCertificate) > 0 {
		if c, err := tpm.ParseCertificate(ev.EKCertificate); err == nil {
			p[PinEKIssuer] = c.Issuer
		}
	}
	return p
}

// approvable keeps a refusal for an operator: the same refusal is what a
// machine whose TPM was replaced (a new motherboard) or removed gets, and
// approving it (hwagent machines approve) is how its record is kept.
func approvable(d reenroll.Decision) reenroll.Decision {
	d.Approvable = true
	return d
}

func refuse(format string, args ...any) reenroll.Decision {
	return reenroll.Decision{Verdict: reenroll.Refuse, Reason: "tpm: " + fmt.Sprintf(format, args...)}
}

// short is the first 16 hex digits of a fingerprint, enough to tell keys
// apart in a reason.
func short(sha string) string {
	if len(sha) > 16 {
		return sha[:16] + "…"
	}
	return sha
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
