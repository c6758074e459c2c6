package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// tree is a host tree for testutil.WriteTree: path → file content, or
// "->target" for a symlink.
type tree map[string]string

// disk adds /sys/block/NAME → devPath (relative to /sys) with attributes
// relative to the block device's directory.
func (tr tree) disk(name, devPath string, attrs map[string]string) tree {
	tr["sys/block/"+name] = "->../" + devPath
	for k, v := range attrs {
		tr["sys/"+devPath+"/"+k] = v
	}
	return tr
}

// scsiDisk is the common part of a SCSI disk's block directory.
func scsiDisk(scsiID, sizeSectors string, extra map[string]string) map[string]string {
	m := map[string]string{
		"size": sizeSectors + "\n", "dev": "8:0\n", "removable": "0\n", "ro": "0\n",
		"queue/logical_block_size": "512\n", "queue/physical_block_size": "4096\n", "queue/rotational": "1\n",
		"device": "->../../../" + scsiID,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCollectTrees(t *testing.T) {
	t.Parallel()
	// Real page bytes from the QEMU capture (libata's SAT pages).
	pg80 := mustRead(t, filepath.Join(vpdFixtures["sata"], "vpd_pg80"))
	pg83 := mustRead(t, filepath.Join(vpdFixtures["sata"], "vpd_pg83"))
	const sataPath = "devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/block/sda"
	const scsiDev = "sys/devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/"
	sataInquiry := func(tr tree) tree {
		tr[scsiDev+"vendor"] = "ATA     \n"
		tr[scsiDev+"model"] = "QEMU SATA DISK  \n"
		tr[scsiDev+"rev"] = "2.5+\n"
		return tr
	}
	tests := []struct {
		name     string
		tree     tree
		want     []inventory.Disk
		warnings []string
	}{
		{
			// Layout of ghw's i7-1270P snapshot (its wwid), with the
			// controller attributes the snapshot dropped filled in by hand
			// and udev's links in /dev/disk.
			name: "nvme with serial, wwid and /dev/disk links",
			tree: tree{
				"sys/devices/pci0000:00/0000:00:06.0/0000:04:00.0/nvme/nvme0/model":        "Samsung SSD 980 PRO 1TB                 \n",
				"sys/devices/pci0000:00/0000:00:06.0/0000:04:00.0/nvme/nvme0/serial":       "S5GXNF0R123456A     \n",
				"sys/devices/pci0000:00/0000:00:06.0/0000:04:00.0/nvme/nvme0/firmware_rev": "5B2QGXA7\n",
				"dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNF0R123456A":              "->../../nvme0n1",
				"dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNF0R123456A-part1":        "->../../nvme0n1p1",
				"dev/disk/by-id/nvme-eui.002538bc21b15601":                                 "->../../nvme0n1",
				"dev/disk/by-path/pci-0000:04:00.0-nvme-1":                                 "->../../nvme0n1",
				"dev/disk/by-path/pci-0000:04:00.0-nvme-1-part1":                           "->../../nvme0n1p1",
			}.disk("nvme0n1", "devices/pci0000:00/0000:00:06.0/0000:04:00.0/nvme/nvme0/nvme0n1", map[string]string{
				"size": "2000409264\n", "wwid": "eui.002538bc21b15601\n", "removable": "0\n", "ro": "0\n",
				"queue/logical_block_size": "512\n", "queue/physical_block_size": "512\n", "queue/rotational": "0\n",
				"device": "->../../nvme0", "nvme0n1p1/partition": "1\n", "nvme0n1p2/partition": "2\n",
			}),
			want: []inventory.Disk{{
				Name: "nvme0n1", Path: "/dev/nvme0n1", SizeBytes: 2000409264 * 512,
				LogicalSectorBytes: 512, PhysicalSectorBytes: 512, Transport: "nvme",
				Model: "Samsung SSD 980 PRO 1TB", Serial: "S5GXNF0R123456A", WWN: "eui.002538bc21b15601",
				FirmwareRevision: "5B2QGXA7", PCIAddress: "0000:04:00.0", Partitions: 2,
				ByPath: []string{"/dev/disk/by-path/pci-0000:04:00.0-nvme-1"}, ByPathSource: ByPathUdev,
				ByID: []string{"/dev/disk/by-id/nvme-Samsung_SSD_980_PRO_1TB_S5GXNF0R123456A", "/dev/disk/by-id/nvme-eui.002538bc21b15601"},
			}},
		},
		{
			name: "sata with vpd pages 0x80 and 0x83",
			tree: sataInquiry(tree{
				scsiDev + "vpd_pg80": pg80,
				scsiDev + "vpd_pg83": pg83,
			}.disk("sda", sataPath, scsiDisk("2:0:0:0", "524288", map[string]string{"sda1/partition": "1\n"}))),
			want: []inventory.Disk{{
				Name: "sda", Path: "/dev/sda", SizeBytes: 268435456, LogicalSectorBytes: 512, PhysicalSectorBytes: 4096,
				Rotational: true, Transport: "sata", Vendor: "ATA", Model: "QEMU SATA DISK", Serial: "QM00001SATA",
				WWN: "0x5000c500a1b2c3d4", FirmwareRevision: "2.5+", PCIAddress: "0000:00:17.0", Partitions: 1,
				HCTL: "2:0:0:0", WWNWithExtension: "0x5000c500a1b2c3d4",
			}},
		},
		{
			name: "udev database present: identifiers from the record",
			tree: sataInquiry(tree{
				"run/udev/data/b8:0": sataUdevRecord,
			}.disk("sda", sataPath, scsiDisk("2:0:0:0", "524288", nil))),
			want: []inventory.Disk{{
				Name: "sda", Path: "/dev/sda", SizeBytes: 268435456, LogicalSectorBytes: 512, PhysicalSectorBytes: 4096,
				Rotational: true, Transport: "sata", Vendor: "ATA", Model: "QEMU SATA DISK", Serial: "QM00001SATA",
				WWN: "0x5000c500a1b2c3d4", FirmwareRevision: "2.5+", PCIAddress: "0000:00:17.0",
				HCTL: "2:0:0:0", WWNWithExtension: "0x5000c500a1b2c3d4",
				ByPath: []string{"/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0", "/dev/disk/by-path/pci-0000:00:1f.2-ata-1"}, ByPathSource: ByPathUdev,
				ByID: []string{"/dev/disk/by-id/wwn-0x5000c500a1b2c3d4", "/dev/disk/by-id/ata-QEMU_SATA_DISK_QM00001SATA"},
			}},
		},
		{
			name: "udev database absent: no identifiers without vpd pages",
			tree: sataInquiry(tree{}.disk("sda", sataPath, scsiDisk("2:0:0:0", "524288", nil))),
			want: []inventory.Disk{{
				Name: "sda", Path: "/dev/sda", SizeBytes: 268435456, LogicalSectorBytes: 512, PhysicalSectorBytes: 4096,
				Rotational: true, Transport: "sata", Vendor: "ATA", Model: "QEMU SATA DISK",
				FirmwareRevision: "2.5+", PCIAddress: "0000:00:17.0", HCTL: "2:0:0:0",
			}},
		},
		{
			name: "usb stick: removable, serial from the usb device",
			tree: tree{
				"sys/devices/pci0000:00/0000:00:14.0/usb2/2-3/serial":                                   "4C530001230322117365\n",
				"sys/devices/pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host6/target6:0:0/6:0:0:0/vendor": "SanDisk \n",
				"sys/devices/pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host6/target6:0:0/6:0:0:0/model":  "Cruzer Blade    \n",
				"sys/devices/pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host6/target6:0:0/6:0:0:0/rev":    "1.00\n",
			}.disk("sdb", "devices/pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host6/target6:0:0/6:0:0:0/block/sdb",
				scsiDisk("6:0:0:0", "30031872", map[string]string{"removable": "1\n", "queue/physical_block_size": "512\n", "sdb1/partition": "1\n"})),
			want: []inventory.Disk{{
				Name: "sdb", Path: "/dev/sdb", SizeBytes: 30031872 * 512, LogicalSectorBytes: 512, PhysicalSectorBytes: 512,
				Rotational: true, Removable: true, Transport: "usb", Vendor: "SanDisk", Model: "Cruzer Blade",
				Serial: "4C530001230322117365", FirmwareRevision: "1.00", PCIAddress: "0000:00:14.0", Partitions: 1, HCTL: "6:0:0:0",
			}},
		},
		{
			name: "skipped devices, corrupt page 0x83 is a warning",
			tree: sataInquiry(tree{
				scsiDev + "vpd_pg80": pg80,
				scsiDev + "vpd_pg83": pg83[:20],
			}.disk("sda", sataPath, scsiDisk("2:0:0:0", "524288", nil)).
				disk("loop0", "devices/virtual/block/loop0", map[string]string{"size": "0\n"}).
				disk("zd0", "devices/virtual/block/zd0", map[string]string{"size": "8\n"}).
				disk("sr0", "devices/pci0000:00/0000:00:17.0/ata4/host3/target3:0:0/3:0:0:0/block/sr0", map[string]string{"size": "2097151\n"}).
				disk("nvme1c1n1", "devices/pci0000:00/0000:00:04.0/nvme/nvme1/nvme1c1n1", map[string]string{"size": "8\n", "hidden": "1\n"})),
			want: []inventory.Disk{{
				Name: "sda", Path: "/dev/sda", SizeBytes: 268435456, LogicalSectorBytes: 512, PhysicalSectorBytes: 4096,
				Rotational: true, Transport: "sata", Vendor: "ATA", Model: "QEMU SATA DISK", Serial: "QM00001SATA",
				FirmwareRevision: "2.5+", PCIAddress: "0000:00:17.0", HCTL: "2:0:0:0",
			}},
			warnings: []string{"/sys/block/sda/device/vpd_pg83: bad VPD page: page length 108, only 16 bytes"},
		},
		{
			name: "no disks at all",
			tree: tree{}.disk("loop0", "devices/virtual/block/loop0", map[string]string{"size": "0\n"}),
			want: []inventory.Disk{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, tt.tree)
			got, warnings, err := collect(t, root)
			if err != nil {
				t.Fatal(err)
			}
			// What is on the disks is TestUsage's: these trees have no
			// device nodes.
			if diff := cmp.Diff(tt.want, got.Disks, ignoreUsage); diff != "" {
				t.Errorf("disks (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// ignoreUsage leaves out what the signature reads and the mount table add.
var ignoreUsage = cmpopts.IgnoreFields(inventory.Disk{}, "PartitionTable", "PartitionTableUUID", "Signatures",
	"PartitionList", "Mountpoints", "Holders", "HoldsRoot", "InUse", "InUseReasons", "SignatureError")
