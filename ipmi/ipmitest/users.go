package ipmitest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hwagent/hwagent/ipmi"
)

// UserSlot is one user of a UsersBMC.
type UserSlot struct {
	Name     string
	Password string // as stored: NULs trimmed
	Form     int    // 16 or 20
	Enabled  bool
	// Access per channel.
	Access map[uint8]ipmi.UserAccess
}

// UsersBMC is a fake BMC with a user table and channel access settings,
// answering the user and channel commands (Get/Set User Name, Access,
// Password, Get/Set Channel Access, Get Channel Info) the way IPMI 2.0
// section 22 describes. Its defaults (NewIPMISimUsers) behave like
// OpenIPMI's ipmi_sim; the fields make it behave like other BMCs.
// TestLANUsersAgainstIPMISim in bmcuser checks it against the real one.
type UsersBMC struct {
	// MaxUsers and FixedNames are what Get User Access reports.
	MaxUsers, FixedNames uint8
	// LAN are the 802.3 channels; other channels answer Get Channel Info
	// with CBh.
	LAN []uint8
	// ChannelAccess per LAN channel, non-volatile and active alike.
	ChannelAccess map[uint8]ipmi.ChannelAccess
	// ReportsEnable makes Get User Access report each user's enable
	// status; ipmi_sim leaves it unspecified.
	ReportsEnable bool
	// TestAcceptsAny makes the password test succeed whatever the
	// password (ipmi_sim); otherwise it answers 80h/81h.
	TestAcceptsAny bool
	// No20ByteForm refuses the 20-byte password form with C7h; ipmi_sim
	// takes it but keeps 16 bytes (Keep16).
	No20ByteForm, Keep16 bool
	// NoNameSlot1 answers Get/Set User Name of slot 1 with CCh (ipmi_sim).
	NoNameSlot1 bool
	// Refuse answers these commands with the completion code.
	Refuse map[uint8]ipmi.CompletionCode

	mu     sync.Mutex
	users  map[uint8]*UserSlot
	writes []string
}

var _ ipmi.Device = (*UsersBMC)(nil)

// NewIPMISimUsers is a UsersBMC like internal/lab's ipmi_sim: 63 slots,
// slot 2 "admin"/"password" enabled with administrator access on LAN
// channel 1, channel 1 always available with an administrator limit.
func NewIPMISimUsers() *UsersBMC {
	b := &UsersBMC{
		MaxUsers: 63, LAN: []uint8{1},
		ChannelAccess:  map[uint8]ipmi.ChannelAccess{1: {Mode: ipmi.AccessAlwaysAvailable, Privilege: ipmi.PrivilegeAdministrator}},
		TestAcceptsAny: true, Keep16: true, NoNameSlot1: true,
	}
	b.SetUser(2, UserSlot{Name: "admin", Password: "password", Form: 16, Enabled: true,
		Access: map[uint8]ipmi.UserAccess{1: {IPMIMessaging: true, Privilege: ipmi.PrivilegeAdministrator}}})
	return b
}

// SetUser puts a user in a slot.
func (b *UsersBMC) SetUser(id uint8, u UserSlot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.users == nil {
		b.users = map[uint8]*UserSlot{}
	}
	if u.Access == nil {
		u.Access = map[uint8]ipmi.UserAccess{}
	}
	b.users[id] = &u
}

// User returns a copy of a slot (zero when never set).
func (b *UsersBMC) User(id uint8) UserSlot {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u := b.users[id]; u != nil {
		c := *u
		c.Access = map[uint8]ipmi.UserAccess{}
		for k, v := range u.Access {
			c.Access[k] = v
		}
		return c
	}
	return UserSlot{}
}

// Writes lists the Set commands received (password tests excepted), as Key writes them, with
// password bytes replaced by "**".
func (b *UsersBMC) Writes() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.writes)
}

func (b *UsersBMC) slot(id uint8) *UserSlot {
	if b.users == nil {
		b.users = map[uint8]*UserSlot{}
	}
	u := b.users[id]
	if u == nil {
		u = &UserSlot{Access: map[uint8]ipmi.UserAccess{}}
		b.users[id] = u
	}
	return u
}

func cc(c ipmi.CompletionCode) []byte { return []byte{byte(c)} }

