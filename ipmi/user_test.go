package ipmi_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/ipmi"
)

func TestDecodeUserAccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		resp []byte
		want ipmi.UserAccess
	}{
		// ipmi_sim's slot 2 ("admin", lan.conf's user line): 63 user IDs,
		// one enabled, enable status left unspecified, IPMI messaging on,
		// administrator.
		{"ipmi_sim admin", answer(t, "06 44 01 02"), ipmi.UserAccess{MaxUsers: 63, EnabledUsers: 1, IPMIMessaging: true, Privilege: ipmi.PrivilegeAdministrator}},
		{"ipmi_sim free slot", answer(t, "06 44 01 03"), ipmi.UserAccess{MaxUsers: 63, EnabledUsers: 1}},
		// Table 22-32 with every field set: 16 IDs, this one enabled, 3
		// enabled, 2 fixed names, callback only, link auth, messaging,
		// operator.
		{"all fields", unhex(t, "00 10 43 02 73"), ipmi.UserAccess{MaxUsers: 16, Enable: ipmi.UserEnabled, EnabledUsers: 3, FixedNames: 2,
			CallbackOnly: true, LinkAuth: true, IPMIMessaging: true, Privilege: ipmi.PrivilegeOperator}},
		{"disabled, no access", unhex(t, "00 0a 80 01 0f"), ipmi.UserAccess{MaxUsers: 10, Enable: ipmi.UserDisabled, FixedNames: 1, Privilege: ipmi.PrivilegeNoAccess}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ipmi.DecodeUserAccess(tt.resp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeUserName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, resp, want string
		err              error
	}{
		{"ipmi_sim admin", "", "admin", nil},
		{"ipmi_sim free slot", "06 46 03", "", nil},
		{"never set, 0xFF", "00 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff", "", nil},
		{"16 characters", "00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70", "abcdefghijklmnop", nil},
		{"escape in name", "00 61 1b 5b 32 4a 00 00 00 00 00 00 00 00 00 00 00", "", ipmi.ErrMalformed},
		{"short", "00 61 64", "", ipmi.ErrMalformed},
		{"ipmi_sim slot 1", "06 46 01", "", &ipmi.CompletionError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var resp []byte
			switch {
			case tt.resp == "":
				resp = answer(t, "06 46 02")
			case strings.HasPrefix(tt.resp, "06 46"):
				resp = answer(t, tt.resp)
			default:
				resp = unhex(t, tt.resp)
			}
			got, err := ipmi.DecodeUserName(resp)
			var ce *ipmi.CompletionError
			switch {
			case tt.err == nil && err != nil:
				t.Fatal(err)
			case tt.err == ipmi.ErrMalformed && !errors.Is(err, ipmi.ErrMalformed):
				t.Fatalf("error %v, want ErrMalformed", err)
			case tt.err != nil && tt.err != ipmi.ErrMalformed && !errors.As(err, &ce):
				t.Fatalf("error %v, want a completion code", err)
			}
			if got != tt.want {
				t.Errorf("name %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecodeChannelAccess(t *testing.T) {
	t.Parallel()
	// ipmi_sim's channel 1: always available, every authentication on,
	// limit administrator (ipmitool channel info 1 agrees).
	for _, key := range []string{"06 41 01 40", "06 41 01 80"} {
		got, err := ipmi.DecodeChannelAccess(answer(t, key))
		if err != nil {
			t.Fatal(err)
		}
		want := ipmi.ChannelAccess{Mode: ipmi.AccessAlwaysAvailable, Privilege: ipmi.PrivilegeAdministrator}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", key, diff)
		}
		if got.Mode.String() != "always available" {
			t.Errorf("mode %q", got.Mode)
		}
	}
	got, err := ipmi.DecodeChannelAccess(unhex(t, "00 38 03"))
	if err != nil {
		t.Fatal(err)
	}
	want := ipmi.ChannelAccess{AlertingDisabled: true, PerMessageAuthDisabled: true, UserLevelAuthDisabled: true, Mode: ipmi.AccessDisabled, Privilege: ipmi.PrivilegeOperator}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ipmi.DecodeChannelAccess(unhex(t, "82")); err == nil {
		t.Error("completion code 82h accepted")
	}
}

// TestEncodeUserRequests checks the requests byte for byte against the
// layouts of IPMI 2.0 Tables 22-28 to 22-33 (and what ipmitool sends for
// "user set name", "user set password ... 20", "user priv", "user enable").
func TestEncodeUserRequests(t *testing.T) {
	t.Parallel()
	name, err := ipmi.EncodeSetUserName(3, "hwagent")
	if err != nil {
		t.Fatal(err)
	}
	pw20, err := ipmi.EncodeSetUserPassword(3, ipmi.PasswordSet, "s3cret", ipmi.PasswordLength20)
	if err != nil {
		t.Fatal(err)
	}
	pw16, err := ipmi.EncodeSetUserPassword(5, ipmi.PasswordTest, "s3cret", ipmi.PasswordLength16)
	if err != nil {
		t.Fatal(err)
	}
	enable, err := ipmi.EncodeSetUserPassword(3, ipmi.PasswordEnableUser, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"get user access", ipmi.EncodeGetUserAccess(1, 3), "01 03"},
		{"get user name", ipmi.EncodeGetUserName(3), "03"},
		{"set user name", name, "03 68 77 61 67 65 6e 74 00 00 00 00 00 00 00 00 00"},
		{"set password, 20-byte form", pw20, "83 02 73 33 63 72 65 74 00 00 00 00 00 00 00 00 00 00 00 00 00 00"},
		{"test password, 16-byte form", pw16, "05 03 73 33 63 72 65 74 00 00 00 00 00 00 00 00 00 00"},
		{"enable user", enable, "03 01"},
		{"set user access, messaging, admin", ipmi.EncodeSetUserAccess(ipmi.SetUserAccessRequest{Channel: 1, User: 3, ChangeFlags: true, IPMIMessaging: true, Privilege: ipmi.PrivilegeAdministrator}), "91 03 04"},
		{"set user access, all flags, operator", ipmi.EncodeSetUserAccess(ipmi.SetUserAccessRequest{Channel: 2, User: 4, ChangeFlags: true, CallbackOnly: true, LinkAuth: true, IPMIMessaging: true, Privilege: ipmi.PrivilegeOperator}), "f2 04 03"},
		{"set user access, privilege only", ipmi.EncodeSetUserAccess(ipmi.SetUserAccessRequest{Channel: 1, User: 3, IPMIMessaging: true, Privilege: ipmi.PrivilegeOperator}), "01 03 03"},
		{"get channel access nv", ipmi.EncodeGetChannelAccess(1, ipmi.ChannelNonVolatile), "01 40"},
		{"set channel access: always available, keep privilege", ipmi.EncodeSetChannelAccess(ipmi.SetChannelAccessRequest{Channel: 1, SetAccess: ipmi.ChannelVolatile, Access: ipmi.ChannelAccess{Mode: ipmi.AccessAlwaysAvailable, AlertingDisabled: true}}), "01 a2 00"},
		{"set channel access: privilege only", ipmi.EncodeSetChannelAccess(ipmi.SetChannelAccessRequest{Channel: 3, SetPrivilege: ipmi.ChannelNonVolatile, Privilege: ipmi.PrivilegeAdministrator}), "03 00 44"},
	}
	for _, tt := range tests {
		if got := hexBytes(tt.got); got != tt.want {
			t.Errorf("%s: % x, want %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestEncodeRejects(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"", "seventeen-chars-x", "with space", "ünïcode", "semi;colon"} {
		if _, err := ipmi.EncodeSetUserName(3, n); !errors.Is(err, ipmi.ErrInvalidUserName) {
			t.Errorf("name %q: %v", n, err)
		}
	}
	secret := "twenty-one-chars-long"
	for _, c := range []struct {
		pw   string
		size int
	}{{"", 16}, {"seventeen-chars-x", 16}, {secret, 20}, {"tab\there", 20}, {"ok", 18}} {
		_, err := ipmi.EncodeSetUserPassword(3, ipmi.PasswordSet, c.pw, c.size)
		if !errors.Is(err, ipmi.ErrInvalidPassword) {
			t.Errorf("password of %d characters, form %d: %v", len(c.pw), c.size, err)
		}
		if c.pw != "" && err != nil && strings.Contains(err.Error(), c.pw) {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestDecodeSetUserPassword(t *testing.T) {
	t.Parallel()
	if err := ipmi.DecodeSetUserPassword(ipmi.PasswordTest, []byte{0}); err != nil {
		t.Error(err)
	}
	for _, cc := range []byte{0x80, 0x81} {
		if err := ipmi.DecodeSetUserPassword(ipmi.PasswordTest, []byte{cc}); !errors.Is(err, ipmi.ErrPasswordMismatch) {
			t.Errorf("test answered %02x: %v, want ErrPasswordMismatch", cc, err)
		}
		// For a set, 80h is just a command-specific failure.
		if err := ipmi.DecodeSetUserPassword(ipmi.PasswordSet, []byte{cc}); err == nil || errors.Is(err, ipmi.ErrPasswordMismatch) {
			t.Errorf("set answered %02x: %v", cc, err)
		}
	}
	var ce *ipmi.CompletionError
	if err := ipmi.DecodeSetUserPassword(ipmi.PasswordSet, []byte{0xd4}); !errors.As(err, &ce) || ce.Code != ipmi.CCInsufficientPrivilege {
		t.Errorf("d4: %v", err)
	}
}

func TestParsePrivilege(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]ipmi.Privilege{"administrator": ipmi.PrivilegeAdministrator, "admin": ipmi.PrivilegeAdministrator, "operator": ipmi.PrivilegeOperator} {
		if got, err := ipmi.ParsePrivilege(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"user", "callback", "", "root"} {
		if _, err := ipmi.ParsePrivilege(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
