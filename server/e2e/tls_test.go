package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/testinv"
)

// pki is a private CA with a server certificate for 127.0.0.1 and a client
// certificate, as PEM files.
type pki struct {
	dir                                                  string
	caCert, serverCert, serverKey, clientCert, clientKey string
	pool                                                 *x509.CertPool
	client                                               tls.Certificate
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hwagent test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	p.pool = x509.NewCertPool()
	p.pool.AddCert(ca)
	p.caCert = p.write(t, "ca.pem", "CERTIFICATE", caDER)
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (string, string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kd, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return p.write(t, name+".pem", "CERTIFICATE", der), p.write(t, name+"-key.pem", "EC PRIVATE KEY", kd)
	}
	p.serverCert, p.serverKey = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	if p.client, err = tls.LoadX509KeyPair(p.clientCert, p.clientKey); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pki) write(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// HTTPS with a private CA and required client certificates: agents and
// `hwagent machines` with the CA and a certificate get through, others not.
func TestTLS(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	s, err := servertest.StartServe(bin, servertest.ServeOptions{
		Database: backends[0].dsn(t), EnrollToken: enrollToken, AdminToken: adminToken,
		Args:      []string{"--tls-cert", p.serverCert, "--tls-key", p.serverKey, "--tls-client-ca", p.caCert},
		ClientTLS: &tls.Config{RootCAs: p.pool, Certificates: []tls.Certificate{p.client}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL %s", s.URL)
	}
	post := func(c *http.Client) (int, error) {
		body, _ := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(61)})
		req, _ := http.NewRequest("POST", s.URL+api.PathRegister, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+enrollToken)
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	good := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.pool, Certificates: []tls.Certificate{p.client}}}}
	if status, err := post(good); err != nil || status != 200 {
		t.Fatalf("registration with CA and client certificate: %d %v", status, err)
	}
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.pool}}}
	if _, err := post(noCert); err == nil {
		t.Errorf("registration without a client certificate went through")
	}
	untrusted := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{p.client}}}}
	if _, err := post(untrusted); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the private CA trusted the server: %v", err)
	}
	if status, err := post(&http.Client{}); err == nil {
		t.Errorf("plain client: %d, want a TLS failure", status)
	}

	cmd := exec.Command(bin, "machines", "list", "-o", "json", "--ca", p.caCert, "--client-cert", p.clientCert, "--client-key", p.clientKey)
	cmd.Env = append(os.Environ(), "HWAGENT_SERVER="+s.URL, "HWAGENT_ADMIN_TOKEN="+adminToken)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hwagent machines list over TLS: %v", err)
	}
	var l api.MachineList
	if err := json.Unmarshal(out, &l); err != nil || len(l.Machines) != 1 {
		t.Errorf("machines list over TLS: %s %v", out, err)
	}
	cmd = exec.Command(bin, "machines", "list", "--ca", p.caCert)
	cmd.Env = append(os.Environ(), "HWAGENT_SERVER="+s.URL, "HWAGENT_ADMIN_TOKEN="+adminToken)
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("machines list without a client certificate: %s", out)
	}
}
