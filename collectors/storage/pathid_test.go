package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/testutil"
)

// sysfs builds a sysfs tree laid out as the kernel lays it out: device
// directories with a uevent file (DEVTYPE) and a subsystem link, glue
// directories without either, class entries linking to class devices.
type sysfs tree

// classes are the subsystems that are classes (/sys/class); the others
// are buses (/sys/bus).
var classes = map[string]bool{
	"block": true, "nvme": true, "nvme-subsystem": true, "ata_port": true, "sas_device": true, "sas_port": true,
	"fc_transport": true, "iscsi_session": true, "iscsi_connection": true, "mmc_host": true, "scsi_host": true,
}

// dev makes dir (relative to /sys) a device of subsystem ("" for none)
// and devtype ("" for none).
func (s sysfs) dev(dir, subsystem, devtype string, attrs ...string) {
	uevent := ""
	if devtype != "" {
		uevent = "DEVTYPE=" + devtype + "\n"
	}
	if subsystem == "block" {
		uevent = "MAJOR=8\nMINOR=0\nDEVNAME=" + filepath.Base(dir) + "\n" + uevent
	}
	s["sys/"+dir+"/uevent"] = uevent
	if subsystem != "" {
		kind := "bus"
		if classes[subsystem] {
			kind = "class"
		}
		s["sys/"+dir+"/subsystem"] = "->" + strings.Repeat("../", strings.Count(dir, "/")+1) + kind + "/" + subsystem
		s["sys/"+kind+"/"+subsystem+"/"] = ""
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		s["sys/"+dir+"/"+attrs[i]] = attrs[i+1] + "\n"
	}
}

// class adds the class device SUBSYSTEM/SYSNAME of the device at parent
// (parent/SUBSYSTEM/SYSNAME, linked from /sys/class) with attributes.
func (s sysfs) class(subsystem, sysname, parent string, attrs ...string) {
	dir := parent + "/" + subsystem + "/" + sysname
	s.dev(dir, subsystem, "", attrs...)
	s.classLink(subsystem, sysname, dir)
}

// classLink links /sys/class/SUBSYSTEM/SYSNAME to a device directory.
func (s sysfs) classLink(subsystem, sysname, dir string) {
	s["sys/class/"+subsystem+"/"+sysname] = "->../../" + dir
}

// devices makes each dir of a path a device: "pci0000:00" none,
// then each element given with its subsystem and devtype.
func (s sysfs) devices(base string, elems ...[3]string) string {
	dir := base
	for _, e := range elems {
		dir += "/" + e[0]
		if e[1] == "" && e[2] == "glue" {
			continue // a glue directory: neither uevent nor subsystem
		}
		s.dev(dir, e[1], e[2])
	}
	return dir
}

// scsiDisk adds host, target, device and block disk under parent for
// H:C:T:L and returns the disk's device path.
func (s sysfs) scsiDisk(parent, hctl, name string) string {
	f := strings.Split(hctl, ":")
	return s.devices(parent,
		[3]string{"host" + f[0], "scsi", "scsi_host"},
		[3]string{"target" + f[0] + ":" + f[1] + ":" + f[2], "scsi", "scsi_target"},
		[3]string{hctl, "scsi", "scsi_device"},
		[3]string{"block", "", "glue"},
		[3]string{name, "block", "disk"})
}

func pciRoot(s sysfs, fns ...string) string {
	s.dev("devices/pci0000:00", "", "")
	dir := "devices/pci0000:00"
	for _, fn := range fns {
		dir += "/" + fn
		s.dev(dir, "pci", "")
	}
	return dir
}

// pathIDCase is a disk's sysfs and the PathID udev's path_id gives it
// (`udevadm test-builtin path_id` of Debian 12's udev 252, which
// TestPathIDAgainstUdevadm asks again on every run).
type pathIDCase struct {
	name  string
	build func(s sysfs) (devPath string)
	want  PathID // zero: no ID_PATH
}

