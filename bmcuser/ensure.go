package bmcuser

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/hwagent/hwagent/ipmi"
)

// Request is the user to ensure.
type Request struct {
	// User is the BMC user name (1-16 of letters, digits, '.', '_', '-').
	User string
	// Password is the password to set (printable ASCII, at most 20
	// characters; at most 16 on BMCs without the 20-byte form).
	Password string
	// Privilege is PrivilegeAdministrator or PrivilegeOperator.
	Privilege ipmi.Privilege
	// Channel is the LAN channel whose IPMI-over-LAN access is ensured; 0
	// means the first LAN channel.
	Channel uint8
	// Slot forces the user ID (3 or above); 0 chooses one.
	Slot uint8
}

// Result is what Ensure did.
type Result struct {
	// Slot is the user ID used; Created is true when the slot was free.
	Slot    uint8 `json:"slot"`
	Created bool  `json:"created"`
	// Channel is the LAN channel whose access was ensured; Channels are
	// every LAN channel the user got access on.
	Channel  uint8   `json:"channel"`
	Channels []uint8 `json:"channels"`
	// PasswordForm is 16 or 20: the size the password was stored in (0 when
	// it was not written).
	PasswordForm int `json:"password_form,omitempty"`
	// Changes are the writes a read showed to be needed, in words.
	Changes []string `json:"changes"`
	// Rewrites are writes made because the BMC cannot report the state
	// (the enable status, whether the password matches).
	Rewrites []string `json:"rewrites,omitempty"`
	// Unchanged are the checks that needed no write.
	Unchanged []string `json:"unchanged,omitempty"`
	// Warnings are problems that did not stop the user from being usable
	// on the target channel (another LAN channel refusing the access).
	Warnings []string `json:"warnings,omitempty"`
}

// Reasons of an *Error.
const (
	ReasonInvalid      = "invalid_request"     // the request itself is wrong
	ReasonRefused      = "refused"             // the BMC refused a user command (completion code)
	ReasonNoFreeSlot   = "no_free_slot"        // every slot from 3 up is taken
	ReasonSlotConflict = "slot_conflict"       // the name is in slot 1 or 2, in two slots, or --slot disagrees
	ReasonNoLANChannel = "no_lan_channel"      // the BMC has no 802.3 LAN channel (or not the one asked for)
	ReasonLANChannel   = "lan_channel_refused" // the LAN channel's access could not be enabled
	ReasonUnreachable  = "unreachable"         // the BMC did not answer
	ReasonMalformed    = "malformed"           // the BMC answered nonsense
)

// Error is a failure of Ensure with a Reason.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of an *Error in err's chain, or "failed".
func ReasonOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return "failed"
}

func fail(reason string, format string, args ...any) error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// bmcErr classifies an error from the client: no answer, a completion
// code, or a malformed answer.
func bmcErr(err error) error {
	var ce *ipmi.CompletionError
	switch {
	case errors.As(err, &ce):
		return &Error{Reason: ReasonRefused, Err: err}
	case errors.Is(err, ipmi.ErrMalformed):
		return &Error{Reason: ReasonMalformed, Err: err}
	case !ipmi.Answered(err):
		return &Error{Reason: ReasonUnreachable, Err: err}
	}
	return err
}

// Ensure makes the BMC behind c hold req's user; see the package
// documentation for the rules.
func Ensure(ctx context.Context, c *ipmi.Client, req Request) (*Result, error) {
	if err := ipmi.ValidUserName(req.User); err != nil {
		return nil, &Error{Reason: ReasonInvalid, Err: err}
	}
	if err := ipmi.ValidPassword(req.Password, ipmi.PasswordLength20); err != nil {
		return nil, &Error{Reason: ReasonInvalid, Err: err}
	}
	if req.Privilege != ipmi.PrivilegeAdministrator && req.Privilege != ipmi.PrivilegeOperator {
		return nil, fail(ReasonInvalid, "privilege %s: want administrator or operator", req.Privilege)
	}
	if req.Slot != 0 && (req.Slot < 3 || req.Slot > ipmi.MaxUserID) {
		return nil, fail(ReasonInvalid, "slot %d: hwagent uses slots 3 to %d (1 is the anonymous user, 2 the factory administrator)", req.Slot, ipmi.MaxUserID)
	}
	e := &ensurer{c: c, req: req, res: &Result{}}
	if err := e.channels(ctx); err != nil {
		return nil, err
	}
	if err := e.chooseSlot(ctx); err != nil {
		return nil, err
	}
	steps := []func(context.Context) error{e.name, e.password, e.access, e.enable, e.lanAccess}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return e.res, err
		}
	}
	return e.res, nil
}

