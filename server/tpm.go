package server

import (
	"fmt"
	"unicode/utf8"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/tpm"
)

// checkTPMEvidence validates a registration's TPM evidence whatever the
// re-enrolment policy: public areas that are an endorsement key and an
// attestation key, a certificate (when sent) certifying that endorsement
// key, the inventory's endorsement key (when reported) the same, and an
// answer that fits. A request that fails is refused whole (400): nothing
// is stored.
func checkTPMEvidence(ev *api.TPMEvidence, inv *inventory.Inventory) error {
	if ev == nil {
		return nil
	}
	switch {
	case len(ev.EKPublic) > api.MaxTPMPublicBytes, len(ev.AKPublic) > api.MaxTPMPublicBytes:
		return fmt.Errorf("field tpm: public area longer than %d bytes", api.MaxTPMPublicBytes)
	case len(ev.EKCertificate) > api.MaxTPMCertificateBytes:
		return fmt.Errorf("field tpm.ek_certificate: longer than %d bytes", api.MaxTPMCertificateBytes)
	case len(ev.Credential) > api.MaxTPMCredentialBytes:
		return fmt.Errorf("field tpm.credential: longer than %d bytes", api.MaxTPMCredentialBytes)
	case len(ev.Error) > api.MaxTPMErrorBytes || !utf8.ValidString(ev.Error):
		return fmt.Errorf("field tpm.error: longer than %d bytes or not UTF-8", api.MaxTPMErrorBytes)
	case len(ev.ChallengeID) > 64:
		return fmt.Errorf("field tpm.challenge_id: longer than 64 bytes")
	case ev.ChallengeID == "" && (len(ev.Credential) > 0 || ev.Error != ""):
		return fmt.Errorf("field tpm: credential or error without challenge_id")
	}
	ek, err := tpm.ParseEndorsementKey(ev.EKPublic)
	if err != nil {
		return fmt.Errorf("field tpm.ek_public: %w", err)
	}
	if _, err := tpm.ParseAttestationKey(ev.AKPublic); err != nil {
		return fmt.Errorf("field tpm.ak_public: %w", err)
	}
	if len(ev.EKCertificate) > 0 {
		cert, err := tpm.ParseCertificate(ev.EKCertificate)
		if err != nil {
			return fmt.Errorf("field tpm.ek_certificate: %w", err)
		}
		if !tpm.SameKey(cert.PublicKey, ek.Key) {
			return fmt.Errorf("field tpm.ek_certificate: certifies another key than tpm.ek_public")
		}
	}
	if inv != nil && inv.Firmware != nil && inv.Firmware.TPM != nil && inv.Firmware.TPM.EndorsementKey != nil {
		if got := inv.Firmware.TPM.EndorsementKey.PublicKeySHA256; got != ek.SHA256 {
			return fmt.Errorf("field tpm.ek_public: the inventory's endorsement key is sha256:%s, the evidence's sha256:%s", got, ek.SHA256)
		}
	}
	return nil
}
