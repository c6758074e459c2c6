package server

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-tpm/tpm2"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/tpm"
)

// fieldTPMEvidence is TPM evidence the server accepts without a TPM: the
// endorsement key of a real EK certificate (a Google Compute Engine vTPM's,
// tpm/testdata) in the TCG's RSA EK template, with that certificate, and
// an attestation key in hwagent's template on a fresh P-256 point. The
// handler fuzz target seeds registrations with it, so that TPM pins,
// challenges and refusals are reached.
func fieldTPMEvidence(tb testing.TB) *api.TPMEvidence {
	tb.Helper()
	der, err := os.ReadFile(filepath.Join("..", "tpm", "testdata", "gce-ek-rsa.der"))
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		tb.Fatalf("gce-ek-rsa.der holds a %T", cert.PublicKey)
	}
	ek := tpm2.RSAEKTemplate
	ek.Unique = tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: pub.N.Bytes()})
	point, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	xy := point.PublicKey().Bytes()[1:] // uncompressed: 0x04 X Y
	ak := tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgECC,
		NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{FixedTPM: true, FixedParent: true, SensitiveDataOrigin: true,
			UserWithAuth: true, NoDA: true, Restricted: true, SignEncrypt: true},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgECC, &tpm2.TPMSECCParms{
			Scheme: tpm2.TPMTECCScheme{
				Scheme:  tpm2.TPMAlgECDSA,
				Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgECDSA, &tpm2.TPMSSigSchemeECDSA{HashAlg: tpm2.TPMAlgSHA256}),
			},
			CurveID: tpm2.TPMECCNistP256,
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgECC, &tpm2.TPMSECCPoint{
			X: tpm2.TPM2BECCParameter{Buffer: xy[:32]},
			Y: tpm2.TPM2BECCParameter{Buffer: xy[32:]},
		}),
	}
	ev := &api.TPMEvidence{EKPublic: tpm2.Marshal(ek), EKCertificate: der, AKPublic: tpm2.Marshal(ak)}
	if err := checkTPMEvidence(ev, nil); err != nil {
		tb.Fatalf("the field evidence is refused: %v", err)
	}
	if _, err := tpm.ParseCertificate(der); err != nil {
		tb.Fatal(err)
	}
	return ev
}
