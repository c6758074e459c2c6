package agent

import (
	"context"
	"errors"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/tpm"
)

// activateTimeout bounds the TPM's part of a challenge's answer.
const activateTimeout = 30 * time.Second

// tpmEvidence is the TPM evidence the registration carries: the keys the
// tpm collector read, nil when it did not run or the machine has no
// usable TPM 2.0.
func (a *Agent) tpmEvidence() *api.TPMEvidence {
	id := a.env.TPM().Cached()
	if id == nil {
		return nil
	}
	ev := &api.TPMEvidence{EKPublic: id.EK.Bytes, AKPublic: id.AK.Bytes}
	if id.EK.Certificate != nil {
		ev.EKCertificate = id.EK.Certificate.DER
	}
	return ev
}

// activate has the TPM recover the challenge's secret: the activation
// prepared (attestation key loaded, EK policy satisfied) and answered,
// and what it loaded flushed in the background, while the answer goes to
// the server. When the preparation fails (a TPM refusing a command for a
// moment, out of session slots) it tries once more with a whole
// ActivateCredential within the same deadline.
//
// The preparation is not started ahead, while the registration is in
// flight: in the project's TCG guest that moved the same work onto the
// guest's one vCPU during the request (the challenged registration took as
// long) and made every registration that is not challenged — all of them
// under --reenroll allow and approve — 25 ms slower (docs/e2e.md).
func (a *Agent) activate(ctx context.Context, t *tpm.TPM, ch *api.TPMChallenge) ([]byte, error) {
	act, err := t.PrepareActivation(ctx)
	if err != nil {
		a.logger.Warn("the TPM could not prepare the challenge's answer; trying a whole ActivateCredential", "challenge", ch.ID, "err", err)
		return t.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret)
	}
	defer a.inBackground(func() { act.Close(context.Background()) })
	return act.Activate(ctx, ch.CredentialBlob, ch.EncryptedSecret)
}

// answerChallenge answers the server's TPM challenge with a second
// registration: the credential the TPM recovered, or why it could not.
func (a *Agent) answerChallenge(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence, ch *api.TPMChallenge) (*api.RegisterResponse, error) {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, activateTimeout)
	secret, err := a.activate(actx, a.env.TPM(), ch)
	cancel()
	answer := *ev
	answer.ChallengeID = ch.ID
	if err != nil {
		msg := err.Error()
		if len(msg) > api.MaxTPMErrorBytes {
			msg = msg[:api.MaxTPMErrorBytes]
		}
		answer.Error = msg
		a.logger.Warn("the TPM could not answer the server's challenge", "challenge", ch.ID, "err", err)
	} else {
		answer.Credential = secret
	}
	activated := time.Since(start)
	sent := time.Now()
	resp, err := a.opts.Server.RegisterTPM(ctx, inv, &answer)
	if err != nil {
		return nil, err
	}
	if resp.TPMChallenge != nil {
		return nil, errors.New("the server answered a TPM challenge's answer with another challenge")
	}
	a.logger.Info("tpm challenge answered", "challenge", ch.ID,
		"activate_ms", float64(activated.Microseconds())/1000, "answer_round_trip_ms", float64(time.Since(sent).Microseconds())/1000)
	return resp, nil
}