type ensurer struct {
	c   *ipmi.Client
	req Request
	res *Result

	lan      []uint8
	maxUsers uint8
	fixed    uint8
	names    map[uint8]string
	existed  bool // the slot already had the user's name
}

func (e *ensurer) changed(format string, args ...any) {
	e.res.Changes = append(e.res.Changes, fmt.Sprintf(format, args...))
}

func (e *ensurer) same(format string, args ...any) {
	e.res.Unchanged = append(e.res.Unchanged, fmt.Sprintf(format, args...))
}

// channels finds the LAN channels and the target one.
func (e *ensurer) channels(ctx context.Context) error {
	lan, err := e.c.LANChannels(ctx)
	switch {
	case errors.Is(err, ipmi.ErrNotSupported):
		// No Get Channel Info: assume channel 1, as the collector does;
		// Get User Access below fails if it is not a channel.
		lan = []uint8{1}
	case err != nil:
		return bmcErr(fmt.Errorf("find the LAN channels: %w", err))
	case len(lan) == 0:
		return fail(ReasonNoLANChannel, "the BMC reports no 802.3 LAN channel")
	}
	e.lan = lan
	e.res.Channel = lan[0]
	if e.req.Channel != 0 {
		if !slices.Contains(lan, e.req.Channel) {
			return fail(ReasonNoLANChannel, "channel %d is not a LAN channel (LAN channels: %v)", e.req.Channel, lan)
		}
		e.res.Channel = e.req.Channel
	}
	return nil
}

// chooseSlot reads every user name and picks the slot.
func (e *ensurer) chooseSlot(ctx context.Context) error {
	ua, err := e.c.UserAccess(ctx, e.res.Channel, 1)
	if err != nil {
		return bmcErr(fmt.Errorf("read the user table: %w", err))
	}
	e.maxUsers, e.fixed = min(ua.MaxUsers, ipmi.MaxUserID), ua.FixedNames
	if e.maxUsers < 3 {
		return fail(ReasonNoFreeSlot, "the BMC has %d user slots; hwagent never uses slots 1 and 2", e.maxUsers)
	}
	if e.req.Slot > e.maxUsers {
		return fail(ReasonInvalid, "slot %d: the BMC has %d user slots", e.req.Slot, e.maxUsers)
	}
	e.names = map[uint8]string{}
	var found []uint8
	for id := uint8(1); id <= e.maxUsers; id++ {
		name, err := e.c.UserName(ctx, id)
		var ce *ipmi.CompletionError
		switch {
		case err != nil && id <= 2 && errors.As(err, &ce):
			continue // many BMCs refuse to name the anonymous slot
		case err != nil:
			return bmcErr(fmt.Errorf("read the user table: %w", err))
		}
		e.names[id] = name
		if name == e.req.User {
			found = append(found, id)
		}
	}
	switch {
	case len(found) > 1:
		return fail(ReasonSlotConflict, "user %q is in slots %v: remove the duplicates by hand", e.req.User, found)
	case len(found) == 1 && found[0] <= 2:
		return fail(ReasonSlotConflict, "user %q is slot %d, which hwagent never changes: choose another name", e.req.User, found[0])
	case len(found) == 1 && e.req.Slot != 0 && found[0] != e.req.Slot:
		return fail(ReasonSlotConflict, "user %q is already slot %d, not slot %d", e.req.User, found[0], e.req.Slot)
	case len(found) == 1:
		e.res.Slot, e.existed = found[0], true
		return nil
	case e.req.Slot != 0:
		if e.req.Slot <= e.fixed {
			return fail(ReasonSlotConflict, "slot %d has a fixed name (%q) the BMC does not let change", e.req.Slot, e.names[e.req.Slot])
		}
		e.res.Slot = e.req.Slot
		e.res.Created = e.names[e.req.Slot] == ""
		return nil
	}
	for id := max(3, e.fixed+1); id <= e.maxUsers; id++ {
		if e.names[id] != "" {
			continue
		}
		free, err := e.free(ctx, id)
		if err != nil {
			return err
		}
		if free {
			e.res.Slot, e.res.Created = id, true
			return nil
		}
	}
	return fail(ReasonNoFreeSlot, "no free BMC user slot: slots 3-%d are named or enabled (name a slot with --slot to reuse one)", e.maxUsers)
}

