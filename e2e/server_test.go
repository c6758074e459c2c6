//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/testutil"
)

// Tokens of the lab's server (at least 16 characters, different).
const (
	enrollToken = "e2e-enroll-token-0123456789"
	adminToken  = "e2e-admin-token-0123456789"
)

// provServer is a running `hwagent serve` inside a test's namespace.
type provServer struct {
	URL string
	// DB is the SQLite database file.
	DB string

	cmd    *exec.Cmd
	out    *testutil.LockedBuffer
	exited chan error
}

// startServer starts `hwagent serve` in ns on addr with an SQLite
// database in a temporary directory, telling agents to check in every
// second, and waits until it answers /readyz. extra are more flags. It is
// stopped when the test ends.
func startServer(t *testing.T, ns *lab.Netns, bin, addr string, extra ...string) *provServer {
	t.Helper()
	db := filepath.Join(t.TempDir(), "hwagent.db")
	s := &provServer{URL: "http://" + addr, DB: db, out: &testutil.LockedBuffer{}, exited: make(chan error, 1)}
	s.cmd = ns.Command(context.Background(), bin, append([]string{"serve",
		"--listen", addr, "--database", "sqlite://" + db, "--checkin-interval", "1s", "--log-format", "json"}, extra...)...)
	s.cmd.Env = append(s.cmd.Environ(), "HWAGENT_ENROLL_TOKEN="+enrollToken, "HWAGENT_ADMIN_TOKEN="+adminToken)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start hwagent serve: %v", err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("hwagent serve log (end):\n%s", tail(s.out.String(), 4000))
		}
	})
	c := &http.Client{Transport: &http.Transport{DialContext: ns.DialContext}, Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("hwagent serve exited: %v\n%s", err, s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("hwagent serve not ready on %s after 20 s: %v\n%s", addr, err, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Log is what the server logged so far.
func (s *provServer) Log() string { return s.out.String() }

// operator runs hwagent's operator commands against a server from inside
// the test's namespace, the only place the server is reachable from.
type operator struct {
	ns     *lab.Netns
	bin    string
	server string
}

// run runs `hwagent ARGS --server URL` with the admin token in the
// environment and returns its standard output.
func (o operator) run(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := o.ns.Command(ctx, o.bin, append(args, "--server", o.server)...)
	cmd.Env = append(cmd.Environ(), "HWAGENT_ADMIN_TOKEN="+adminToken)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("hwagent %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// runJSON runs an operator command with -o json and decodes its output.
func (o operator) runJSON(ctx context.Context, v any, args ...string) error {
	out, err := o.run(ctx, append(args, "-o", "json")...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("hwagent %s -o json: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
