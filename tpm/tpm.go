package tpm

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// Identity is what the machine's TPM says about itself: the endorsement
// key, which identifies the TPM (and so the machine), and the attestation
// key a server names in its credential challenge.
type Identity struct {
	EK *EndorsementKey
	AK *Public
	// Warnings are problems that did not stop the identity: an unreadable
	// or mismatching EK certificate.
	Warnings []string
}

// Opener opens the TPM device; Find+Open for a host.
type Opener func() (Device, error)

// TPM is the machine's TPM 2.0 as hwagent uses it. Each method opens the
// device, does its work, flushes what it loaded and closes the device,
// all within the context's deadline: nothing stays open or loaded in
// between (a raw /dev/tpm0 has no resource manager, few object slots, and
// one opener at a time). A TPM is safe for concurrent use; calls are
// serialized.
type TPM struct {
	open Opener
	mu   sync.Mutex
	id   *Identity
}

// New returns the TPM that open reaches.
func New(open Opener) *TPM { return &TPM{open: open} }

// Identity reads the endorsement key and creates the attestation key. The
// first success is kept: both keys are the same for as long as the
// machine runs.
func (t *TPM) Identity(ctx context.Context) (*Identity, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.identity(ctx)
}

// Cached returns the identity an earlier Identity call read, or nil: what
// the agent sends with its registration without asking the TPM again.
func (t *TPM) Cached() *Identity {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.id
}

func (t *TPM) identity(ctx context.Context) (*Identity, error) {
	if t.id != nil {
		return t.id, nil
	}
	var id *Identity
	err := t.session(ctx, func(tp transport.TPM) error {
		ek, ekKey, warnings, err := readEndorsementKey(tp)
		if err != nil {
			return err
		}
		ekKey.flush(tp)
		ak, akKey, err := createAttestationKey(tp)
		if err != nil {
			return err
		}
		akKey.flush(tp)
		id = &Identity{EK: ek, AK: ak, Warnings: warnings}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.id = id
	return id, nil
}

// ActivateCredential answers a server's credential challenge (TPM2
// MakeCredential against this TPM's EK, naming its attestation key): the
// TPM decrypts the credential only when it holds the EK's private part and
// the named key. It returns the credential (the server's secret).
func (t *TPM) ActivateCredential(ctx context.Context, credentialBlob, encryptedSecret []byte) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, err := t.identity(ctx)
	if err != nil {
		return nil, err
	}
	var secret []byte
	err = t.session(ctx, func(tp transport.TPM) error {
		ek, err := loadEndorsementKey(tp, id.EK)
		if err != nil {
			return err
		}
		defer ek.flush(tp)
		akKey, err := loadAttestationKey(tp)
		if err != nil {
			return err
		}
		defer akKey.flush(tp)
		if string(akKey.name.Buffer) != string(id.AK.Name) {
			return errors.New("attestation key changed")
		}
		rsp, err := tpm2.ActivateCredential{
			ActivateHandle: akKey.named(),
			KeyHandle: tpm2.AuthHandle{
				Handle: ek.handle,
				Name:   ek.name,
				// Every EK template's policy: PolicySecret(TPM_RH_ENDORSEMENT),
				// the endorsement hierarchy's (empty) authorization.
				Auth: tpm2.Policy(tpm2.TPMAlgSHA256, 16, ekPolicy),
			},
			CredentialBlob: tpm2.TPM2BIDObject{Buffer: credentialBlob},
			Secret:         tpm2.TPM2BEncryptedSecret{Buffer: encryptedSecret},
		}.Execute(tp)
		if err != nil {
			return fmt.Errorf("activate credential: %w", err)
		}
		secret = rsp.CertInfo.Buffer
		return nil
	})
	return secret, err
}

func ekPolicy(t transport.TPM, handle tpm2.TPMISHPolicy, _ tpm2.TPM2BNonce) error {
	_, err := tpm2.PolicySecret{
		AuthHandle:    tpm2.TPMRHEndorsement,
		PolicySession: handle,
	}.Execute(t)
	return err
}

// session opens the device, runs f with commands bounded by ctx, and
// closes the device. A panic in the command layer (a malformed response
// go-tpm does not expect) is an error.
func (t *TPM) session(ctx context.Context, f func(transport.TPM) error) (err error) {
	dev, err := t.open()
	if err != nil {
		return err
	}
	defer dev.Close()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed TPM response: %v", p)
		}
	}()
	return f(bound{ctx: ctx, dev: dev})
}

// bound is a Device as go-tpm's transport, its commands bounded by ctx.
type bound struct {
	ctx context.Context
	dev Device
}

func (b bound) Send(cmd []byte) ([]byte, error) { return b.dev.Send(b.ctx, cmd) }
