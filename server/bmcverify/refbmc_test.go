package bmcverify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bougou/go-ipmi/pkg/bmc"
	"github.com/bougou/go-ipmi/pkg/clock"
	"github.com/bougou/go-ipmi/pkg/hal/mock"
	"github.com/bougou/go-ipmi/pkg/server"
	"github.com/bougou/go-ipmi/pkg/transport/udp"

	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/server/bmcverify"
)

// TestVerifyPrivilegeTooLow uses go-ipmi's reference BMC, which (unlike
// ipmi_sim) applies each user's per-channel privilege limit to RMCP+
// sessions: an operator asking for an administrator session is refused
// in RAKP 2 with status 0Ah.
func TestVerifyPrivilegeTooLow(t *testing.T) {
	t.Parallel()
	b := bmc.New(bmc.DeviceInfo{DeviceID: 32, DeviceRevision: 1, FirmwareMajor: 1, IPMIVersion: 0x20, ManufacturerID: 10876, ProductID: 1},
		[16]byte{1}, mock.New(), bmc.WithClock(clock.Real))
	for id, u := range map[uint8]struct {
		name string
		priv bmc.PrivilegeLevel
	}{2: {"ADMIN", bmc.PrivilegeLevelAdministrator}, 3: {"oper", bmc.PrivilegeLevelOperator}} {
		user, err := b.Users.Add(id, u.name)
		if err != nil {
			t.Fatal(err)
		}
		user.SetPassword([]byte("pw-" + u.name))
		user.Enabled = true
		user.ChannelAccess[1] = bmc.UserChannelAccess{MaxPrivilege: u.priv, Enabled: true}
	}
	conn, err := udp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.NewServer(b, conn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ctx) }() //nolint:errcheck // ends with the test
	t.Cleanup(func() { cancel(); srv.Close(); conn.Close(); <-done })
	addr := conn.LocalAddr().String()

	for _, tt := range []struct {
		user, password string
		priv           ipmi.Privilege
		class          string
	}{
		{"ADMIN", "pw-ADMIN", ipmi.PrivilegeAdministrator, bmcverify.Verified},
		{"oper", "pw-oper", ipmi.PrivilegeOperator, bmcverify.Verified},
		{"oper", "pw-oper", ipmi.PrivilegeAdministrator, bmcverify.PrivilegeTooLow},
		{"oper", "wrong", ipmi.PrivilegeOperator, bmcverify.WrongPassword},
	} {
		res := bmcverify.Verify(ctx, bmcverify.Target{Address: addr, User: tt.user, Password: tt.password, Privilege: tt.priv})
		t.Logf("%s at %s: %s %v (suite %d)", tt.user, tt.priv, res.Class, res.Err, res.Suite)
		if res.Class != tt.class {
			t.Errorf("%s at %s: %s (%v), want %s", tt.user, tt.priv, res.Class, res.Err, tt.class)
		}
		if res.Err != nil && strings.Contains(res.Err.Error(), tt.password) {
			t.Errorf("the error shows the password: %v", res.Err)
		}
	}
}
