//go:build linux

package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

var regenerateQEMU = flag.Bool("regenerate-qemu", false, "boot the QEMU guests of qemuHosts and rewrite testdata/hosts/qemu-*")

// qemuHost is a QEMU guest whose hardware the test chooses: the SMBIOS
// records, NICs and disks below are what QEMU is told, and TestQEMUHostFacts
// checks that the inventory of the captured tree says exactly that.
type qemuHost struct {
	// Name is the tree's directory under testdata/hosts.
	Name string
	// Machine is QEMU's -machine value.
	Machine string
	// MemoryMiB and CPUs are -m and -smp; the CPUs are spread over Sockets
	// sockets (QEMU 7.2 puts them all in one socket unless told).
	MemoryMiB, CPUs, Sockets int
	// Append is added to the guest's kernel command line.
	Append string
	// Hostname is set by the guest's /init before hwagent runs.
	Hostname string
	// Net is the address /init gives the boot NIC (QEMU's user-mode
	// network); it is only in the live hwagent-inventory.json, no file
	// holds it.
	Net lab.NetConfig
	// SMBIOS are the -smbios records.
	SMBIOS []string
	// Serial, UUID... repeat the SMBIOS values the facts test checks.
	Serial, UUID, Product, Manufacturer, BoardSerial, ChassisSerial string
	BIOSVendor, BIOSVersion                                         string
	CPUVersion                                                      string
	CPUMaxMHz                                                       uint32
	DIMMSerial, DIMMPart, DIMMManufacturer                          string
	// DIMMBytes are the sizes of the type 17 devices QEMU derives from
	// MemoryMiB (one per started 16 GiB).
	DIMMBytes []uint64
	// NICs are the guest's interfaces in PCI order (eth0 first).
	NICs []lab.NIC
	// Disks are the guest's disks.
	Disks []qemuDisk
	// SMBIOS3 is true when the entry point is the 64-bit _SM3_ one.
	SMBIOS3 bool
}

// qemuDisk is one guest disk, backed by QEMU's null block driver (reads
// zeros, stores nothing): Args are the -device arguments after the drive.
type qemuDisk struct {
	ID        string
	SizeBytes uint64
	// Device is the -device value without drive=.
	Device string
	// Name, Transport and Serial are what the storage collector must find.
	Name, Transport, Serial string
}

const gib = 1 << 30

