package tpm

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCertificate(t *testing.T) {
	for _, tc := range []struct {
		file, issuer, serial, sha256 string
	}{
		{
			file:   "testdata/gce-ek-rsa.der",
			issuer: `CN=tpm_ek_v1_cloud_host-signer-0-2021-10-12T04:22:11-07:00 K:1\, 3:nbvaGZFLcuc:0:18,OU=Cloud,O=Google LLC,L=Mountain View,ST=California,C=US`,
			serial: "12fa814e382dee7fa92df8488f0eac0965f11",
			sha256: "88c7ebc77b2f821015ebfe97b94b217f29cfdb52fc4e43540b625188f0157457",
		},
		{
			file:   "testdata/gce-ek-ecc.der",
			issuer: "CN=EK/AK CA Intermediate,OU=Google Cloud,O=Google LLC,L=Mountain View,ST=California,C=US",
			serial: "dd7be75b16828b9858b6bfa53bd595a514645f",
			sha256: "0f5c1fcd070862edf0c73336ba3f675ba4ba045267a96a76f38f569c09335106",
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			der, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			// As read from NV: padded up to the index's size.
			for _, pad := range [][]byte{nil, bytes.Repeat([]byte{0}, 100), bytes.Repeat([]byte{0xFF}, 7)} {
				c, err := ParseCertificate(append(append([]byte(nil), der...), pad...))
				if err != nil {
					t.Fatal(err)
				}
				fp, err := Fingerprint(c.PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{c.Issuer, c.Serial, fp}
				if diff := cmp.Diff([]string{tc.issuer, tc.serial, tc.sha256}, got); diff != "" {
					t.Errorf("issuer, serial, key (-want +got):\n%s", diff)
				}
				if !bytes.Equal(c.DER, der) {
					t.Errorf("DER not trimmed to the certificate: %d bytes, want %d", len(c.DER), len(der))
				}
			}
		})
	}
}

// TestParseCertificateQuirks: what crypto/x509 refuses and EK
// certificates in the field carry.
func TestParseCertificateQuirks(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(-0x1234),
		// Self-signed: the subject is the issuer.
		Subject:   pkix.Name{CommonName: "Acme TPM CA\x1b[31m", Organization: []string{"Acme"}},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0),
	}
	// crypto/x509 no longer creates negative serials: build with a
	// positive one and patch the DER's INTEGER.
	tmpl.SerialNumber = big.NewInt(0x1234)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	neg := bytes.Replace(der, []byte{0x02, 0x02, 0x12, 0x34}, []byte{0x02, 0x02, 0xED, 0xCC}, 1)
	oaep := bytes.Replace(neg, mustOID(oidRSAEncryption), mustOID(oidRSAESOAEP), 1)
	if _, err := x509.ParseCertificate(oaep); err == nil {
		t.Fatal("crypto/x509 parses the quirky certificate: the test no longer tests anything")
	}
	c, err := ParseCertificate(oaep)
	if err != nil {
		t.Fatal(err)
	}
	if c.Serial != "-1234" {
		t.Errorf("serial %q, want -1234", c.Serial)
	}
	if want := `CN=Acme TPM CA\u001b[31m,O=Acme`; c.Issuer != want {
		t.Errorf("issuer %q, want %q (the escape character escaped)", c.Issuer, want)
	}
	if !SameKey(c.PublicKey, &key.PublicKey) {
		t.Error("the RSAES-OAEP key is not the certified key")
	}

	for _, bad := range []struct {
		name string
		in   []byte
		err  string
	}{
		{"empty", nil, "EK certificate"},
		{"garbage after", append(append([]byte(nil), der...), 1, 2, 3), "not padding"},
		{"too large", make([]byte, MaxCertificateSize+1), "more than 4096"},
		{"truncated", der[:len(der)/2], "EK certificate"},
	} {
		if _, err := ParseCertificate(bad.in); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%s: %v, want %q", bad.name, err, bad.err)
		}
	}
}

func mustOID(oid asn1.ObjectIdentifier) []byte {
	b, err := asn1.Marshal(oid)
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzParseCertificate(f *testing.F) {
	for _, file := range []string{"testdata/gce-ek-rsa.der", "testdata/gce-ek-ecc.der"} {
		der, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCertificate(data)
		if err != nil {
			return
		}
		if len(c.Issuer) > maxIssuerLen+len("…") || c.PublicKey == nil || len(c.DER) > len(data) {
			t.Fatalf("certificate %+v from %d bytes", c, len(data))
		}
		for _, r := range c.Issuer {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in issuer %q", c.Issuer)
			}
		}
	})
}
