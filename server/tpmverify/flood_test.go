package tpmverify_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tpm/tpm2"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
	"github.com/hwagent/hwagent/server/tpmverify"
	"github.com/hwagent/hwagent/tpm"
)

// forgedAK is an attestation key public area with the attributes of the
// agent's and a point of its own: what a registration can carry without
// any TPM (its name is all MakeCredential needs).
func forgedAK(t *testing.T, genuine []byte) []byte {
	t.Helper()
	pub, err := tpm2.Unmarshal[tpm2.TPMTPublic](genuine)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw := k.PublicKey().Bytes() // 04 || X || Y
	pub.Unique = tpm2.NewTPMUPublicID(tpm2.TPMAlgECC, &tpm2.TPMSECCPoint{
		X: tpm2.TPM2BECCParameter{Buffer: raw[1:33]},
		Y: tpm2.TPM2BECCParameter{Buffer: raw[33:]},
	})
	b := tpm2.Marshal(pub)
	if _, err := tpm.ParseAttestationKey(b); err != nil {
		t.Fatalf("forged AK does not parse: %v", err)
	}
	return b
}

// TestChallengeFlood: anyone with the enrollment token and a machine's
// public EK and AK (sent in every registration) registers many times
// while the genuine agent answers its challenge, with the machine's own
// keys and with attestation keys of their own. The genuine agent's answer
// still registers it, once; storage stays bounded.
func TestChallengeFlood(t *testing.T) {
	t.Parallel()
	genuine := machineTPM(t)
	ev := evidence(t, genuine)
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := storeDSN(t, kind)
			st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			v := &tpmverify.Verifier{Store: st, TTL: time.Minute}
			now := time.Now()
			req := func(pins map[string]string, ev *api.TPMEvidence, at time.Time, m string) reenroll.Request {
				return reenroll.Request{MachineID: m, Register: &api.RegisterRequest{Inventory: testinv.Machine(1), TPM: ev}, Pins: pins, Now: at}
			}
			d, _, err := v.Verify(ctx, req(nil, ev, now, ""))
			if err != nil || d.Verdict != reenroll.Allow || d.Pins[tpmverify.PinAK] == "" {
				t.Fatalf("first registration: %+v %v, want the EK and AK pinned", d, err)
			}
			pinned := d.Pins
			m := createMachine(t, st, 1, "")

			// The genuine agent's registration: challenged.
			d, _, err = v.Verify(ctx, req(pinned, ev, now, m))
			if err != nil || d.Verdict != reenroll.Challenge {
				t.Fatalf("pinned machine: %+v %v", d, err)
			}
			ch := d.Response.TPMChallenge
			// The flood, before the genuine answer arrives.
			resent := 0
			for i := range 40 {
				at := now.Add(time.Duration(i+1) * 100 * time.Millisecond)
				d, _, err := v.Verify(ctx, req(pinned, ev, at, m))
				if err != nil || d.Verdict != reenroll.Challenge {
					t.Fatalf("registration %d with the machine's keys: %+v %v", i, d, err)
				}
				if d.Response.TPMChallenge.ID == ch.ID {
					resent++
				}
				forged := *ev
				forged.AKPublic = forgedAK(t, ev.AKPublic)
				if d, _, err := v.Verify(ctx, req(pinned, &forged, at, m)); err != nil || d.Verdict != reenroll.Challenge {
					t.Fatalf("registration %d with a forged AK: %+v %v", i, d, err)
				}
			}
			secret, err := genuine.ActivateCredential(ctx, ch.CredentialBlob, ch.EncryptedSecret)
			if err != nil {
				t.Fatal(err)
			}
			answer := *ev
			answer.ChallengeID, answer.Credential = ch.ID, secret
			d, _, err = v.Verify(ctx, req(pinned, &answer, now.Add(5*time.Second), m))
			if err != nil || d.Verdict != reenroll.Allow || d.Pins[tpmverify.PinAnswered] != ch.ID {
				t.Fatalf("the genuine answer after the flood: %+v %v", d, err)
			}
			answered := d.Pins
			if resent != 40 {
				t.Errorf("%d of 40 registrations with the machine's keys were sent the outstanding challenge, want all", resent)
			}
			// Once only; the next registration gets a new challenge.
			if d, _, _ := v.Verify(ctx, req(answered, &answer, now.Add(6*time.Second), m)); d.Verdict != reenroll.Refuse || !strings.Contains(d.Reason, "answered already") {
				t.Errorf("the answer replayed: %+v", d)
			}
			d, _, err = v.Verify(ctx, req(answered, ev, now.Add(7*time.Second), m))
			if err != nil || d.Verdict != reenroll.Challenge || d.Response.TPMChallenge.ID == ch.ID {
				t.Errorf("after the answer: %+v %v, want a new challenge", d, err)
			}

			// Bounded: two for the machine's keys, 32 for the others.
			db, err := sql.Open(map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[kind], strings.TrimPrefix(dsn, "sqlite://"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM tpm_challenges WHERE machine_id = $1`, m).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 34 {
				t.Errorf("%d challenges stored for the machine, want at most 34", n)
			}
		})
	}
}
