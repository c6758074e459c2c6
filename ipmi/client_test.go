package ipmi_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

var addrCmp = cmp.Comparer(func(x, y netip.Addr) bool { return x == y })

func ptr[T any](v T) *T { return &v }

func TestReadLANConfigIPMISim(t *testing.T) {
	t.Parallel()
	c := ipmi.NewClient(&ipmitest.BMC{Answers: transcript(t)}, 0)
	chans, err := c.LANChannels(t.Context())
	if err != nil || !cmp.Equal(chans, []uint8{1}) {
		t.Fatalf("LANChannels = %v, %v; want [1]", chans, err)
	}
	got, err := c.ReadLANConfig(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := ipmi.LANConfig{
		Channel:     1,
		IPSource:    ptr(ipmi.IPSourceStatic),
		IP:          netip.MustParseAddr("10.0.0.42"),
		Netmask:     netip.MustParseAddr("255.255.255.0"),
		Gateway:     netip.MustParseAddr("10.0.0.1"),
		MAC:         net.HardwareAddr{0x52, 0x54, 0x00, 0xbe, 0xef, 0x01},
		GatewayMAC:  net.HardwareAddr{0x52, 0x54, 0x00, 0x00, 0x00, 0x01},
		VLAN:        &ipmi.VLAN{ID: 20, Enabled: true},
		Unsupported: []uint8{ipmi.LANParamIPv6Support},
	}
	if diff := cmp.Diff(want, got, addrCmp); diff != "" {
		t.Errorf("ReadLANConfig (-want +got):\n%s", diff)
	}
}

// ipv6BMC answers parameters 50-59 of channel 1 like a dual-stack BMC with
// two static slots (one enabled, one disabled) and three dynamic ones (one
// SLAAC address, one DHCPv6, one empty).
func ipv6BMC(t *testing.T) *ipmitest.BMC {
	answers := transcript(t)
	for k, v := range map[string]string{
		"0c 02 01 32 00 00": "00 11 02",
		"0c 02 01 33 00 00": "00 11 02",
		"0c 02 01 37 00 00": "00 11 02 03 03",
		"0c 02 01 38 00 00": "00 11 00 80 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 42 40 00",
		"0c 02 01 38 01 00": "00 11 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 43 40 01",
		"0c 02 01 3b 00 00": "00 11 00 01 fe 80 00 00 00 00 00 00 50 54 00 ff fe be ef 01 40 00",
		"0c 02 01 3b 01 00": "00 11 01 02 20 01 0d b8 00 00 00 01 00 00 00 00 00 00 01 00 80 00",
		"0c 02 01 3b 02 00": "00 11 02 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 05",
	} {
		answers[k] = unhex(t, v)
	}
	return &ipmitest.BMC{Answers: answers}
}

func TestReadLANConfigIPv6(t *testing.T) {
	t.Parallel()
	bmc := ipv6BMC(t)
	got, err := ipmi.NewClient(bmc, 0).ReadLANConfig(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []ipmi.IPv6Address{
		{Source: "static", Enabled: true, Address: netip.MustParseAddr("2001:db8::42"), PrefixLength: 64, Status: "active"},
		{Source: "slaac", Address: netip.MustParseAddr("fe80::5054:ff:febe:ef01"), PrefixLength: 64, Status: "active"},
		{Set: 1, Source: "dhcpv6", Address: netip.MustParseAddr("2001:db8:0:1::100"), PrefixLength: 128, Status: "active"},
	}
	if diff := cmp.Diff(want, got.IPv6, addrCmp); diff != "" {
		t.Errorf("IPv6 (-want +got):\n%s", diff)
	}
	if got.Addressing == nil || *got.Addressing != ipmi.AddressingDualStack {
		t.Errorf("Addressing = %v, want dual stack", got.Addressing)
	}
	if len(got.Unsupported) != 0 || len(got.Problems) != 0 {
		t.Errorf("Unsupported %v, Problems %v", got.Unsupported, got.Problems)
	}
}

// TestReadLANConfigQEMU is QEMU's ipmi-bmc-sim, which answers C1h to
// everything LAN.
func TestReadLANConfigQEMU(t *testing.T) {
	t.Parallel()
	c := ipmi.NewClient(&ipmitest.BMC{}, 0)
	chans, err := c.LANChannels(t.Context())
	if !errors.Is(err, ipmi.ErrNotSupported) || chans != nil {
		t.Errorf("LANChannels = %v, %v; want ErrNotSupported", chans, err)
	}
	_, err = c.ReadLANConfig(t.Context(), 1)
	if !errors.Is(err, ipmi.ErrNotSupported) || !ipmi.Answered(err) {
		t.Errorf("ReadLANConfig: %v, want ErrNotSupported", err)
	}
}

func TestReadLANConfigRejected(t *testing.T) {
	t.Parallel()
	// Every parameter refused with "insufficient privilege": an error, and
	// not "not supported".
	c := ipmi.NewClient(&ipmitest.BMC{Unknown: []byte{0xD4}}, 0)
	cfg, err := c.ReadLANConfig(t.Context(), 1)
	if err == nil || errors.Is(err, ipmi.ErrNotSupported) {
		t.Errorf("ReadLANConfig: %v", err)
	}
	if len(cfg.Problems) != 8 {
		t.Errorf("%d problems, want one per parameter (8): %v", len(cfg.Problems), cfg.Problems)
	}
}

// TestHungBMC checks that a BMC that stops answering costs one command
// timeout and ends the conversation.
func TestHungBMC(t *testing.T) {
	t.Parallel()
	const timeout = 20 * time.Millisecond
	t.Run("device id", func(t *testing.T) {
		t.Parallel()
		bmc := &ipmitest.BMC{Answers: transcript(t), HangFrom: 1}
		_, err := ipmi.NewClient(bmc, timeout).DeviceID(t.Context())
		if !errors.Is(err, context.DeadlineExceeded) || ipmi.Answered(err) || !strings.Contains(err.Error(), "timeout 20ms") {
			t.Errorf("DeviceID: %v", err)
		}
	})
	t.Run("channels", func(t *testing.T) {
		t.Parallel()
		bmc := &ipmitest.BMC{Answers: transcript(t), HangFrom: 3}
		chans, err := ipmi.NewClient(bmc, timeout).LANChannels(t.Context())
		if ipmi.Answered(err) || !cmp.Equal(chans, []uint8{1}) {
			t.Errorf("LANChannels = %v, %v; want [1] and a timeout", chans, err)
		}
		if n := len(bmc.Requests()); n != 3 {
			t.Errorf("%d requests, want 3: none after the one that hung", n)
		}
	})
	t.Run("LAN parameters", func(t *testing.T) {
		t.Parallel()
		bmc := &ipmitest.BMC{Answers: transcript(t), HangFrom: 2}
		cfg, err := ipmi.NewClient(bmc, timeout).ReadLANConfig(t.Context(), 1)
		if ipmi.Answered(err) || cfg.IP != netip.MustParseAddr("10.0.0.42") || cfg.Netmask.IsValid() {
			t.Errorf("ReadLANConfig = %+v, %v; want the IP only and a timeout", cfg, err)
		}
		if n := len(bmc.Requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("collector context", func(t *testing.T) {
		t.Parallel()
		// The caller's context ends before the per-command timeout.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		bmc := &ipmitest.BMC{Answers: transcript(t), HangFrom: 1}
		if _, err := ipmi.NewClient(bmc, time.Hour).DeviceID(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("DeviceID: %v, want context.Canceled", err)
		}
	})
}

func TestSlowBMC(t *testing.T) {
	t.Parallel()
	// Slower than a real BMC but inside the timeout: everything is read.
	bmc := &ipmitest.BMC{Answers: transcript(t), Delay: 2 * time.Millisecond}
	cfg, err := ipmi.NewClient(bmc, time.Second).ReadLANConfig(t.Context(), 1)
	if err != nil || cfg.VLAN == nil || cfg.VLAN.ID != 20 {
		t.Errorf("ReadLANConfig = %+v, %v", cfg, err)
	}
	// Slower than the timeout: a timeout.
	bmc = &ipmitest.BMC{Answers: transcript(t), Delay: time.Second}
	if _, err := ipmi.NewClient(bmc, 10*time.Millisecond).DeviceID(t.Context()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DeviceID: %v, want a timeout", err)
	}
}

func TestFailingDevice(t *testing.T) {
	t.Parallel()
	bmc := &ipmitest.BMC{Err: syscall.EIO}
	c := ipmi.NewClient(bmc, 0)
	if _, err := c.DeviceID(t.Context()); !errors.Is(err, syscall.EIO) || ipmi.Answered(err) {
		t.Errorf("DeviceID: %v", err)
	}
	if _, err := c.LANChannels(t.Context()); !errors.Is(err, syscall.EIO) {
		t.Errorf("LANChannels: %v", err)
	}
	if n := len(bmc.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 (one per call)", n)
	}
}

// TestGarbageBMC feeds random answers to every command: errors, never a
// panic, and garbage is an answer (not a reason to stop).
func TestGarbageBMC(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		c := ipmi.NewClient(ipmitest.NewGarbage(seed), time.Second)
		ctx := t.Context()
		if _, err := c.DeviceID(ctx); !ipmi.Answered(err) {
			t.Fatalf("seed %d: DeviceID: %v", seed, err)
		}
		if _, err := c.SystemGUID(ctx); !ipmi.Answered(err) {
			t.Fatalf("seed %d: SystemGUID: %v", seed, err)
		}
		if _, err := c.LANChannels(ctx); !ipmi.Answered(err) {
			t.Fatalf("seed %d: LANChannels: %v", seed, err)
		}
		if _, err := c.ReadLANConfig(ctx, 1); !ipmi.Answered(err) {
			t.Fatalf("seed %d: ReadLANConfig: %v", seed, err)
		}
	}
}