// qemuHosts are the guests of testdata/hosts/qemu-*. Change a value here,
// run `go test ./cmd/hwagent -run TestRegenerateQEMUHost -regenerate-qemu`,
// then `go test ./cmd/hwagent -run TestGolden -update`, and review the diff.
var qemuHosts = []qemuHost{
	{
		Name: "qemu-pc-smbios2", Machine: "pc", MemoryMiB: 1024, CPUs: 2, Sockets: 1,
		Append:   "BOOTIF=01-52-54-00-a1-b2-01 worker_id=52:54:00:a1:b2:01",
		Hostname: "acme-r220-01",
		Net:      lab.NetConfig{Interface: "eth0", CIDR: "10.0.2.15/24", Gateway: "10.0.2.2"},
		SMBIOS: []string{
			"type=0,vendor=Acme BIOS Inc.,version=2.4.1,date=03/14/2024,release=2.4",
			"type=1,manufacturer=Acme Computing,product=Acme R220,version=Rev A,serial=ACME-R220-0001,uuid=c0ffee00-1234-5678-9abc-def012345678,sku=R220-2S-1G,family=R-Series",
			"type=2,manufacturer=Acme Boards,product=MB-R220,version=1.02,serial=MB-R220-77001,asset=BB-ASSET-01,location=Mainboard slot",
			"type=3,manufacturer=Acme Chassis,version=C1,serial=CH-R220-55001,asset=ASSET-0001,sku=CH-1U",
			"type=4,sock_pfx=CPU,manufacturer=Acme Silicon,version=Acme Xeon-ish 9000,serial=CPU-SN-0001,asset=CPU-ASSET,part=AX9000,max-speed=3600,current-speed=2400",
			"type=17,loc_pfx=DIMM,bank=BANK,manufacturer=Acme Memory,serial=DIMM-SN-0001,asset=DIMM-ASSET,part=AM-DDR4-1G,speed=3200",
			"type=11,value=hwagent:qemu-pc-smbios2",
		},
		Serial: "ACME-R220-0001", UUID: "c0ffee00-1234-5678-9abc-def012345678",
		Product: "Acme R220", Manufacturer: "Acme Computing",
		BoardSerial: "MB-R220-77001", ChassisSerial: "CH-R220-55001",
		BIOSVendor: "Acme BIOS Inc.", BIOSVersion: "2.4.1",
		CPUVersion: "Acme Xeon-ish 9000", CPUMaxMHz: 3600,
		DIMMSerial: "DIMM-SN-0001", DIMMPart: "AM-DDR4-1G", DIMMManufacturer: "Acme Memory",
		DIMMBytes: []uint64{1 * gib},
		NICs: []lab.NIC{
			{Model: "virtio-net-pci", MAC: "52:54:00:a1:b2:01"},
			{Model: "e1000", MAC: "52:54:00:a1:b2:02"},
		},
		Disks: []qemuDisk{
			{ID: "vd0", SizeBytes: 8 * gib, Device: "virtio-blk-pci,serial=ACME-VD-0001", Name: "vda", Transport: "virtio", Serial: "ACME-VD-0001"},
			{ID: "nvme0", SizeBytes: 16 * gib, Device: "nvme,serial=ACME-NVME-0001", Name: "nvme0n1", Transport: "nvme", Serial: "ACME-NVME-0001"},
			{ID: "sata0", SizeBytes: 32 * gib, Device: "ide-hd,bus=ahci0.0,serial=ACME-SATA-0001,model=ACME SSD 32G,wwn=0x5000c500a1b2c301,rotation_rate=1", Name: "sda", Transport: "sata", Serial: "ACME-SATA-0001"},
		},
	},
	{
		Name: "qemu-q35-smbios3", Machine: "q35,smbios-entry-point-type=64", MemoryMiB: 17 * 1024, CPUs: 2, Sockets: 2,
		Append:   "ip=10.0.2.15::10.0.2.2:255.255.255.0:acme-r440-02:eth1:off",
		Hostname: "acme-r440-02",
		Net:      lab.NetConfig{Interface: "eth1", CIDR: "10.0.2.15/24", Gateway: "10.0.2.2"},
		SMBIOS: []string{
			"type=0,vendor=Acme BIOS Inc.,version=3.0.7,date=11/30/2025,release=3.0,uefi=on",
			"type=1,manufacturer=Acme Computing,product=Acme R440,version=Rev B,serial=ACME-R440-0002,uuid=4c4c4544-0042-4a10-8052-b2c04f395a32,sku=R440-2S-17G,family=R-Series",
			"type=2,manufacturer=Acme Boards,product=MB-R440,version=2.10,serial=MB-R440-88002,asset=BB-ASSET-02",
			"type=3,manufacturer=Acme Chassis,version=C2,serial=CH-R440-66002,asset=ASSET-0002,sku=CH-2U",
			"type=4,sock_pfx=Socket,manufacturer=Acme Silicon,version=Acme Epyc-ish 7000,max-speed=3200,current-speed=2000",
			"type=17,loc_pfx=DIMM,bank=NODE0,manufacturer=Acme Memory,serial=DIMM-SN-0002,part=AM-DDR5-16G,speed=4800",
		},
		Serial: "ACME-R440-0002", UUID: "4c4c4544-0042-4a10-8052-b2c04f395a32",
		Product: "Acme R440", Manufacturer: "Acme Computing",
		BoardSerial: "MB-R440-88002", ChassisSerial: "CH-R440-66002",
		BIOSVendor: "Acme BIOS Inc.", BIOSVersion: "3.0.7",
		CPUVersion: "Acme Epyc-ish 7000", CPUMaxMHz: 3200,
		DIMMSerial: "DIMM-SN-0002", DIMMPart: "AM-DDR5-16G", DIMMManufacturer: "Acme Memory",
		DIMMBytes: []uint64{16 * gib, 1 * gib},
		NICs: []lab.NIC{
			{Model: "virtio-net-pci", MAC: "52:54:00:c3:d4:01"},
			{Model: "e1000", MAC: "52:54:00:c3:d4:02"},
		},
		Disks: []qemuDisk{
			{ID: "nvme0", SizeBytes: 64 * gib, Device: "nvme,serial=ACME-NVME-0002", Name: "nvme0n1", Transport: "nvme", Serial: "ACME-NVME-0002"},
			{ID: "vd0", SizeBytes: 4 * gib, Device: "virtio-blk-pci,serial=ACME-VD-0002", Name: "vda", Transport: "virtio", Serial: "ACME-VD-0002"},
			{ID: "sata0", SizeBytes: 128 * gib, Device: "ide-hd,bus=ide.0,serial=ACME-SATA-0002,model=ACME HDD 128G,rotation_rate=7200", Name: "sda", Transport: "sata", Serial: "ACME-SATA-0002"},
		},
		SMBIOS3: true,
	},
}

// qemuModules are the guest's kernel modules (dependencies resolved by
// lab.Kernel.Modules): the NICs, then the disk controllers.
var qemuModules = []string{"virtio_pci", "virtio_net", "e1000", "virtio_blk", "nvme", "ahci", "sd_mod"}

