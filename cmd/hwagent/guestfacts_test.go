//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/storage"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// TestGuestFactsAgainstPeers boots one QEMU guest (TCG) with four virtio
// disks, and there: asks systemd-detect-virt what it runs under, builds an
// md RAID 1 over two disks with mdadm and puts ext4 on it, makes a
// dm-multipath device (dmsetup, the multipath target) over the other two,
// which are two paths to one image, reads the result with blkid, lsblk,
// mdadm --detail and dmsetup info, and runs hwagent dump. The inventory
// must say what the peers say: the hypervisor, the md array (level,
// members, UUID, size), each member's md superblock (blkid's TYPE, UUID,
// LABEL, UUID_SUB), the filesystem on the array, the multipath device
// (name, dm name, UUID, paths, size, lsblk's type mpath), and every disk
// under them in use.
// The guest also has a disk on each bus an install disk is found on — two
// AHCI ports, virtio-scsi (target 1, LUN 3), two NVMe namespaces, an NVMe
// multipath head, SAS (mptsas), USB mass storage — and no udev: every
// disk's by_path, composed from sysfs, must be the links udev would make
// of what `udevadm test-builtin path_id` (Debian 12's udev) says there.
// One boot covers what this machine's kernel cannot do (md, those buses)
// and what only a guest shows (a hypervisor systemd names from inside).
func TestGuestFactsAgainstPeers(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.QEMU, lab.Mdadm, lab.SystemdDetectVirt, lab.DiskTools, lab.Udevadm)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	g, err := lab.NewGuest(ctx, "virtio_pci", "virtio_blk", "md_mod", "raid1", "cpuid", "dm_mod", "dm_multipath", "dm_round_robin",
		"ahci", "sd_mod", "virtio_scsi", "nvme", "mptsas", "xhci_pci", "usb_storage")
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Initramfs()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"systemd-detect-virt", "mdadm", "blkid", "lsblk", "mkfs.ext4", "dmsetup", "udevadm"} {
		if err := r.HostBinary(p); err != nil {
			t.Fatal(err)
		}
	}
	path := func(p string) string { s, _ := lookPath(p); return s }
	r.File("/init", []byte(lab.InitScript{
		Modules: g.ModuleNames,
		WaitFor: []string{"/dev/vda", "/dev/vdb", "/dev/vdc", "/dev/vdd", "/dev/cpu/0/cpuid", "/dev/mapper/control"},
		Commands: []lab.Command{
			// The disks of the other buses: 5 SCSI disks (2 AHCI, virtio-scsi,
			// SAS, USB) and 4 NVMe block devices (2 namespaces, a multipath
			// head and its hidden path).
			{Name: "wait-disks", Shell: "i=0; while { [ $(ls /sys/block | grep -c '^sd') -lt 5 ] || [ $(ls /sys/block | grep -c '^nvme') -lt 4 ]; } && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; ls /sys/block"},
			{Name: "detect-virt", Shell: path("systemd-detect-virt") + " --vm"},
			{Name: "mdadm-create", Shell: "mkdir -p /run/mdadm; " + path("mdadm") + " --create /dev/md0 --run --quiet --level=1 --raid-devices=2 --metadata=1.2 --name=rack1:0 /dev/vda /dev/vdb"},
			{Name: "mkfs", Shell: path("mkfs.ext4") + " -q -L mdroot /dev/md0"},
			{Name: "mdadm-detail", Shell: path("mdadm") + " --detail --export /dev/md0"},
			{Name: "blkid-vda", Shell: path("blkid") + " -p -o export /dev/vda"},
			{Name: "blkid-vdb", Shell: path("blkid") + " -p -o export /dev/vdb"},
			{Name: "blkid-md0", Shell: path("blkid") + " -p -o export /dev/md0"},
			// vdc and vdd are two paths to one LUN (one image file): a
			// dm-multipath device over them, as multipathd would make it.
			{Name: "multipath", Shell: path("dmsetup") + " create --noudevsync mpatha --uuid mpath-36001405deadbeef0000000000000001 --table \"0 $(cat /sys/block/vdc/size) multipath 0 0 1 1 round-robin 0 2 1 /dev/vdc 1000 /dev/vdd 1000\" && " + path("dmsetup") + " mknodes mpatha"},
			{Name: "dmsetup-info", Shell: path("dmsetup") + " info -c --noheadings --separator ' ' -o name,uuid,blkdevname mpatha"},
			{Name: "lsblk", Shell: path("lsblk") + " --json --bytes --output NAME,SIZE,TYPE"},
			{Name: "path-id", Shell: "for d in /sys/block/*; do echo \"DEV=${d##*/}\"; " + path("udevadm") + " test-builtin path_id $d 2>/dev/null; done"},
			{Name: "dump", Shell: "hwagent dump -o json --lldp-wait 0"},
		},
	}.Script()), 0o755)
	dir := t.TempDir()
	initrd := filepath.Join(dir, "initramfs.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	var extra []string
	for i, serial := range []string{"MD-MEMBER-A", "MD-MEMBER-B", "LUN-PATH-1", "LUN-PATH-2"} {
		img := filepath.Join(dir, fmt.Sprintf("d%d.img", min(i, 2)))
		if i < 3 {
			f, err := os.Create(img)
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(64 << 20)
			f.Close()
		}
		extra = append(extra, "-drive", fmt.Sprintf("file=%s,format=raw,if=none,id=d%d,file.locking=off", img, i),
			"-device", fmt.Sprintf("virtio-blk-pci,drive=d%d,serial=%s,share-rw=on", i, serial))
	}
	drive := func(id string) string {
		img := filepath.Join(dir, id+".img")
		if err := os.WriteFile(img, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Truncate(img, 16<<20)
		return fmt.Sprintf("file=%s,format=raw,if=none,id=%s,file.locking=off", img, id)
	}
	extra = append(extra,
		"-device", "ich9-ahci,id=ahci",
		"-drive", drive("ahci0"), "-device", "ide-hd,drive=ahci0,bus=ahci.0,serial=AHCI-PORT-1",
		"-drive", drive("ahci2"), "-device", "ide-hd,drive=ahci2,bus=ahci.2,serial=AHCI-PORT-3",
		"-device", "virtio-scsi-pci,id=vscsi",
		"-drive", drive("vscsi"), "-device", "scsi-hd,drive=vscsi,bus=vscsi.0,scsi-id=1,lun=3,serial=VSCSI-T1-L3",
		"-device", "nvme,id=nvme0,serial=NVME-TWO-NS",
		"-drive", drive("ns1"), "-device", "nvme-ns,drive=ns1,bus=nvme0,nsid=1",
		"-drive", drive("ns2"), "-device", "nvme-ns,drive=ns2,bus=nvme0,nsid=2",
		"-device", "nvme-subsys,id=subsys0,nqn=nqn.2026-12.org.example:hwagent",
		"-device", "nvme,id=nvme1,serial=NVME-MULTIPATH,subsys=subsys0",
		"-drive", drive("mpns"), "-device", "nvme-ns,drive=mpns,bus=nvme1,nsid=1",
		"-device", "mptsas1068,id=sas0",
		"-drive", drive("sas"), "-device", "scsi-hd,drive=sas,bus=sas0.0,serial=SAS-DISK,wwn=0x5000cca02b3c4d5e",
		"-device", "qemu-xhci,id=xhci",
		"-drive", drive("usb"), "-device", "usb-storage,drive=usb,bus=xhci.0,port=2,serial=USB-STICK",
	)
	vm := &lab.VM{Kernel: g.Kernel.Vmlinuz, Initramfs: initrd, ExtraArgs: extra, Timeout: 4 * time.Minute}
	console, err := vm.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := lab.Problems(console); len(p) > 0 {
		t.Fatalf("guest problems: %q", p)
	}
	out := func(name string) string {
		o, err := lab.CommandOutput(console, name)
		if err != nil {
			t.Fatal(err)
		}
		if o.ExitCode != 0 {
			t.Fatalf("%s exited %d: %s%s", name, o.ExitCode, o.Stdout, o.Stderr)
		}
		return o.Stdout
	}
	var inv inventory.Inventory
	if err := json.Unmarshal([]byte(out("dump")), &inv); err != nil {
		t.Fatalf("dump: %v", err)
	}

	// Virtualization: systemd-detect-virt's answer, named the same way.
	want := strings.TrimSpace(out("detect-virt"))
	if v := inv.Virtualization; v == nil || v.Hypervisor != want || !v.IsVirtual() {
		t.Errorf("virtualization %+v, systemd-detect-virt --vm says %q", inv.Virtualization, want)
	}
	t.Logf("systemd-detect-virt --vm in the guest: %s; hwagent: %+v", want, inv.Virtualization)

	// The array as mdadm, lsblk and blkid see it.
	detail := exportVars(out("mdadm-detail"))
	var lb struct{ BlockDevices []lsblkDev }
	if err := json.Unmarshal([]byte(out("lsblk")), &lb); err != nil {
		t.Fatal(err)
	}
	var mdSize uint64
	var walk func([]lsblkDev)
	var mpName, mpType string
	var mpSize uint64
	walk = func(ds []lsblkDev) {
		for _, d := range ds {
			if d.Name == "md0" && d.Type == "raid1" {
				mdSize = d.Size
			}
			if d.Name == "mpatha" || strings.HasPrefix(d.Name, "dm-") {
				mpName, mpType, mpSize = d.Name, d.Type, d.Size
			}
			walk(d.Children)
		}
	}
	walk(lb.BlockDevices) // lsblk shows md0 under each member
	members := map[string]map[string]string{"vda": exportVars(out("blkid-vda")), "vdb": exportVars(out("blkid-vdb"))}
	md0 := exportVars(out("blkid-md0"))
	if inv.Storage == nil || len(inv.Storage.Arrays) != 2 {
		t.Fatalf("arrays: %+v", inv.Storage)
	}
	a, mp := inv.Storage.Arrays[0], inv.Storage.Arrays[1]
	if a.Kind != "md" {
		a, mp = mp, a
	}
	gotArray := fmt.Sprintf("%s %s %s %v %d %s", a.Name, a.Kind, a.Level, a.Members, a.SizeBytes, a.UUID)
	wantArray := fmt.Sprintf("md0 md %s [vda vdb] %d %s", detail["MD_LEVEL"], mdSize, members["vda"]["UUID"])
	if gotArray != wantArray {
		t.Errorf("array %q, peers say %q (mdadm MD_UUID %s)", gotArray, wantArray, detail["MD_UUID"])
	}
	if strings.ReplaceAll(detail["MD_UUID"], ":", "") != strings.ReplaceAll(a.UUID, "-", "") {
		t.Errorf("array UUID %s, mdadm says %s", a.UUID, detail["MD_UUID"])
	}
	if len(a.Signatures) != 1 || a.Signatures[0].Type != md0["TYPE"] || a.Signatures[0].UUID != md0["UUID"] || a.Signatures[0].Label != "mdroot" {
		t.Errorf("md0 signatures %+v, blkid says %v", a.Signatures, md0)
	}
	// The multipath device as dmsetup and lsblk see it.
	info := strings.Fields(out("dmsetup-info")) // name uuid blkdevname
	if len(info) != 3 {
		t.Fatalf("dmsetup info: %q", info)
	}
	gotMP := fmt.Sprintf("%s %s %s %s %v %d", mp.Name, mp.Kind, mp.DMName, mp.UUID, mp.Members, mp.SizeBytes)
	wantMP := fmt.Sprintf("%s multipath %s %s [vdc vdd] %d", info[2], info[0], strings.TrimPrefix(info[1], "mpath-"), mpSize)
	if gotMP != wantMP || mpType != "mpath" {
		t.Errorf("multipath %q (path %s), dmsetup and lsblk say %q (lsblk %s type %q)\n%s", gotMP, mp.Path, wantMP, mpName, mpType, out("lsblk"))
	}
	for _, d := range inv.Storage.Disks {
		if d.Name == "vdc" || d.Name == "vdd" {
			if !d.InUse || !slices.Contains(d.Holders, info[2]) {
				t.Errorf("%s: a multipath path, in use %v, holders %v", d.Name, d.InUse, d.Holders)
			}
		}
		b := members[d.Name]
		if b == nil {
			continue
		}
		if len(d.Signatures) != 1 {
			t.Errorf("%s: signatures %+v, blkid says %v", d.Name, d.Signatures, b)
			continue
		}
		s := d.Signatures[0]
		got := []string{s.Type, s.Usage, s.UUID, s.Label, s.Version}
		wantSig := []string{b["TYPE"], b["USAGE"], b["UUID"], b["LABEL"], b["VERSION"]}
		if !slices.Equal(got, wantSig) {
			t.Errorf("%s: signature %q, blkid says %q", d.Name, got, wantSig)
		}
		if !d.InUse || !slices.Contains(d.Holders, "md0") {
			t.Errorf("%s: in use %v, holders %v", d.Name, d.InUse, d.Holders)
		}
	}

	checkByPath(t, inv.Storage.Disks, out("path-id"))
	exportByPath(t, &inv)
}

// exportByPath: on this machine without udev, Ironic's by_path hint picks
// the SAS disk (its contents read empty) as hardware.csv's install disk.
// The guest has no NIC: the export is given one with link.
func exportByPath(t *testing.T, inv *inventory.Inventory) {
	t.Helper()
	var sas inventory.Disk
	for _, d := range inv.Storage.Disks {
		if strings.Contains(strings.Join(d.ByPath, " "), "-sas-") {
			sas = d
		}
	}
	if len(sas.ByPath) != 1 || sas.InUse {
		t.Fatalf("SAS disk %+v: want one by-path link and nothing on it", sas)
	}
	inv.Network = &inventory.Network{Interfaces: []inventory.NIC{{Name: "eth0", Kind: inventory.NICPhysical, MAC: "52:54:00:12:34:56", Carrier: true}}}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "guest.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, "export", "hardware-csv", "--cidr", "10.10.10.0/24", "--gateway", "10.10.10.1", "--nameservers", "10.10.10.2",
		"--bmc", "omit", "--root-device", "by_path="+sas.ByPath[0], file)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	rows := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(rows) != 2 || !strings.HasSuffix(rows[1], ","+sas.Path) {
		t.Errorf("root_device {by_path: %s}: hardware.csv\n%s\nwant the install disk %s", sas.ByPath[0], stdout, sas.Path)
	}
}

