package ipmi

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultTimeout bounds one command when a Client is given none. A BMC
// answers in milliseconds; the kernel's own KCS retries give up after
// about five seconds.
const DefaultTimeout = 2 * time.Second

// MaxLANChannel is the highest channel number LANChannels asks about:
// channels 1-11 are implementation-specific (0 is IPMB, 12-15 reserved or
// special).
const MaxLANChannel = 11

// Client sends the commands hwagent needs to a Device, each under its own
// timeout.
type Client struct {
	dev     Device
	timeout time.Duration
}

// NewClient returns a Client for dev. A timeout of 0 means DefaultTimeout.
func NewClient(dev Device, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{dev: dev, timeout: timeout}
}

// Do sends one request under the client's per-command timeout (and ctx)
// and returns the raw response, completion code first.
func (c *Client) Do(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.dev.Send(ctx, netfn, cmd, data)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("%w (timeout %s)", err, c.timeout)
	}
	return resp, err
}

// Answered reports whether err came with a response from the BMC: nil, a
// completion code or a malformed answer. Any other error (a timeout, a
// device failure) means the BMC or the driver did not answer, and further
// commands are pointless.
func Answered(err error) bool {
	var ce *CompletionError
	return err == nil || errors.As(err, &ce) || errors.Is(err, ErrMalformed)
}

// DeviceID sends Get Device ID.
func (c *Client) DeviceID(ctx context.Context) (DeviceID, error) {
	resp, err := c.Do(ctx, NetFnApp, CmdGetDeviceID, nil)
	if err != nil {
		return DeviceID{}, fmt.Errorf("get device id: %w", err)
	}
	return DecodeDeviceID(resp)
}

// DeviceGUID sends Get Device GUID.
func (c *Client) DeviceGUID(ctx context.Context) (GUID, error) {
	return c.guid(ctx, CmdGetDeviceGUID)
}

// SystemGUID sends Get System GUID.
func (c *Client) SystemGUID(ctx context.Context) (GUID, error) {
	return c.guid(ctx, CmdGetSystemGUID)
}

func (c *Client) guid(ctx context.Context, cmd uint8) (GUID, error) {
	resp, err := c.Do(ctx, NetFnApp, cmd, nil)
	if err != nil {
		return GUID{}, fmt.Errorf("get %s: %w", guidName(cmd), err)
	}
	return DecodeGUID(cmd, resp)
}

// ChannelInfo sends Get Channel Info for channel ch.
func (c *Client) ChannelInfo(ctx context.Context, ch uint8) (ChannelInfo, error) {
	resp, err := c.Do(ctx, NetFnApp, CmdGetChannelInfo, []byte{ch & 0x0F})
	if err != nil {
		return ChannelInfo{}, fmt.Errorf("get channel info %d: %w", ch, err)
	}
	ci, err := DecodeChannelInfo(resp)
	if err != nil {
		return ChannelInfo{}, fmt.Errorf("channel %d: %w", ch, err)
	}
	return ci, nil
}

// LANParameter sends Get LAN Configuration Parameters for one parameter of
// channel ch and returns the raw response for the DecodeLAN* functions.
func (c *Client) LANParameter(ctx context.Context, ch, param, set, block uint8) ([]byte, error) {
	resp, err := c.Do(ctx, NetFnTransport, CmdGetLANConfigParams, []byte{ch & 0x0F, param, set, block})
	if err != nil {
		return nil, fmt.Errorf("get lan parameter %d of channel %d: %w", param, ch, err)
	}
	return resp, nil
}

// LANChannels asks Get Channel Info of channels 1 to MaxLANChannel and
// returns those whose medium is 802.3 LAN. A channel the BMC does not
// implement answers with a completion code and is skipped. When no channel
// answered at all, the error is channel 1's (errors.Is(err,
// ErrNotSupported) when the BMC lacks the command). When the BMC stops
// answering, the channels found so far are returned with the error.
func (c *Client) LANChannels(ctx context.Context) ([]uint8, error) {
	var lan []uint8
	var first error
	answered := false
	for ch := uint8(1); ch <= MaxLANChannel; ch++ {
		ci, err := c.ChannelInfo(ctx, ch)
		switch {
		case err == nil:
			answered = true
			if ci.Medium == MediumLAN8023 {
				lan = append(lan, ch)
			}
		case !Answered(err):
			return lan, err
		case first == nil:
			first = err
		}
	}
	if !answered {
		return nil, first
	}
	return lan, nil
}
