package tpm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-tpm/tpm2"
)

// flushTimeout bounds the flushes that release what an Activation loaded.
// They run under a context of their own: a caller whose context ended
// (the preparation timed out, the agent is stopping) still frees the
// TPM's slots, which a raw /dev/tpm0 keeps until the TPM restarts.
const flushTimeout = 5 * time.Second

// Activation is a credential activation in three steps: PrepareActivation
// opens the device, loads the attestation key and satisfies the EK's
// policy in a session; Activate is TPM2_ActivateCredential alone; Close
// flushes what was loaded. The agent sends the recovered secret to the
// server before it closes (in the background), where ActivateCredential
// flushes first; and Activate alone is one TPM command, for a caller that
// can prepare before its challenge arrives.
//
// An Activation holds the TPM until Close: the TPM's other methods wait.
type Activation struct {
	t      *TPM
	dev    Device
	ek, ak loadedKey
	// sess is the policy session, nil once used.
	sess tpm2.Session
	// session is its handle, flushed by Close (the session is created
	// with continueSession: it outlives its use).
	session tpm2.TPMHandle
	closed  bool
}

// PrepareActivation opens the TPM and loads what answering a credential
// challenge needs, reading the identity first when Identity has not. On
// error nothing stays loaded or open; otherwise Close releases it all.
func (t *TPM) PrepareActivation(ctx context.Context) (_ *Activation, err error) {
	t.mu.Lock()
	held := false
	defer func() {
		if !held {
			t.mu.Unlock()
		}
	}()
	id, err := t.identity(ctx)
	if err != nil {
		return nil, err
	}
	dev, err := t.open()
	if err != nil {
		return nil, err
	}
	a := &Activation{t: t, dev: dev}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed TPM response: %v", p)
		}
		if err != nil {
			a.release(ctx)
		}
	}()
	tp := bound{ctx: ctx, dev: dev}
	if a.ek, err = loadEndorsementKey(tp, id.EK); err != nil {
		return nil, err
	}
	if a.ak, err = loadAttestationKey(tp); err != nil {
		return nil, err
	}
	if string(a.ak.name.Buffer) != string(id.AK.Name) {
		return nil, errors.New("attestation key changed")
	}
	// Every EK template's policy, PolicySecret(TPM_RH_ENDORSEMENT) (the
	// endorsement hierarchy's empty authorization), satisfied ahead: a
	// policy session keeps its state until it is used.
	sess, _, err := tpm2.PolicySession(tp, tpm2.TPMAlgSHA256, 16)
	if err != nil {
		return nil, fmt.Errorf("EK policy session: %w", err)
	}
	a.sess, a.session = sess, sess.Handle()
	if err := ekPolicy(tp, sess.Handle(), tpm2.TPM2BNonce{}); err != nil {
		return nil, fmt.Errorf("EK policy: %w", err)
	}
	held = true // until Close
	return a, nil
}

// Activate answers a challenge as TPM.ActivateCredential does, with what
// PrepareActivation loaded. It can be used once.
func (a *Activation) Activate(ctx context.Context, credentialBlob, encryptedSecret []byte) (secret []byte, err error) {
	if a.closed || a.sess == nil {
		return nil, errors.New("tpm: activation closed or used")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed TPM response: %v", p)
		}
	}()
	sess := a.sess
	a.sess = nil // a policy session is reset by its use, failed or not
	rsp, err := tpm2.ActivateCredential{
		ActivateHandle: a.ak.named(),
		KeyHandle:      tpm2.AuthHandle{Handle: a.ek.handle, Name: a.ek.name, Auth: sess},
		CredentialBlob: tpm2.TPM2BIDObject{Buffer: credentialBlob},
		Secret:         tpm2.TPM2BEncryptedSecret{Buffer: encryptedSecret},
	}.Execute(bound{ctx: ctx, dev: a.dev})
	if err != nil {
		return nil, fmt.Errorf("activate credential: %w", err)
	}
	return rsp.CertInfo.Buffer, nil
}

// Close flushes what the activation loaded, closes the device and lets
// the TPM's other methods run again. It may be called more than once.
func (a *Activation) Close(ctx context.Context) {
	if a == nil || a.closed {
		return
	}
	a.release(ctx)
	a.t.mu.Unlock()
}

// release flushes and closes; the caller handles the lock.
func (a *Activation) release(ctx context.Context) {
	if a.closed {
		return
	}
	a.closed = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	func() {
		defer func() { recover() }() //nolint:errcheck // best effort: the device is closed next either way
		tp := bound{ctx: ctx, dev: a.dev}
		if a.session != 0 {
			tpm2.FlushContext{FlushHandle: a.session}.Execute(tp) //nolint:errcheck // a resource manager flushes on close; a raw TPM that refuses has bigger problems
		}
		a.ak.flush(tp)
		a.ek.flush(tp)
	}()
	a.dev.Close()
}
