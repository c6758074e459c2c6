package tpm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/tpm"
)

// countingOpener counts the TPM commands the devices it opens send; the
// command whose code is fail, when not 0, is answered TPM_RC_FAILURE
// instead of reaching the TPM.
type countingOpener struct {
	open tpm.Opener
	fail uint32
	mu   sync.Mutex
	cmds []uint32
}

type countingDevice struct {
	tpm.Device
	o *countingOpener
}

func (d countingDevice) Send(ctx context.Context, cmd []byte) ([]byte, error) {
	if len(cmd) >= 10 {
		code := binary.BigEndian.Uint32(cmd[6:10])
		d.o.mu.Lock()
		d.o.cmds = append(d.o.cmds, code)
		d.o.mu.Unlock()
		if code == d.o.fail {
			// tag TPM_ST_NO_SESSIONS, size 10, TPM_RC_FAILURE
			return []byte{0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x01}, nil
		}
	}
	return d.Device.Send(ctx, cmd)
}

func (o *countingOpener) Open() (tpm.Device, error) {
	d, err := o.open()
	if err != nil {
		return nil, err
	}
	return countingDevice{Device: d, o: o}, nil
}

func (o *countingOpener) take() []uint32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.cmds
	o.cmds = nil
	return c
}

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
			o := &countingOpener{open: tpm.HostOpener(hostWith(t, sw, name))}
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
			o.take()
			secret, blob, enc := challenge()
			if got, err := tp.ActivateCredential(ctx, blob, enc); err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("ActivateCredential: %x %v", got, err)
			}
			plain := o.take()

			act, err := tp.PrepareActivation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			o.take()
			secret, blob, enc = challenge()
			got, err := act.Activate(ctx, blob, enc)
			if err != nil || !bytes.Equal(got, secret) {
				t.Fatalf("Activate: %x %v, want %x", got, err, secret)
			}
			if cmds := o.take(); len(cmds) != 1 || cmds[0] != 0x147 {
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
	o := &countingOpener{open: tpm.HostOpener(hostWith(t, sw, "tpm0"))}
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
		o.fail = tc.code
		act, err := tp.PrepareActivation(ctx)
		o.fail = 0
		if err == nil || !strings.Contains(err.Error(), "TPM_RC_FAILURE") {
			act.Close(ctx)
			t.Errorf("%s refused: PrepareActivation %v, want the TPM's TPM_RC_FAILURE", tc.name, err)
			continue
		}
		if cmds := o.take(); !slices.Contains(cmds, tc.code) {
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
