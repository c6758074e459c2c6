package lab

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/testutil"
)

// IPMISimConfig is what an OpenIPMI ipmi_sim BMC reports.
type IPMISimConfig struct {
	// Get Device ID: device ID and revision, firmware major (binary) and
	// minor (BCD: 0x10 for "x.10"), IANA manufacturer and product IDs.
	DeviceID, DeviceRevision     uint8
	FirmwareMajor, FirmwareMinor uint8
	ManufacturerID               uint32
	ProductID                    uint16
	// GUID is the system GUID as lan.conf takes it: 32 hex digits, sent
	// byte for byte in that order.
	GUID string
	// LAN is channel 1's configuration, printed by the generated
	// lan_config_program.
	LAN IPMISimLAN
	// LANListen is the "IP:port" the IPMI-over-LAN port binds; "" means
	// 127.0.0.1 and a free port. In a network namespace of its own a test
	// can give the BMC its LAN.IP on port 623, as a real one has.
	LANListen string
}

// IPMISimLAN is the LAN configuration ipmi_sim reads from its
// lan_config_program (the variables it asks for, as "name:value" lines).
// Empty fields are reported as 0.0.0.0 and 00:00:00:00:00:00.
type IPMISimLAN struct {
	IP, Netmask, Gateway, BackupGateway string
	// Source is "static", "dhcp", "bios" or "other".
	Source                            string
	MAC, GatewayMAC, BackupGatewayMAC string
}

// IPMISim is a running ipmi_sim.
type IPMISim struct {
	// Dir holds the generated lan.conf, sim.emu, lancontrol.sh and the
	// state directory.
	Dir string
	// VMAddr is the TCP address QEMU's ipmi-bmc-extern connects to (see
	// ExternalBMC); LANAddr is the IPMI-over-LAN (RMCP) UDP address, for
	// ipmitool -I lan with user "admin", password "password".
	VMAddr, LANAddr string

	cmd *exec.Cmd
	out *testutil.LockedBuffer
}

