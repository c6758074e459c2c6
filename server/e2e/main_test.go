package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/kubetest"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
)

const (
	enrollToken = "e2e-enroll-0123456789abcdef"
	adminToken  = "e2e-admin-0123456789abcdef"
)

var (
	bin   string // the hwagent binary under test
	pg    *servertest.Postgres
	pgErr error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hwagent-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// HWAGENT_TEST_BIN runs the tests against a binary built elsewhere.
	if bin = os.Getenv("HWAGENT_TEST_BIN"); bin == "" {
		bin, err = servertest.Build(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	pg, pgErr = servertest.StartPostgres(false)
	code := kubetest.Main(m) // m.Run, then stop the Kubernetes API server if a test started it
	pg.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// backend names a store and makes a fresh database for one test.
type backend struct {
	name string
	dsn  func(t *testing.T) string
}

var backends = []backend{
	{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "hwagent.db") }},
	{"postgres", func(t *testing.T) string { return pg.NewDatabase(t, pgErr) }},
}

// each runs fn on every backend, in parallel.
func each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b.dsn(t))
		})
	}
}

// serve starts hwagent serve on dsn and stops it when the test ends.
func serve(t *testing.T, dsn string, args ...string) *servertest.Serve {
	t.Helper()
	s, err := servertest.StartServe(bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken, Args: args})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("hwagent serve did not stop cleanly: %v", err)
		}
		if t.Failed() {
			t.Logf("hwagent serve log:\n%s", tail(s.Logs(), 40))
		}
	})
	return s
}

func tail(s string, lines int) string {
	b := []byte(s)
	n := 0
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			n++
			if n > lines {
				return string(b[i+1:])
			}
		}
	}
	return s
}

var client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// call sends one request and returns the status, the Retry-After seconds
// and the body.
func call(url, method, path, token string, body any) (int, int, []byte, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, 0, nil, err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url+path, r)
	if err != nil {
		return 0, 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, ra, out, err
}

// must expects status and decodes the answer into out.
func must(t *testing.T, s *servertest.Serve, method, path, token string, body any, status int, out any) api.Error {
	t.Helper()
	got, _, b, err := call(s.URL, method, path, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if got != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, got, status, b)
	}
	var e api.Error
	if status >= 400 {
		if err := json.Unmarshal(b, &e); err != nil || e.Code == "" {
			t.Fatalf("%s %s: %d with a body that is not an api.Error: %q", method, path, got, b)
		}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return e
}

// register registers inv, retrying 429/503 as agents do.
func register(url string, inv *inventory.Inventory) (api.RegisterResponse, error) {
	var res api.RegisterResponse
	for attempt := 0; ; attempt++ {
		status, ra, b, err := call(url, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv})
		if err != nil {
			return res, err
		}
		switch {
		case status == 200:
			return res, json.Unmarshal(b, &res)
		case (status == 429 || status == 503) && attempt < 20:
			time.Sleep(time.Duration(max(ra, 1)) * time.Second)
		default:
			return res, fmt.Errorf("register: %d %s", status, b)
		}
	}
}

// machines runs `hwagent machines ARGS -o json` (unless args choose) and
// decodes its output into out.
func machines(t *testing.T, s *servertest.Serve, out any, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"machines"}, args...)...)
	cmd.Env = append(os.Environ(), "HWAGENT_SERVER="+s.URL, "HWAGENT_ADMIN_TOKEN="+adminToken)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("hwagent machines %v: %v\n%s", args, err, stderr.Bytes())
	}
	if out != nil {
		if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
			t.Fatalf("hwagent machines %v: decode %q: %v", args, stdout.Bytes(), err)
		}
	}
	return stdout.String()
}
