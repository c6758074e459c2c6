package ipmi

import (
	"bytes"
	"errors"
	"fmt"
)

// User and channel access commands (App network function, IPMI 2.0
// sections 22.22-22.30).
const (
	CmdSetChannelAccess uint8 = 0x40 // section 22.22
	CmdGetChannelAccess uint8 = 0x41 // section 22.23
	CmdSetUserAccess    uint8 = 0x43 // section 22.26
	CmdGetUserAccess    uint8 = 0x44 // section 22.27
	CmdSetUserName      uint8 = 0x45 // section 22.28
	CmdGetUserName      uint8 = 0x46 // section 22.29
	CmdSetUserPassword  uint8 = 0x47 // section 22.30
)

// Privilege is a privilege level (IPMI 2.0 Table 6-8, and 0Fh "no
// access" for user privilege limits).
type Privilege uint8

// Privilege levels.
const (
	PrivilegeCallback      Privilege = 0x01
	PrivilegeUser          Privilege = 0x02
	PrivilegeOperator      Privilege = 0x03
	PrivilegeAdministrator Privilege = 0x04
	PrivilegeOEM           Privilege = 0x05
	PrivilegeNoAccess      Privilege = 0x0F
)

var privilegeNames = map[Privilege]string{
	PrivilegeCallback: "callback", PrivilegeUser: "user", PrivilegeOperator: "operator",
	PrivilegeAdministrator: "administrator", PrivilegeOEM: "oem", PrivilegeNoAccess: "no access",
}

// String is the level's name as ipmitool's -L takes it, in lower case.
func (p Privilege) String() string {
	if s, ok := privilegeNames[p]; ok {
		return s
	}
	return fmt.Sprintf("0x%02x", uint8(p))
}

// ParsePrivilege reads "administrator" or "operator" (the levels a BMC
// user for provisioning may get; also "admin").
func ParsePrivilege(s string) (Privilege, error) {
	switch s {
	case "administrator", "admin", "ADMINISTRATOR":
		return PrivilegeAdministrator, nil
	case "operator", "OPERATOR":
		return PrivilegeOperator, nil
	}
	return 0, fmt.Errorf("privilege %q: want administrator or operator", s)
}

// MaxUserID is the largest user ID the 6-bit field holds.
const MaxUserID = 63

// UserNameLength is the size of the user name field: 16 bytes, NUL-padded.
const UserNameLength = 16

// Password sizes of Set User Password: the IPMI 1.5 form and the IPMI 2.0
// 20-byte form.
const (
	PasswordLength16 = 16
	PasswordLength20 = 20
)

// UserEnable is the "user ID enable status" of Get User Access.
type UserEnable uint8

// Enable states (Table 22-32 byte 3 bits 7:6).
const (
	UserEnableUnspecified UserEnable = 0
	UserEnabled           UserEnable = 1
	UserDisabled          UserEnable = 2
)

// UserAccess is the answer to Get User Access (Table 22-32).
type UserAccess struct {
	// MaxUsers is the number of user IDs the BMC has (byte 2 bits 5:0).
	MaxUsers uint8
	// Enable is this user's enable status; many BMCs (ipmi_sim among
	// them) leave it unspecified.
	Enable UserEnable
	// EnabledUsers counts the enabled user IDs (byte 3 bits 5:0).
	EnabledUsers uint8
	// FixedNames is the number of user IDs, from 1 up, whose names cannot
	// be changed (byte 4 bits 5:0).
	FixedNames uint8
	// CallbackOnly, LinkAuth and IPMIMessaging are byte 5 bits 6, 5, 4.
	CallbackOnly, LinkAuth, IPMIMessaging bool
	// Privilege is the user's privilege limit on the channel (bits 3:0).
	Privilege Privilege
}

// EncodeGetUserAccess is the request of Get User Access.
func EncodeGetUserAccess(channel, user uint8) []byte {
	return []byte{channel & 0x0F, user & 0x3F}
}

// DecodeUserAccess decodes a Get User Access response.
func DecodeUserAccess(resp []byte) (UserAccess, error) {
	b, err := checkResponse(NetFnApp, CmdGetUserAccess, resp, 4)
	if err != nil {
		return UserAccess{}, fmt.Errorf("get user access: %w", err)
	}
	return UserAccess{
		MaxUsers:      b[0] & 0x3F,
		Enable:        UserEnable(b[1] >> 6),
		EnabledUsers:  b[1] & 0x3F,
		FixedNames:    b[2] & 0x3F,
		CallbackOnly:  b[3]&0x40 != 0,
		LinkAuth:      b[3]&0x20 != 0,
		IPMIMessaging: b[3]&0x10 != 0,
		Privilege:     Privilege(b[3] & 0x0F),
	}, nil
}

