package client

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/server/client/clienttest"
)

func TestTLS(t *testing.T) {
	t.Parallel()
	pki, err := clienttest.WritePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	serverCert, err := tls.LoadX509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	start := func(mtls bool) *clienttest.Server {
		srv := clienttest.NewUnstarted(enrollToken)
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
		if mtls {
			srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
			srv.TLS.ClientCAs = pki.CAPool()
		}
		srv.StartTLS()
		return srv
	}
	plain, mutual := start(false), start(true)
	t.Cleanup(plain.Close)
	t.Cleanup(mutual.Close)

	tests := []struct {
		name    string
		srv     *clienttest.Server
		tls     TLSOptions
		wantErr string // substring; "" means success
	}{
		{"private CA", plain, TLSOptions{CAFile: pki.CA}, ""},
		{"system roots do not know the private CA", plain, TLSOptions{}, "certificate signed by unknown authority"},
		{"another CA", plain, TLSOptions{CAFile: pki.OtherCA}, "certificate signed by unknown authority"},
		{"insecure skip verify", plain, TLSOptions{InsecureSkipVerify: true}, ""},
		{"client certificate", mutual, TLSOptions{CAFile: pki.CA, CertFile: pki.ClientCert, KeyFile: pki.ClientKey}, ""},
		// TLS 1.3: the client finishes its side of the handshake before the
		// server checks for a certificate, so the request fails either with
		// the server's alert or, when the write loses the race with the
		// server closing, with a broken pipe (a network error, retried).
		{"client certificate required", mutual, TLSOptions{CAFile: pki.CA}, "certificate required|broken pipe|connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(Options{Server: tt.srv.URL, EnrollmentToken: enrollToken, TLS: tt.tls})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Register(context.Background(), x9dbl())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("register: %v", err)
			case tt.wantErr != "" && (err == nil || !containsAny(err.Error(), strings.Split(tt.wantErr, "|"))):
				t.Fatalf("register = %v, want an error containing %q", err, tt.wantErr)
			case tt.wantErr != "" && Retryable(err) && !strings.Contains(err.Error(), "write:") && !strings.Contains(err.Error(), "reset"):
				t.Errorf("%v is retryable; a certificate problem needs the operator", err)
			}
		})
	}
}

func TestTLSBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pki, err := clienttest.WritePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		tls  TLSOptions
		want string
	}{
		{"CA file without PEM", TLSOptions{CAFile: notPEM}, "ca " + notPEM + ": no PEM certificate in it"},
		{"key of another certificate", TLSOptions{CertFile: pki.ClientCert, KeyFile: pki.ServerKey}, "client certificate " + pki.ClientCert + ": tls: private key does not match public key"},
	}
	for _, tt := range tests {
		_, err := New(Options{Server: "https://127.0.0.1:1", TLS: tt.tls})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: New = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
