package kubetest

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Proxy is an HTTPS front to the server for one test: it forwards every
// request as the admin, except core/v1 Secrets, which the CRD-only server
// cannot serve: it answers those itself (see CheckSecret). Down makes it
// drop every connection, as an unreachable API server would, until Up.
type Proxy struct {
	URL string

	srv     *Server
	ts      *httptest.Server
	mu      sync.Mutex
	down    bool
	secrets map[string]*corev1.Secret // by namespace/name
	applies map[string]int            // Secret applies by namespace/name
}

// Proxy starts a Proxy, closed at the end of the test.
func (s *Server) Proxy(t testing.TB) *Proxy {
	t.Helper()
	target, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: s.AdminTLS()}
	p := &Proxy{srv: s, secrets: map[string]*corev1.Secret{}, applies: map[string]int{}}
	p.ts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		if ns, name, ok := secretPath(r.URL.Path); ok {
			p.serveSecret(w, r, ns, name)
			return
		}
		r.Header.Del("Authorization") // the proxy's own token; upstream is the admin
		rp.ServeHTTP(w, r)
	}))
	p.URL = p.ts.URL
	t.Cleanup(p.ts.Close)
	return p
}

// Down drops every request until Up.
func (p *Proxy) Down() { p.mu.Lock(); p.down = true; p.mu.Unlock() }

// Up forwards again.
func (p *Proxy) Up() { p.mu.Lock(); p.down = false; p.mu.Unlock() }

// Secret returns the Secret applied as namespace/name and how many applies
// it received.
func (p *Proxy) Secret(namespace, name string) (*corev1.Secret, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := namespace + "/" + name
	return p.secrets[k], p.applies[k]
}

// WriteKubeconfig writes a kubeconfig that reaches the server through the
// proxy (a bearer token the proxy does not check).
func (p *Proxy) WriteKubeconfig(path string) error {
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.ts.Certificate().Raw})
	return writeKubeconfigFile(path, "proxy", map[string]any{"server": p.URL, "certificate-authority-data": ca}, map[string]any{"token": "kubetest"})
}

// secretPath matches /api/v1/namespaces/NS/secrets/NAME.
func secretPath(path string) (ns, name string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) == 6 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "namespaces" && parts[4] == "secrets" {
		return parts[3], parts[5], true
	}
	return "", "", false
}

func (p *Proxy) serveSecret(w http.ResponseWriter, r *http.Request, ns, name string) {
	k := ns + "/" + name
	switch r.Method {
	case http.MethodGet:
		p.mu.Lock()
		s := p.secrets[k]
		p.mu.Unlock()
		if s == nil {
			writeStatus(w, http.StatusNotFound, "NotFound", fmt.Sprintf("secrets %q not found", name))
			return
		}
		writeObject(w, http.StatusOK, s)
	case http.MethodPatch:
		if ct := r.Header.Get("Content-Type"); ct != "application/apply-patch+yaml" {
			writeStatus(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "the test proxy takes only server-side apply for Secrets, not "+ct)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
		if err != nil {
			writeStatus(w, http.StatusBadRequest, "BadRequest", err.Error())
			return
		}
		s, err := CheckSecret(body)
		if err == nil && (s.Namespace != ns || s.Name != name) {
			err = fmt.Errorf("object %s/%s applied at %s", s.Namespace, s.Name, k)
		}
		if err != nil {
			writeStatus(w, http.StatusUnprocessableEntity, "Invalid", err.Error())
			return
		}
		p.mu.Lock()
		p.secrets[k] = s
		p.applies[k]++
		p.mu.Unlock()
		writeObject(w, http.StatusOK, s)
	default:
		writeStatus(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
	}
}

// CheckSecret decodes an applied Secret strictly (no field unknown to
// k8s.io/api core/v1 Secret) and checks what the API server's Secret
// validation checks for the objects hwagent writes: apiVersion and kind,
// a DNS-1123 subdomain name and a namespace, label keys and values, data
// keys (ConfigMap key rules), the 1 MiB size limit, and for type
// kubernetes.io/basic-auth a username or password key.
func CheckSecret(body []byte) (*corev1.Secret, error) {
	j, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var s corev1.Secret
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not a core/v1 Secret: %w", err)
	}
	var errs []string
	if s.APIVersion != "v1" || s.Kind != "Secret" {
		errs = append(errs, fmt.Sprintf("apiVersion/kind %s/%s, want v1/Secret", s.APIVersion, s.Kind))
	}
	for _, m := range validation.IsDNS1123Subdomain(s.Name) {
		errs = append(errs, "metadata.name: "+m)
	}
	for _, m := range validation.IsDNS1123Label(s.Namespace) {
		errs = append(errs, "metadata.namespace: "+m)
	}
	for k, v := range s.Labels {
		for _, m := range validation.IsQualifiedName(k) {
			errs = append(errs, "metadata.labels key "+k+": "+m)
		}
		for _, m := range validation.IsValidLabelValue(v) {
			errs = append(errs, "metadata.labels "+k+": "+m)
		}
	}
	size := 0
	for k, v := range s.Data {
		for _, m := range validation.IsConfigMapKey(k) {
			errs = append(errs, "data key "+k+": "+m)
		}
		size += len(v)
	}
	if size > corev1.MaxSecretSize {
		errs = append(errs, fmt.Sprintf("data: %d bytes, over %d", size, corev1.MaxSecretSize))
	}
	if s.Type == corev1.SecretTypeBasicAuth {
		_, u := s.Data[corev1.BasicAuthUsernameKey]
		_, p := s.Data[corev1.BasicAuthPasswordKey]
		if !u && !p {
			errs = append(errs, "data: kubernetes.io/basic-auth needs username or password")
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid Secret: %s", strings.Join(errs, "; "))
	}
	return &s, nil
}

func writeObject(w http.ResponseWriter, code int, s *corev1.Secret) {
	c := s.DeepCopy()
	c.APIVersion, c.Kind = "v1", "Secret"
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(c) //nolint:errcheck // the client sees a short body
}

func writeStatus(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // the client sees a short body
		"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": code, "reason": reason, "message": msg,
	})
}
