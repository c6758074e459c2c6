package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// VPD pages the Linux 6.1 kernel exported for QEMU's emulated disks
// (testdata/qemu, see capture.sh): libata's SAT translation of an AHCI
// disk's IDENTIFY data, and QEMU's scsi-hd pages on virtio-scsi, mptsas
// (SAS) and megasas.
const qemuDevices = "testdata/qemu/q35-all-transports/sys/devices/pci0000:00/"

var vpdFixtures = map[string]string{
	"sata":        qemuDevices + "0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0",
	"virtio-scsi": qemuDevices + "0000:00:06.0/virtio1/host6/target6:0:0/6:0:0:0",
	"sas":         qemuDevices + "0000:00:07.0/host7/port-7:0/end_device-7:0/target7:0:0/7:0:0:0",
	"megasas":     qemuDevices + "0000:00:08.0/host8/target8:2:0/8:2:0:0",
}

func readVPD(t testing.TB, fixture, page string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vpdFixtures[fixture], page))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseVPDPage80(t *testing.T) {
	t.Parallel()
	for fixture, want := range map[string]string{
		"sata":        "QM00001SATA", // ATA serial, space padded to 20 bytes
		"virtio-scsi": "VSCSI-SERIAL-4",
		"sas":         "SAS-SERIAL-5",
		"megasas":     "MEGA-SERIAL-6",
	} {
		got, err := ParseVPDPage80(readVPD(t, fixture, "vpd_pg80"))
		if err != nil || got != want {
			t.Errorf("%s: ParseVPDPage80 = %q, %v; want %q", fixture, got, err, want)
		}
	}
	for name, in := range map[string]string{
		"empty":          "",
		"short header":   "\x00\x80\x00",
		"wrong page":     "\x00\x83\x00\x01A",
		"length too big": "\x00\x80\x00\x10ABC",
		"binary serial":  "\x00\x80\x00\x02A\x01",
	} {
		if _, err := ParseVPDPage80([]byte(in)); !errors.Is(err, ErrVPD) {
			t.Errorf("%s: error = %v, want ErrVPD", name, err)
		}
	}
}

func TestParseVPDPage83(t *testing.T) {
	t.Parallel()
	sata, err := ParseVPDPage83(readVPD(t, "sata", "vpd_pg83"))
	if err != nil {
		t.Fatal(err)
	}
	// libata's page 0x83 (drivers/ata/libata-scsi.c ata_scsiop_inq_83):
	// the serial as a vendor-specific ASCII designator, a T10 vendor ID
	// designator ("ATA", model, serial) and the ATA WWN as NAA.
	want := []Designator{
		{CodeSet: 2, Type: 0, Value: []byte(fmt.Sprintf("%-20s", "QM00001SATA"))},
		{CodeSet: 2, Type: DesignatorT10VendorID, Value: []byte("ATA     " + fmt.Sprintf("%-40s%-20s", "QEMU SATA DISK", "QM00001SATA"))},
		{CodeSet: 1, Type: DesignatorNAA, Value: []byte{0x50, 0x00, 0xc5, 0x00, 0xa1, 0xb2, 0xc3, 0xd4}},
	}
	if diff := cmp.Diff(want, sata); diff != "" {
		t.Errorf("sata page 0x83 (-want +got):\n%s", diff)
	}
	for fixture, wantWWN := range map[string]string{
		"sata":        "0x5000c500a1b2c3d4",
		"virtio-scsi": "0x5000c50015ea71ac",
		"sas":         "0x5000cca02b3c4d5e",
		"megasas":     "", // only a vendor-specific designator: no WWN
	} {
		ds, err := ParseVPDPage83(readVPD(t, fixture, "vpd_pg83"))
		if err != nil {
			t.Fatalf("%s: %v", fixture, err)
		}
		if got := WWN(ds); got != wantWWN {
			t.Errorf("%s: WWN = %q, want %q", fixture, got, wantWWN)
		}
	}
	// NAA 6 with extension (16 bytes), as RAID and SAN LUNs report it, and a
	// target-port NAA that must not be taken for the LU's (SPC-4 7.8.6).
	ds := []Designator{
		{CodeSet: 1, Association: 1, Type: DesignatorNAA, Value: []byte{0x50, 1, 2, 3, 4, 5, 6, 7}},
		{CodeSet: 1, Type: DesignatorNAA, Value: []byte{0x60, 0x0a, 0x09, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
	}
	if got := WWN(ds); got != "0x600a0980000000000000000000000001" {
		t.Errorf("WWN(NAA 6) = %q", got)
	}
	for name, in := range map[string]string{
		"empty":                 "",
		"wrong page":            "\x00\x80\x00\x00",
		"page length too big":   "\x00\x83\x00\x08\x01\x03\x00\x08",
		"descriptor truncated":  "\x00\x83\x00\x06\x01\x03\x00\x08\x50\x00",
		"descriptor header cut": "\x00\x83\x00\x02\x01\x03",
	} {
		if _, err := ParseVPDPage83([]byte(in)); !errors.Is(err, ErrVPD) {
			t.Errorf("%s: error = %v, want ErrVPD", name, err)
		}
	}
}

func FuzzParseVPDPage80(f *testing.F) {
	for fixture := range vpdFixtures {
		f.Add(readVPD(f, fixture, "vpd_pg80"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseVPDPage80(data)
		if err == nil && len(s) > len(data) {
			t.Fatalf("serial longer than the page")
		}
	})
}

func FuzzParseVPDPage83(f *testing.F) {
	for fixture := range vpdFixtures {
		f.Add(readVPD(f, fixture, "vpd_pg83"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := ParseVPDPage83(data)
		if err != nil {
			return
		}
		total := 4
		for _, d := range ds {
			total += 4 + len(d.Value)
		}
		if total > len(data) {
			t.Fatalf("designators span %d bytes of %d", total, len(data))
		}
		_ = WWN(ds)
	})
}
