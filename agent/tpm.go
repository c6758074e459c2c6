package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// preparation is a tpm.Activation made ready in the background while a
// registration carrying TPM evidence is in flight. The server answers a
// known machine's registration with a challenge under --reenroll tpm, and
// a prepared activation answers it with one TPM command instead of five
// (each a round trip through the kernel's driver and the TPM's FIFO, 5–10
// ms on an emulated TPM): the rest overlaps the registration's round trip.
// A registration that is not challenged costs the TPM a few commands no
// one waits for.
type preparation struct {
	done  chan struct{}
	act   *tpm.Activation
	err   error
	close func() // once: closes act in the background
}

// prepareActivation starts preparing an activation when the registration
// carries TPM evidence; nil otherwise. The caller releases it.
func (a *Agent) prepareActivation(ctx context.Context, ev *api.TPMEvidence) *preparation {
	if ev == nil {
		return nil
	}
	p := a.newPreparation()
	go func() {
		defer close(p.done)
		pctx, cancel := context.WithTimeout(ctx, activateTimeout)
		defer cancel()
		p.act, p.err = a.env.TPM().PrepareActivation(pctx)
	}()
	return p
}

// newPreparation is a preparation to be done (p.done closed) and released:
// the release closes the activation in the background once the
// preparation is done (Agent.inBackground).
func (a *Agent) newPreparation() *preparation {
	p := &preparation{done: make(chan struct{})}
	p.close = sync.OnceFunc(func() {
		a.inBackground(func() {
			<-p.done
			if p.act != nil {
				p.act.Close(context.Background())
			}
		})
	})
	return p
}

// release lets go of the preparation, once it is done; it may be called
// more than once.
func (p *preparation) release() {
	if p != nil {
		p.close()
	}
}

// activate answers the challenge with the prepared activation, or with a
// whole ActivateCredential when there is none or its preparation failed.
func (p *preparation) activate(ctx context.Context, t *tpm.TPM, ch *api.TPMChallenge) (secret []byte, prepared bool, err error) {
	if p != nil {
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil, false, fmt.Errorf("the TPM's preparation did not finish: %w", ctx.Err())
		}
		if p.err == nil {
			secret, err := p.act.Activate(ctx, ch.CredentialBlob, ch.EncryptedSecret)
			return secret, true, err
		}
	}
	secret, err = t.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret)
	return secret, false, err
}

// answerChallenge answers the server's TPM challenge with a second
// registration: the credential the TPM recovered, or why it could not.
func (a *Agent) answerChallenge(ctx context.Context, inv *inventory.Inventory, ev *api.TPMEvidence, ch *api.TPMChallenge, prep *preparation) (*api.RegisterResponse, error) {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, activateTimeout)
	secret, prepared, err := prep.activate(actx, a.env.TPM(), ch)
	cancel()
	prep.release() // the flushes overlap the answer's round trip
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
	if prep != nil && prep.err != nil {
		a.logger.Warn("the TPM could not prepare the challenge's answer ahead; answered without", "err", prep.err)
	}
	sent := time.Now()
	resp, err := a.opts.Server.RegisterTPM(ctx, inv, &answer)
	if err != nil {
		return nil, err
	}
	if resp.TPMChallenge != nil {
		return nil, errors.New("the server answered a TPM challenge's answer with another challenge")
	}
	a.logger.Info("tpm challenge answered", "challenge", ch.ID,
		"activate_ms", float64(activated.Microseconds())/1000, "prepared", prepared, "answer_round_trip_ms", float64(time.Since(sent).Microseconds())/1000)
	return resp, nil
}
