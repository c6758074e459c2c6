package bmc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/ipmi"
)

// readLAN finds the LAN channels and reads their configuration. When Get
// Channel Info is unusable, channel 1 (the usual LAN channel) is tried
// directly.
func readLAN(ctx context.Context, env *collector.Env, client *ipmi.Client, b *inventory.BMC, w *collector.Warnings) {
	chans, err := client.LANChannels(ctx)
	var channelInfoErr error
	switch {
	case err != nil && !ipmi.Answered(err):
		w.Addf("%s: %v", b.DevicePath, err)
		b.LANError = "the BMC stopped answering while its channels were listed"
		return
	case err != nil:
		channelInfoErr = err
		chans = []uint8{1}
	case len(chans) == 0:
		b.LANError = fmt.Sprintf("no 802.3 LAN channel among channels 1-%d", ipmi.MaxLANChannel)
		return
	}
	env.Logger.Debug("BMC LAN channels", "channels", chans, "channel_info_error", channelInfoErr)
	var unsupported []uint8
	for _, ch := range chans {
		cfg, err := client.ReadLANConfig(ctx, ch)
		for _, p := range cfg.Problems {
			w.Addf("%s: %v", b.DevicePath, p)
		}
		switch {
		case err == nil:
			b.LAN = append(b.LAN, lanChannel(cfg))
			continue
		case !ipmi.Answered(err):
			w.Addf("%s: %v", b.DevicePath, err)
			if l := lanChannel(cfg); l.IPSource != "" || l.IPv4 != "" || l.MAC != "" {
				b.LAN = append(b.LAN, l)
			}
			b.LANError = "the BMC stopped answering while its LAN configuration was read"
			return
		case errors.Is(err, ipmi.ErrNotSupported):
			unsupported = append(unsupported, ch)
		}
	}
	if len(b.LAN) > 0 {
		return
	}
	switch {
	case channelInfoErr != nil && len(unsupported) > 0:
		b.LANError = fmt.Sprintf("the BMC supports neither Get Channel Info (%s) nor Get LAN Configuration Parameters", completionCode(channelInfoErr))
	case channelInfoErr != nil:
		b.LANError = fmt.Sprintf("Get Channel Info failed (%s) and channel 1 has no readable LAN configuration", completionCode(channelInfoErr))
	case len(unsupported) > 0:
		b.LANError = fmt.Sprintf("LAN channels %v do not support Get LAN Configuration Parameters", unsupported)
	default:
		b.LANError = "no LAN configuration parameter could be read"
	}
}

// completionCode names the completion code in err, or err itself.
func completionCode(err error) string {
	var ce *ipmi.CompletionError
	if errors.As(err, &ce) {
		return "completion code " + ce.Code.String()
	}
	return err.Error()
}

// lanChannel maps a channel's configuration onto the inventory: 0.0.0.0,
// :: and all-zero MACs mean "not configured" and are left out.
func lanChannel(cfg ipmi.LANConfig) inventory.BMCLANChannel {
	l := inventory.BMCLANChannel{
		Channel:    cfg.Channel,
		IPv4:       ipv4(cfg.IP),
		Netmask:    ipv4(cfg.Netmask),
		Gateway:    ipv4(cfg.Gateway),
		MAC:        mac(cfg.MAC),
		GatewayMAC: mac(cfg.GatewayMAC),
	}
	if cfg.IPSource != nil {
		l.IPSource = cfg.IPSource.String()
	}
	if cfg.VLAN != nil && cfg.VLAN.Enabled {
		l.VLANID = cfg.VLAN.ID
	}
	for _, a := range cfg.IPv6 {
		l.IPv6 = append(l.IPv6, inventory.BMCIPv6Address{
			Address:      a.Address.String(),
			PrefixLength: a.PrefixLength,
			Source:       a.Source,
			Status:       a.Status,
		})
	}
	l.Configured = l.IPv4 != "" || len(l.IPv6) > 0
	return l
}

func ipv4(a netip.Addr) string {
	if !a.IsValid() || a.IsUnspecified() {
		return ""
	}
	return a.String()
}

func mac(m net.HardwareAddr) string {
	if len(m) == 0 || bytes.Equal(m, make([]byte, len(m))) {
		return ""
	}
	return m.String()
}