// checkByPath compares each disk's by_path with the links udev makes of
// what `udevadm test-builtin path_id` said in the guest (DEV=name lines,
// each followed by its properties), and wants a disk on every bus.
func checkByPath(t *testing.T, disks []inventory.Disk, udevadm string) {
	t.Helper()
	ids := map[string]*storage.PathID{}
	var cur *storage.PathID
	for _, line := range strings.Split(udevadm, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case "DEV":
			cur = &storage.PathID{}
			ids[v] = cur
		case "ID_PATH":
			cur.Path = v
		case "ID_PATH_ATA_COMPAT":
			cur.ATACompat = v
		}
	}
	buses := map[string]int{}
	for _, d := range disks {
		id := ids[d.Name]
		if id == nil {
			t.Errorf("%s: udevadm was not asked", d.Name)
			continue
		}
		want := storage.ByPathLinks(d.Name, *id)
		if !slices.Equal(d.ByPath, want) || (want != nil && d.ByPathSource != storage.ByPathSysfs) {
			t.Errorf("%s: by_path %q (from %s), udevadm test-builtin path_id says %+v: links %q", d.Name, d.ByPath, d.ByPathSource, *id, want)
		}
		for _, bus := range []string{"-ata-", "-scsi-", "-nvme-", "-sas-", "-usb-", "virtio-pci-"} {
			if strings.Contains(strings.Join(want, " "), bus) {
				buses[bus]++
			}
		}
		t.Logf("%s: %s (udevadm: %+v)", d.Name, strings.Join(d.ByPath, " "), *id)
	}
	wantBuses := map[string]int{"-ata-": 2, "-scsi-": 2, "-nvme-": 3, "-sas-": 1, "-usb-": 1, "virtio-pci-": 4}
	if diff := cmp.Diff(wantBuses, buses); diff != "" {
		t.Errorf("disks with a by-path on each bus (-want +got):\n%s", diff)
	}
}

// exportVars parses KEY=VALUE lines (blkid -o export, mdadm --export).
func exportVars(s string) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok {
			m[k] = strings.ReplaceAll(v, `\ `, " ")
		}
	}
	return m
}

// lookPath resolves a program to the real path HostBinary puts it at.
func lookPath(p string) (string, error) {
	path, err := exec.LookPath(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(path)
}

type lsblkDev struct {
	Name     string
	Size     uint64
	Type     string
	Children []lsblkDev
}
