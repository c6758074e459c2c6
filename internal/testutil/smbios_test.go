package testutil_test

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwagent/hwagent/internal/testutil"
)

func TestReadDumpBin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture   string
		anchor    string
		entryLen  int
		tableLen  int // from the entry point: table length or maximum size
		firstType byte
	}{
		{"Asus-UX307LA", "_SM_", 31, 2158, 0},
		{"GigaByte-X399", "_SM3_", 24, 3415, 0},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			entry, table := testutil.ReadDumpBin(t, filepath.Join("testdata", tt.fixture+".bin"))
			if len(entry) != tt.entryLen || string(entry[:len(tt.anchor)]) != tt.anchor {
				t.Errorf("entry point %q (%d bytes), want %s, %d bytes", entry, len(entry), tt.anchor, tt.entryLen)
			}
			var declared int
			if tt.anchor == "_SM_" {
				declared = int(binary.LittleEndian.Uint16(entry[0x16:]))
			} else {
				declared = int(binary.LittleEndian.Uint32(entry[0x0C:]))
			}
			if len(table) != tt.tableLen || declared != tt.tableLen || table[0] != tt.firstType {
				t.Errorf("table of %d bytes starting with type %d, entry point says %d; want %d bytes, type %d",
					len(table), table[0], declared, tt.tableLen, tt.firstType)
			}
		})
	}
}

func TestReadDumpBinFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	short := filepath.Join(dir, "short.bin")
	if err := os.WriteFile(short, []byte("_SM3_ cut"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Record(t, func(tb testing.TB) { testutil.ReadDumpBin(tb, short) }).WantFatal(t, "short.bin: dump of 9 bytes is too short")
	testutil.Record(t, func(tb testing.TB) { testutil.ReadDumpBin(tb, filepath.Join(dir, "missing.bin")) }).WantFatal(t, "no such file")
}