// vm returns the lab VM for h with the given kernel and initramfs.
func (h qemuHost) vm(kernel, initrd string) *lab.VM {
	extra := []string{"-machine", h.Machine}
	if h.Sockets > 1 {
		extra = append(extra, "-smp", fmt.Sprintf("%d,sockets=%d", h.CPUs, h.Sockets))
	}
	if h.Machine == "pc" {
		// The i440fx machine has no AHCI controller of its own.
		extra = append(extra, "-device", "ahci,id=ahci0")
	}
	for _, d := range h.Disks {
		extra = append(extra,
			"-blockdev", fmt.Sprintf("driver=null-co,node-name=%s,size=%d,read-zeroes=on", d.ID, d.SizeBytes),
			"-device", d.Device+",drive="+d.ID)
	}
	return &lab.VM{
		Kernel: kernel, Initramfs: initrd,
		Append:    h.Append,
		Memory:    h.MemoryMiB,
		CPUs:      h.CPUs,
		SMBIOS:    h.SMBIOS,
		NICs:      h.NICs,
		ExtraArgs: extra,
		Timeout:   180 * time.Second,
	}
}

// commandLine is QEMU's command line for h as the README shows it, with
// the kernel and initramfs as placeholders.
func (h qemuHost) commandLine() string {
	args := h.vm("VMLINUZ", "INITRAMFS.cpio.gz").Args()
	var b strings.Builder
	b.WriteString("qemu-system-x86_64")
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			b.WriteString(" \\\n  ")
		} else {
			b.WriteString(" ")
		}
		if strings.ContainsAny(a, " ,;'\"") || a == "" {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		b.WriteString(a)
	}
	return b.String() + "\n"
}

// TestRegenerateQEMUHost boots every guest of qemuHosts under QEMU (TCG),
// runs `hwagent snapshot --out -` inside it, and unpacks the tarball into
// testdata/hosts/NAME, replacing what was there; the QEMU command line goes
// to testdata/hosts/NAME.qemu.txt. It runs only with -regenerate-qemu.
func TestRegenerateQEMUHost(t *testing.T) {
	if !*regenerateQEMU {
		t.Skip("rewrites testdata/hosts/qemu-*: run with -regenerate-qemu")
	}
	lab.Need(t, lab.QEMU)
	ctx := context.Background()
	g, err := lab.NewGuest(ctx, qemuModules...)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range qemuHosts {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			r, err := g.Initramfs()
			if err != nil {
				t.Fatal(err)
			}
			var waits []string
			for _, d := range h.Disks {
				waits = append(waits, "/sys/block/"+d.Name)
			}
			r.File("/init", []byte(lab.InitScript{
				Modules: g.ModuleNames,
				Net:     []lab.NetConfig{h.Net},
				WaitFor: waits,
				Commands: []lab.Command{{
					Name: "snapshot",
					// Links up, so that the NICs have carrier, speed and duplex.
					Shell: "hostname " + h.Hostname + "; for n in /sys/class/net/eth*; do ip link set ${n##*/} up; done; sleep 3; " +
						"hwagent snapshot --out - --lldp-wait 0 | base64",
				}},
			}.Script()), 0o755)
			initrd := filepath.Join(t.TempDir(), "initramfs.cpio.gz")
			if err := r.WriteFile(initrd); err != nil {
				t.Fatal(err)
			}
			console, err := h.vm(g.Kernel.Vmlinuz, initrd).Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if p := lab.Problems(console); len(p) > 0 {
				t.Fatalf("guest problems: %q", p)
			}
			out, err := lab.CommandOutput(console, "snapshot")
			if err != nil {
				t.Fatal(err)
			}
			if out.ExitCode != 0 {
				t.Fatalf("hwagent snapshot exited %d: %s", out.ExitCode, out.Stderr)
			}
			tgz, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(out.Stdout), ""))
			if err != nil {
				t.Fatalf("snapshot is not base64: %v", err)
			}
			dir := filepath.Join("..", "..", "testdata", "hosts", h.Name)
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := untar(tgz, dir); err != nil {
				t.Fatal(err)
			}
			doc := fmt.Sprintf("# %s: QEMU %s, kernel %s (%s %s), captured %s with hwagent snapshot\n%s",
				h.Name, qemuVersion(), g.Kernel.Release, g.Kernel.Package, g.Kernel.Version, time.Now().UTC().Format("2006-01-02"), h.commandLine())
			if err := os.WriteFile(dir+".qemu.txt", []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("captured %s", dir)
		})
	}
}

