package smbios

import "testing"

// BenchmarkParseAndMap parses each fixture and maps every section, the
// work one agent run does once.
func BenchmarkParseAndMap(b *testing.B) {
	for _, name := range fixtures {
		entry, table := readFixture(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(table)))
			for b.Loop() {
				tb, err := Parse(entry, table)
				if err != nil {
					b.Fatal(err)
				}
				if m := mapAll(tb); m.Errs != nil {
					b.Fatal(m.Errs)
				}
			}
		})
	}
}
