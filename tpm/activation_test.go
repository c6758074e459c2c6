package tpm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/tpm"
	"github.com/hwagent/hwagent/tpm/tpmtest"
)

// TestPrepareActivation: an activation made ready before the challenge
// answers it with one TPM command (TPM2_ActivateCredential, 0x147) where
// ActivateCredential sends five, recovers the same secret, answers once,
// and leaves nothing loaded once closed; the TPM's other methods wait for
// it.
func TestPrepareActivation(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tpm0", "tpmrm0"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sw := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
			ctx := context.Background()
			o := &tpmtest.FaultOpener{Next: tpm.HostOpener(hostWith(t, sw, name))}
			tp := tpm.New(o.Open)
			id, err := tp.Identity(ctx)
			if err != nil {
				t.Fatal(err)
			}
			challenge := func() ([]byte, []byte, []byte) {
				secret := make([]byte, tpm.SecretSize)
				rand.Read(secret)
				blob, enc, err := tpm.MakeCredential(rand.Reader, &id.EK.Public, id.AK, secret)
				if err != nil {
					t.Fatal(err)
				}
				return secret, blob, enc
			}
			o.Commands()
			secret, blob, enc := challenge()
			if got, err := tp.ActivateCredential(ctx, blob, enc); err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("ActivateCredential: %x %v", got, err)
			}
			plain := o.Commands()

			act, err := tp.PrepareActivation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			o.Commands()
			secret, blob, enc = challenge()
			got, err := act.Activate(ctx, blob, enc)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("Activate: %x %v, want %x", got, err, secret)
			}
			if cmds := o.Commands(); len(cmds) != 1 || cmds[0] != 0x147 {
				t.Errorf("commands to answer a prepared activation: %#x, want only ActivateCredential (0x147); unprepared: %#x", cmds, plain)
			}
			if _, err := act.Activate(ctx, blob, enc); err == nil {
				t.Error("a prepared activation answered twice")
			}
			waited := make(chan struct{})
			go func() {
				defer close(waited)
				if _, err := tp.ActivateCredential(ctx, blob, enc); err != nil {
					t.Errorf("ActivateCredential after Close: %v", err)
				}
			}()
			act.Close(ctx)
			act.Close(ctx)
			<-waited
			if h := loadedHandles(t, sw); len(h) > 0 {
				t.Errorf("handles left loaded after Close: %#x", h)
			}
		})
	}
}

// TestPrepareActivationFails: a preparation the TPM refuses part-way
// (deriving the attestation key, starting the policy session, satisfying
// the EK's policy) returns the error, leaves nothing loaded, and lets go
// of the TPM: ActivateCredential, the agent's fallback, answers next.
func TestPrepareActivationFails(t *testing.T) {
	t.Parallel()
	sw := lab.StartSWTPM(t, lab.SWTPMConfig{Manufacture: true})
	ctx := context.Background()
	o := &tpmtest.FaultOpener{Next: tpm.HostOpener(hostWith(t, sw, "tpm0"))}
	tp := tpm.New(o.Open)
	id, err := tp.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		code uint32
	}{
		{"CreatePrimary (attestation key)", 0x131},
		{"StartAuthSession", 0x176},
		{"PolicySecret", 0x151},
	} {
		o.Fail(tc.code, 0x101, false) // TPM_RC_FAILURE
		act, err := tp.PrepareActivation(ctx)
		o.Fail(0, 0, false)
		if err == nil || !strings.Contains(err.Error(), "TPM_RC_FAILURE") {
			act.Close(ctx)
			t.Errorf("%s refused: PrepareActivation %v, want the TPM's TPM_RC_FAILURE", tc.name, err)
			continue
		}
		if cmds := o.Commands(); !slices.Contains(cmds, tc.code) {
			t.Errorf("%s refused: the preparation sent %#x", tc.name, cmds)
		}
		if h := loadedHandles(t, sw); len(h) > 0 {
			t.Errorf("%s refused: handles left loaded: %#x", tc.name, h)
		}
		secret := make([]byte, tpm.SecretSize)
		rand.Read(secret)
		blob, enc, err := tpm.MakeCredential(rand.Reader, &id.EK.Public, id.AK, secret)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			got, err := tp.ActivateCredential(ctx, blob, enc)
			if err != nil || !bytes.Equal(got, secret) {
				t.Errorf("%s refused: ActivateCredential after it: %x %v, want %x", tc.name, got, err, secret)
			}
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s refused: ActivateCredential still waits for the TPM after 30 s", tc.name)
		}
	}
	if h := loadedHandles(t, sw); len(h) > 0 {
		t.Errorf("handles left loaded: %#x", h)
	}
}
