package storage

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sataUdevRecord is a udev database record in the layout systemd-udevd 252
// writes (device_update_db: S: links, W: watch, I: init
// usec, E: properties, G:/Q: tags, V: version) for the SATA disk of
// testdata/qemu, with the values udev's ata_id and path_id builtins derive
// from that disk. It was written by hand: the build VM cannot run udevd.
const sataUdevRecord = `S:disk/by-id/wwn-0x5000c500a1b2c3d4
S:disk/by-path/pci-0000:00:1f.2-ata-1.0
S:disk/by-id/ata-QEMU_SATA_DISK_QM00001SATA
S:disk/by-path/pci-0000:00:1f.2-ata-1
W:1
I:4213705
E:ID_ATA=1
E:ID_TYPE=disk
E:ID_BUS=ata
E:ID_MODEL=QEMU_SATA_DISK
E:ID_MODEL_ENC=QEMU\x20SATA\x20DISK\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20
E:ID_REVISION=2.5+
E:ID_SERIAL=QEMU_SATA_DISK_QM00001SATA
E:ID_SERIAL_SHORT=QM00001SATA
E:ID_WWN=0x5000c500a1b2c3d4
E:ID_WWN_WITH_EXTENSION=0x5000c500a1b2c3d4
E:ID_PATH=pci-0000:00:1f.2-ata-1.0
E:ID_PATH_TAG=pci-0000_00_1f_2-ata-1_0
E:ID_PART_TABLE_TYPE=dos
G:systemd
Q:systemd
V:1
`

func TestParseUdevRecord(t *testing.T) {
	t.Parallel()
	got, err := ParseUdevRecord([]byte(sataUdevRecord))
	if err != nil {
		t.Fatal(err)
	}
	want := UdevRecord{
		Properties: map[string]string{
			"ID_ATA": "1", "ID_TYPE": "disk", "ID_BUS": "ata", "ID_MODEL": "QEMU_SATA_DISK",
			"ID_MODEL_ENC": `QEMU\x20SATA\x20DISK` + repeat(`\x20`, 26), "ID_REVISION": "2.5+",
			"ID_SERIAL": "QEMU_SATA_DISK_QM00001SATA", "ID_SERIAL_SHORT": "QM00001SATA",
			"ID_WWN": "0x5000c500a1b2c3d4", "ID_WWN_WITH_EXTENSION": "0x5000c500a1b2c3d4",
			"ID_PATH": "pci-0000:00:1f.2-ata-1.0", "ID_PATH_TAG": "pci-0000_00_1f_2-ata-1_0",
			"ID_PART_TABLE_TYPE": "dos",
		},
		Links: []string{
			"disk/by-id/wwn-0x5000c500a1b2c3d4", "disk/by-path/pci-0000:00:1f.2-ata-1.0",
			"disk/by-id/ata-QEMU_SATA_DISK_QM00001SATA", "disk/by-path/pci-0000:00:1f.2-ata-1",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseUdevRecord (-want +got):\n%s", diff)
	}

	for name, in := range map[string]string{
		"no letter":        "ID_BUS=ata\n",
		"property no =":    "E:ID_BUS\n",
		"property no key":  "E:=ata\n",
		"two-letter field": "EE:x=y\n",
	} {
		if _, err := ParseUdevRecord([]byte(in)); !errors.Is(err, ErrUdevRecord) {
			t.Errorf("%s: error = %v, want ErrUdevRecord", name, err)
		}
	}
	if r, err := ParseUdevRecord(nil); err != nil || len(r.Properties) != 0 || r.Links != nil {
		t.Errorf("empty record = %+v, %v", r, err)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func FuzzParseUdevRecord(f *testing.F) {
	f.Add([]byte(sataUdevRecord))
	f.Add([]byte("E:A=B\nS:disk/by-id/x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseUdevRecord(data)
		if err != nil {
			return
		}
		for k := range r.Properties {
			if k == "" {
				t.Fatal("empty property name")
			}
		}
	})
}
