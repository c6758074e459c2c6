package agent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
)

// The integration tests run the real `hwagent serve` built from this module
// (once, on first use) on loopback, with SQLite in a temporary directory and
// on a PostgreSQL cluster initialised in one (server/servertest).

const adminToken = "admin-0d1c2b3a49586f7e0d1c2b3a49586f7e"

var (
	tmpRoot string

	binOnce sync.Once
	binPath string
	binErr  error

	pgOnce sync.Once
	pg     *servertest.Postgres
	pgErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hwagent-agent-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	if pg != nil {
		pg.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// hwagentBinary builds cmd/hwagent once.
func hwagentBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binPath = filepath.Join(tmpRoot, "hwagent")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/hwagent")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/hwagent: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// database returns a fresh database of the kind: "sqlite" or "postgres".
func database(t *testing.T, kind string) string {
	t.Helper()
	if kind == "sqlite" {
		return "sqlite://" + filepath.Join(t.TempDir(), "hwagent.db")
	}
	pgOnce.Do(func() { pg, pgErr = servertest.StartPostgres(false) })
	return pg.NewDatabase(t, pgErr)
}

// serveProc is a running `hwagent serve`.
type serveProc struct {
	URL    string
	cmd    *exec.Cmd
	logs   *testutil.LockedBuffer
	exited chan struct{}
	// UpAt is when the server logged that it listens.
	UpAt time.Time
}

// startServe starts `hwagent serve` on listen (127.0.0.1:0 for any port)
// and waits until it listens and is ready.
func startServe(t *testing.T, db, listen string, extra ...string) *serveProc {
	t.Helper()
	args := append([]string{"serve", "--listen", listen, "--database", db, "--checkin-interval", "1s", "--log-format", "json"}, extra...)
	cmd := exec.Command(hwagentBinary(t), args...)
	cmd.Env = append(cleanEnv(), "HWAGENT_ENROLL_TOKEN="+enrollToken, "HWAGENT_ADMIN_TOKEN="+adminToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serveProc{cmd: cmd, logs: &testutil.LockedBuffer{}, exited: make(chan struct{})}
	t.Cleanup(func() { s.Kill(t) })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.Write(append(append([]byte(nil), line...), '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { _ = cmd.Wait(); close(s.exited) }()
	scheme := "http"
	if strings.Contains(strings.Join(extra, " "), "--tls-cert") {
		scheme = "https"
	}
	select {
	case a := <-addr:
		s.UpAt = time.Now()
		s.URL = scheme + "://" + a
	case <-s.exited:
		t.Fatalf("hwagent serve exited:\n%s", s.logs)
	case <-time.After(2 * time.Minute):
		t.Fatalf("hwagent serve did not listen:\n%s", s.logs)
	}
	if scheme == "http" {
		waitFor(t, "/readyz", func() bool {
			resp, err := http.Get(s.URL + "/readyz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
	}
	return s
}

// Kill stops the server with SIGKILL.
func (s *serveProc) Kill(t *testing.T) {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// admin calls the operator API.
func (s *serveProc) admin(t *testing.T, method, path string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

func (s *serveProc) machines(t *testing.T) []api.Machine {
	t.Helper()
	var list api.MachineList
	if st := s.admin(t, http.MethodGet, api.PathMachines, nil, &list); st != http.StatusOK {
		t.Fatalf("list machines: %d", st)
	}
	return list.Machines
}

func (s *serveProc) machine(t *testing.T, id string) (api.Machine, bool) {
	t.Helper()
	var m api.Machine
	st := s.admin(t, http.MethodGet, fmt.Sprintf(api.PathMachineFmt, id), nil, &m)
	return m, st == http.StatusOK
}

func (s *serveProc) setAction(t *testing.T, id, action string) {
	t.Helper()
	if st := s.admin(t, http.MethodPut, fmt.Sprintf(api.PathActionFmt, id), api.ActionRequest{Action: action}, nil); st != http.StatusOK && st != http.StatusNoContent {
		t.Fatalf("set action %s on %s: %d", action, id, st)
	}
}

func (s *serveProc) history(t *testing.T, id string) []api.Change {
	t.Helper()
	var h api.History
	if st := s.admin(t, http.MethodGet, fmt.Sprintf(api.PathHistoryFmt, id), nil, &h); st != http.StatusOK {
		t.Fatalf("history of %s: %d", id, st)
	}
	return h.Changes
}

// freePort returns a loopback address nobody listens on (yet).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// cliTree is a host tree for the hwagent binary: testdata/host plus what
// hostpaths.Validate wants, and the given kernel command line.
func cliTree(t *testing.T, cmdline string) string {
	t.Helper()
	p := hostTree(t, map[string]string{
		"proc/cpuinfo": "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2620 v2 @ 2.10GHz\n",
		"proc/cmdline": cmdline,
	})
	if err := os.MkdirAll(filepath.Join(p.Root, "sys", "devices"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p.Root
}

// agentProc is a running hwagent run/register.
type agentProc struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr testutil.LockedBuffer
	done   chan error
}

func startAgent(t *testing.T, env []string, args ...string) *agentProc {
	t.Helper()
	p := &agentProc{done: make(chan error, 1)}
	p.cmd = exec.Command(hwagentBinary(t), args...)
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// wait returns the exit code.
func (p *agentProc) wait(t *testing.T, ctx context.Context) int {
	t.Helper()
	select {
	case err := <-p.done:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatal(err)
	case <-ctx.Done():
		t.Fatalf("hwagent did not exit:\n%s", p.stderr.String())
	}
	return -1
}

// cleanEnv is the test's environment without HWAGENT_* variables, which
// would otherwise configure the processes under test.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HWAGENT_") {
			out = append(out, kv)
		}
	}
	return out
}
