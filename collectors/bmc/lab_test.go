package bmc

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/report"
)

// The lab tests boot a QEMU guest (TCG) whose KCS interface talks to a
// BMC, run hwagent in it, and check what it reports against the BMC's
// configuration. See internal/lab and docs/bmc.md.

// bootGuest boots a guest with bmc behind its KCS interface (QEMU adds the
// SMBIOS type 38 record), loads ipmi_si and ipmi_devintf, waits for
// /dev/ipmi0 and runs commands; it returns the console.
func bootGuest(t testing.TB, bmc lab.BMC, commands ...lab.Command) string {
	t.Helper()
	lab.Need(t, lab.QEMU)
	ctx := t.Context()
	g, err := lab.NewGuest(ctx, "ipmi_devintf", "ipmi_si")
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Initramfs()
	if err != nil {
		t.Fatal(err)
	}
	r.File("/init", []byte(lab.InitScript{Modules: g.ModuleNames, WaitFor: []string{"/dev/ipmi0"}, Commands: commands}.Script()), 0o755)
	initrd := filepath.Join(t.TempDir(), "initramfs.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	vm := lab.VM{Kernel: g.Kernel.Vmlinuz, Initramfs: initrd, BMC: bmc, Timeout: 3 * time.Minute}
	start := time.Now()
	console, err := vm.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("guest ran in %s", time.Since(start).Round(time.Millisecond))
	if p := lab.Problems(console); len(p) > 0 {
		t.Fatalf("guest: %s\n%s", strings.Join(p, "; "), console)
	}
	return console
}

// dumpCommands print the BMC section as JSON and as the text report.
var dumpCommands = []lab.Command{
	{Name: "json", Shell: "hwagent dump --collectors bmc -o json"},
	{Name: "text", Shell: "hwagent dump --collectors bmc -o text --no-color"},
}

// guestInventory decodes the JSON dump and checks the text one ran.
func guestInventory(t *testing.T, console string) (*inventory.Inventory, string) {
	t.Helper()
	out, err := lab.CommandOutput(console, "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, console)
	}
	if out.ExitCode != 0 {
		t.Fatalf("hwagent dump -o json exited %d: %s", out.ExitCode, out.Stderr)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal([]byte(out.Stdout), &inv); err != nil {
		t.Fatalf("inventory: %v\n%s", err, out.Stdout)
	}
	text, err := lab.CommandOutput(console, "text")
	if err != nil || text.ExitCode != 0 {
		t.Fatalf("hwagent dump -o text: %v %+v", err, text)
	}
	return &inv, text.Stdout
}

// qemuKCS is the SMBIOS type 38 record QEMU writes for isa-ipmi-kcs with
// its defaults (I/O port 0xca2, BMC slave address 20h, IRQ 5).
var qemuKCS = &inventory.IPMIInterface{Type: "KCS", SpecVersion: "2.0", BaseAddress: "0xca2", AddressSpace: "io", I2CSlaveAddress: "0x10", InterruptNumber: 5}

// reverseGUID turns 32 hex digits sent byte for byte into the GUID that
// IPMI's least-significant-byte-first order reads.
func reverseGUID(hex32 string) string {
	var b []string
	for i := len(hex32); i >= 2; i -= 2 {
		b = append(b, hex32[i-2:i])
	}
	s := strings.Join(b, "")
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// TestLabIPMISim boots a guest whose BMC is OpenIPMI's ipmi_sim configured
// as lab.TestBMC with VLAN 20, and checks that hwagent in the guest reports
// exactly the simulator's configuration.
func TestLabIPMISim(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.QEMU, lab.IPMISimulator)
	cfg := lab.TestBMC()
	sim := lab.StartIPMISim(t, cfg)
	if err := sim.SetVLAN(t.Context(), lab.TestBMCVLAN); err != nil {
		t.Fatal(err)
	}
	console := bootGuest(t, lab.ExternalBMC{Addr: sim.VMAddr}, append(dumpCommands, credentialsCommands...)...)
	inv, text := guestInventory(t, console)
	t.Logf("hwagent dump --collectors bmc in the guest:\n%s", text)
	checkGuestCredentials(t, sim, console)

	want := &inventory.BMC{
		Interface:           qemuKCS,
		DevicePath:          "/dev/ipmi0",
		DeviceID:            cfg.DeviceID,
		DeviceRevision:      cfg.DeviceRevision,
		FirmwareVersion:     fmt.Sprintf("%d.%02x", cfg.FirmwareMajor, cfg.FirmwareMinor),
		AuxFirmwareRevision: "00000000",
		IPMIVersion:         "2.0",
		ManufacturerID:      cfg.ManufacturerID,
		Manufacturer:        "Supermicro",
		ProductID:           cfg.ProductID,
		// No SystemGUID: ipmi_sim answers Get System GUID on its LAN
		// interface only (lan.conf's guid), not to the host.
		LAN: []inventory.BMCLANChannel{{
			Channel:    1,
			IPSource:   cfg.LAN.Source,
			IPv4:       cfg.LAN.IP,
			Netmask:    cfg.LAN.Netmask,
			Gateway:    cfg.LAN.Gateway,
			GatewayMAC: cfg.LAN.GatewayMAC,
			MAC:        cfg.LAN.MAC,
			VLANID:     lab.TestBMCVLAN,
			Configured: true,
		}},
	}
	if diff := cmp.Diff(want, inv.BMC); diff != "" {
		t.Errorf("BMC section (-ipmi_sim configuration +hwagent in the guest):\n%s", diff)
	}
	if st := inv.Collector("bmc"); st == nil || st.Status != inventory.StatusOK {
		t.Errorf("bmc collector status %+v, want ok", st)
	}
	line := "BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 — Supermicro fw 3.10"
	if report.BMCLine(inv.BMC) != line || !strings.Contains(text, line) {
		t.Errorf("text report lacks %q:\n%s", line, text)
	}
}

// TestLabBuiltinBMC boots a guest with QEMU's own ipmi-bmc-sim, which
// answers Get Device ID (and GUID) but rejects every LAN parameter: the
// identity is reported, the network marked unavailable, and nothing fails.
func TestLabBuiltinBMC(t *testing.T) {
	t.Parallel()
	bmc := &lab.BuiltinBMC{ManufacturerID: 674, ProductID: 0x0100, FirmwareMajor: 2, FirmwareMinor: 0x92,
		GUID: "4c4c4544-0042-3510-8052-b4c04f4e3732"}
	console := bootGuest(t, bmc, append(dumpCommands, credentialsCommands[0])...)
	inv, text := guestInventory(t, console)
	checkGuestCredentialsRefused(t, console)
	got := inv.BMC
	if got == nil {
		t.Fatalf("no BMC section:\n%s", text)
	}
	want := &inventory.BMC{
		Interface:       qemuKCS,
		DevicePath:      "/dev/ipmi0",
		DeviceID:        0x20, // QEMU's default device_id
		FirmwareVersion: "2.92",
		IPMIVersion:     "2.0",
		ManufacturerID:  674,
		Manufacturer:    "Dell",
		ProductID:       0x0100,
		DeviceGUID:      got.DeviceGUID, // checked below
		LANError:        "the BMC supports neither Get Channel Info (completion code 0xc1 invalid command) nor Get LAN Configuration Parameters",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("BMC section (-want +got):\n%s", diff)
	}
	// QEMU sends the GUID in RFC 4122 byte order, not the reversed order
	// IPMI specifies, so the bytes come out reversed: the GUID is there,
	// as the specification reads it.
	if r := reverseGUID(strings.ReplaceAll(bmc.GUID, "-", "")); got.DeviceGUID != r {
		t.Errorf("device GUID %q, want %q (QEMU's %s read least significant byte first)", got.DeviceGUID, r, bmc.GUID)
	}
	st := inv.Collector("bmc")
	if st == nil || st.Status != inventory.StatusOK {
		t.Errorf("bmc collector status %+v, want ok", st)
	}
	if !strings.Contains(text, "BMC (no LAN address) — Dell fw 2.92") {
		t.Errorf("text report:\n%s", text)
	}
}

// BenchmarkLabIPMISim measures the whole BMC collector against ipmi_sim in
// the guest: hwagent dump --collectors bmc runs 20 times and the
// collector's own duration (inventory collectors[].duration_seconds, from
// opening /dev/ipmi0 to the last LAN parameter) is reported as the median
// in ns/op and ms/collect. The boot is not measured. Under TCG the guest
// is slower than hardware; compare with ipmitool in the same guest (~0.4 s
// per command, LAB.md).
func BenchmarkLabIPMISim(b *testing.B) {
	lab.Need(b, lab.QEMU, lab.IPMISimulator)
	sim := lab.StartIPMISim(b, lab.TestBMC())
	if err := sim.SetVLAN(b.Context(), lab.TestBMCVLAN); err != nil {
		b.Fatal(err)
	}
	const runs = 20
	cmd := lab.Command{Name: "loop", Shell: fmt.Sprintf("i=0; while [ $i -lt %d ]; do hwagent dump --collectors bmc -o json | tr -d '\\n'; echo; i=$((i+1)); done", runs)}
	console := bootGuest(b, lab.ExternalBMC{Addr: sim.VMAddr}, cmd)
	out, err := lab.CommandOutput(console, "loop")
	if err != nil || out.ExitCode != 0 {
		b.Fatalf("%v %+v", err, out)
	}
	var durations []float64
	for _, l := range strings.Split(strings.TrimSpace(out.Stdout), "\n") {
		var inv inventory.Inventory
		if err := json.Unmarshal([]byte(l), &inv); err != nil {
			b.Fatalf("%v: %q", err, l)
		}
		st := inv.Collector("bmc")
		if st == nil || st.Status != inventory.StatusOK || inv.BMC.PrimaryLAN() == nil {
			b.Fatalf("bmc collector %+v", st)
		}
		durations = append(durations, st.DurationSeconds)
	}
	if len(durations) != runs {
		b.Fatalf("%d runs, want %d", len(durations), runs)
	}
	slices.Sort(durations)
	median := durations[runs/2]
	b.ReportMetric(median*1e9, "ns/op")
	b.ReportMetric(median*1e3, "ms/collect")
	b.ReportMetric(durations[0]*1e3, "min-ms/collect")
	b.ReportMetric(durations[runs-1]*1e3, "max-ms/collect")
}
