package servertest

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
)

// Build compiles this module's cmd/hwagent into dir and returns the binary.
func Build(dir string) (string, error) { return BuildTags(dir, "hwagent") }

// BuildTags compiles cmd/hwagent with build tags into dir/name and returns
// the binary (tag hwagent_nextschema: a version with one migration more,
// server/store/sqlstore/schema_next.go).
func BuildTags(dir, name string, tags ...string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	args := []string{"build", "-o", bin}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, "./cmd/hwagent")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s ./cmd/hwagent: %w\n%s", strings.Join(args, " "), err, out)
	}
	return bin, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the hwagent module")
	}
	return filepath.Dir(mod), nil
}

// ServeOptions configure a `hwagent serve` process.
type ServeOptions struct {
	// Database is the --database value.
	Database string
	// EnrollToken and AdminToken are passed through the environment, as
	// operators should, never on the command line.
	EnrollToken, AdminToken string
	// Args are more flags ("--checkin-interval", "5s"). The log level must
	// stay at info or below: StartServe reads the address from the
	// "listening" line.
	Args []string
	// Listen defaults to 127.0.0.1:0 (a free port).
	Listen string
	// ClientTLS, for a server started with --tls-cert, is how StartServe
	// reaches /readyz over HTTPS (trusted CA, client certificate).
	ClientTLS *tls.Config
}

// Serve is a running `hwagent serve`.
type Serve struct {
	// URL is http://127.0.0.1:PORT.
	URL string
	// PID of the process.
	PID int

	cmd    *exec.Cmd
	probe  *http.Client
	logs   *testutil.LockedBuffer
	done   chan struct{}
	result error
}

// StartServe starts bin serve and waits until /readyz answers 200.
func StartServe(bin string, o ServeOptions) (*Serve, error) {
	listen := o.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	args := append([]string{"serve", "--log-format", "json", "--listen", listen, "--database", o.Database}, o.Args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HWAGENT_ENROLL_TOKEN="+o.EnrollToken, "HWAGENT_ADMIN_TOKEN="+o.AdminToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Serve{PID: cmd.Process.Pid, cmd: cmd, logs: &testutil.LockedBuffer{}, done: make(chan struct{}), probe: http.DefaultClient}
	scheme := "http://"
	if o.ClientTLS != nil {
		scheme = "https://"
		s.probe = &http.Client{Transport: &http.Transport{TLSClientConfig: o.ClientTLS}}
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.Write(append(line, '\n')) //nolint:errcheck // in memory
			var rec struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
		s.result = cmd.Wait()
		close(s.done)
	}()
	select {
	case a := <-addr:
		s.URL = scheme + a
	case <-s.done:
		return nil, fmt.Errorf("hwagent serve exited: %v\n%s", s.result, s.logs.String())
	case <-time.After(60 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("hwagent serve did not listen within 60 s\n%s", s.logs.String())
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

func (s *Serve) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/readyz", nil)
		resp, err := s.probe.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/readyz not ready within %v (last: %v)\n%s", s.URL, timeout, err, s.logs.String())
		case <-s.done:
			return fmt.Errorf("hwagent serve exited: %v\n%s", s.result, s.logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (s *Serve) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL) //nolint:errcheck // it may be gone already
	<-s.done
}

// Stop sends SIGTERM and returns how the process ended.
func (s *Serve) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // it may be gone already
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.Kill()
		return errors.New("hwagent serve ignored SIGTERM for 60 s")
	}
	return s.result
}

// Exited is closed when the process has ended.
func (s *Serve) Exited() <-chan struct{} { return s.done }

// Logs returns everything the process wrote to stderr so far.
func (s *Serve) Logs() string { return s.logs.String() }

// PeakRSSBytes is the process's peak resident set (VmHWM).
func (s *Serve) PeakRSSBytes() (uint64, error) { return PeakRSS(s.PID) }

// PeakRSS reads VmHWM of a process from /proc/PID/status.
func PeakRSS(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmHWM %q: %w", pid, v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}