var pathIDCases = []pathIDCase{
	{name: "AHCI port 1 (the TCG guest's ich9-ahci)", build: func(s sysfs) string {
		ata := pciRoot(s, "0000:00:04.0") + "/ata1"
		s.dev(ata, "", "")
		s.class("ata_port", "ata1", ata, "port_no", "1")
		return s.scsiDisk(ata, "0:0:0:0", "sda")
	}, want: PathID{"pci-0000:00:04.0-ata-1.0", "pci-0000:00:04.0-ata-1"}},
	{name: "AHCI port 3: the ata_port's port_no, not the host number", build: func(s sysfs) string {
		ata := pciRoot(s, "0000:00:04.0") + "/ata3"
		s.dev(ata, "", "")
		s.class("ata_port", "ata3", ata, "port_no", "3")
		return s.scsiDisk(ata, "2:0:0:0", "sdb")
	}, want: PathID{"pci-0000:00:04.0-ata-3.0", "pci-0000:00:04.0-ata-3"}},
	{name: "SATA behind a port multiplier (bus 2)", build: func(s sysfs) string {
		ata := pciRoot(s, "0000:00:17.0") + "/ata1"
		s.dev(ata, "", "")
		s.class("ata_port", "ata1", ata, "port_no", "1")
		return s.scsiDisk(ata, "0:2:0:0", "sdc")
	}, want: PathID{"pci-0000:00:17.0-ata-1.2.0", "pci-0000:00:17.0-ata-1"}},
	{name: "IDE slave (ata_piix, target 1)", build: func(s sysfs) string {
		ata := pciRoot(s, "0000:00:01.1") + "/ata2"
		s.dev(ata, "", "")
		s.class("ata_port", "ata2", ata, "port_no", "2")
		return s.scsiDisk(ata, "1:0:1:0", "sdb")
	}, want: PathID{"pci-0000:00:01.1-ata-2.1", "pci-0000:00:01.1-ata-2"}},
	{name: "AHCI on a platform bus (arm64 SoC)", build: func(s sysfs) string {
		s.dev("devices/platform", "", "")
		s.dev("devices/platform/soc", "platform", "")
		s.dev("devices/platform/soc/fe200000.sata", "platform", "")
		ata := "devices/platform/soc/fe200000.sata/ata1"
		s.dev(ata, "", "")
		s.class("ata_port", "ata1", ata, "port_no", "1")
		return s.scsiDisk(ata, "0:0:0:0", "sda")
	}, want: PathID{"platform-fe200000.sata-ata-1.0", "platform-fe200000.sata-ata-1"}},
	{name: "virtio-blk", build: func(s sysfs) string {
		return s.devices(pciRoot(s, "0000:00:03.0"), [3]string{"virtio0", "virtio", ""}, [3]string{"block", "", "glue"}, [3]string{"vda", "block", "disk"})
	}, want: PathID{Path: "pci-0000:00:03.0"}},
	{name: "virtio-scsi target 1 LUN 3 (host rebased to 0)", build: func(s sysfs) string {
		v := s.devices(pciRoot(s, "0000:00:05.0"), [3]string{"virtio1", "virtio", ""})
		return s.scsiDisk(v, "6:0:1:3", "sdc")
	}, want: PathID{Path: "pci-0000:00:05.0-scsi-0:0:1:3"}},
	{name: "RAID HBA with two hosts on one function: the second is scsi-1", build: func(s sysfs) string {
		fn := pciRoot(s, "0000:00:02.0", "0000:03:00.0")
		s.scsiDisk(fn, "2:2:0:0", "sda")
		return s.scsiDisk(fn, "3:2:0:0", "sdb")
	}, want: PathID{Path: "pci-0000:03:00.0-scsi-1:2:0:0"}},
	{name: "USB mass storage on xHCI port 2", build: func(s sysfs) string {
		u := s.devices(pciRoot(s, "0000:00:09.0"), [3]string{"usb2", "usb", "usb_device"}, [3]string{"2-2", "usb", "usb_device"}, [3]string{"2-2:1.0", "usb", "usb_interface"})
		return s.scsiDisk(u, "8:0:0:0", "sdd")
	}, want: PathID{Path: "pci-0000:00:09.0-usb-0:2:1.0-scsi-0:0:0:0"}},
	{name: "USB behind a hub", build: func(s sysfs) string {
		u := s.devices(pciRoot(s, "0000:00:14.0"), [3]string{"usb1", "usb", "usb_device"}, [3]string{"1-1", "usb", "usb_device"},
			[3]string{"1-1.4", "usb", "usb_device"}, [3]string{"1-1.4:1.0", "usb", "usb_interface"})
		return s.scsiDisk(u, "9:0:0:0", "sde")
	}, want: PathID{Path: "pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0"}},
	{name: "NVMe namespace 2", build: func(s sysfs) string {
		fn := pciRoot(s, "0000:00:1d.0", "0000:3c:00.0")
		ctrl := s.devices(fn, [3]string{"nvme", "", "glue"}, [3]string{"nvme0", "nvme", ""})
		s.classLink("nvme", "nvme0", ctrl)
		d := s.devices(ctrl, [3]string{"nvme0n2", "block", "disk"})
		s["sys/"+d+"/nsid"] = "2\n"
		return d
	}, want: PathID{Path: "pci-0000:3c:00.0-nvme-2"}},
	{name: "NVMe multipath head: named by its controller's PCI function", build: func(s sysfs) string {
		fn := pciRoot(s, "0000:00:07.0")
		ctrl := s.devices(fn, [3]string{"nvme", "", "glue"}, [3]string{"nvme1", "nvme", ""})
		s.classLink("nvme", "nvme1", ctrl)
		s.dev("devices/virtual/nvme-subsystem/nvme-subsys1", "nvme-subsystem", "")
		d := "devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1"
		s.dev(d, "block", "disk", "nsid", "1")
		return d
	}, want: PathID{Path: "pci-0000:00:07.0-nvme-1"}},
	{name: "NVMe over fabrics head: no predictable path", build: func(s sysfs) string {
		s.dev("devices/virtual/nvme-fabrics/ctl", "", "")
		s.dev("devices/virtual/nvme-fabrics/ctl/nvme2", "nvme", "")
		s.classLink("nvme", "nvme2", "devices/virtual/nvme-fabrics/ctl/nvme2")
		s.dev("devices/virtual/nvme-subsystem/nvme-subsys2", "nvme-subsystem", "")
		d := "devices/virtual/nvme-subsystem/nvme-subsys2/nvme2n1"
		s.dev(d, "block", "disk", "nsid", "1")
		return d
	}},
	{name: "SAS disk on a port of one phy", build: func(s sysfs) string {
		host := s.devices(pciRoot(s, "0000:00:03.0", "0000:18:00.0"), [3]string{"host0", "scsi", "scsi_host"})
		port := s.devices(host, [3]string{"port-0:0", "", ""})
		s.class("sas_port", "port-0:0", port, "num_phys", "1")
		end := s.devices(port, [3]string{"end_device-0:0", "", ""})
		s.class("sas_device", "end_device-0:0", end, "phy_identifier", "3", "sas_address", "0x5000c500a1b2c3d4")
		t := s.devices(end, [3]string{"target0:0:0", "scsi", "scsi_target"})
		return s.devices(t, [3]string{"0:0:0:0", "scsi", "scsi_device"}, [3]string{"block", "", "glue"}, [3]string{"sda", "block", "disk"})
	}, want: PathID{Path: "pci-0000:18:00.0-sas-phy3-lun-0"}},
	{name: "SAS disk behind an expander", build: func(s sysfs) string {
		host := s.devices(pciRoot(s, "0000:00:03.0", "0000:18:00.0"), [3]string{"host0", "scsi", "scsi_host"})
		p0 := s.devices(host, [3]string{"port-0:0", "", ""})
		s.class("sas_port", "port-0:0", p0, "num_phys", "4")
		exp := s.devices(p0, [3]string{"expander-0:0", "", ""})
		s.class("sas_device", "expander-0:0", exp, "sas_address", "0x500056b36789abff", "phy_identifier", "0")
		p1 := s.devices(exp, [3]string{"port-0:0:5", "", ""})
		s.class("sas_port", "port-0:0:5", p1, "num_phys", "1")
		end := s.devices(p1, [3]string{"end_device-0:0:5", "", ""})
		s.class("sas_device", "end_device-0:0:5", end, "phy_identifier", "5", "sas_address", "0x5000c500a1b2c3d5")
		t := s.devices(end, [3]string{"target0:0:5", "scsi", "scsi_target"})
		return s.devices(t, [3]string{"0:0:5:0", "scsi", "scsi_device"}, [3]string{"block", "", "glue"}, [3]string{"sdf", "block", "disk"})
	}, want: PathID{Path: "pci-0000:18:00.0-sas-exp0x500056b36789abff-phy5-lun-0"}},
	{name: "SAS wide port, LUN 16384", build: func(s sysfs) string {
		host := s.devices(pciRoot(s, "0000:18:00.0"), [3]string{"host0", "scsi", "scsi_host"})
		port := s.devices(host, [3]string{"port-0:1", "", ""})
		s.class("sas_port", "port-0:1", port, "num_phys", "4")
		end := s.devices(port, [3]string{"end_device-0:1", "", ""})
		s.class("sas_device", "end_device-0:1", end, "phy_identifier", "4", "sas_address", "0x50060e8007e2f010")
		t := s.devices(end, [3]string{"target0:0:1", "scsi", "scsi_target"})
		return s.devices(t, [3]string{"0:0:1:16384", "scsi", "scsi_device"}, [3]string{"block", "", "glue"}, [3]string{"sdg", "block", "disk"})
	}, want: PathID{Path: "pci-0000:18:00.0-sas-0x50060e8007e2f010-lun-0x4000000000000000"}},
	{name: "Fibre Channel remote port, LUN 1", build: func(s sysfs) string {
		host := s.devices(pciRoot(s, "0000:5e:00.0"), [3]string{"host1", "scsi", "scsi_host"})
		rport := s.devices(host, [3]string{"rport-1:0-0", "", ""})
		t := s.devices(rport, [3]string{"target1:0:0", "scsi", "scsi_target"})
		s.class("fc_transport", "target1:0:0", t, "port_name", "0x500507680b2155a4")
		return s.devices(t, [3]string{"1:0:0:1", "scsi", "scsi_device"}, [3]string{"block", "", "glue"}, [3]string{"sdh", "block", "disk"})
	}, want: PathID{Path: "pci-0000:5e:00.0-fc-0x500507680b2155a4-lun-1"}},
	{name: "iSCSI session", build: func(s sysfs) string {
		s.dev("devices/platform", "", "")
		host := s.devices("devices/platform", [3]string{"host3", "scsi", "scsi_host"})
		session := s.devices(host, [3]string{"session1", "", ""})
		s.class("iscsi_session", "session1", session, "targetname", "iqn.2003-01.org.example:disk1")
		conn := s.devices(session, [3]string{"connection1:0", "", ""})
		s.class("iscsi_connection", "connection1:0", conn, "persistent_address", "192.0.2.10", "persistent_port", "3260")
		t := s.devices(session, [3]string{"target3:0:0", "scsi", "scsi_target"})
		return s.devices(t, [3]string{"3:0:0:0", "scsi", "scsi_device"}, [3]string{"block", "", "glue"}, [3]string{"sdi", "block", "disk"})
	}, want: PathID{Path: "ip-192.0.2.10:3260-iscsi-iqn.2003-01.org.example:disk1-lun-0"}},
	{name: "Hyper-V storvsc", build: func(s sysfs) string {
		acpi := s.devices("devices", [3]string{"LNXSYSTM:00", "acpi", ""}, [3]string{"LNXSYBUS:00", "acpi", ""},
			[3]string{"ACPI0004:00", "acpi", ""}, [3]string{"VMBUS:00", "acpi", ""})
		vm := s.devices(acpi, [3]string{"f8b3781b-1e82-4818-a1c3-63d806ec15bb", "vmbus", ""})
		s["sys/"+vm+"/device_id"] = "{f8b3781b-1e82-4818-a1c3-63d806ec15bb}\n"
		return s.scsiDisk(vm, "0:0:0:0", "sda")
	}, want: PathID{Path: "acpi-VMBUS:00-vmbus-f8b3781b1e824818a1c363d806ec15bb-lun-0"}},
	{name: "eMMC on a platform bus", build: func(s sysfs) string {
		s.dev("devices/platform", "", "")
		return s.devices("devices/platform", [3]string{"fe340000.mmc", "platform", ""}, [3]string{"mmc_host", "", "glue"},
			[3]string{"mmc0", "mmc_host", ""}, [3]string{"mmc0:0001", "mmc", ""}, [3]string{"block", "", "glue"}, [3]string{"mmcblk0", "block", "disk"})
	}, want: PathID{Path: "platform-fe340000.mmc"}},
	{name: "Xen virtual block device: a parent, but no transport udev knows", build: func(s sysfs) string {
		return s.devices("devices", [3]string{"vbd-51712", "xen", ""}, [3]string{"block", "", "glue"}, [3]string{"xvda", "block", "disk"})
	}},
	{name: "SCSI host on an unknown bus: no ID_PATH", build: func(s sysfs) string {
		s.dev("devices/soc0", "", "")
		host := s.devices("devices/soc0", [3]string{"10000000.scsi", "amba", ""})
		return s.scsiDisk(host, "0:0:0:0", "sda")
	}},
	{name: "an ATA port without port_no: no ID_PATH", build: func(s sysfs) string {
		ata := pciRoot(s, "0000:00:1f.2") + "/ata1"
		s.dev(ata, "", "")
		return s.scsiDisk(ata, "0:0:0:0", "sda")
	}},
	{name: "virtio-blk on MMIO (no PCI): no supported parent", build: func(s sysfs) string {
		s.dev("devices/platform", "", "")
		return s.devices("devices", [3]string{"virtio-mmio.0", "", ""}, [3]string{"virtio0", "virtio", ""}, [3]string{"block", "", "glue"}, [3]string{"vda", "block", "disk"})
	}},
}