// untar unpacks a gzip-compressed tar into dir: directories, regular files
// and symlinks, nothing outside dir.
func untar(tgz []byte, dir string) error {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if name == "." {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("tar entry %q leaves the tree", h.Name)
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(h.Linkname, dst); err != nil {
				return err
			}
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return err
			}
		default:
			return fmt.Errorf("tar entry %q: unexpected type %c", h.Name, h.Typeflag)
		}
	}
}

func qemuVersion() string {
	out, err := exec.Command("qemu-system-x86_64", "--version").Output()
	if err != nil {
		return "version not known: " + err.Error()
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimPrefix(first, "QEMU emulator version ")
}

// TestQEMUHostFacts checks that the golden document of every QEMU guest
// says what its command line set: SMBIOS identity, BIOS, sockets, DIMMs,
// NIC addresses and disk serials, and the boot NIC of the kernel command
// line.
func TestQEMUHostFacts(t *testing.T) {
	t.Parallel()
	for _, h := range qemuHosts {
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			inv := readGolden(t, h.Name)
			for _, f := range h.facts() {
				checkFact(t, inv, f)
			}
		})
	}
}

// facts are what the inventory of h must say.
func (h qemuHost) facts() []fact {
	var macs []string
	for _, n := range h.NICs {
		macs = append(macs, n.MAC)
	}
	var disks []string
	for _, d := range h.Disks {
		disks = append(disks, fmt.Sprintf("%s %s %d %s", d.Name, d.Transport, d.SizeBytes, d.Serial))
	}
	sort.Strings(disks)
	entry := "2.8"
	if h.SMBIOS3 {
		entry = "3.0.0"
	}
	return []fact{
		{"type 1", func(i *inventory.Inventory) any {
			p := i.System.Product
			return []string{p.Manufacturer, p.Name, p.Serial, p.UUID}
		}, []string{h.Manufacturer, h.Product, h.Serial, h.UUID}},
		{"type 2 and 3 serials", func(i *inventory.Inventory) any {
			return []string{i.System.Baseboard.Serial, i.System.Chassis.Serial}
		}, []string{h.BoardSerial, h.ChassisSerial}},
		{"type 0", func(i *inventory.Inventory) any { return []string{i.System.BIOS.Vendor, i.System.BIOS.Version} }, []string{h.BIOSVendor, h.BIOSVersion}},
		{"SMBIOS version of the entry point", func(i *inventory.Inventory) any { return i.System.SMBIOSVersion }, entry},
		{"a QEMU guest is a VM", func(i *inventory.Inventory) any { return i.System.Virtual }, true},
		{"a QEMU guest is a QEMU virtual machine (systemd-detect-virt's word)", func(i *inventory.Inventory) any {
			return [2]string{i.Virtualization.Type, i.Virtualization.Hypervisor}
		}, [2]string{inventory.VirtualizationVirtualMachine, "qemu"}},
		{"identity from the UUID", func(i *inventory.Inventory) any { return [2]string{i.Identity.Basis, i.Identity.SystemUUID} }, [2]string{"system_uuid", h.UUID}},
		{"one type 4 per socket", func(i *inventory.Inventory) any {
			var out []string
			for _, s := range i.CPU.Sockets {
				out = append(out, fmt.Sprintf("%s %d MHz", s.Version, s.MaxSpeedMHz))
			}
			return out
		}, repeat(fmt.Sprintf("%s %d MHz", h.CPUVersion, h.CPUMaxMHz), h.Sockets)},
		{"threads and packages", func(i *inventory.Inventory) any { return [2]int{i.CPU.Packages, i.CPU.LogicalThreads} }, [2]int{h.Sockets, h.CPUs}},
		{"DIMM sizes", moduleSizes, h.DIMMBytes},
		{"DIMM strings", func(i *inventory.Inventory) any {
			m := i.Memory.Modules[0]
			return []string{m.Manufacturer, m.Serial, m.PartNumber}
		}, []string{h.DIMMManufacturer, h.DIMMSerial, h.DIMMPart}},
		{"NIC MACs in PCI order", func(i *inventory.Inventory) any {
			var out []string
			for _, n := range i.Network.Interfaces {
				out = append(out, n.MAC)
			}
			return out
		}, macs},
		{"identity keeps both MACs", func(i *inventory.Inventory) any { return i.Identity.MACs }, macs},
		{"disks: name, transport, size and serial", func(i *inventory.Inventory) any {
			var out []string
			for _, d := range i.Storage.Disks {
				out = append(out, fmt.Sprintf("%s %s %d %s", d.Name, d.Transport, d.SizeBytes, d.Serial))
			}
			return out
		}, disks},
		{"hostname set by /init", func(i *inventory.Inventory) any { return i.Host.Hostname }, h.Hostname},
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