// Send answers one request.
func (b *UsersBMC) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if netfn != ipmi.NetFnApp {
		return cc(ipmi.CCInvalidCommand), nil
	}
	if code, ok := b.Refuse[cmd]; ok {
		return cc(code), nil
	}
	switch cmd {
	case ipmi.CmdSetUserName, ipmi.CmdSetUserAccess, ipmi.CmdSetChannelAccess:
		b.writes = append(b.writes, Key(netfn, cmd, data))
	case ipmi.CmdSetUserPassword:
		if len(data) >= 2 && data[1]&3 == 3 {
			break // a test changes nothing
		}
		if len(data) >= 2 && data[1]&3 == 2 {
			b.writes = append(b.writes, Key(netfn, cmd, data[:2])+" **")
		} else {
			b.writes = append(b.writes, Key(netfn, cmd, data))
		}
	}
	switch cmd {
	case ipmi.CmdGetChannelInfo:
		if len(data) < 1 {
			return cc(0xC7), nil
		}
		ch := data[0] & 0x0F
		if slices.Contains(b.LAN, ch) {
			return []byte{0, ch, ipmi.MediumLAN8023, 0x01, 0x81, 0xf2, 0x1b, 0x00, 0x00, 0x00}, nil
		}
		return cc(0xCB), nil
	case ipmi.CmdGetUserAccess:
		if len(data) < 2 {
			return cc(0xC7), nil
		}
		ch, id := data[0]&0x0F, data[1]&0x3F
		if id == 0 || id > b.MaxUsers || !slices.Contains(b.LAN, ch) {
			return cc(ipmi.CCInvalidDataField), nil
		}
		var enabled uint8
		for _, u := range b.users {
			if u.Enabled {
				enabled++
			}
		}
		u := b.slot(id)
		a := u.Access[ch]
		var status uint8
		if b.ReportsEnable {
			status = 2
			if u.Enabled {
				status = 1
			}
		}
		b5 := uint8(a.Privilege) & 0x0F
		if a.CallbackOnly {
			b5 |= 0x40
		}
		if a.LinkAuth {
			b5 |= 0x20
		}
		if a.IPMIMessaging {
			b5 |= 0x10
		}
		return []byte{0, b.MaxUsers, status<<6 | enabled, b.FixedNames, b5}, nil
	case ipmi.CmdSetUserAccess:
		if len(data) < 3 {
			return cc(0xC7), nil
		}
		ch, id := data[0]&0x0F, data[1]&0x3F
		if id == 0 || id > b.MaxUsers || !slices.Contains(b.LAN, ch) {
			return cc(ipmi.CCInvalidDataField), nil
		}
		u := b.slot(id)
		a := u.Access[ch]
		if data[0]&0x80 != 0 {
			a.CallbackOnly, a.LinkAuth, a.IPMIMessaging = data[0]&0x40 != 0, data[0]&0x20 != 0, data[0]&0x10 != 0
		}
		a.Privilege = ipmi.Privilege(data[2] & 0x0F)
		u.Access[ch] = a
		return cc(0), nil
	case ipmi.CmdGetUserName, ipmi.CmdSetUserName:
		if len(data) < 1 || (cmd == ipmi.CmdSetUserName && len(data) < 17) {
			return cc(0xC7), nil
		}
		id := data[0] & 0x3F
		if id == 0 || id > b.MaxUsers || (id == 1 && b.NoNameSlot1) {
			return cc(ipmi.CCInvalidDataField), nil
		}
		if cmd == ipmi.CmdGetUserName {
			out := make([]byte, 17)
			copy(out[1:], b.slot(id).Name)
			return out, nil
		}
		if id <= b.FixedNames {
			return cc(ipmi.CCInvalidDataField), nil
		}
		name := data[1:17]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		b.slot(id).Name = string(name)
		return cc(0), nil
	case ipmi.CmdSetUserPassword:
		return b.setPassword(data), nil
	case ipmi.CmdGetChannelAccess, ipmi.CmdSetChannelAccess:
		if len(data) < 2 || (cmd == ipmi.CmdSetChannelAccess && len(data) < 3) {
			return cc(0xC7), nil
		}
		ch := data[0] & 0x0F
		ca, ok := b.ChannelAccess[ch]
		if !ok {
			return cc(0x82), nil
		}
		if cmd == ipmi.CmdGetChannelAccess {
			b2 := uint8(ca.Mode)
			if ca.AlertingDisabled {
				b2 |= 0x20
			}
			if ca.PerMessageAuthDisabled {
				b2 |= 0x10
			}
			if ca.UserLevelAuthDisabled {
				b2 |= 0x08
			}
			return []byte{0, b2, uint8(ca.Privilege)}, nil
		}
		if data[1]&0xC0 != 0 {
			ca.Mode = ipmi.AccessMode(data[1] & 0x07)
			ca.AlertingDisabled, ca.PerMessageAuthDisabled, ca.UserLevelAuthDisabled = data[1]&0x20 != 0, data[1]&0x10 != 0, data[1]&0x08 != 0
		}
		if data[2]&0xC0 != 0 {
			ca.Privilege = ipmi.Privilege(data[2] & 0x0F)
		}
		b.ChannelAccess[ch] = ca
		return cc(0), nil
	}
	return cc(ipmi.CCInvalidCommand), nil
}

func (b *UsersBMC) setPassword(data []byte) []byte {
	if len(data) < 2 {
		return cc(0xC7)
	}
	id, op := data[0]&0x3F, data[1]&0x03
	if id == 0 || id > b.MaxUsers {
		return cc(ipmi.CCInvalidDataField)
	}
	u := b.slot(id)
	switch op {
	case 0:
		u.Enabled = false
		return cc(0)
	case 1:
		u.Enabled = true
		return cc(0)
	}
	form := 16
	if data[0]&0x80 != 0 {
		form = 20
	}
	if form == 20 && b.No20ByteForm {
		return cc(0xC7)
	}
	if len(data) != 2+form {
		return cc(0xC7)
	}
	pw := data[2:]
	if form == 20 && b.Keep16 {
		pw, form = pw[:16], 16
	}
	for i, c := range pw {
		if c == 0 {
			pw = pw[:i]
			break
		}
	}
	if op == 2 {
		u.Password, u.Form = string(pw), form
		return cc(0)
	}
	switch {
	case b.TestAcceptsAny:
		return cc(0)
	case u.Form != form:
		return cc(ipmi.CCPasswordWrongSize)
	case u.Password != string(pw):
		return cc(ipmi.CCPasswordMismatch)
	}
	return cc(0)
}

// Close does nothing.
func (b *UsersBMC) Close() error { return nil }

// String describes the table for failure messages.
func (b *UsersBMC) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := ""
	for id := uint8(1); id <= b.MaxUsers; id++ {
		if u := b.users[id]; u != nil && (u.Name != "" || u.Enabled) {
			s += fmt.Sprintf("%d %q enabled=%v access=%v\n", id, u.Name, u.Enabled, u.Access)
		}
	}
	return s
}