// SetUserAccessRequest is Set User Access (Table 22-31).
type SetUserAccessRequest struct {
	Channel, User uint8
	// ChangeFlags sets CallbackOnly, LinkAuth and IPMIMessaging (byte 1
	// bit 7); without it the BMC keeps them.
	ChangeFlags                           bool
	CallbackOnly, LinkAuth, IPMIMessaging bool
	Privilege                             Privilege
}

// EncodeSetUserAccess is the request of Set User Access. The optional
// session limit byte is left out: the BMC keeps its value.
func EncodeSetUserAccess(r SetUserAccessRequest) []byte {
	b1 := r.Channel & 0x0F
	if r.ChangeFlags {
		b1 |= 0x80
		if r.CallbackOnly {
			b1 |= 0x40
		}
		if r.LinkAuth {
			b1 |= 0x20
		}
		if r.IPMIMessaging {
			b1 |= 0x10
		}
	}
	return []byte{b1, r.User & 0x3F, uint8(r.Privilege) & 0x0F}
}

// ErrInvalidUserName is a name Set User Name cannot carry.
var ErrInvalidUserName = errors.New("invalid BMC user name")

// ValidUserName checks a name for Set User Name: 1 to 16 printable ASCII
// characters without spaces (BMCs differ on the rest: hwagent stays within
// letters, digits, '.', '_' and '-', which every vendor accepts).
func ValidUserName(name string) error {
	if name == "" || len(name) > UserNameLength {
		return fmt.Errorf("%w %q: want 1 to %d characters", ErrInvalidUserName, name, UserNameLength)
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w %q: only letters, digits, '.', '_' and '-'", ErrInvalidUserName, name)
		}
	}
	return nil
}

// EncodeSetUserName is the request of Set User Name: the user ID and the
// name NUL-padded to 16 bytes.
func EncodeSetUserName(user uint8, name string) ([]byte, error) {
	if err := ValidUserName(name); err != nil {
		return nil, err
	}
	b := make([]byte, 1+UserNameLength)
	b[0] = user & 0x3F
	copy(b[1:], name)
	return b, nil
}

// EncodeGetUserName is the request of Get User Name.
func EncodeGetUserName(user uint8) []byte { return []byte{user & 0x3F} }

// DecodeUserName decodes a Get User Name response: the name up to the
// first NUL. BMCs pad with NULs or, for never-set slots, 0xFF; bytes
// outside printable ASCII make the answer malformed rather than reach a
// terminal.
func DecodeUserName(resp []byte) (string, error) {
	b, err := checkResponse(NetFnApp, CmdGetUserName, resp, UserNameLength)
	if err != nil {
		return "", fmt.Errorf("get user name: %w", err)
	}
	b = b[:UserNameLength]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if len(bytes.Trim(b, "\xff")) == 0 {
		return "", nil
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7E {
			return "", fmt.Errorf("get user name: %w: byte 0x%02x in the name", ErrMalformed, c)
		}
	}
	return string(b), nil
}

// PasswordOperation is byte 2 of Set User Password.
type PasswordOperation uint8

// Set User Password operations.
const (
	PasswordDisableUser PasswordOperation = 0
	PasswordEnableUser  PasswordOperation = 1
	PasswordSet         PasswordOperation = 2
	PasswordTest        PasswordOperation = 3
)

// ErrInvalidPassword is a password Set User Password cannot carry.
var ErrInvalidPassword = errors.New("invalid BMC password")

// ValidPassword checks a password for the given form (16 or 20 bytes):
// 1 to size printable ASCII characters. The error never contains the
// password.
func ValidPassword(password string, size int) error {
	if password == "" || len(password) > size {
		return fmt.Errorf("%w: %d characters, want 1 to %d", ErrInvalidPassword, len(password), size)
	}
	for i, c := range []byte(password) {
		if c < 0x21 || c > 0x7E {
			return fmt.Errorf("%w: character %d is not printable ASCII", ErrInvalidPassword, i+1)
		}
	}
	return nil
}

// EncodeSetUserPassword is the request of Set User Password. Setting or
// testing takes the password, NUL-padded to size (16, or 20 for the IPMI
// 2.0 form, which sets bit 7 of byte 1); enabling and disabling take none.
func EncodeSetUserPassword(user uint8, op PasswordOperation, password string, size int) ([]byte, error) {
	b := []byte{user & 0x3F, uint8(op) & 0x03}
	if op == PasswordDisableUser || op == PasswordEnableUser {
		return b, nil
	}
	if size != PasswordLength16 && size != PasswordLength20 {
		return nil, fmt.Errorf("%w: password form of %d bytes, want 16 or 20", ErrInvalidPassword, size)
	}
	if err := ValidPassword(password, size); err != nil {
		return nil, err
	}
	if size == PasswordLength20 {
		b[0] |= 0x80
	}
	pw := make([]byte, size)
	copy(pw, password)
	return append(b, pw...), nil
}

