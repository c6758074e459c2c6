package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// collect runs the collector on the host tree at root; a partial result's
// warnings come apart from other errors.
func collect(t testing.TB, root string) (*inventory.Storage, []string, error) {
	t.Helper()
	inv, err := collectortest.Collect(t, New(), root, collector.Config{})
	if warnings := collectortest.Warnings(err); warnings != nil {
		return inv.Storage, warnings, nil
	}
	return inv.Storage, nil, err
}

// summary is one disk in a line: name, size, transport, PCI address,
// partitions, flags (r rotational, R removable, o read-only), sector
// sizes, serial and WWN.
func summary(d inventory.Disk) string {
	flags := ""
	for _, f := range []struct {
		on bool
		c  string
	}{{d.Rotational, "r"}, {d.Removable, "R"}, {d.ReadOnly, "o"}} {
		if f.on {
			flags += f.c
		}
	}
	return fmt.Sprintf("%s %d %s pci=%s parts=%d flags=%s sectors=%d/%d serial=%s wwn=%s",
		d.Name, d.SizeBytes, d.Transport, d.PCIAddress, d.Partitions, flags,
		d.LogicalSectorBytes, d.PhysicalSectorBytes, d.Serial, d.WWN)
}

func summaries(s *inventory.Storage) []string {
	var out []string
	for _, d := range s.Disks {
		out = append(out, summary(d))
	}
	return out
}

