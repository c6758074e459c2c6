//go:build linux

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// arm64Guest is the arm64 server the test boots: qemu-system-aarch64 -M
// virt with UEFI firmware (which gives the kernel an SMBIOS table, as an
// arm64 server's firmware does), Neoverse-N1 cores as in AWS Graviton2 and
// Ampere Altra, a virtio NIC and disk.
var arm64Guest = struct {
	CPU                                  string
	CPUs, MemoryMiB                      int
	SMBIOS                               []string
	Manufacturer, Product, Serial, UUID  string
	BIOSVendor, BIOSVersion, BoardSerial string
	MAC, DiskSerial                      string
	DiskBytes                            uint64
	Hostname                             string
}{
	CPU: "neoverse-n1", CPUs: 2, MemoryMiB: 512,
	SMBIOS: []string{
		"type=0,vendor=AcmeUEFI,version=2.3.4,date=05/06/2025",
		"type=1,manufacturer=Acme Arm,product=A64-2U,serial=ARM64-SN-0042,uuid=4a524d36-3400-4a00-8000-000000000042,sku=A64-2U-SKU,family=A64",
		"type=2,manufacturer=Acme Arm,product=A64-MB,serial=ARM64-BSN-7",
		"type=3,manufacturer=Acme Arm,serial=ARM64-CSN-9",
	},
	Manufacturer: "Acme Arm", Product: "A64-2U", Serial: "ARM64-SN-0042", UUID: "4a524d36-3400-4a00-8000-000000000042",
	BIOSVendor: "AcmeUEFI", BIOSVersion: "2.3.4", BoardSerial: "ARM64-BSN-7",
	MAC: "52:54:00:a6:40:01", DiskSerial: "ARM64-DISK-1", DiskBytes: 8 << 30,
	Hostname: "arm01",
}

// TestArm64Guest boots an arm64 guest under qemu-system-aarch64 (TCG) and
// runs the arm64 agent build's `hwagent dump` in it: architecture, SMBIOS
// (from the UEFI firmware's table), CPU (arm64 /proc/cpuinfo and MIDR
// names), memory, NIC, disk, and a BMC section that says the kernel's IPMI
// driver is absent, not "no BMC".
func TestArm64Guest(t *testing.T) {
	lab.Need(t, lab.QEMUArm64)
	ctx := context.Background()
	g := arm64Guest
	guest, err := lab.NewGuestFor(ctx, "arm64", "virtio_pci", "virtio_net", "virtio_blk")
	if err != nil {
		t.Fatal(err)
	}
	r, err := guest.Initramfs()
	if err != nil {
		t.Fatal(err)
	}
	r.File("/init", []byte(lab.InitScript{
		Modules: guest.ModuleNames,
		WaitFor: []string{"/sys/block/vda"},
		Commands: []lab.Command{{
			Name:  "dump",
			Shell: "hostname " + g.Hostname + "; ip link set eth0 up; hwagent dump -o json --disable lldp",
		}},
	}.Script()), 0o755)
	initrd := filepath.Join(t.TempDir(), "initramfs.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	vm := &lab.VM{
		Arch: "arm64", CPU: g.CPU, CPUs: g.CPUs, Memory: g.MemoryMiB,
		Firmware: lab.ArmUEFIFirmware,
		Kernel:   guest.Kernel.Vmlinuz, Initramfs: initrd,
		SMBIOS: g.SMBIOS,
		NICs:   []lab.NIC{{Model: "virtio-net-pci", MAC: g.MAC}},
		ExtraArgs: []string{
			"-blockdev", "driver=null-co,node-name=disk0,size=8589934592,read-zeroes=on",
			"-device", "virtio-blk-pci,drive=disk0,serial=" + g.DiskSerial,
		},
		Timeout: 5 * time.Minute,
	}
	start := time.Now()
	console, err := vm.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("arm64 guest (%s, kernel %s) booted, dumped and powered off in %s", g.CPU, guest.Kernel.Release, time.Since(start).Round(100*time.Millisecond))
	if p := lab.Problems(console); len(p) > 0 {
		t.Fatalf("guest problems: %q", p)
	}
	out, err := lab.CommandOutput(console, "dump")
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 0 {
		t.Fatalf("hwagent dump exited %d:\n%s", out.ExitCode, out.Stderr)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal([]byte(out.Stdout), &inv); err != nil {
		t.Fatalf("%v\n%s", err, out.Stdout)
	}
	checkArm64Inventory(t, &inv, guest.Kernel.Release)
}

func checkArm64Inventory(t *testing.T, inv *inventory.Inventory, release string) {
	t.Helper()
	g := arm64Guest
	got := map[string]any{}
	want := map[string]any{
		"host.architecture":   "arm64",
		"host.hostname":       g.Hostname,
		"host.kernel_release": release,
		"system.manufacturer": g.Manufacturer,
		"system.product":      g.Product,
		"system.serial":       g.Serial,
		"system.uuid":         g.UUID,
		"bios.vendor":         g.BIOSVendor,
		"bios.version":        g.BIOSVersion,
		"baseboard.serial":    g.BoardSerial,
		"cpu.vendor":          "ARM",
		"cpu.model":           "Neoverse-N1",
		"cpu.threads":         g.CPUs,
		"identity.basis":      "system_uuid",
		"nic eth0":            g.MAC,
		"disk vda serial":     g.DiskSerial,
		"disk vda size":       g.DiskBytes,
		"bmc status":          inventory.StatusFailed,
		"bmc says no driver":  true,
	}
	if h := inv.Host; h != nil {
		got["host.architecture"], got["host.hostname"], got["host.kernel_release"] = h.Architecture, h.Hostname, h.KernelRelease
	}
	if s := inv.System; s != nil {
		got["system.manufacturer"], got["system.product"], got["system.serial"], got["system.uuid"] = s.Product.Manufacturer, s.Product.Name, s.Product.Serial, s.Product.UUID
	}
	if s := inv.System; s != nil {
		got["bios.vendor"], got["bios.version"] = s.BIOS.Vendor, s.BIOS.Version
	}
	if s := inv.System; s != nil && s.Baseboard != nil {
		got["baseboard.serial"] = s.Baseboard.Serial
	}
	if c := inv.CPU; c != nil {
		got["cpu.vendor"], got["cpu.model"], got["cpu.threads"] = c.Vendor, c.ModelName, c.LogicalThreads
	}
	got["identity.basis"] = inv.Identity.Basis
	if inv.Network != nil {
		for _, n := range inv.Network.Interfaces {
			if n.Name == "eth0" {
				got["nic eth0"] = n.MAC
			}
		}
	}
	if inv.Storage != nil {
		for _, d := range inv.Storage.Disks {
			if d.Name == "vda" {
				got["disk vda serial"], got["disk vda size"] = d.Serial, d.SizeBytes
			}
		}
	}
	if st := inv.Collector("bmc"); st != nil {
		got["bmc status"] = st.Status
		got["bmc says no driver"] = strings.Contains(st.Error, "has no IPMI driver loaded (no /sys/module/ipmi_msghandler)") && strings.Contains(st.Error, "("+release+")")
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || fmtAny(g) != fmtAny(w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	for _, st := range inv.Collectors {
		if st.Status == inventory.StatusFailed && st.Name != "bmc" {
			t.Errorf("collector %s failed: %s", st.Name, st.Error)
		}
	}
}

func fmtAny(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
