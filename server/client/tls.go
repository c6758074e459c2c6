package client

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// TLSOptions configure HTTPS to the server.
type TLSOptions struct {
	// CAFile is a PEM file of the CA certificates that sign the server's
	// certificate. When set, ONLY these are trusted (no system roots): a
	// private provisioning CA should not be able to vouch for the world,
	// nor the world for the provisioning server.
	CAFile string
	// CertFile and KeyFile are a PEM client certificate and key, for
	// servers that require mutual TLS.
	CertFile, KeyFile string
	// InsecureSkipVerify accepts any server certificate. For lab use only:
	// the enrollment token then goes to whoever answers.
	InsecureSkipVerify bool
}

// config returns the TLS configuration, or nil for Go's defaults.
func (o TLSOptions) config() (*tls.Config, error) {
	if o.CAFile == "" && o.CertFile == "" && o.KeyFile == "" && !o.InsecureSkipVerify {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: o.InsecureSkipVerify} //nolint:gosec // opt-in, warned about by the caller
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca %s: no PEM certificate in it", o.CAFile)
		}
		cfg.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, fmt.Errorf("client certificate: give both --client-cert and --client-key")
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s: %w", o.CertFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
