package ipmi

import (
	"context"
	"fmt"
)

// UserAccess sends Get User Access for user on channel.
func (c *Client) UserAccess(ctx context.Context, channel, user uint8) (UserAccess, error) {
	resp, err := c.Do(ctx, NetFnApp, CmdGetUserAccess, EncodeGetUserAccess(channel, user))
	if err != nil {
		return UserAccess{}, fmt.Errorf("get user access of user %d on channel %d: %w", user, channel, err)
	}
	ua, err := DecodeUserAccess(resp)
	if err != nil {
		return UserAccess{}, fmt.Errorf("user %d on channel %d: %w", user, channel, err)
	}
	return ua, nil
}

// SetUserAccess sends Set User Access.
func (c *Client) SetUserAccess(ctx context.Context, r SetUserAccessRequest) error {
	resp, err := c.Do(ctx, NetFnApp, CmdSetUserAccess, EncodeSetUserAccess(r))
	if err == nil {
		err = DecodeStatus(NetFnApp, CmdSetUserAccess, resp)
	}
	if err != nil {
		return fmt.Errorf("set user access of user %d on channel %d: %w", r.User, r.Channel, err)
	}
	return nil
}

// UserName sends Get User Name.
func (c *Client) UserName(ctx context.Context, user uint8) (string, error) {
	resp, err := c.Do(ctx, NetFnApp, CmdGetUserName, EncodeGetUserName(user))
	if err != nil {
		return "", fmt.Errorf("get user name of user %d: %w", user, err)
	}
	name, err := DecodeUserName(resp)
	if err != nil {
		return "", fmt.Errorf("user %d: %w", user, err)
	}
	return name, nil
}

// SetUserName sends Set User Name.
func (c *Client) SetUserName(ctx context.Context, user uint8, name string) error {
	req, err := EncodeSetUserName(user, name)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, NetFnApp, CmdSetUserName, req)
	if err == nil {
		err = DecodeStatus(NetFnApp, CmdSetUserName, resp)
	}
	if err != nil {
		return fmt.Errorf("set user name of user %d: %w", user, err)
	}
	return nil
}

// SetUserPassword sends Set User Password with operation op; password and
// size (16 or 20) matter to PasswordSet and PasswordTest. A failed test
// matches ErrPasswordMismatch. Errors never contain the password.
func (c *Client) SetUserPassword(ctx context.Context, user uint8, op PasswordOperation, password string, size int) error {
	req, err := EncodeSetUserPassword(user, op, password, size)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, NetFnApp, CmdSetUserPassword, req)
	if err == nil {
		err = DecodeSetUserPassword(op, resp)
	}
	if err != nil {
		return fmt.Errorf("user %d: %w", user, err)
	}
	return nil
}

// ChannelAccess sends Get Channel Access for the non-volatile or active
// settings (ChannelNonVolatile, ChannelVolatile).
func (c *Client) ChannelAccess(ctx context.Context, channel, which uint8) (ChannelAccess, error) {
	resp, err := c.Do(ctx, NetFnApp, CmdGetChannelAccess, EncodeGetChannelAccess(channel, which))
	if err != nil {
		return ChannelAccess{}, fmt.Errorf("get channel access of channel %d: %w", channel, err)
	}
	ca, err := DecodeChannelAccess(resp)
	if err != nil {
		return ChannelAccess{}, fmt.Errorf("channel %d: %w", channel, err)
	}
	return ca, nil
}

// SetChannelAccess sends Set Channel Access.
func (c *Client) SetChannelAccess(ctx context.Context, r SetChannelAccessRequest) error {
	resp, err := c.Do(ctx, NetFnApp, CmdSetChannelAccess, EncodeSetChannelAccess(r))
	if err == nil {
		err = DecodeStatus(NetFnApp, CmdSetChannelAccess, resp)
	}
	if err != nil {
		return fmt.Errorf("set channel access of channel %d: %w", r.Channel, err)
	}
	return nil
}
