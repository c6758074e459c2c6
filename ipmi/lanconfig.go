package ipmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// maxIPv6Sets bounds how many address slots of parameters 56 and 59 are
// read, whatever parameter 55 claims.
const maxIPv6Sets = 16

// LANConfig is the configuration of one LAN channel as the BMC reports it.
// A field the BMC did not report is the zero value (nil, invalid
// netip.Addr); values are kept as sent, so 0.0.0.0 ("not configured") is a
// valid address here.
type LANConfig struct {
	Channel uint8
	// IPSource is parameter 4; nil when not reported.
	IPSource *IPSource
	// IP, Netmask and Gateway are parameters 3, 6 and 12.
	IP, Netmask, Gateway netip.Addr
	// MAC and GatewayMAC are parameters 5 and 13.
	MAC, GatewayMAC net.HardwareAddr
	// VLAN is parameter 20; nil when not reported.
	VLAN *VLAN
	// Addressing is parameter 51; nil when the BMC has no IPv6 support
	// (parameter 50 or 51 not supported).
	Addressing *IPAddressing
	// IPv6 lists the static (56) and dynamic (59) addresses other than ::,
	// static ones only when enabled.
	IPv6 []IPv6Address
	// Unsupported lists the parameters the BMC answered "not supported".
	Unsupported []uint8
	// Problems are parameters the BMC answered with another completion code
	// or with a malformed response.
	Problems []error
}

// lanReader reads the parameters of one channel, keeping track of what
// failed. A transport error ends it: stop is set and every later read is
// skipped.
type lanReader struct {
	c    *Client
	ch   uint8
	cfg  *LANConfig
	stop error
	read int // parameters answered with data
	// unsupported is the first "not supported" answer.
	unsupported error
}

// get returns the response for param when it has data; nil otherwise,
// recording why.
func (r *lanReader) get(ctx context.Context, param, set uint8) []byte {
	if r.stop != nil {
		return nil
	}
	resp, err := r.c.LANParameter(ctx, r.ch, param, set, 0)
	if err != nil {
		r.stop = err
		return nil
	}
	if len(resp) > 0 && resp[0] != 0 {
		if _, err := checkResponse(NetFnTransport, CmdGetLANConfigParams, resp, 0); errors.Is(err, ErrNotSupported) {
			r.cfg.Unsupported = append(r.cfg.Unsupported, param)
			if r.unsupported == nil {
				r.unsupported = fmt.Errorf("lan parameter %d: %w", param, err)
			}
			return nil
		}
	}
	return resp
}

// decoded records a decoder's verdict: true when v can be used.
func (r *lanReader) decoded(err error) bool {
	if err != nil {
		r.cfg.Problems = append(r.cfg.Problems, fmt.Errorf("channel %d: %w", r.ch, err))
		return false
	}
	r.read++
	return true
}

// ReadLANConfig reads the IPv4 parameters (3, 4, 5, 6, 12, 13), the VLAN
// (20) and, when parameters 50 and 51 say IPv6 is on, the IPv6 addresses
// (55, 56, 59) of channel ch. Parameters the BMC does not support are left
// out. It returns an error when the BMC stopped answering (with what was
// read before) or when not one parameter could be read; that error matches
// ErrNotSupported when every parameter was unsupported.
func (c *Client) ReadLANConfig(ctx context.Context, ch uint8) (LANConfig, error) {
	cfg := LANConfig{Channel: ch}
	r := &lanReader{c: c, ch: ch, cfg: &cfg}
	for _, p := range []struct {
		param uint8
		dst   *netip.Addr
	}{{LANParamIPAddress, &cfg.IP}, {LANParamSubnetMask, &cfg.Netmask}, {LANParamDefaultGateway, &cfg.Gateway}} {
		if resp := r.get(ctx, p.param, 0); resp != nil {
			if a, err := DecodeLANIPv4(p.param, resp); r.decoded(err) {
				*p.dst = a
			}
		}
	}
	if resp := r.get(ctx, LANParamIPSource, 0); resp != nil {
		if s, err := DecodeLANIPSource(resp); r.decoded(err) {
			cfg.IPSource = &s
		}
	}
	for _, p := range []struct {
		param uint8
		dst   *net.HardwareAddr
	}{{LANParamMACAddress, &cfg.MAC}, {LANParamDefaultGatewayMAC, &cfg.GatewayMAC}} {
		if resp := r.get(ctx, p.param, 0); resp != nil {
			if m, err := DecodeLANMAC(p.param, resp); r.decoded(err) {
				*p.dst = m
			}
		}
	}
	if resp := r.get(ctx, LANParamVLANID, 0); resp != nil {
		if v, err := DecodeLANVLAN(resp); r.decoded(err) {
			cfg.VLAN = &v
		}
	}
	r.readIPv6(ctx)

	switch {
	case r.stop != nil:
		return cfg, fmt.Errorf("channel %d: %w", ch, r.stop)
	case r.read == 0 && len(cfg.Problems) == 0:
		return cfg, fmt.Errorf("channel %d: LAN configuration parameters not supported: %w", ch, r.unsupported)
	case r.read == 0:
		return cfg, fmt.Errorf("channel %d: no LAN configuration parameter could be read: %w", ch, errors.Join(cfg.Problems...))
	}
	return cfg, nil
}

// readIPv6 reads the IPv6 parameters when the BMC has them turned on.
func (r *lanReader) readIPv6(ctx context.Context) {
	resp := r.get(ctx, LANParamIPv6Support, 0)
	if resp == nil {
		return
	}
	sup, err := DecodeLANIPv6Support(resp)
	if !r.decoded(err) || !(sup.IPv6Only || sup.DualStack) {
		return
	}
	if resp = r.get(ctx, LANParamIPv6Enables, 0); resp == nil {
		return
	}
	mode, err := DecodeLANIPAddressing(resp)
	if !r.decoded(err) {
		return
	}
	r.cfg.Addressing = &mode
	if !mode.IPv6Enabled() {
		return
	}
	static, dynamic := uint8(1), uint8(1) // without parameter 55, try the first slot
	if resp = r.get(ctx, LANParamIPv6Status, 0); resp != nil {
		if st, err := DecodeLANIPv6Status(resp); r.decoded(err) {
			static, dynamic = st.StaticAddresses, st.DynamicAddresses
		}
	}
	for _, p := range []struct{ param, n uint8 }{{LANParamIPv6Static, static}, {LANParamIPv6Dynamic, dynamic}} {
		for set := uint8(0); set < p.n && set < maxIPv6Sets; set++ {
			resp := r.get(ctx, p.param, set)
			if resp == nil {
				break
			}
			a, err := DecodeLANIPv6Address(p.param, resp)
			if !r.decoded(err) {
				continue
			}
			if a.Address.IsUnspecified() || (p.param == LANParamIPv6Static && !a.Enabled) {
				continue
			}
			r.cfg.IPv6 = append(r.cfg.IPv6, a)
		}
	}
}
