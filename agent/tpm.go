package agent

import (
	"context"
	"errors"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
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

// answerChallenge answers the server's TPM challenge with a second
// registration: the credential the TPM recovered, or why it could not.
func (a *Agent) answerChallenge(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence, ch *api.TPMChallenge) (*api.RegisterResponse, error) {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, activateTimeout)
	secret, err := a.env.TPM().ActivateCredential(actx, ch.CredentialBlob, ch.EncryptedSecret)
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
