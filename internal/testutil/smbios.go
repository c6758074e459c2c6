package testutil

import (
	"bytes"
	"os"
	"testing"
)

// ReadDumpBin reads a `dmidecode --dump-bin` file and splits it as Linux
// exports the table in /sys/firmware/dmi/tables: entry is the entry point
// at offset 0 (31 bytes for "_SM_", 24 for "_SM3_", the smbios_entry_point
// file) and table the structure table dmidecode put at offset 0x20 (the
// DMI file). A file shorter than 0x20 bytes fails the test.
func ReadDumpBin(t testing.TB, path string) (entry, table []byte) {
	t.Helper()
	dump, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(dump) < 0x20 {
		t.Fatalf("%s: dump of %d bytes is too short", path, len(dump))
	}
	n := 0x1F
	if bytes.HasPrefix(dump, []byte("_SM3_")) {
		n = 0x18
	}
	return dump[:n], dump[0x20:]
}
