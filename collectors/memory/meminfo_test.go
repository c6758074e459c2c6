package memory

import (
	"os"
	"testing"
)

func TestParseMeminfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file                  string
		total, free, hugepage uint64
		hugeTotal             uint64
	}{
		// MemTotal 65921280 kB, MemFree 59854264 kB, Hugepagesize 2048 kB.
		{"meminfo-amd64-64g", 65921280 << 10, 59854264 << 10, 2048 << 10, 0},
		// MemTotal 1888980 kB, MemFree 579108 kB.
		{"meminfo-arm64-2g", 1888980 << 10, 579108 << 10, 2048 << 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseMeminfo(data)
			if err != nil {
				t.Fatal(err)
			}
			total, err := m.MemTotal()
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.total || m["MemFree"] != tt.free || m["Hugepagesize"] != tt.hugepage || m["HugePages_Total"] != tt.hugeTotal {
				t.Errorf("MemTotal %d MemFree %d Hugepagesize %d HugePages_Total %d, want %d %d %d %d",
					total, m["MemFree"], m["Hugepagesize"], m["HugePages_Total"], tt.total, tt.free, tt.hugepage, tt.hugeTotal)
			}
			if len(m) != 53 {
				t.Errorf("%d fields, want the file's 53", len(m))
			}
		})
	}
}

func TestParseMeminfoErrors(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"no colon":          "MemTotal 1024 kB\n",
		"no value":          "MemTotal:\n",
		"not a number":      "MemTotal: lots kB\n",
		"negative":          "MemTotal: -1 kB\n",
		"unit":              "MemTotal: 1024 MB\n",
		"too many fields":   "MemTotal: 1024 kB extra\n",
		"overflow in bytes": "MemTotal: 18446744073709551615 kB\n",
	} {
		if _, err := ParseMeminfo([]byte(in)); err == nil {
			t.Errorf("%s: ParseMeminfo(%q) succeeded", name, in)
		}
	}
	m, err := ParseMeminfo([]byte("MemFree: 1 kB\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.MemTotal(); err != ErrNoMemTotal {
		t.Errorf("MemTotal() error %v, want ErrNoMemTotal", err)
	}
}

func FuzzParseMeminfo(f *testing.F) {
	for _, file := range []string{"meminfo-amd64-64g", "meminfo-arm64-2g"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte("MemTotal: 18014398509481983 kB\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMeminfo(data)
		if err == nil && m == nil {
			t.Fatal("nil map without error")
		}
	})
}

func BenchmarkParseMeminfo(b *testing.B) {
	data, err := os.ReadFile("testdata/meminfo-amd64-64g")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMeminfo(data); err != nil {
			b.Fatal(err)
		}
	}
}