// free reports whether a nameless slot is unused: not enabled and without
// privilege on any LAN channel.
func (e *ensurer) free(ctx context.Context, id uint8) (bool, error) {
	for _, ch := range e.lan {
		ua, err := e.c.UserAccess(ctx, ch, id)
		if err != nil {
			return false, bmcErr(fmt.Errorf("read the user table: %w", err))
		}
		if ua.Enable == ipmi.UserEnabled || ua.IPMIMessaging || (ua.Privilege >= ipmi.PrivilegeCallback && ua.Privilege <= ipmi.PrivilegeOEM) {
			return false, nil
		}
	}
	return true, nil
}

func (e *ensurer) name(ctx context.Context) error {
	if e.names[e.res.Slot] == e.req.User {
		e.same("name %q", e.req.User)
		return nil
	}
	if e.res.Slot <= e.fixed {
		return fail(ReasonSlotConflict, "slot %d has a fixed name the BMC does not let change", e.res.Slot)
	}
	if err := e.c.SetUserName(ctx, e.res.Slot, e.req.User); err != nil {
		return bmcErr(err)
	}
	if old := e.names[e.res.Slot]; old != "" {
		e.changed("renamed slot %d from %q to %q", e.res.Slot, old, e.req.User)
	} else {
		e.changed("named slot %d %q", e.res.Slot, e.req.User)
	}
	return nil
}

// password tests the password of an existing user and sets it when it
// differs (or cannot be told), in the 20-byte form when the BMC takes it.
func (e *ensurer) password(ctx context.Context) error {
	pw := e.req.Password
	if e.existed {
		match, reliable, form, err := e.testPassword(ctx)
		if err != nil {
			return err
		}
		if match && reliable {
			e.same("password (matches, %d-byte form)", form)
			return nil
		}
		if match {
			if err := e.setPassword(ctx, pw); err != nil {
				return err
			}
			e.res.Rewrites = append(e.res.Rewrites, fmt.Sprintf("password written again in the %d-byte form: the BMC accepts any password in a test", e.res.PasswordForm))
			return nil
		}
	}
	if err := e.setPassword(ctx, pw); err != nil {
		return err
	}
	e.changed("set the password (%d-byte form)", e.res.PasswordForm)
	return nil
}

// testPassword tests the password in both forms; when one matches it
// tests a random wrong one too, to learn whether the BMC's tests mean
// anything.
func (e *ensurer) testPassword(ctx context.Context) (match, reliable bool, form int, err error) {
	for _, size := range []int{ipmi.PasswordLength20, ipmi.PasswordLength16} {
		if len(e.req.Password) > size {
			continue
		}
		err := e.c.SetUserPassword(ctx, e.res.Slot, ipmi.PasswordTest, e.req.Password, size)
		var ce *ipmi.CompletionError
		switch {
		case err == nil:
			wrong := rand.Text()[:size]
			werr := e.c.SetUserPassword(ctx, e.res.Slot, ipmi.PasswordTest, wrong, size)
			if werr != nil && !errors.Is(werr, ipmi.ErrPasswordMismatch) && !errors.As(werr, &ce) {
				return false, false, 0, bmcErr(werr)
			}
			return true, werr != nil, size, nil
		case errors.Is(err, ipmi.ErrPasswordMismatch), errors.As(err, &ce):
			continue // wrong password, wrong size, or no 20-byte form
		default:
			return false, false, 0, bmcErr(err)
		}
	}
	return false, true, 0, nil
}

// setPassword sets the password in the 20-byte form, falling back to the
// 16-byte form when the BMC refuses it and the password fits.
func (e *ensurer) setPassword(ctx context.Context, pw string) error {
	err := e.c.SetUserPassword(ctx, e.res.Slot, ipmi.PasswordSet, pw, ipmi.PasswordLength20)
	if err == nil {
		e.res.PasswordForm = ipmi.PasswordLength20
		return nil
	}
	var ce *ipmi.CompletionError
	if !errors.As(err, &ce) {
		return bmcErr(err)
	}
	if len(pw) > ipmi.PasswordLength16 {
		return &Error{Reason: ReasonRefused, Err: fmt.Errorf("the BMC refused the 20-byte password form (%w) and the password is longer than 16 characters", err)}
	}
	if err16 := e.c.SetUserPassword(ctx, e.res.Slot, ipmi.PasswordSet, pw, ipmi.PasswordLength16); err16 != nil {
		return bmcErr(err16)
	}
	e.res.PasswordForm = ipmi.PasswordLength16
	return nil
}