// StartIPMISim starts ipmi_sim with a configuration generated from cfg, on
// free local ports, and stops it when the test ends. It needs the
// IPMISimulator capability (Need). One ipmi_sim serves one VM.
func StartIPMISim(t testing.TB, cfg IPMISimConfig) *IPMISim {
	t.Helper()
	Need(t, IPMISimulator)
	dir := t.TempDir()
	vmPort, err := freePort("tcp")
	if err != nil {
		t.Fatal(err)
	}
	lanHost, lanPort := "127.0.0.1", 0
	if cfg.LANListen != "" {
		h, p, err := net.SplitHostPort(cfg.LANListen)
		if err != nil {
			t.Fatalf("IPMISimConfig.LANListen: %v", err)
		}
		lanHost = h
		if lanPort, err = strconv.Atoi(p); err != nil {
			t.Fatalf("IPMISimConfig.LANListen: %v", err)
		}
	} else if lanPort, err = freePort("udp"); err != nil {
		t.Fatal(err)
	}
	s := &IPMISim{
		Dir:     dir,
		VMAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(vmPort)),
		LANAddr: net.JoinHostPort(lanHost, strconv.Itoa(lanPort)),
		out:     &testutil.LockedBuffer{},
	}
	for name, data := range map[string]string{
		"lan.conf":      ipmiSimLANConf(cfg, dir, vmPort, lanHost, lanPort),
		"sim.emu":       ipmiSimEmu(cfg),
		"lancontrol.sh": ipmiSimLANControl(cfg.LAN),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command("ipmi_sim", "-n", "-c", "lan.conf", "-f", "sim.emu", "-s", "state")
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start ipmi_sim: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for !listening(vmPort) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("ipmi_sim exited: %v\n%s", err, s.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ipmi_sim does not listen on %s after 10 s:\n%s", s.VMAddr, s.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// Log is what ipmi_sim printed so far.
func (s *IPMISim) Log() string { return s.out.String() }

// Ipmitool runs ipmitool against the simulator over IPMI LAN and returns
// its standard output.
func (s *IPMISim) Ipmitool(ctx context.Context, args ...string) (string, error) {
	return s.ipmitool(ctx, []string{"-I", "lan", "-U", "admin", "-E"}, "password", args...)
}

// ipmitool runs ipmitool against the simulator's LAN port with the session
// options opts (-I, -U, -E, -L...), the password in IPMI_PASSWORD.
func (s *IPMISim) ipmitool(ctx context.Context, opts []string, password string, args ...string) (string, error) {
	host, port, _ := net.SplitHostPort(s.LANAddr)
	full := append(append([]string{"-H", host, "-p", port}, opts...), args...)
	cmd := exec.CommandContext(ctx, "ipmitool", full...)
	cmd.Env = append(os.Environ(), "IPMI_PASSWORD="+password)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("ipmitool %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// SetVLAN sets channel 1's 802.1q VLAN ID (ipmi_sim keeps it in memory
// only; its lan_config_program has no VLAN). It needs ipmitool.
func (s *IPMISim) SetVLAN(ctx context.Context, id uint16) error {
	_, err := s.Ipmitool(ctx, "lan", "set", "1", "vlan", "id", strconv.Itoa(int(id)))
	return err
}

func ipmiSimLANConf(cfg IPMISimConfig, dir string, vmPort int, lanHost string, lanPort int) string {
	guid := cfg.GUID
	if guid == "" {
		guid = "a123456789abcdefa123456789abcdef"
	}
	return fmt.Sprintf(`# generated by hwagent's internal/lab
name "hwagentlab"
set_working_mc 0x20
  startlan 1
    addr %s %d
    priv_limit admin
    allowed_auths_callback none md5 straight
    allowed_auths_user none md5 straight
    allowed_auths_operator none md5 straight
    allowed_auths_admin none md5 straight
    guid %s
    lan_config_program "%s eth0"
  endlan
  serial 15 127.0.0.1 %d codec VM
  user 2 true "admin" "password" admin 10 none md5 straight
`, lanHost, lanPort, guid, filepath.Join(dir, "lancontrol.sh"), vmPort)
}

func ipmiSimEmu(cfg IPMISimConfig) string {
	return fmt.Sprintf(`mc_setbmc 0x20
mc_add 0x20 0x%02x no-device-sdrs 0x%02x 0x%02x 0x%02x 0x9f 0x%x 0x%x
mc_enable 0x20
`, cfg.DeviceID, cfg.DeviceRevision, cfg.FirmwareMajor, cfg.FirmwareMinor, cfg.ManufacturerID, cfg.ProductID)
}

// ipmiSimLANControl is the lan_config_program: "SCRIPT DEV get VAR..."
// prints "VAR:value" for each VAR; set and check do nothing, so it never
// touches a real interface.
func ipmiSimLANControl(l IPMISimLAN) string {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n# generated by hwagent's internal/lab: fixed values, never touches an interface\n[ \"$2\" = get ] || exit 0\nshift 2\nfor v in \"$@\"; do\n  case $v in\n")
	for _, kv := range [][2]string{
		{"ip_addr", or(l.IP, "0.0.0.0")},
		{"ip_addr_src", or(l.Source, "static")},
		{"mac_addr", or(l.MAC, "00:00:00:00:00:00")},
		{"subnet_mask", or(l.Netmask, "0.0.0.0")},
		{"default_gw_ip_addr", or(l.Gateway, "0.0.0.0")},
		{"default_gw_mac_addr", or(l.GatewayMAC, "00:00:00:00:00:00")},
		{"backup_gw_ip_addr", or(l.BackupGateway, "0.0.0.0")},
		{"backup_gw_mac_addr", or(l.BackupGatewayMAC, "00:00:00:00:00:00")},
	} {
		fmt.Fprintf(&b, "  %s) echo '%s:%s';;\n", kv[0], kv[0], kv[1])
	}
	b.WriteString("  esac\ndone\n")
	return b.String()
}

// freePort asks the kernel for a free local port of network "tcp" or
// "udp". Another process could take it between this call and ipmi_sim's
// bind; the kernel hands out ephemeral ports in turn, so this is a race in
// theory only.
func freePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// listening reports whether a local TCP socket listens on port, from
// /proc/thread-self/net/tcp (connecting would use up ipmi_sim's single VM
// connection). thread-self, not /proc/net (the main thread's namespace):
// a test goroutine locked into a network namespace (Netns.LockThread)
// starts ipmi_sim there and must look there.
func listening(port int) bool {
	data, err := os.ReadFile("/proc/thread-self/net/tcp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf(":%04X", port)
	for _, l := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) > 3 && strings.HasSuffix(f[1], want) && f[3] == "0A" {
			return true
		}
	}
	return false
}

// TestBMCVLAN is the VLAN ID tests set on TestBMC's channel 1 (SetVLAN).
const TestBMCVLAN = 20

// TestBMC is the lab's reference BMC, the one the report's example line
// describes: "BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 —
// Supermicro fw 3.10" (VLAN 20 once SetVLAN(TestBMCVLAN) ran).
func TestBMC() IPMISimConfig {
	return IPMISimConfig{
		DeviceID:       0x20,
		DeviceRevision: 0x01,
		FirmwareMajor:  3,
		FirmwareMinor:  0x10,
		ManufacturerID: 10876, // Super Micro Computer Inc.
		ProductID:      0x0a1b,
		GUID:           "a123456789abcdefa123456789abcdef",
		LAN: IPMISimLAN{
			IP:         "10.0.0.42",
			Source:     "static",
			MAC:        "52:54:00:be:ef:01",
			Netmask:    "255.255.255.0",
			Gateway:    "10.0.0.1",
			GatewayMAC: "52:54:00:00:00:01",
		},
	}
}
