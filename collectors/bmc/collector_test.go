package bmc

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/ipmi/ipmitest"
	"github.com/hwagent/hwagent/report"
)

// simTranscript is what ipmi_sim configured as lab.TestBMC answers (see
// ipmi's TestIPMISimTranscript).
const simTranscript = "../../ipmi/testdata/ipmi_sim/transcript.txt"

// host is a host tree for one test.
type host struct {
	t    testing.TB
	root string
}

func newHost(t testing.TB) *host {
	t.Helper()
	return &host{t: t, root: t.TempDir()}
}

func (h *host) write(rel string, data []byte) {
	h.t.Helper()
	p := filepath.Join(h.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// smbiosDump installs a dmidecode --dump-bin file as the host's SMBIOS
// table: the entry point from offset 0, the table from 0x20.
func (h *host) smbiosDump(name string) {
	h.t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0x1F // _SM_
	if strings.HasPrefix(string(data), "_SM3_") {
		n = 0x18
	}
	h.write("sys/firmware/dmi/tables/smbios_entry_point", data[:n])
	h.write("sys/firmware/dmi/tables/DMI", data[0x20:])
}

// node creates a stand-in for the device node (a plain file: the fake
// opener never opens it).
func (h *host) node(rel string) { h.write(rel, nil) }

// env is the tree as a live host whose BMC open answers; a nil open
// leaves the tree what hostpaths makes of it (a recording).
func (h *host) env(timeout time.Duration, open func(path string) (ipmi.Device, error)) *collector.Env {
	p := hostpaths.New(h.root, nil)
	if open != nil {
		p = p.WithMachine(hostpathstest.Machine{Live: true, IPMI: open})
	}
	return collector.NewEnv(p, nil, collector.Config{IPMITimeout: timeout})
}

// opener hands out dev whatever the path.
func opener(dev ipmi.Device) func(string) (ipmi.Device, error) {
	return func(string) (ipmi.Device, error) { return dev, nil }
}

func simBMC(t *testing.T) *ipmitest.BMC {
	t.Helper()
	answers, err := ipmitest.LoadTranscript(simTranscript)
	if err != nil {
		t.Fatal(err)
	}
	return &ipmitest.BMC{Answers: answers}
}

// collect runs the collector and applies its result.
func collect(t *testing.T, c bmcCollector, env *collector.Env) (*inventory.BMC, error) {
	t.Helper()
	apply, err := c.Collect(t.Context(), env)
	if apply == nil {
		return nil, err
	}
	inv := &inventory.Inventory{}
	apply(inv)
	return inv.BMC, err
}

func warnings(err error) []string {
	var p *collector.PartialError
	if errors.As(err, &p) {
		return p.Warnings
	}
	return nil
}

// x9dblIPMI is the type 38 record of the SuperMicro X9DBL board, as
// dmidecode prints it in testdata/SuperMicro-X9DBL.dmidecode.txt: KCS,
// IPMI 2.0, I2C slave address 0x00, base address 0xCA2 in I/O space.
var x9dblIPMI = &inventory.IPMIInterface{Type: "KCS", SpecVersion: "2.0", BaseAddress: "0xca2", AddressSpace: "io", I2CSlaveAddress: "0x00"}

// simBMCInventory is the section for ipmi_sim as lab.TestBMC with VLAN 20
// behind the X9DBL's SMBIOS; the values are those ipmitool printed for the
// same simulator (ipmi/testdata/ipmi_sim/*.txt).
func simBMCInventory(path string) *inventory.BMC {
	return &inventory.BMC{
		Interface:           x9dblIPMI,
		DevicePath:          path,
		DeviceID:            32,
		DeviceRevision:      1,
		FirmwareVersion:     "3.10",
		AuxFirmwareRevision: "00000000",
		IPMIVersion:         "2.0",
		ManufacturerID:      10876,
		Manufacturer:        "Supermicro",
		ProductID:           2587,
		SystemGUID:          "efcdab89-6745-23a1-efcd-ab89674523a1",
		LAN: []inventory.BMCLANChannel{{
			Channel:    1,
			IPSource:   "static",
			IPv4:       "10.0.0.42",
			Netmask:    "255.255.255.0",
			Gateway:    "10.0.0.1",
			GatewayMAC: "52:54:00:00:00:01",
			MAC:        "52:54:00:be:ef:01",
			VLANID:     20,
			Configured: true,
		}},
	}
}

func TestNoBMC(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	apply, err := bmcCollector{}.Collect(t.Context(), h.env(0, opener(simBMC(t))))
	if !errors.Is(err, collector.ErrNotApplicable) || apply != nil {
		t.Errorf("Collect = %v, %v; want not applicable", apply != nil, err)
	}
	if err != nil && !strings.Contains(err.Error(), "no BMC") {
		t.Errorf("reason %q does not say there is no BMC", err)
	}
}

func TestType38WithoutDeviceNode(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.smbiosDump("SuperMicro-X9DBL.bin")
	got, err := collect(t, bmcCollector{}, h.env(0, opener(simBMC(t))))
	if diff := cmp.Diff(&inventory.BMC{Interface: x9dblIPMI}, got); diff != "" {
		t.Errorf("BMC (-want +got):\n%s", diff)
	}
	want := []string{"IPMI KCS interface at 0xca2 in SMBIOS but no /dev/ipmi0: load ipmi_si and ipmi_devintf"}
	if diff := cmp.Diff(want, warnings(err)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestIPMISim(t *testing.T) {
	t.Parallel()
	for _, node := range []string{"dev/ipmi0", "dev/ipmi/0", "dev/ipmidev/0"} {
		t.Run(node, func(t *testing.T) {
			t.Parallel()
			h := newHost(t)
			h.smbiosDump("SuperMicro-X9DBL.bin")
			h.node(node)
			bmc := simBMC(t)
			got, err := collect(t, bmcCollector{}, h.env(0, opener(bmc)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(simBMCInventory("/"+node), got); diff != "" {
				t.Errorf("BMC (-want +got):\n%s", diff)
			}
			if !bmc.Closed() {
				t.Error("device not closed")
			}
			if got, want := report.BMCLine(got), "BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 — Supermicro fw 3.10"; got != want {
				t.Errorf("BMC line %q, want %q", got, want)
			}
		})
	}
}

// qemuBMC answers as QEMU's ipmi-bmc-sim does (hw/ipmi/ipmi_bmc_sim.c,
// QEMU 7.2): Get Device ID with eleven data bytes (device ID 20h, the
// configured firmware revision and manufacturer, sensor/SDR/SEL support
// 07h, no auxiliary revision), and C1h to everything else when no GUID is
// set.
func qemuBMC() *ipmitest.BMC {
	return &ipmitest.BMC{Answers: map[string][]byte{
		"06 01": {0x00, 0x20, 0x00, 0x02, 0x92, 0x02, 0x07, 0xa2, 0x02, 0x00, 0x00, 0x01},
	}}
}

func TestBMCWithoutLANParameters(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.smbiosDump("SuperMicro-X9DBL.bin")
	h.node("dev/ipmi0")
	got, err := collect(t, bmcCollector{}, h.env(0, opener(qemuBMC())))
	if err != nil {
		t.Fatalf("Collect: %v; a BMC without LAN parameters is not a failure", err)
	}
	want := &inventory.BMC{
		Interface:       x9dblIPMI,
		DevicePath:      "/dev/ipmi0",
		DeviceID:        32,
		FirmwareVersion: "2.92",
		IPMIVersion:     "2.0",
		ManufacturerID:  674,
		Manufacturer:    "Dell",
		ProductID:       256,
		LANError:        "the BMC supports neither Get Channel Info (completion code 0xc1 invalid command) nor Get LAN Configuration Parameters",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BMC (-want +got):\n%s", diff)
	}
	if got, want := report.BMCLine(got), "BMC (no LAN address) — Dell fw 2.92"; got != want {
		t.Errorf("BMC line %q, want %q", got, want)
	}
}

// TestMisbehavingBMC: a BMC that hangs, fails or answers garbage costs at
// most one command timeout, and what was read before is kept.
func TestMisbehavingBMC(t *testing.T) {
	t.Parallel()
	const timeout = 20 * time.Millisecond
	identity := func(b *inventory.BMC) *inventory.BMC {
		b.LAN = nil
		return b
	}
	tests := []struct {
		name     string
		dev      func(t *testing.T) *ipmitest.BMC
		want     func() *inventory.BMC
		requests int
		failed   error // wrapped by a failure, nil for partial
		warn     string
		lanError string
	}{{
		name:     "hangs from the start",
		dev:      func(t *testing.T) *ipmitest.BMC { b := simBMC(t); b.HangFrom = 1; return b },
		requests: 1,
		failed:   context.DeadlineExceeded,
	}, {
		name:     "fails",
		dev:      func(t *testing.T) *ipmitest.BMC { return &ipmitest.BMC{Err: syscall.EIO} },
		requests: 1,
		failed:   syscall.EIO,
	}, {
		name: "garbage identity",
		dev: func(t *testing.T) *ipmitest.BMC {
			return &ipmitest.BMC{Answers: map[string][]byte{"06 01": {0x00, 0x20}}}
		},
		requests: 1,
		failed:   ipmi.ErrMalformed,
	}, {
		name: "hangs after Get Device ID",
		dev:  func(t *testing.T) *ipmitest.BMC { b := simBMC(t); b.HangFrom = 2; return b },
		want: func() *inventory.BMC {
			b := identity(simBMCInventory("/dev/ipmi0"))
			b.SystemGUID = ""
			return b
		},
		requests: 2,
		warn:     "/dev/ipmi0: get device guid: fake BMC: 06 08: context deadline exceeded (timeout 20ms)",
	}, {
		name: "hangs listing channels",
		dev:  func(t *testing.T) *ipmitest.BMC { b := simBMC(t); b.HangFrom = 5; return b },
		want: func() *inventory.BMC {
			b := identity(simBMCInventory("/dev/ipmi0"))
			b.LANError = "the BMC stopped answering while its channels were listed"
			return b
		},
		requests: 5,
		warn:     "/dev/ipmi0: get channel info 2: fake BMC: 06 42 02: context deadline exceeded (timeout 20ms)",
	}, {
		name: "hangs reading LAN parameters",
		dev:  func(t *testing.T) *ipmitest.BMC { b := simBMC(t); b.HangFrom = 16; return b },
		want: func() *inventory.BMC {
			b := simBMCInventory("/dev/ipmi0")
			b.LAN = []inventory.BMCLANChannel{{Channel: 1, IPv4: "10.0.0.42", Configured: true}}
			b.LANError = "the BMC stopped answering while its LAN configuration was read"
			return b
		},
		requests: 16,
		warn:     "/dev/ipmi0: channel 1: get lan parameter 6 of channel 1: fake BMC: 0c 02 01 06 00 00: context deadline exceeded (timeout 20ms)",
	}, {
		name: "garbage LAN parameter",
		dev: func(t *testing.T) *ipmitest.BMC {
			b := simBMC(t)
			b.Answers["0c 02 01 05 00 00"] = []byte{0x00, 0x11, 0x52, 0x54}
			return b
		},
		want: func() *inventory.BMC {
			b := simBMCInventory("/dev/ipmi0")
			b.LAN[0].MAC = ""
			return b
		},
		requests: 22,
		warn:     "/dev/ipmi0: channel 1: lan parameter 5: malformed response: netfn 0x0c cmd 0x02: 3 data bytes, want at least 7",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHost(t)
			h.smbiosDump("SuperMicro-X9DBL.bin")
			h.node("dev/ipmi0")
			dev := tt.dev(t)
			got, err := collect(t, bmcCollector{}, h.env(timeout, opener(dev)))
			if n := len(dev.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d: %v", n, tt.requests, dev.Requests())
			}
			if tt.failed != nil {
				var p *collector.PartialError
				if !errors.Is(err, tt.failed) || errors.As(err, &p) || got != nil {
					t.Errorf("Collect = %v, %v; want a failure wrapping %v", got, err, tt.failed)
				}
				return
			}
			if diff := cmp.Diff(tt.want(), got); diff != "" {
				t.Errorf("BMC (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tt.warn}, warnings(err)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGarbageBMC(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.node("dev/ipmi0")
	for seed := range uint64(300) {
		_, err := bmcCollector{}.Collect(t.Context(), h.env(time.Second, opener(ipmitest.NewGarbage(seed))))
		if errors.Is(err, collector.ErrNotApplicable) {
			t.Fatalf("seed %d: not applicable with a device node", seed)
		}
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.node("dev/ipmi0")
	open := func(p string) (ipmi.Device, error) {
		return nil, &fs.PathError{Op: "open", Path: p, Err: syscall.EACCES}
	}
	if apply, err := (bmcCollector{}).Collect(t.Context(), h.env(0, open)); !errors.Is(err, fs.ErrPermission) || apply != nil {
		t.Errorf("Collect = %v, %v; want a permission failure", apply != nil, err)
	}
}

// TestReplayedSnapshot: a host tree unpacked from `hwagent snapshot` is a
// recording; its BMC is never asked, whatever the machine replaying it
// has.
func TestReplayedSnapshot(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	h.smbiosDump("SuperMicro-X9DBL.bin")
	h.node("dev/ipmi0")
	got, err := collect(t, bmcCollector{}, h.env(0, nil))
	if diff := cmp.Diff(&inventory.BMC{Interface: x9dblIPMI, DevicePath: "/dev/ipmi0"}, got); diff != "" {
		t.Errorf("BMC (-want +got):\n%s", diff)
	}
	want := []string{"/dev/ipmi0: a recorded host (hwagent snapshot): the BMC was not asked"}
	if diff := cmp.Diff(want, warnings(err)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestRedfishOnly is a BMC that has a Redfish host interface (SMBIOS type
// 42) but no IPMI: reported, not "not applicable".
func TestRedfishOnly(t *testing.T) {
	t.Parallel()
	h := newHost(t)
	// A network host interface (40h) on a USB device (02h: idVendor 046b,
	// idProduct ffb0, no serial string) with one Redfish over IP record
	// (04h) whose service is found by DHCP (data all zero but the
	// discovery and assignment types 02h and address formats 01h).
	f := []byte{0x40, 0x06, 0x02, 0x6b, 0x04, 0xb0, 0xff, 0x00, 0x01, 0x04, 91}
	rec := make([]byte, 91)
	rec[16], rec[17], rec[50], rec[51] = 0x02, 0x01, 0x02, 0x01
	f = append(f, rec...)
	t42 := append([]byte{42, byte(4 + len(f)), 0x00, 0x01}, f...)
	t42 = append(t42, 0, 0)
	table := append(t42, 127, 4, 0xff, 0xff, 0, 0)
	entry := make([]byte, 0x18)
	copy(entry, "_SM3_")
	entry[0x06], entry[0x07], entry[0x08], entry[0x0A] = 0x18, 3, 2, 1
	binary.LittleEndian.PutUint32(entry[0x0C:], uint32(len(table)))
	binary.LittleEndian.PutUint64(entry[0x10:], 0x20)
	var sum byte
	for _, c := range entry {
		sum += c
	}
	entry[0x05] = -sum
	h.write("sys/firmware/dmi/tables/smbios_entry_point", entry)
	h.write("sys/firmware/dmi/tables/DMI", table)
	got, err := collect(t, bmcCollector{}, h.env(0, opener(simBMC(t))))
	if err != nil {
		t.Fatal(err)
	}
	want := &inventory.BMC{Redfish: &inventory.RedfishHostInterface{
		InterfaceType:      "Network Host Interface",
		Protocols:          []string{"Redfish over IP"},
		DeviceType:         "USB Network Interface",
		VendorID:           "046b",
		ProductID:          "ffb0",
		ServiceUUID:        "00000000-0000-0000-0000-000000000000",
		ServiceIPDiscovery: "dhcp",
		HostIPAssignment:   "dhcp",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BMC (-want +got):\n%s", diff)
	}
}
