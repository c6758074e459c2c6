package smbios

import "testing"

// FuzzTable feeds Parse and every mapping method. Seeds: every fixture's
// entry point and table, the table without its end-of-table structure, cut
// in half and cut inside its first structure, and the synthetic table with
// types 38 (SSIF), 42 and 43.
func FuzzTable(f *testing.F) {
	for _, name := range fixtures {
		entry, table := readFixture(f, name)
		f.Add(entry, table)
		f.Add(entry, table[:len(table)/2])
		f.Add(entry, table[:7])
		f.Add(entry[:len(entry)-1], table)
	}
	synthetic := concat(
		structBytes(38, 0x26, []byte{0x04, 0x20, 0x20, 0xFF, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
		redfishUSBv2(), redfishPCI(), tpm43('N', 'T', 'C', 0, 2, 0, 0x00070002, 0))
	f.Add(entry3(3, 2, 0, len(synthetic)), synthetic)
	f.Fuzz(func(t *testing.T, entry, table []byte) {
		tb, err := Parse(entry, table)
		if err != nil {
			return
		}
		if len(tb.Tables) == 0 {
			t.Fatal("Parse succeeded without structures")
		}
		mapAll(tb)
	})
}

// FuzzDecodeHostInterface feeds the type 42 decoder its structure bytes.
func FuzzDecodeHostInterface(f *testing.F) {
	for _, s := range [][]byte{redfishUSBv2(), redfishPCI()} {
		f.Add(s[:s[1]])
		f.Add(s[:s[1]/2])
	}
	f.Add([]byte{42, 11, 0, 0, 0x40, 0, 1, 4, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		hi, err := DecodeHostInterface(b)
		if err == nil && hi == nil {
			t.Fatal("nil result without error")
		}
	})
}