// Completion codes of Set User Password's test operation.
const (
	CCPasswordMismatch  CompletionCode = 0x80
	CCPasswordWrongSize CompletionCode = 0x81
)

// ErrPasswordMismatch is matched by the answer to a password test that
// failed (80h, or 81h: the password was stored in the other size).
var ErrPasswordMismatch = errors.New("password test failed")

// DecodeSetUserPassword checks a Set User Password response. For the test
// operation a mismatch is an error matching ErrPasswordMismatch.
func DecodeSetUserPassword(op PasswordOperation, resp []byte) error {
	_, err := checkResponse(NetFnApp, CmdSetUserPassword, resp, 0)
	var ce *CompletionError
	if op == PasswordTest && errors.As(err, &ce) && (ce.Code == CCPasswordMismatch || ce.Code == CCPasswordWrongSize) {
		return fmt.Errorf("set user password: %w (%w)", ErrPasswordMismatch, err)
	}
	if err != nil {
		return fmt.Errorf("set user password: %w", err)
	}
	return nil
}

// AccessMode is a channel's access mode (Table 22-28 bits 2:0).
type AccessMode uint8

// Channel access modes.
const (
	AccessDisabled        AccessMode = 0
	AccessPreBootOnly     AccessMode = 1
	AccessAlwaysAvailable AccessMode = 2
	AccessShared          AccessMode = 3
)

var accessModeNames = []string{"disabled", "pre-boot only", "always available", "shared"}

func (m AccessMode) String() string {
	if int(m) < len(accessModeNames) {
		return accessModeNames[m]
	}
	return fmt.Sprintf("reserved mode %d", uint8(m))
}

// ChannelAccess is the answer to Get Channel Access (Table 22-29).
type ChannelAccess struct {
	AlertingDisabled, PerMessageAuthDisabled, UserLevelAuthDisabled bool
	Mode                                                            AccessMode
	// Privilege is the channel's privilege level limit.
	Privilege Privilege
}

// Which settings Get and Set Channel Access address (bits 7:6).
const (
	ChannelNonVolatile uint8 = 0x40
	ChannelVolatile    uint8 = 0x80
)

// EncodeGetChannelAccess is the request of Get Channel Access for the
// non-volatile (ChannelNonVolatile) or active (ChannelVolatile) settings.
func EncodeGetChannelAccess(channel, which uint8) []byte {
	return []byte{channel & 0x0F, which & 0xC0}
}

// DecodeChannelAccess decodes a Get Channel Access response.
func DecodeChannelAccess(resp []byte) (ChannelAccess, error) {
	b, err := checkResponse(NetFnApp, CmdGetChannelAccess, resp, 2)
	if err != nil {
		return ChannelAccess{}, fmt.Errorf("get channel access: %w", err)
	}
	return ChannelAccess{
		AlertingDisabled:       b[0]&0x20 != 0,
		PerMessageAuthDisabled: b[0]&0x10 != 0,
		UserLevelAuthDisabled:  b[0]&0x08 != 0,
		Mode:                   AccessMode(b[0] & 0x07),
		Privilege:              Privilege(b[1] & 0x0F),
	}, nil
}

// SetChannelAccessRequest is Set Channel Access (Table 22-28). Access is
// written when SetAccess is ChannelNonVolatile or ChannelVolatile (0 keeps
// it), the privilege limit when SetPrivilege is.
type SetChannelAccessRequest struct {
	Channel   uint8
	SetAccess uint8
	// Access's alerting and authentication bits are written as they are:
	// copy them from Get Channel Access to change only the mode.
	Access       ChannelAccess
	SetPrivilege uint8
	Privilege    Privilege
}

// EncodeSetChannelAccess is the request of Set Channel Access.
func EncodeSetChannelAccess(r SetChannelAccessRequest) []byte {
	b2 := r.SetAccess & 0xC0
	if r.Access.AlertingDisabled {
		b2 |= 0x20
	}
	if r.Access.PerMessageAuthDisabled {
		b2 |= 0x10
	}
	if r.Access.UserLevelAuthDisabled {
		b2 |= 0x08
	}
	b2 |= uint8(r.Access.Mode) & 0x07
	return []byte{r.Channel & 0x0F, b2, r.SetPrivilege&0xC0 | uint8(r.Privilege)&0x0F}
}

// DecodeStatus checks the response of a command that returns only a
// completion code (the Set commands).
func DecodeStatus(netfn, cmd uint8, resp []byte) error {
	_, err := checkResponse(netfn, cmd, resp, 0)
	return err
}