func TestCollectFixtures(t *testing.T) {
	t.Parallel()
	// Sizes are the size files' sector counts × 512; everything else as
	// read from the fixtures' files (the ghw snapshots hold no device/
	// attributes and no logical_block_size, so no serials there).
	tests := map[string][]string{
		"ghw/intel-i7-1270p": {
			fmt.Sprintf("nvme0n1 %d nvme pci=0000:04:00.0 parts=3 flags= sectors=0/0 serial= wwn=eui.002538bc21b15601", 2000409264*512),
		},
		"ghw/amd-ryzen5-1600": {
			fmt.Sprintf("sda %d sata pci=0000:01:00.1 parts=3 flags= sectors=0/0 serial= wwn=", 500118192*512),
			fmt.Sprintf("sdb %d sata pci=0000:01:00.1 parts=2 flags=r sectors=0/0 serial= wwn=", 1953525168*512),
			fmt.Sprintf("sdc %d sata pci=0000:01:00.1 parts=2 flags= sectors=0/0 serial= wwn=", 976773168*512),
		},
		"ghw/dual-xeon-l5640": { // megaraid_sas; sr0, dm-* and zram0 skipped
			fmt.Sprintf("sda %d scsi pci=0000:03:00.0 parts=3 flags=r sectors=0/0 serial= wwn=", 975699968*512),
		},
		"ghw/xeon-e5-2695v4-vm": { // virtio-scsi
			fmt.Sprintf("sda %d virtio pci=0000:02:00.0 parts=3 flags=r sectors=0/0 serial= wwn=", 97656256*512),
		},
		"ghw/xeon-gold-5218r-vm": {
			fmt.Sprintf("vda %d virtio pci=0000:04:00.0 parts=3 flags=r sectors=0/0 serial= wwn=", 41943040*512),
		},
		"ghw/arm64-neoverse-n1": { // an AWS EBS volume (NVMe vendor 1d0f)
			fmt.Sprintf("nvme0n1 %d nvme pci=0000:00:04.0 parts=2 flags= sectors=0/0 serial= wwn=%s", 16777216*512,
				"nvme.1d0f-766f6c3066306662626132376163666239313331-416d617a6f6e20456c617374696320426c6f636b2053746f7265-00000001"),
		},
		"qemu/q35-all-transports": { // sr0 and the hidden nvme1c1n1 skipped
			"mmcblk0 67108864 mmc pci=0000:00:0a.0 parts=0 flags= sectors=512/512 serial=0xdeadbeef wwn=",
			"nvme0n1 268435456 nvme pci=0000:00:03.0 parts=0 flags= sectors=4096/4096 serial=NVME0SERIAL01 wwn=nvme.1b36-4e564d453053455249414c3031-51454d55204e564d65204374726c-00000001",
			"nvme1n1 268435456 nvme pci=0000:00:04.0 parts=2 flags= sectors=512/512 serial=NVME1SERIAL02 wwn=nvme.1b36-4e564d453153455249414c3032-51454d55204e564d65204374726c-00000001",
			"sda 268435456 sata pci=0000:00:1f.2 parts=2 flags=r sectors=512/512 serial=QM00001SATA wwn=0x5000c500a1b2c3d4",
			"sdb 268435456 virtio pci=0000:00:06.0 parts=0 flags=r sectors=512/512 serial=VSCSI-SERIAL-4 wwn=0x5000c50015ea71ac",
			"sdc 268435456 sas pci=0000:00:07.0 parts=0 flags=r sectors=512/512 serial=SAS-SERIAL-5 wwn=0x5000cca02b3c4d5e",
			"sdd 268435456 scsi pci=0000:00:08.0 parts=0 flags=r sectors=512/512 serial=MEGA-SERIAL-6 wwn=",
			"sde 268435456 usb pci=0000:00:09.0 parts=0 flags=rR sectors=512/512 serial=USB-SERIAL-7 wwn=",
			"vda 268435456 virtio pci=0000:00:05.0 parts=0 flags=r sectors=512/512 serial=VIRTIO-SERIAL-3 wwn=",
		},
		"local/vm-virtio": { // loop0-7 and zram0 skipped
			fmt.Sprintf("vda %d virtio pci=0000:00:02.0 parts=0 flags=r sectors=512/4096 serial=overlayblk wwn=", 536870912*512),
		},
	}
	s390x := []string{}
	for _, d := range []struct {
		name    string
		sectors int64
	}{
		{"sda", 209715200}, {"sdb", 2147483648}, {"sdc", 209715200}, {"sdd", 2147483648},
		{"sde", 2147483648}, {"sdf", 2147483648}, {"sdg", 209715200}, {"sdh", 209715200},
		{"sdi", 2147483648}, {"sdj", 2147483648}, {"sdk", 209715200}, {"sdl", 209715200},
		{"sdm", 2147483648}, {"sdn", 2147483648}, {"sdo", 209715200}, {"sdp", 209715200},
	} {
		// zfcp: four FC paths to each of four LUNs, no PCI.
		s390x = append(s390x, fmt.Sprintf("%s %d fc pci= parts=0 flags= sectors=0/0 serial= wwn=", d.name, d.sectors*512))
	}
	tests["ghw/s390x-z16"] = s390x

	for fx, want := range tests {
		t.Run(fx, func(t *testing.T) {
			t.Parallel()
			got, warnings, err := collect(t, filepath.Join("testdata", fx))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, summaries(got)); diff != "" {
				t.Errorf("disks (-want +got):\n%s", diff)
			}
			golden(t, fx, got, warnings)
		})
	}
}

// golden compares the section and the warnings with
// testdata/golden/<fixture>.json; -update rewrites it.
func golden(t *testing.T, fixture string, s *inventory.Storage, warnings []string) {
	t.Helper()
	testutil.GoldenJSON(t, testutil.GoldenPath(fixture), struct {
		Storage  *inventory.Storage `json:"storage"`
		Warnings []string           `json:"warnings,omitempty"`
	}{s, warnings}, *testutil.Update)
}

func BenchmarkCollect(b *testing.B) {
	collectortest.Benchmark(b, New(), filepath.Join("testdata", "qemu", "q35-all-transports"), collector.Config{})
}

func TestCollectNoSysBlock(t *testing.T) {
	t.Parallel()
	if _, _, err := collect(t, t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want ErrNotExist", err)
	}
}

// TestSnapshotRoundTrip checks that every file the collector reads goes
// through hostpaths: what `hwagent snapshot` records from the QEMU capture,
// unpacked, gives the same section.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	collectortest.SnapshotRoundTrip(t, New(), filepath.Join("testdata", "qemu", "q35-all-transports"))
}