// access gives the user IPMI messaging at the privilege on every LAN
// channel. The target channel must take it; others only warn.
func (e *ensurer) access(ctx context.Context) error {
	for _, ch := range e.lan {
		err := e.channelAccess(ctx, ch)
		switch {
		case err == nil:
			e.res.Channels = append(e.res.Channels, ch)
		case ch == e.res.Channel || !ipmi.Answered(err):
			return bmcErr(err)
		default:
			e.res.Warnings = append(e.res.Warnings, err.Error())
		}
	}
	return nil
}

func (e *ensurer) channelAccess(ctx context.Context, ch uint8) error {
	ua, err := e.c.UserAccess(ctx, ch, e.res.Slot)
	if err != nil {
		return err
	}
	if ua.IPMIMessaging && ua.Privilege == e.req.Privilege && !ua.CallbackOnly {
		e.same("channel %d: IPMI messaging, %s", ch, e.req.Privilege)
		return nil
	}
	err = e.c.SetUserAccess(ctx, ipmi.SetUserAccessRequest{
		Channel: ch, User: e.res.Slot, ChangeFlags: true,
		IPMIMessaging: true, LinkAuth: ua.LinkAuth, Privilege: e.req.Privilege,
	})
	if err != nil {
		return err
	}
	e.changed("channel %d: IPMI messaging on, privilege %s (was %s, messaging %v)", ch, e.req.Privilege, ua.Privilege, ua.IPMIMessaging)
	return nil
}

// enable enables the user unless the BMC reports it enabled.
func (e *ensurer) enable(ctx context.Context) error {
	ua, err := e.c.UserAccess(ctx, e.res.Channel, e.res.Slot)
	if err != nil {
		return bmcErr(err)
	}
	if ua.Enable == ipmi.UserEnabled {
		e.same("enabled")
		return nil
	}
	if err := e.c.SetUserPassword(ctx, e.res.Slot, ipmi.PasswordEnableUser, "", 0); err != nil {
		return bmcErr(err)
	}
	if ua.Enable == ipmi.UserDisabled || e.res.Created {
		e.changed("enabled user %d", e.res.Slot)
	} else {
		e.res.Rewrites = append(e.res.Rewrites, "enabled again: the BMC does not report whether a user is enabled")
	}
	return nil
}

// lanAccess makes IPMI over LAN available on the target channel, in the
// active and the non-volatile settings, with a privilege limit at least
// the user's.
func (e *ensurer) lanAccess(ctx context.Context) error {
	ch := e.res.Channel
	for _, which := range []uint8{ipmi.ChannelNonVolatile, ipmi.ChannelVolatile} {
		kind := map[uint8]string{ipmi.ChannelNonVolatile: "non-volatile", ipmi.ChannelVolatile: "active"}[which]
		ca, err := e.c.ChannelAccess(ctx, ch, which)
		if err != nil {
			if errors.Is(err, ipmi.ErrNotSupported) {
				e.res.Warnings = append(e.res.Warnings, fmt.Sprintf("channel %d: the BMC does not report its access mode (Get Channel Access not supported)", ch))
				return nil
			}
			return &Error{Reason: ReasonLANChannel, Err: err}
		}
		req := ipmi.SetChannelAccessRequest{Channel: ch, Access: ca}
		var did []string
		if ca.Mode == ipmi.AccessDisabled || ca.Mode == ipmi.AccessPreBootOnly {
			req.SetAccess = which
			req.Access.Mode = ipmi.AccessAlwaysAvailable
			did = append(did, fmt.Sprintf("access %s → %s", ca.Mode, ipmi.AccessAlwaysAvailable))
		}
		if ca.Privilege < e.req.Privilege || ca.Privilege > ipmi.PrivilegeOEM {
			req.SetPrivilege = which
			req.Privilege = e.req.Privilege
			did = append(did, fmt.Sprintf("privilege limit %s → %s", ca.Privilege, e.req.Privilege))
		}
		if len(did) == 0 {
			e.same("channel %d: IPMI over LAN %s, limit %s (%s)", ch, ca.Mode, ca.Privilege, kind)
			continue
		}
		if err := e.c.SetChannelAccess(ctx, req); err != nil {
			return &Error{Reason: ReasonLANChannel, Err: err}
		}
		e.changed("channel %d (%s): %s", ch, kind, joinWords(did))
	}
	return nil
}

func joinWords(s []string) string {
	out := ""
	for i, w := range s {
		if i > 0 {
			out += ", "
		}
		out += w
	}
	return out
}