func (c pathIDCase) tree(t *testing.T) (root, devPath string) {
	t.Helper()
	s := sysfs{}
	devPath = c.build(s)
	root = t.TempDir()
	testutil.WriteTree(t, root, s)
	return root, devPath
}

func computePathID(t *testing.T, root, devPath string) (PathID, []string) {
	t.Helper()
	var w collector.Warnings
	id, _ := ComputePathID(reader{p: hostpaths.New(root, nil), w: &w}, devPath)
	var warns []string
	if err := w.Err(); err != nil {
		warns = append(warns, err.Error())
	}
	return id, warns
}

// TestPathID: each bus's name as udev 252's path_id composes it.
func TestPathID(t *testing.T) {
	t.Parallel()
	for _, c := range pathIDCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root, devPath := c.tree(t)
			got, warns := computePathID(t, root, devPath)
			if diff := cmp.Diff(c.want, got); diff != "" || warns != nil {
				t.Errorf("%s (-want +got):\n%s\nwarnings %q", devPath, diff, warns)
			}
		})
	}
}

// udevPathID runs Debian's `udevadm test-builtin path_id` on the device at
// devPath of the sysfs tree under root, bound on /sys in a mount namespace
// of its own (SYSTEMD_DEVICE_VERIFY_SYSFS=0 lets sd-device read a tree
// that is not a sysfs mount). ok is false when udev sets no ID_PATH.
func udevPathID(t *testing.T, sysDir, devPath string) (PathID, bool) {
	t.Helper()
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /sys && exec udevadm test-builtin path_id "/sys/$2"`, "sh", sysDir, devPath)
	cmd.Env = append(os.Environ(), "SYSTEMD_DEVICE_VERIFY_SYSFS=0", "SYSTEMD_LOG_LEVEL=err")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() == 1 && len(out) == 0 {
		return PathID{}, false
	}
	if err != nil {
		t.Fatalf("udevadm test-builtin path_id %s: %v\n%s", devPath, err, stderr.String())
	}
	var id PathID
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "ID_PATH":
			id.Path = v
		case "ID_PATH_ATA_COMPAT":
			id.ATACompat = v
		}
	}
	return id, true
}

// TestPathIDAgainstUdevadm asks udev itself about every tree of TestPathID:
// its path_id builtin, run over the tree bound on /sys, must compose what
// hwagent composes and what TestPathID expects.
func TestPathIDAgainstUdevadm(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Udevadm)
	for _, c := range pathIDCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root, devPath := c.tree(t)
			udev, _ := udevPathID(t, filepath.Join(root, "sys"), devPath)
			if diff := cmp.Diff(c.want, udev); diff != "" {
				t.Errorf("udevadm test-builtin path_id /sys/%s (-case +udevadm):\n%s", devPath, diff)
			}
			if got, _ := computePathID(t, root, devPath); got != udev {
				t.Errorf("hwagent %+v, udevadm %+v", got, udev)
			}
		})
	}
}

// TestPathIDThisMachine: every disk of the machine the tests run on (its
// real sysfs) gets the ID_PATH udevadm gives it.
func TestPathIDThisMachine(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Udevadm)
	p := hostpaths.New("/", nil)
	ents, err := p.ReadDir(p.Sys("block"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		b, err := resolve(p, e.Name())
		if err != nil || b.isVirtual() || !hasPersistentLinks(e.Name()) {
			continue
		}
		out, err := exec.Command("udevadm", "test-builtin", "path_id", "/sys/block/"+e.Name()).Output()
		var want PathID
		if err == nil {
			for _, line := range strings.Split(string(out), "\n") {
				if v, ok := strings.CutPrefix(line, "ID_PATH="); ok {
					want.Path = v
				}
				if v, ok := strings.CutPrefix(line, "ID_PATH_ATA_COMPAT="); ok {
					want.ATACompat = v
				}
			}
		}
		var w collector.Warnings
		got, _ := ComputePathID(reader{p: p, w: &w}, b.devPath)
		if got != want {
			t.Errorf("%s: hwagent %+v, udevadm %+v", e.Name(), got, want)
		}
		t.Logf("%s: %s", e.Name(), fmt.Sprint(got))
		n++
	}
	if n == 0 {
		t.Log("no disk with a device path on this machine")
	}
}

// TestByPathLinks: the links 60-persistent-storage.rules makes of a disk's
// ID_PATH, checked against the rules Debian installs.
func TestByPathLinks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		id   PathID
		want []string
	}{
		{"vda", PathID{Path: "pci-0000:00:03.0"}, []string{"/dev/disk/by-path/pci-0000:00:03.0", "/dev/disk/by-path/virtio-pci-0000:00:03.0"}},
		{"sda", PathID{"pci-0000:00:1f.2-ata-1.0", "pci-0000:00:1f.2-ata-1"}, []string{"/dev/disk/by-path/pci-0000:00:1f.2-ata-1", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0"}},
		{"nvme0n1", PathID{Path: "pci-0000:04:00.0-nvme-1"}, []string{"/dev/disk/by-path/pci-0000:04:00.0-nvme-1"}},
		{"mmcblk0boot1", PathID{Path: "platform-fe340000.mmc"}, []string{"/dev/disk/by-path/platform-fe340000.mmc-boot1"}},
		{"mmcblk0", PathID{Path: "platform-fe340000.mmc"}, []string{"/dev/disk/by-path/platform-fe340000.mmc"}},
		{"vdb", PathID{Path: "xen-vbd-51712"}, []string{"/dev/disk/by-path/xen-vbd-51712"}},
		{"sdb", PathID{}, nil},
	} {
		if diff := cmp.Diff(tc.want, ByPathLinks(tc.name, tc.id)); diff != "" {
			t.Errorf("%s %+v (-want +got):\n%s", tc.name, tc.id, diff)
		}
	}
	for _, name := range []string{"sda", "nvme0n1", "vda", "xvda", "mmcblk0", "mmcblk1boot0", "dasda", "pmem0"} {
		if !hasPersistentLinks(name) {
			t.Errorf("%s: no by-path links, the rules give it some", name)
		}
	}
	for _, name := range []string{"rbd0", "hda", "mmcblk0rpmb", "zram0", "md0"} {
		if hasPersistentLinks(name) {
			t.Errorf("%s: by-path links, the rules give it none", name)
		}
	}

	// The rules hwagent follows are the ones Debian's udev installs.
	lab.Need(t, lab.Udevadm)
	rules, err := os.ReadFile("/lib/udev/rules.d/60-persistent-storage.rules")
	if err != nil {
		t.Fatal(err)
	}
	var byPath []string
	for _, line := range strings.Split(string(rules), "\n") {
		if strings.Contains(line, "SYMLINK+=\"disk/by-path/") || strings.HasPrefix(line, "KERNEL!=\"loop*") {
			byPath = append(byPath, line)
		}
	}
	want := []string{
		`KERNEL!="loop*|mmcblk*[0-9]|msblk*[0-9]|mspblk*[0-9]|nvme*|sd*|sr*|vd*|xvd*|bcache*|cciss*|dasd*|ubd*|ubi*|scm*|pmem*|nbd*|zd*", GOTO="persistent_storage_end"`,
		`KERNEL=="mmcblk[0-9]boot[0-9]", ENV{DEVTYPE}=="disk", ENV{ID_PATH}=="?*", SYMLINK+="disk/by-path/$env{ID_PATH}-boot%n"`,
		`KERNEL!="mmcblk[0-9]boot[0-9]", ENV{DEVTYPE}=="disk", ENV{ID_PATH}=="?*", SYMLINK+="disk/by-path/$env{ID_PATH}"`,
		`ENV{DEVTYPE}=="partition", ENV{ID_PATH}=="?*", SYMLINK+="disk/by-path/$env{ID_PATH}-part%n"`,
		`KERNEL!="mmcblk[0-9]boot[0-9]", ENV{DEVTYPE}=="disk", ENV{ID_PATH_ATA_COMPAT}=="?*", SYMLINK+="disk/by-path/$env{ID_PATH_ATA_COMPAT}"`,
		`ENV{DEVTYPE}=="partition", ENV{ID_PATH_ATA_COMPAT}=="?*", SYMLINK+="disk/by-path/$env{ID_PATH_ATA_COMPAT}-part%n"`,
		`KERNEL=="vd*[!0-9]", ENV{ID_PATH}=="pci-*", SYMLINK+="disk/by-path/virtio-$env{ID_PATH}"`,
		`KERNEL=="vd*[0-9]", ENV{ID_PATH}=="pci-*", SYMLINK+="disk/by-path/virtio-$env{ID_PATH}-part%n"`,
	}
	if diff := cmp.Diff(want, byPath); diff != "" {
		t.Errorf("60-persistent-storage.rules' by-path rules changed (-followed +installed):\n%s", diff)
	}
}

// TestPathIDHostileTrees: sysfs trees no kernel makes end the walk with
// no ID_PATH, in time: an NVMe controller that claims to be an NVMe
// subsystem again (the walk would jump back to it for ever), a path deeper
// than any disk's.
func TestPathIDHostileTrees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		build func(s sysfs) string
	}{
		{"NVMe controller under another NVMe subsystem", func(s sysfs) string {
			fn := pciRoot(s, "0000:00:07.0")
			s.dev(fn+"/loop", "nvme-subsystem", "")
			ctrl := s.devices(fn+"/loop", [3]string{"nvme", "", "glue"}, [3]string{"nvme1", "nvme", ""})
			s.classLink("nvme", "nvme1", ctrl)
			s.dev("devices/virtual/nvme-subsystem/nvme-subsys1", "nvme-subsystem", "")
			d := "devices/virtual/nvme-subsystem/nvme-subsys1/nvme1n1"
			s.dev(d, "block", "disk", "nsid", "1")
			return d
		}},
		{"a device path 70 directories deep", func(s sysfs) string {
			dir := pciRoot(s, "0000:00:03.0")
			for i := range 70 {
				dir += fmt.Sprintf("/d%d", i)
				s.dev(dir, "virtio", "")
			}
			return s.devices(dir, [3]string{"vda", "block", "disk"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sysfs{}
			devPath := tc.build(s)
			root := t.TempDir()
			testutil.WriteTree(t, root, s)
			done := make(chan PathID, 1)
			go func() {
				id, _ := computePathID(t, root, devPath)
				done <- id
			}()
			select {
			case id := <-done:
				if id != (PathID{}) {
					t.Errorf("ID_PATH %+v from a tree no kernel makes", id)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("the walk did not end")
			}
		})
	}
}
