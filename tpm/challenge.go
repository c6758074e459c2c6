package tpm

import (
	"errors"
	"fmt"
	"io"

	"github.com/google/go-tpm/tpm2"
)

// SecretSize is the size of the secret a server wraps in a credential
// challenge. TPM2_ActivateCredential returns at most a digest of the EK's
// name algorithm (32 bytes for SHA-256).
const SecretSize = 32

// MakeCredential is the server's half of credential activation, computed
// in software (TPM2_MakeCredential without a TPM): it wraps secret so that
// only the TPM holding ek's private key can unwrap it, and only for the
// key whose name is ak's. The results are TPM2B_ID_OBJECT and
// TPM2B_ENCRYPTED_SECRET contents, what TPM2_ActivateCredential takes.
func MakeCredential(rand io.Reader, ek, ak *Public, secret []byte) (credentialBlob, encryptedSecret []byte, err error) {
	if len(secret) == 0 || len(secret) > SecretSize {
		return nil, nil, fmt.Errorf("make credential: secret of %d bytes: want 1 to %d", len(secret), SecretSize)
	}
	if ek == nil || ak == nil {
		return nil, nil, errors.New("make credential: no EK or AK")
	}
	key, err := tpm2.ImportEncapsulationKey(&ek.Area)
	if err != nil {
		return nil, nil, fmt.Errorf("make credential: %w", err)
	}
	blob, enc, err := tpm2.CreateCredential(rand, key, ak.Name, secret)
	if err != nil {
		return nil, nil, fmt.Errorf("make credential: %w", err)
	}
	return blob, enc, nil
}
