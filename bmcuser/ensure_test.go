package bmcuser_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/bmcuser"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

const testPassword = "Zq7-not-real-pw1" // 16 characters: ipmi_sim keeps 16 bytes of any password

func request() bmcuser.Request {
	return bmcuser.Request{User: "hwagent", Password: testPassword, Privilege: ipmi.PrivilegeAdministrator}
}

func ensure(t *testing.T, dev ipmi.Device, req bmcuser.Request) (*bmcuser.Result, error) {
	t.Helper()
	res, err := bmcuser.Ensure(context.Background(), ipmi.NewClient(dev, 300*time.Millisecond), req)
	if err != nil && len(req.Password) >= 4 && strings.Contains(err.Error(), req.Password) {
		t.Fatalf("the error shows the password: %v", err)
	}
	if res != nil && len(req.Password) >= 4 {
		if all := strings.Join(append(append(append(res.Changes, res.Rewrites...), res.Unchanged...), res.Warnings...), "\n"); strings.Contains(all, req.Password) {
			t.Fatalf("the result shows the password: %s", all)
		}
	}
	return res, err
}

// strict is a BMC that reports enable states and tests passwords for
// real, with the 20-byte form.
func strict() *ipmitest.UsersBMC {
	b := ipmitest.NewIPMISimUsers()
	b.MaxUsers, b.ReportsEnable, b.TestAcceptsAny, b.Keep16 = 10, true, false, false
	return b
}

func TestEnsureCreatesThenChangesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		bmc      *ipmitest.UsersBMC
		form     int
		rewrites []string
	}{
		{"ipmi_sim-like", ipmitest.NewIPMISimUsers(), 20, []string{
			"password written again in the 20-byte form: the BMC accepts any password in a test",
			"enabled again: the BMC does not report whether a user is enabled",
		}},
		{"strict BMC", strict(), 20, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.bmc
			res, err := ensure(t, b, request())
			if err != nil {
				t.Fatal(err)
			}
			want := &bmcuser.Result{
				Slot: 3, Created: true, Channel: 1, Channels: []uint8{1}, PasswordForm: tc.form,
				Changes: []string{
					`named slot 3 "hwagent"`,
					"set the password (20-byte form)",
					"channel 1: IPMI messaging on, privilege administrator (was 0x00, messaging false)",
					"enabled user 3",
				},
				Unchanged: []string{
					"channel 1: IPMI over LAN always available, limit administrator (non-volatile)",
					"channel 1: IPMI over LAN always available, limit administrator (active)",
				},
			}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("first run (-want +got):\n%s", diff)
			}
			u := b.User(3)
			if u.Name != "hwagent" || u.Password != testPassword || !u.Enabled || u.Access[1] != (ipmi.UserAccess{IPMIMessaging: true, Privilege: ipmi.PrivilegeAdministrator}) {
				t.Errorf("slot 3 after the first run: %+v", u)
			}
			if admin := b.User(2); admin.Name != "admin" || admin.Password != "password" || !admin.Enabled {
				t.Errorf("slot 2 changed: %+v", admin)
			}
			writes := len(b.Writes())

			res, err = ensure(t, b, request())
			if err != nil {
				t.Fatal(err)
			}
			if res.Slot != 3 || res.Created || len(res.Changes) != 0 {
				t.Errorf("second run: slot %d created %v changes %q", res.Slot, res.Created, res.Changes)
			}
			if diff := cmp.Diff(tc.rewrites, res.Rewrites); diff != "" {
				t.Errorf("second run's rewrites (-want +got):\n%s", diff)
			}
			if got := len(b.Writes()) - writes; got != len(tc.rewrites) {
				t.Errorf("second run wrote %d times, want %d: %q", got, len(tc.rewrites), b.Writes()[writes:])
			}
			if !cmp.Equal(b.User(3), u) {
				t.Errorf("slot 3 changed on the second run: %+v → %+v", u, b.User(3))
			}
		})
	}
}

func TestEnsureNewPasswordOnly(t *testing.T) {
	t.Parallel()
	b := strict()
	if _, err := ensure(t, b, request()); err != nil {
		t.Fatal(err)
	}
	req := request()
	req.Password = "another-Pw-123"
	res, err := ensure(t, b, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"set the password (20-byte form)"}, res.Changes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if b.User(3).Password != req.Password {
		t.Error("password not changed")
	}
}

