package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/server/servertest"
)

// hwagent serve refuses to start without what it needs, and says why.
func TestServeRefusesBadConfig(t *testing.T) {
	t.Parallel()
	dsn := backends[0].dsn(t)
	for _, tt := range []struct {
		name   string
		o      servertest.ServeOptions
		errMsg string
	}{
		{"no enrollment token", servertest.ServeOptions{Database: dsn}, "no enrollment token"},
		{"short enrollment token", servertest.ServeOptions{Database: dsn, EnrollToken: "short"}, "at least 16 characters"},
		{"admin token equal to the enrollment token", servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: enrollToken}, "must differ"},
		{"unknown database scheme", servertest.ServeOptions{Database: "mysql://db/hwagent", EnrollToken: enrollToken}, "want sqlite:///path"},
		{"client CA without a certificate", servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, Args: []string{"--tls-client-ca", "/dev/null"}}, "needs --tls-cert"},
	} {
		s, err := servertest.StartServe(bin, tt.o)
		if err == nil {
			s.Stop()
			t.Errorf("%s: serve started", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.errMsg) {
			t.Errorf("%s: %v, want a message with %q", tt.name, err, tt.errMsg)
		}
	}
	// The help names the file and environment forms of the tokens, which
	// keep them out of the process list.
	out, err := exec.Command(bin, "serve", "--help").Output()
	if err != nil || !strings.Contains(string(out), "--enroll-token-file") || !strings.Contains(string(out), "HWAGENT_ENROLL_TOKEN") {
		t.Errorf("serve --help: %v\n%s", err, out)
	}
}
