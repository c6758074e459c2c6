package tpm

import (
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// akTemplate is hwagent's attestation key: an ECDSA NIST P-256 restricted
// signing key, a primary key of the endorsement hierarchy. A primary key
// is derived, not stored, so the agent gets the same key on every boot
// without writing anything into the TPM (no persistent handle, no NV),
// and creating one takes the TPM about a millisecond. ECC rather than
// RSA: RSA primary keys cost a prime search each time.
//
// Its unique field makes the key hwagent's own: the TPM derives a primary
// key from the hierarchy's seed and the whole template, unique field
// included. Built on first use, not at package initialization: every
// start of the agent paid for go-tpm's unions and a SHA-256 before its
// first log line, machines without a TPM included (docs/e2e.md).
var akTemplate = sync.OnceValue(func() tpm2.TPMTPublic {
	unique := sha256.Sum256([]byte("hwagent attestation key v1"))
	return tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgECC,
		NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{
			FixedTPM:            true,
			FixedParent:         true,
			SensitiveDataOrigin: true,
			UserWithAuth:        true,
			NoDA:                true,
			Restricted:          true,
			SignEncrypt:         true,
		},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
			Scheme: tpm2.TPMTECCScheme{
				Scheme:  tpm2.TPMAlgECDSA,
				Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: tpm2.TPMAlgSHA256}),
			},
			CurveID: tpm2.TPMECCNistP256,
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgECC, &tpm2.TPMSECCPoint{
			X: tpm2.TPM2BECCParameter{Buffer: unique[:]},
			Y: tpm2.TPM2BECCParameter{Buffer: make([]byte, 32)},
		}),
	}
})

// createAttestationKey creates (derives) the attestation key and leaves it
// loaded.
func createAttestationKey(t transport.TPM) (*Public, loadedKey, error) {
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.TPMRHEndorsement,
		InPublic:      tpm2.New2B(akTemplate()),
	}.Execute(t)
	if err != nil {
		return nil, loadedKey{}, fmt.Errorf("attestation key: %w", err)
	}
	key := loadedKey{handle: rsp.ObjectHandle, name: rsp.Name, transient: true}
	// The bytes as the TPM sent them, parsed once (go-tpm's reflection
	// decoding and encoding of a public area is most of an identity's cost
	// on an emulated CPU).
	pub, err := ParseAttestationKey(rsp.OutPublic.Bytes())
	if err != nil {
		key.flush(t)
		return nil, loadedKey{}, err
	}
	if string(pub.Name) != string(rsp.Name.Buffer) {
		key.flush(t)
		return nil, loadedKey{}, fmt.Errorf("attestation key: the TPM names it %x, its public area %x", rsp.Name.Buffer, pub.Name)
	}
	return pub, key, nil
}

// loadAttestationKey derives the attestation key again for an activation,
// without decoding its public area: its name, which the TPM computes,
// is compared with the one the identity recorded.
func loadAttestationKey(t transport.TPM) (loadedKey, error) {
	rsp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.TPMRHEndorsement,
		InPublic:      tpm2.New2B(akTemplate()),
	}.Execute(t)
	if err != nil {
		return loadedKey{}, fmt.Errorf("attestation key: %w", err)
	}
	return loadedKey{handle: rsp.ObjectHandle, name: rsp.Name, transient: true}, nil
}
