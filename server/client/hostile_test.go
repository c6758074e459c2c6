package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client/clienttest"
)

// Issue 11 row 10: a 503 (or 429) whose body is larger than the answer
// limit is still a 503, retried after its Retry-After; only a 2xx answer
// too large to use is a permanent failure.
func TestStatusBeforeBodySize(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("<p>maintenance</p>\n"), 2<<20/19+1) // 2 MiB of HTML
	tests := []struct {
		name       string
		status     int
		retryAfter string
		wantStatus int // 0: a permanent non-status error
		retryable  bool
	}{
		{"503 with a 2 MiB page", 503, "3", 503, true},
		{"429 with a 2 MiB page", 429, "2", 429, true},
		{"502 from a proxy", 502, "", 502, true},
		{"408: the body was too slow", 408, "", 408, true},
		{"400 with a 2 MiB page", 400, "", 400, false},
		{"200 with a 2 MiB answer", 200, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				w.Write(big) //nolint:errcheck // the client may stop reading
			}))
			defer hs.Close()
			c, err := New(Options{Server: hs.URL, EnrollmentToken: enrollToken, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Register(context.Background(), x9dbl())
			var se *StatusError
			gotStatus := 0
			if errors.As(err, &se) {
				gotStatus = se.Status
			}
			if err == nil || gotStatus != tt.wantStatus || Retryable(err) != tt.retryable {
				t.Fatalf("error %v: status %d retryable %v, want status %d retryable %v", err, gotStatus, Retryable(err), tt.wantStatus, tt.retryable)
			}
			if se != nil {
				if len(se.Message) > maxErrorText {
					t.Errorf("message of %d bytes, want at most %d", len(se.Message), maxErrorText)
				}
				if tt.retryAfter != "" && (!se.HasRetryAfter || se.RetryAfter.String() != tt.retryAfter+"s") {
					t.Errorf("Retry-After %v (%v), want %ss", se.RetryAfter, se.HasRetryAfter, tt.retryAfter)
				}
			}
		})
	}
}

// recorder is a server that notes every request it gets, with its
// Authorization header.
type recorder struct {
	mu   sync.Mutex
	seen []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.seen = append(r.seen, req.Method+" "+req.URL.Path+" auth="+req.Header.Get("Authorization"))
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"machine_id":"m-000000000000000000000bad","credential":"hwm_attacker","checkin_interval_seconds":1}`)) //nolint:errcheck
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// Issue 11 row 11: a redirect to another origin or scheme is never
// followed: the enrollment token never reaches the other server, and its
// answer is never taken for the registration.
func TestNoRedirectToAnotherOrigin(t *testing.T) {
	t.Parallel()
	pki, err := clienttest.WritePKI(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other := &recorder{}
	plainOther := httptest.NewServer(other)
	defer plainOther.Close()
	tlsOther := httptest.NewUnstartedServer(other)
	tlsOther.TLS = serverTLS(t, pki)
	tlsOther.StartTLS()
	defer tlsOther.Close()

	redirectTo := func(target string, code int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.Path, code)
		})
	}
	// The same server on another scheme: https://127.0.0.1:P → http://127.0.0.1:P
	// is what an attacker on the path would use to read the token.
	tests := []struct {
		name   string
		tls    bool
		target func(self string) string
		code   int
	}{
		{"https to plain http elsewhere (307)", true, func(string) string { return plainOther.URL }, http.StatusTemporaryRedirect},
		{"https to https elsewhere (308)", true, func(string) string { return tlsOther.URL }, http.StatusPermanentRedirect},
		{"https to http on the same host and port", true, func(self string) string { return "http://" + strings.TrimPrefix(self, "https://") }, http.StatusTemporaryRedirect},
		{"http to http elsewhere (302)", false, func(string) string { return plainOther.URL }, http.StatusFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var self string
			h := http.NewServeMux()
			srv := httptest.NewUnstartedServer(h)
			if tt.tls {
				srv.TLS = serverTLS(t, pki)
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			self = srv.URL
			h.Handle("/", redirectTo(tt.target(self), tt.code))
			before := len(other.requests())
			opts := Options{Server: self, EnrollmentToken: enrollToken, Timeout: 5 * time.Second}
			if tt.tls {
				opts.TLS = TLSOptions{CAFile: pki.CA}
			}
			c, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := c.Register(context.Background(), x9dbl())
			if err == nil {
				t.Fatalf("registration accepted through a redirect: %+v", reg)
			}
			if Retryable(err) || !strings.Contains(err.Error(), "redirect") {
				t.Errorf("error %q (retryable %v): want a permanent error that names the redirect", err, Retryable(err))
			}
			if strings.Contains(err.Error(), enrollToken) {
				t.Errorf("the error holds the token: %v", err)
			}
			if got := other.requests()[before:]; len(got) != 0 {
				t.Errorf("the other server was asked %q", got)
			}
		})
	}
}

// A redirect within the same origin (a path moved) is followed, and the
// token goes along.
func TestRedirectWithinTheOrigin(t *testing.T) {
	t.Parallel()
	srv := clienttest.New(enrollToken)
	defer srv.Close()
	mux := http.NewServeMux()
	front := httptest.NewServer(mux)
	defer front.Close()
	// The front server moved the API under /new and proxies /new itself.
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new"+r.URL.Path, http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/new/", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest(r.Method, srv.URL+strings.TrimPrefix(r.URL.Path, "/new"), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		var b bytes.Buffer
		b.ReadFrom(resp.Body) //nolint:errcheck
		w.Write(b.Bytes())    //nolint:errcheck
	})
	c, err := New(Options{Server: front.URL, EnrollmentToken: enrollToken, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.Register(context.Background(), x9dbl())
	if err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}
	if reg.MachineID != x9dbl().Identity.MachineID {
		t.Errorf("machine %s", reg.MachineID)
	}
	if got := srv.Requests(); len(got) != 1 || got[0].Auth != "Bearer "+enrollToken || got[0].Path != api.PathRegister {
		t.Errorf("server saw %+v", got)
	}
}

// serverTLS is the TLS configuration of a server holding pki's server
// certificate (127.0.0.1 and localhost).
func serverTLS(t *testing.T, pki *clienttest.PKI) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(pki.ServerCert, pki.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}
