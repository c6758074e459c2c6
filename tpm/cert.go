package tpm

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxCertificateSize bounds an EK certificate: NV indices are at most a
// few KiB, EK certificates 1-2 KiB.
const MaxCertificateSize = 4096

// maxIssuerLen bounds the issuer string kept from a certificate.
const maxIssuerLen = 512

// Certificate is an endorsement key certificate as the TPM manufacturer
// wrote it into NV memory.
type Certificate struct {
	// DER is the certificate, without the padding some NV areas carry.
	DER []byte
	// Issuer is the issuer's distinguished name (RFC 2253 form, control
	// characters escaped, at most 512 bytes).
	Issuer string
	// Serial is the serial number in hex (a leading "-" when negative, as
	// some EK certificates are).
	Serial string
	// PublicKey is the certified key: *rsa.PublicKey or *ecdsa.PublicKey.
	PublicKey crypto.PublicKey
}

// oidRSAESOAEP is the algorithm some EK certificates name their RSA key
// with (TCG EK Credential Profile); crypto/x509 knows only rsaEncryption.
var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAESOAEP     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 7}
)

// certificate is the part of RFC 5280's Certificate the EK needs. It is
// decoded by hand because crypto/x509 refuses what EK certificates in the
// field carry: negative serial numbers, RSAES-OAEP keys, and critical
// subject alternative names in the TPM's own attribute syntax.
type certificate struct {
	TBS struct {
		Raw       asn1.RawContent
		Version   int `asn1:"optional,explicit,default:0,tag:0"`
		Serial    *big.Int
		Signature asn1.RawValue
		Issuer    asn1.RawValue
		Validity  asn1.RawValue
		Subject   asn1.RawValue
		PublicKey struct {
			Algorithm pkix.AlgorithmIdentifier
			Key       asn1.BitString
		}
	}
}

// ParseCertificate decodes an EK certificate read from NV memory:
// trailing padding (zeros or 0xFF up to the NV area's size) is cut off by
// the DER length of the outer SEQUENCE.
func ParseCertificate(nv []byte) (*Certificate, error) {
	if len(nv) > MaxCertificateSize {
		return nil, fmt.Errorf("EK certificate: %d bytes, more than %d", len(nv), MaxCertificateSize)
	}
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(nv, &raw)
	if err != nil {
		return nil, fmt.Errorf("EK certificate: %w", err)
	}
	for _, b := range rest {
		if b != 0 && b != 0xFF {
			return nil, fmt.Errorf("EK certificate: %d bytes after the certificate are not padding", len(rest))
		}
	}
	der := raw.FullBytes
	var c certificate
	if _, err := asn1.Unmarshal(der, &c); err != nil {
		return nil, fmt.Errorf("EK certificate: %w", err)
	}
	var issuer pkix.RDNSequence
	if rest, err := asn1.Unmarshal(c.TBS.Issuer.FullBytes, &issuer); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("EK certificate: issuer: %v", orTrailing(err, rest))
	}
	pub, err := certPublicKey(c.TBS.PublicKey.Algorithm, c.TBS.PublicKey.Key, der)
	if err != nil {
		return nil, fmt.Errorf("EK certificate: %w", err)
	}
	serial := ""
	if c.TBS.Serial != nil {
		serial = c.TBS.Serial.Text(16)
	}
	return &Certificate{
		DER:       append([]byte(nil), der...),
		Issuer:    printable(issuer.String(), maxIssuerLen),
		Serial:    serial,
		PublicKey: pub,
	}, nil
}

func orTrailing(err error, rest []byte) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%d trailing bytes", len(rest))
}

// certPublicKey decodes the certified key: RSA under either OID as a
// PKCS #1 key, anything else through crypto/x509.
func certPublicKey(alg pkix.AlgorithmIdentifier, key asn1.BitString, der []byte) (crypto.PublicKey, error) {
	if alg.Algorithm.Equal(oidRSAEncryption) || alg.Algorithm.Equal(oidRSAESOAEP) {
		var k struct {
			N *big.Int
			E int
		}
		if rest, err := asn1.Unmarshal(key.RightAlign(), &k); err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("RSA public key: %v", orTrailing(err, rest))
		}
		if k.N == nil || k.N.Sign() <= 0 || k.E < 3 || k.E&1 == 0 {
			return nil, errors.New("RSA public key: bad modulus or exponent")
		}
		return &rsa.PublicKey{N: k.N, E: k.E}, nil
	}
	// Re-encode the SubjectPublicKeyInfo for crypto/x509.
	spki, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}{alg, key})
	if err != nil {
		return nil, err
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	return pub, nil
}

// printable escapes control and invalid characters (a certificate is
// input from the machine, and ends up on operators' terminals) and bounds
// the length.
func printable(s string, max int) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && len(s[i:]) > 0:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Fingerprint is the hex SHA-256 of the key's DER SubjectPublicKeyInfo,
// what `openssl pkey -pubin -outform DER | sha256sum` prints for the same
// key.
func Fingerprint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sha256Sum(der)), nil
}
