package tpm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/google/go-tpm/tpm2"
)

// MaxPublicSize bounds a marshalled TPMT_PUBLIC: an RSA-4096 key with a
// SHA-512 policy is under 600 bytes.
const MaxPublicSize = 1024

// Public is a key's public area (TPMT_PUBLIC) as a TPM marshals it,
// decoded and checked.
type Public struct {
	// Bytes is the marshalled TPMT_PUBLIC, canonical: what the key's name
	// is computed over.
	Bytes []byte
	// Area is Bytes decoded.
	Area tpm2.TPMTPublic
	// Key is the public key: *rsa.PublicKey or *ecdsa.PublicKey.
	Key crypto.PublicKey
	// Name is the key's TPM name (name algorithm and digest of Bytes),
	// what a credential is bound to.
	Name []byte
	// Algorithm names the key: "rsa-2048", "ecc-nist-p256"...
	Algorithm string
	// SHA256 is Fingerprint(Key).
	SHA256 string
}

// ParsePublic decodes a TPMT_PUBLIC received from a TPM or over the
// network. It must be exactly one canonical encoding (re-marshalling gives
// the same bytes), so that the name the server computes is the one the
// TPM computes.
func ParsePublic(b []byte) (_ *Public, err error) {
	if len(b) == 0 {
		return nil, errors.New("public area: empty")
	}
	if len(b) > MaxPublicSize {
		return nil, fmt.Errorf("public area: %d bytes, more than %d", len(b), MaxPublicSize)
	}
	defer func() {
		// go-tpm's reflection-based decoder is not written for hostile
		// input; a panic there is a malformed area.
		if p := recover(); p != nil {
			err = fmt.Errorf("public area: malformed (%v)", p)
		}
	}()
	area, err := tpm2.Unmarshal[tpm2.TPMTPublic](b)
	if err != nil {
		return nil, fmt.Errorf("public area: %w", err)
	}
	if !bytes.Equal(tpm2.Marshal(area), b) {
		return nil, errors.New("public area: not one canonical TPMT_PUBLIC (trailing or non-canonical bytes)")
	}
	p := &Public{Bytes: append([]byte(nil), b...), Area: *area}
	switch area.NameAlg {
	case tpm2.TPMAlgSHA256, tpm2.TPMAlgSHA384, tpm2.TPMAlgSHA512:
	default:
		return nil, fmt.Errorf("public area: name algorithm %#x: want SHA-256, SHA-384 or SHA-512", uint16(area.NameAlg))
	}
	// The name (TPM 2.0 Part 1, 16: nameAlg || H(TPMT_PUBLIC)) over b,
	// which is the canonical encoding: what tpm2.ObjectName computes after
	// encoding the area once more.
	h, err := area.NameAlg.Hash()
	if err != nil {
		return nil, fmt.Errorf("public area: name: %w", err)
	}
	hash := h.New()
	hash.Write(b)
	p.Name = hash.Sum(binary.BigEndian.AppendUint16(nil, uint16(area.NameAlg)))
	if p.Key, err = tpm2.Pub(*area); err != nil {
		return nil, fmt.Errorf("public area: %w", err)
	}
	switch k := p.Key.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 4096 {
			return nil, fmt.Errorf("public area: RSA key of %d bits: want 2048 to 4096", n)
		}
		if k.E < 3 || k.E&1 == 0 {
			return nil, fmt.Errorf("public area: RSA exponent %d", k.E)
		}
		p.Algorithm = fmt.Sprintf("rsa-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		p.Algorithm = "ecc-nist-" + map[string]string{"P-256": "p256", "P-384": "p384", "P-521": "p521"}[k.Curve.Params().Name]
		if p.Algorithm == "ecc-nist-" {
			return nil, fmt.Errorf("public area: curve %s not supported", k.Curve.Params().Name)
		}
		if _, err := k.ECDH(); err != nil {
			return nil, fmt.Errorf("public area: %w", err)
		}
	default:
		return nil, fmt.Errorf("public area: key type %T not supported", p.Key)
	}
	if p.SHA256, err = Fingerprint(p.Key); err != nil {
		return nil, fmt.Errorf("public area: %w", err)
	}
	return p, nil
}

// ParseEndorsementKey parses an endorsement key's public area and checks
// that it is one: a restricted decryption key that never leaves its TPM
// (fixedTPM, fixedParent), as every EK template of the TCG EK Credential
// Profile makes.
func ParseEndorsementKey(b []byte) (*Public, error) {
	p, err := ParsePublic(b)
	if err != nil {
		return nil, fmt.Errorf("endorsement key: %w", err)
	}
	a := p.Area.ObjectAttributes
	if !a.FixedTPM || !a.FixedParent || !a.Restricted || !a.Decrypt || a.SignEncrypt {
		return nil, fmt.Errorf("endorsement key: attributes %s: want fixedTPM, fixedParent, restricted, decrypt and not sign", attributes(a))
	}
	if _, err := tpm2.ImportEncapsulationKey(&p.Area); err != nil {
		return nil, fmt.Errorf("endorsement key: cannot encrypt a credential to it: %w", err)
	}
	return p, nil
}

// ParseAttestationKey parses an attestation key's public area and checks
// that it is one: a restricted signing key created inside its TPM that
// never leaves it (fixedTPM, fixedParent, sensitiveDataOrigin).
func ParseAttestationKey(b []byte) (*Public, error) {
	p, err := ParsePublic(b)
	if err != nil {
		return nil, fmt.Errorf("attestation key: %w", err)
	}
	a := p.Area.ObjectAttributes
	if !a.FixedTPM || !a.FixedParent || !a.SensitiveDataOrigin || !a.Restricted || !a.SignEncrypt || a.Decrypt {
		return nil, fmt.Errorf("attestation key: attributes %s: want fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign and not decrypt", attributes(a))
	}
	return p, nil
}

// attributes lists the attributes that matter here, for errors.
func attributes(a tpm2.TPMAObject) string {
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{a.FixedTPM, "fixedTPM"}, {a.FixedParent, "fixedParent"}, {a.SensitiveDataOrigin, "sensitiveDataOrigin"},
		{a.Restricted, "restricted"}, {a.Decrypt, "decrypt"}, {a.SignEncrypt, "sign"},
	} {
		if f.on {
			out = append(out, f.name)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return fmt.Sprint(out)
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// SameKey reports whether two public keys are the same key.
func SameKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}
