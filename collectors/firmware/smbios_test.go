package firmware

import (
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// type43 is an SMBIOS TPM Device structure (DSP0134 3.x section 7.44)
// built by hand, as no fixture machine has one: vendor ID "NTC\0"
// (Nuvoton), spec version 2.0, firmware version 1 = 7.2 (high word.low
// word), description string 1 "TPM 2.0", characteristics bit 2 ("TPM
// Device Characteristics are not supported") clear and bit 3 set.
func type43() []byte {
	s := make([]byte, 0x1F)
	s[0], s[1] = 43, 0x1F
	binary.LittleEndian.PutUint16(s[2:], 0x4300)
	copy(s[4:], "NTC\x00")
	s[8], s[9] = 2, 0
	binary.LittleEndian.PutUint32(s[0x0A:], 7<<16|2)
	binary.LittleEndian.PutUint32(s[0x0E:], 0)
	s[0x12] = 1
	binary.LittleEndian.PutUint64(s[0x13:], 1<<3)
	return append(s, "TPM 2.0\x00\x00"...)
}

// TestCollectSMBIOSTPM joins SMBIOS type 43 to the kernel's TPM, using the
// SuperMicro X9DBL's real table (which has no type 43) with and without a
// type 43 structure placed in front of its structures.
func TestCollectSMBIOSTPM(t *testing.T) {
	t.Parallel()
	entryBytes, tableBytes := testutil.ReadDumpBin(t, filepath.Join("testdata", "smbios", "SuperMicro-X9DBL.bin"))
	entry, table := string(entryBytes), string(tableBytes)
	withTPM := string(type43()) + table
	tests := []struct {
		name  string
		table string
		sysfs bool
		want  *inventory.TPM
	}{
		{name: "kernel tpm, table without type 43", table: table, sysfs: true,
			want: &inventory.TPM{Device: "tpm0", Version: "2.0"}},
		{name: "kernel tpm completed from type 43", table: withTPM, sysfs: true,
			want: &inventory.TPM{Device: "tpm0", Version: "2.0", Manufacturer: "NTC", FirmwareVersion: "7.2"}},
		{name: "type 43 only: no kernel driver", table: withTPM,
			want: &inventory.TPM{Version: "2.0", Manufacturer: "NTC", FirmwareVersion: "7.2"}},
		{name: "neither", table: table},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{
				"sys/firmware/dmi/tables/smbios_entry_point": entry,
				"sys/firmware/dmi/tables/DMI":                tt.table,
			}
			if tt.sysfs {
				files["sys/class/tpm/tpm0"] = tpmLink
				files[tpmDir+"tpm_version_major"] = "2\n"
			}
			root := t.TempDir()
			testutil.WriteTree(t, root, files)
			got, warnings, err := collect(t, root)
			if err != nil || warnings != nil {
				t.Fatal(err, warnings)
			}
			if diff := cmp.Diff(tt.want, got.TPM); diff != "" {
				t.Errorf("TPM (-want +got):\n%s", diff)
			}
		})
	}
}
