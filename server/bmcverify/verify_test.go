package bmcverify_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bougou/go-ipmi/pkg/types"

	"github.com/hwagent/hwagent/bmcuser"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/server/bmcverify"
)

// TestVerifyIPMISim checks every verdict against a real ipmi_sim: its
// admin, a user created in-band at operator privilege (by bmcuser, over
// the simulator's command handlers), wrong passwords, an unknown user, a
// closed port, and a cipher suite the simulator does not offer. ipmi_sim
// grants any user an administrator session (it applies no user privilege
// limit to RMCP+ sessions, as ipmitool's "session info active" shows), so
// privilege_too_low is shown with go-ipmi's reference BMC instead
// (TestVerifyPrivilegeTooLow).
func TestVerifyIPMISim(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.IPMISimulator)
	sim := lab.StartIPMISim(t, lab.TestBMC())
	ctx := t.Context()
	_, err := bmcuser.Ensure(ctx, ipmi.NewClient(sim.Device(t), 10*time.Second), bmcuser.Request{
		User: "oper", Password: "Op-pass-12345678", Privilege: ipmi.PrivilegeOperator})
	if err != nil {
		t.Fatal(err)
	}
	// A UDP port nobody listens on: the kernel answers port unreachable.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	pc.Close()

	tests := []struct {
		name      string
		target    bmcverify.Target
		class     string
		errPart   string
		wantSuite types.CipherSuiteID
	}{
		{"admin", bmcverify.Target{User: "admin", Password: "password", Privilege: ipmi.PrivilegeAdministrator}, bmcverify.Verified, "", types.CipherSuiteID3},
		{"operator user as operator", bmcverify.Target{User: "oper", Password: "Op-pass-12345678", Privilege: ipmi.PrivilegeOperator}, bmcverify.Verified, "", types.CipherSuiteID3},
		{"wrong password", bmcverify.Target{User: "admin", Password: "not-the-password", Privilege: ipmi.PrivilegeAdministrator}, bmcverify.WrongPassword, "RAKP 2", 0},
		{"unknown user", bmcverify.Target{User: "nobody", Password: "password", Privilege: ipmi.PrivilegeAdministrator}, bmcverify.WrongPassword, "", 0},
		{"closed port", bmcverify.Target{Address: closed, User: "admin", Password: "password", Privilege: ipmi.PrivilegeAdministrator, Timeout: 300 * time.Millisecond}, bmcverify.Unreachable, "no answer", 0},
		{"only suite 17", bmcverify.Target{User: "admin", Password: "password", Privilege: ipmi.PrivilegeAdministrator, Suites: []types.CipherSuiteID{types.CipherSuiteID17}}, bmcverify.CipherSuiteRefused, "refused cipher suites [17]", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.target.Address == "" {
				tt.target.Address = sim.LANAddr
			}
			start := time.Now()
			res := bmcverify.Verify(context.Background(), tt.target)
			t.Logf("%s in %s: %v", res.Class, time.Since(start).Round(time.Millisecond), res.Err)
			if res.Class != tt.class {
				t.Fatalf("class %s (%v), want %s", res.Class, res.Err, tt.class)
			}
			if tt.errPart != "" && (res.Err == nil || !strings.Contains(res.Err.Error(), tt.errPart)) {
				t.Errorf("error %v, want it to contain %q", res.Err, tt.errPart)
			}
			if res.Err != nil && strings.Contains(res.Err.Error(), tt.target.Password) {
				t.Errorf("the error shows the password: %v", res.Err)
			}
			if tt.wantSuite != 0 && res.Suite != tt.wantSuite {
				t.Errorf("suite %d, want %d", res.Suite, tt.wantSuite)
			}
		})
	}
}
