package clienttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// PKI is a throwaway private CA with a server certificate for 127.0.0.1 and
// localhost and a client certificate, written as PEM files.
type PKI struct {
	CA         string // CA certificate
	ServerCert string
	ServerKey  string
	ClientCert string
	ClientKey  string
	OtherCA    string // a second CA that signed nothing here
	caCert     *x509.Certificate
}

// WritePKI creates the CA and certificates in dir.
func WritePKI(dir string) (*PKI, error) {
	p := &PKI{
		CA: filepath.Join(dir, "ca.pem"), OtherCA: filepath.Join(dir, "other-ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		ClientCert: filepath.Join(dir, "client.pem"), ClientKey: filepath.Join(dir, "client-key.pem"),
	}
	caKey, caDER, err := selfSigned("hwagent test CA")
	if err != nil {
		return nil, err
	}
	if p.caCert, err = x509.ParseCertificate(caDER); err != nil {
		return nil, err
	}
	_, otherDER, err := selfSigned("unrelated CA")
	if err != nil {
		return nil, err
	}
	issue := func(cn string, usage x509.ExtKeyUsage, serial int64) ([]byte, *ecdsa.PrivateKey, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, caKey)
		return der, key, err
	}
	serverDER, serverKey, err := issue("provisioning server", x509.ExtKeyUsageServerAuth, 2)
	if err != nil {
		return nil, err
	}
	clientDER, clientKey, err := issue("machine", x509.ExtKeyUsageClientAuth, 3)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		path string
		der  []byte
		key  *ecdsa.PrivateKey
	}{{p.CA, caDER, nil}, {p.OtherCA, otherDER, nil}, {p.ServerCert, serverDER, nil}, {p.ServerKey, nil, serverKey}, {p.ClientCert, clientDER, nil}, {p.ClientKey, nil, clientKey}} {
		var block *pem.Block
		if f.key != nil {
			b, err := x509.MarshalECPrivateKey(f.key)
			if err != nil {
				return nil, err
			}
			block = &pem.Block{Type: "EC PRIVATE KEY", Bytes: b}
		} else {
			block = &pem.Block{Type: "CERTIFICATE", Bytes: f.der}
		}
		if err := os.WriteFile(f.path, pem.EncodeToMemory(block), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return p, nil
}

// CAPool returns a pool holding the CA, for servers that verify clients.
func (p *PKI) CAPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	return pool
}

func selfSigned(cn string) (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return key, der, err
}
