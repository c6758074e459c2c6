package agent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/bmcuser"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

// slowBMC is ipmi_sim's user table (ipmitest.UsersBMC, checked against
// ipmi_sim) with some requests answered late, counted.
type slowBMC struct {
	*ipmitest.UsersBMC
	delay func(cmd uint8, data []byte) time.Duration
	sent  int
}

func (b *slowBMC) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	b.sent++
	if d := b.delay(cmd, data); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return b.UsersBMC.Send(ctx, netfn, cmd, data)
}

// TestTimedDevice: the provisioning's timing summary counts every command
// Ensure sends, names the slowest three slowest first with what they were
// about, says which got no answer, and never carries the password.
func TestTimedDevice(t *testing.T) {
	t.Parallel()
	bmc := &slowBMC{UsersBMC: ipmitest.NewIPMISimUsers(), delay: func(cmd uint8, data []byte) time.Duration {
		switch {
		case cmd == ipmi.CmdGetUserName && data[0] == 0x1c:
			return 40 * time.Millisecond
		case cmd == ipmi.CmdSetUserPassword && data[1] == byte(ipmi.PasswordSet):
			return 25 * time.Millisecond
		case cmd == ipmi.CmdGetUserAccess && data[1] == 3:
			return 15 * time.Millisecond
		}
		return 0
	}}
	timed := &timedDevice{Device: bmc}
	const password = "Zq7pX2mW9vK4tR8n"
	res, err := bmcuser.Ensure(context.Background(), ipmi.NewClient(timed, time.Second), bmcuser.Request{
		User: "hwagent", Password: password, Privilege: ipmi.PrivilegeAdministrator,
	})
	if err != nil || res.Slot != 3 {
		t.Fatalf("Ensure: %+v, %v", res, err)
	}
	if timed.count != bmc.sent || timed.count < 63 {
		t.Errorf("counted %d commands, the BMC got %d (63 user names among them)", timed.count, bmc.sent)
	}
	if timed.total < 80*time.Millisecond || timed.total > 5*time.Second {
		t.Errorf("time in commands %s: want the 80 ms of delays and little more", timed.total)
	}
	got := timed.slowestCommands()
	parts := strings.Split(got, ", ")
	want := []string{"get user name 1c ", "set user password 83", "get user access 0103 "}
	if len(parts) != len(want) {
		t.Fatalf("slowest commands %q: want %d", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(parts[i], w) || !strings.HasSuffix(parts[i], "ms") {
			t.Errorf("slowest command %d: %q, want %q…ms", i+1, parts[i], w)
		}
	}
	if strings.Contains(got, password) || strings.Contains(got, "7a71") { // "Zq" in hex
		t.Errorf("the summary carries the password: %q", got)
	}

	// A BMC that stops answering: the command is named as unanswered.
	dead := &timedDevice{Device: &slowBMC{UsersBMC: ipmitest.NewIPMISimUsers(), delay: func(uint8, []byte) time.Duration { return time.Hour }}}
	_, err = bmcuser.Ensure(context.Background(), ipmi.NewClient(dead, 20*time.Millisecond), bmcuser.Request{
		User: "hwagent", Password: password, Privilege: ipmi.PrivilegeAdministrator,
	})
	if bmcuser.ReasonOf(err) != bmcuser.ReasonUnreachable || dead.count != 1 || !strings.HasPrefix(dead.slowestCommands(), "get channel info 01 ") ||
		!strings.HasSuffix(dead.slowestCommands(), "ms (no answer)") {
		t.Errorf("a BMC that does not answer: %v; %d commands, %q", err, dead.count, dead.slowestCommands())
	}
}