func TestEnsureSlotRules(t *testing.T) {
	t.Parallel()
	full := func() *ipmitest.UsersBMC {
		b := strict()
		for id := uint8(3); id <= b.MaxUsers; id++ {
			b.SetUser(id, ipmitest.UserSlot{Name: "user" + string(rune('a'+id)), Enabled: true})
		}
		return b
	}
	tests := []struct {
		name     string
		bmc      func() *ipmitest.UsersBMC
		req      func(*bmcuser.Request)
		reason   string
		wantSlot uint8
		errPart  string
	}{
		{"no free slot", full, nil, bmcuser.ReasonNoFreeSlot, 0, "no free BMC user slot: slots 3-10 are named or enabled"},
		{"--slot reuses a taken one", full, func(r *bmcuser.Request) { r.Slot = 7 }, "", 7, ""},
		{"--slot 2 refused", full, func(r *bmcuser.Request) { r.Slot = 2 }, bmcuser.ReasonInvalid, 0, "hwagent uses slots 3 to 63"},
		{"--slot beyond the table", strict, func(r *bmcuser.Request) { r.Slot = 11 }, bmcuser.ReasonInvalid, 0, "the BMC has 10 user slots"},
		{"name of the factory admin", strict, func(r *bmcuser.Request) { r.User = "admin" }, bmcuser.ReasonSlotConflict, 0, `user "admin" is slot 2, which hwagent never changes`},
		{"nameless but enabled slot is skipped", func() *ipmitest.UsersBMC {
			b := strict()
			b.SetUser(3, ipmitest.UserSlot{Enabled: true})
			b.SetUser(4, ipmitest.UserSlot{Access: map[uint8]ipmi.UserAccess{1: {Privilege: ipmi.PrivilegeUser}}})
			return b
		}, nil, "", 5, ""},
		{"existing user found past free slots", func() *ipmitest.UsersBMC {
			b := strict()
			b.SetUser(9, ipmitest.UserSlot{Name: "hwagent", Password: "old", Form: 20})
			return b
		}, nil, "", 9, ""},
		{"existing user, --slot disagrees", func() *ipmitest.UsersBMC {
			b := strict()
			b.SetUser(9, ipmitest.UserSlot{Name: "hwagent"})
			return b
		}, func(r *bmcuser.Request) { r.Slot = 4 }, bmcuser.ReasonSlotConflict, 0, `user "hwagent" is already slot 9, not slot 4`},
		{"duplicate names", func() *ipmitest.UsersBMC {
			b := strict()
			b.SetUser(4, ipmitest.UserSlot{Name: "hwagent"})
			b.SetUser(6, ipmitest.UserSlot{Name: "hwagent"})
			return b
		}, nil, bmcuser.ReasonSlotConflict, 0, "is in slots [4 6]"},
		{"fixed names skipped", func() *ipmitest.UsersBMC {
			b := strict()
			b.FixedNames = 4
			return b
		}, nil, "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.bmc()
			req := request()
			if tt.req != nil {
				tt.req(&req)
			}
			before := b.User(2)
			res, err := ensure(t, b, req)
			if tt.reason != "" {
				if bmcuser.ReasonOf(err) != tt.reason || !strings.Contains(fmtErr(err), tt.errPart) {
					t.Fatalf("error %v (%s), want %s containing %q", err, bmcuser.ReasonOf(err), tt.reason, tt.errPart)
				}
				if w := b.Writes(); len(w) != 0 {
					t.Errorf("a refused request wrote %q", w)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Slot != tt.wantSlot || b.User(tt.wantSlot).Name != req.User || b.User(tt.wantSlot).Password != req.Password {
				t.Errorf("slot %d (%+v), want %d", res.Slot, b.User(res.Slot), tt.wantSlot)
			}
			if !cmp.Equal(before, b.User(2)) {
				t.Errorf("slot 2 changed: %+v → %+v", before, b.User(2))
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestEnsureBMCBehaviours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		bmc     func() ipmi.Device
		reason  string
		errPart string
		check   func(t *testing.T, b ipmi.Device, res *bmcuser.Result)
	}{
		{"refuses user commands (QEMU's ipmi-bmc-sim answers C1h)", func() ipmi.Device {
			b := strict()
			b.Refuse = map[uint8]ipmi.CompletionCode{ipmi.CmdGetUserAccess: ipmi.CCInvalidCommand, ipmi.CmdSetUserName: ipmi.CCInvalidCommand}
			return b
		}, bmcuser.ReasonRefused, "read the user table: user 1 on channel 1: get user access: netfn 0x06 cmd 0x44: completion code 0xc1 invalid command", nil},
		{"refuses Set User Name with D4h", func() ipmi.Device {
			b := strict()
			b.Refuse = map[uint8]ipmi.CompletionCode{ipmi.CmdSetUserName: ipmi.CCInsufficientPrivilege}
			return b
		}, bmcuser.ReasonRefused, "set user name of user 3: netfn 0x06 cmd 0x45: completion code 0xd4 insufficient privilege level", nil},
		{"transcript BMC with no user commands", func() ipmi.Device { return &ipmitest.BMC{} }, bmcuser.ReasonRefused, "", nil},
		{"hung BMC", func() ipmi.Device { return &ipmitest.BMC{HangFrom: 1} }, bmcuser.ReasonUnreachable, "find the LAN channels: get channel info 1: fake BMC: 06 42 01: context deadline exceeded", nil},
		{"LAN channel disabled", func() ipmi.Device {
			b := strict()
			b.ChannelAccess[1] = ipmi.ChannelAccess{Mode: ipmi.AccessDisabled, Privilege: ipmi.PrivilegeUser, AlertingDisabled: true}
			return b
		}, "", "", func(t *testing.T, d ipmi.Device, res *bmcuser.Result) {
			b := d.(*ipmitest.UsersBMC)
			want := ipmi.ChannelAccess{Mode: ipmi.AccessAlwaysAvailable, Privilege: ipmi.PrivilegeAdministrator, AlertingDisabled: true}
			if got := b.ChannelAccess[1]; got != want {
				t.Errorf("channel access %+v, want %+v", got, want)
			}
			if !strings.Contains(strings.Join(res.Changes, "\n"), "channel 1 (non-volatile): access disabled → always available, privilege limit user → administrator") {
				t.Errorf("changes %q", res.Changes)
			}
		}},
		{"LAN channel cannot be enabled", func() ipmi.Device {
			b := strict()
			b.ChannelAccess[1] = ipmi.ChannelAccess{Mode: ipmi.AccessDisabled, Privilege: ipmi.PrivilegeAdministrator}
			b.Refuse = map[uint8]ipmi.CompletionCode{ipmi.CmdSetChannelAccess: 0x83}
			return b
		}, bmcuser.ReasonLANChannel, "set channel access of channel 1: netfn 0x06 cmd 0x40: completion code 0x83 command-specific code", nil},
		{"no 20-byte form", func() ipmi.Device {
			b := strict()
			b.No20ByteForm = true
			return b
		}, "", "", func(t *testing.T, d ipmi.Device, res *bmcuser.Result) {
			if res.PasswordForm != 16 || d.(*ipmitest.UsersBMC).User(3).Form != 16 {
				t.Errorf("form %d", res.PasswordForm)
			}
		}},
		{"two LAN channels", func() ipmi.Device {
			b := strict()
			b.LAN = []uint8{1, 2}
			b.ChannelAccess[2] = ipmi.ChannelAccess{Mode: ipmi.AccessAlwaysAvailable, Privilege: ipmi.PrivilegeAdministrator}
			return b
		}, "", "", func(t *testing.T, d ipmi.Device, res *bmcuser.Result) {
			u := d.(*ipmitest.UsersBMC).User(3)
			if !cmp.Equal(res.Channels, []uint8{1, 2}) || !u.Access[2].IPMIMessaging || u.Access[2].Privilege != ipmi.PrivilegeAdministrator {
				t.Errorf("channels %v, access %+v", res.Channels, u.Access)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.bmc()
			res, err := ensure(t, b, request())
			if tt.reason != "" {
				if bmcuser.ReasonOf(err) != tt.reason || !strings.Contains(fmtErr(err), tt.errPart) {
					t.Fatalf("error %v (%s), want %s containing %q", err, bmcuser.ReasonOf(err), tt.reason, tt.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, b, res)
		})
	}
}

func TestEnsureRejectsBadRequests(t *testing.T) {
	t.Parallel()
	for _, r := range []bmcuser.Request{
		{User: "", Password: "x", Privilege: ipmi.PrivilegeAdministrator},
		{User: "hwagent", Password: "", Privilege: ipmi.PrivilegeAdministrator},
		{User: "hwagent", Password: "twenty-one-characters", Privilege: ipmi.PrivilegeAdministrator},
		{User: "hwagent", Password: "pw", Privilege: ipmi.PrivilegeUser},
	} {
		b := strict()
		_, err := ensure(t, b, r)
		var e *bmcuser.Error
		if !errors.As(err, &e) || e.Reason != bmcuser.ReasonInvalid || len(b.Writes()) != 0 {
			t.Errorf("%+v: %v", r.User, err)
		}
	}
}
