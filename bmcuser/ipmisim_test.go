package bmcuser_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/bmcuser"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

// TestLANUsersAgainstIPMISim runs Ensure twice against a real ipmi_sim
// (its command handlers reached through ipmitool raw over LAN) and against
// ipmitest.NewIPMISimUsers, and checks that both say the same: the fake
// the other tests use behaves like the real BMC. Then the new user logs in
// over RMCP+ with ipmitool -I lanplus at ADMINISTRATOR, and so does the
// existing admin.
func TestLANUsersAgainstIPMISim(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.IPMISimulator)
	sim := lab.StartIPMISim(t, lab.TestBMC())
	ctx := t.Context()
	real := ipmi.NewClient(sim.Device(t), 10*time.Second)
	fake := ipmi.NewClient(ipmitest.NewIPMISimUsers(), 0)
	for run := 1; run <= 2; run++ {
		want, err := bmcuser.Ensure(ctx, fake, request())
		if err != nil {
			t.Fatal(err)
		}
		got, err := bmcuser.Ensure(ctx, real, request())
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, sim.Log())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("run %d: ipmi_sim and its fake differ (-fake +ipmi_sim):\n%s", run, diff)
		}
		if run == 2 && len(got.Changes) != 0 {
			t.Errorf("second run changed %q", got.Changes)
		}
		out, err := sim.Lanplus(ctx, "hwagent", testPassword, "ADMINISTRATOR", "mc", "info")
		if err != nil || !strings.Contains(out, "Manufacturer ID           : 10876") {
			t.Errorf("run %d: the new user cannot log in over lanplus: %v\n%s", run, err, out)
		}
		if _, err := sim.Lanplus(ctx, "admin", "password", "ADMINISTRATOR", "mc", "info"); err != nil {
			t.Errorf("run %d: the existing admin no longer logs in: %v", run, err)
		}
	}
	if _, err := sim.Lanplus(ctx, "hwagent", "wrong-password", "ADMINISTRATOR", "mc", "info"); err == nil {
		t.Error("a wrong password logs in: the check above proves nothing")
	}
	list, err := sim.Ipmitool(context.Background(), "user", "list", "1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ipmitool user list 1 after two runs (first lines):\n%s", strings.Join(strings.SplitN(list, "\n", 5)[:4], "\n"))
	if !strings.Contains(list, "3   hwagent          true    false      true       ADMINISTRATOR") {
		t.Errorf("user list:\n%s", list)
	}
}
