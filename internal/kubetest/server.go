package kubetest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/internal/lab"
)

// Server is a running etcd and apiextensions-apiserver.
type Server struct {
	// URL is the API server's https://127.0.0.1:PORT.
	URL string
	// ServingCA is the PEM bundle that verifies the API server's
	// self-signed serving certificate.
	ServingCA []byte

	dir      string
	bin      string
	port     int
	etcdURL  string
	ca       *certAuthority
	etcd     *exec.Cmd
	api      *exec.Cmd
	admin    *http.Client
	adminTLS *tls.Config
	authz    *authorizer
}

// crdFS holds Tinkerbell's Hardware and Rufio's Machine CRDs, copied from
// the shared fixtures (crds/README.md).
//
//go:embed crds/*.crd.yaml
var crdFS embed.FS

// CRDs are the CRDs installed by Shared: Tinkerbell's Hardware and Rufio's
// Machine, as YAML.
func CRDs() [][]byte {
	names, _ := fs.Glob(crdFS, "crds/*.crd.yaml")
	var out [][]byte
	for _, n := range names {
		b, _ := crdFS.ReadFile(n)
		out = append(out, b)
	}
	return out
}

// Start runs etcd and the API server in dir (which it owns until Stop)
// and installs the CRDs.
func Start(ctx context.Context, dir string, crds [][]byte) (*Server, error) {
	bin, err := lab.KubeAPIServerBinary(ctx)
	if err != nil {
		return nil, err
	}
	ca, err := newCA()
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin, ca: ca, authz: startAuthorizer()}
	if err := s.startEtcd(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	if err := s.startAPI(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	for _, f := range crds {
		if err := s.installCRD(ctx, f); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) command(name string, logName string, args ...string) (*exec.Cmd, error) {
	log, err := os.Create(filepath.Join(s.dir, logName))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	// The processes die with the test binary, however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("kubetest: start %s: %w", name, err)
	}
	go func() { cmd.Wait(); log.Close() }() //nolint:errcheck // exit is seen by the readiness checks
	return cmd, nil
}

func (s *Server) startEtcd(ctx context.Context) error {
	client, err := freePort()
	if err != nil {
		return err
	}
	peer, err := freePort()
	if err != nil {
		return err
	}
	s.etcdURL = "http://127.0.0.1:" + strconv.Itoa(client)
	peerURL := "http://127.0.0.1:" + strconv.Itoa(peer)
	s.etcd, err = s.command("etcd", "etcd.log",
		"--name", "kubetest", "--data-dir", filepath.Join(s.dir, "etcd"),
		"--listen-client-urls", s.etcdURL, "--advertise-client-urls", s.etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "kubetest="+peerURL, "--log-level", "warn")
	if err != nil {
		return err
	}
	return s.wait(ctx, "etcd", "etcd.log", func() bool {
		resp, err := http.Get(s.etcdURL + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

func (s *Server) startAPI(ctx context.Context) error {
	if s.port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		s.port = p
		s.URL = "https://127.0.0.1:" + strconv.Itoa(p)
		if err := os.WriteFile(filepath.Join(s.dir, "client-ca.crt"), s.ca.pem, 0o600); err != nil {
			return err
		}
		if err := s.WriteKubeconfig(filepath.Join(s.dir, "self.kubeconfig"), Admin); err != nil {
			return err
		}
		if err := s.authz.writeKubeconfig(filepath.Join(s.dir, "authz.kubeconfig")); err != nil {
			return err
		}
	}
	self := filepath.Join(s.dir, "self.kubeconfig")
	authz := filepath.Join(s.dir, "authz.kubeconfig")
	var err error
	s.api, err = s.command(s.bin, "apiserver.log",
		"--etcd-servers", s.etcdURL,
		"--secure-port", strconv.Itoa(s.port), "--bind-address", "127.0.0.1",
		"--cert-dir", filepath.Join(s.dir, "certs"),
		"--client-ca-file", filepath.Join(s.dir, "client-ca.crt"),
		"--authentication-skip-lookup",
		"--authentication-kubeconfig", self, "--authorization-kubeconfig", authz, "--kubeconfig", self,
		"--enable-priority-and-fairness=false",
		"--disable-admission-plugins", "NamespaceLifecycle,MutatingAdmissionPolicy,MutatingAdmissionWebhook,ValidatingAdmissionPolicy,ValidatingAdmissionWebhook")
	if err != nil {
		return err
	}
	return s.wait(ctx, "apiextensions-apiserver", "apiserver.log", func() bool {
		if s.admin == nil {
			if err := s.loadAdmin(); err != nil {
				return false
			}
		}
		resp, err := s.admin.Get(s.URL + "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// loadAdmin reads the serving certificate the API server generated and
// builds the admin client.
func (s *Server) loadAdmin() error {
	serving, err := os.ReadFile(filepath.Join(s.dir, "certs", "apiserver.crt"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(serving) {
		return errors.New("kubetest: no certificate in apiserver.crt")
	}
	certPEM, keyPEM, err := s.ca.issue(Admin)
	if err != nil {
		return err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return err
	}
	s.ServingCA = serving
	s.adminTLS = &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}
	s.admin = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: s.adminTLS}}
	return nil
}

func (s *Server) wait(ctx context.Context, what, log string, ready func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for !ready() {
		select {
		case <-ctx.Done():
			b, _ := os.ReadFile(filepath.Join(s.dir, log))
			return fmt.Errorf("kubetest: %s not ready in time:\n%s", what, tail(b, 3000))
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// StopAPI stops the API server (etcd keeps the data); StartAPI starts it
// again on the same port.
func (s *Server) StopAPI() {
	if s.api != nil && s.api.Process != nil {
		syscall.Kill(-s.api.Process.Pid, syscall.SIGKILL) //nolint:errcheck // already gone is fine
		for i := 0; i < 100 && s.api.ProcessState == nil; i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// StartAPI starts the API server stopped by StopAPI.
func (s *Server) StartAPI(ctx context.Context) error { return s.startAPI(ctx) }

// Stop ends both processes and removes nothing (dir is the caller's).
func (s *Server) Stop() {
	s.StopAPI()
	if s.authz != nil {
		s.authz.close()
	}
	if s.etcd != nil && s.etcd.Process != nil {
		syscall.Kill(-s.etcd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // already gone is fine
	}
}

// WriteKubeconfig writes a kubeconfig for u (a client certificate signed
// by the server's client CA) that verifies the server's certificate.
func (s *Server) WriteKubeconfig(path string, u User) error {
	return s.writeKubeconfig(path, s.URL, u)
}

func (s *Server) writeKubeconfig(path, server string, u User) error {
	certPEM, keyPEM, err := s.ca.issue(u)
	if err != nil {
		return err
	}
	cluster := map[string]any{"server": server}
	if s.ServingCA != nil {
		cluster["certificate-authority-data"] = s.ServingCA
	} else {
		// Only the server's own kubeconfig, written before it made its
		// serving certificate.
		cluster["insecure-skip-tls-verify"] = true
	}
	return writeKubeconfigFile(path, "kubetest", cluster, map[string]any{"client-certificate-data": certPEM, "client-key-data": keyPEM})
}

// writeKubeconfigFile writes a kubeconfig of one cluster, one user and the
// context that joins them, as YAML ([]byte values become base64, as
// kubeconfig's *-data fields are).
func writeKubeconfigFile(path, name string, cluster, user map[string]any) error {
	kc := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"clusters":        []any{map[string]any{"name": name, "cluster": cluster}},
		"users":           []any{map[string]any{"name": name, "user": user}},
		"contexts":        []any{map[string]any{"name": name, "context": map[string]any{"cluster": name, "user": name}}},
		"current-context": name,
	}
	b, err := json.Marshal(kc)
	if err != nil {
		return err
	}
	y, err := yaml.JSONToYAML(b)
	if err != nil {
		return err
	}
	return os.WriteFile(path, y, 0o600)
}

// installCRD creates a CRD from its YAML and waits until it is Established.
func (s *Server) installCRD(ctx context.Context, y []byte) error {
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		return fmt.Errorf("kubetest: CRD: %w", err)
	}
	var crd struct {
		Metadata struct{ Name string } `json:"metadata"`
	}
	if err := json.Unmarshal(j, &crd); err != nil {
		return err
	}
	const base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
	if _, err := s.Do(ctx, http.MethodPost, base, "", j); err != nil {
		return fmt.Errorf("kubetest: install %s: %w", crd.Metadata.Name, err)
	}
	return s.wait(ctx, "CRD "+crd.Metadata.Name, "apiserver.log", func() bool {
		var got struct {
			Status struct {
				Conditions []struct{ Type, Status string }
			}
		}
		if err := s.Get(ctx, base+"/"+crd.Metadata.Name, &got); err != nil {
			return false
		}
		for _, c := range got.Status.Conditions {
			if c.Type == "Established" && c.Status == "True" {
				return true
			}
		}
		return false
	})
}

// Do sends a request as the admin and returns the body of a 2xx answer;
// other answers are *StatusError.
func (s *Server) Do(ctx context.Context, method, path, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType == "" {
		contentType = "application/json"
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.admin.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return b, &StatusError{Code: resp.StatusCode, Body: string(b)}
	}
	return b, nil
}

// StatusError is a non-2xx answer.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Code, tail([]byte(e.Body), 1000))
}

// Get decodes the object at path into v.
func (s *Server) Get(ctx context.Context, path string, v any) error {
	b, err := s.Do(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// Edit changes an object the way kubectl edit or kubectl label does: a
// JSON merge patch (an Update operation) as field manager manager.
func (s *Server) Edit(ctx context.Context, path, manager string, patch any) error {
	b, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	_, err = s.Do(ctx, http.MethodPatch, path+"?fieldManager="+manager, "application/merge-patch+json", b)
	return err
}

// AdminTLS is the admin client's TLS configuration.
func (s *Server) AdminTLS() *tls.Config { return s.adminTLS.Clone() }

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
