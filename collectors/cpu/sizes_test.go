package cpu

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseCacheSize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{in: "48K\n", want: 48 << 10},
		{in: "18432K", want: 18432 << 10},
		{in: "32768K", want: 32 << 20},
		{in: "2M", want: 2 << 20},
		{in: "1G", want: 1 << 30},
		{in: "512", want: 512},
		{in: "", wantErr: true},
		{in: "K", wantErr: true},
		{in: "-1K", wantErr: true},
		{in: "12KB", wantErr: true},
		{in: "18446744073709551615K", wantErr: true},
	} {
		got, err := ParseCacheSize(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseCacheSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseNodeMemTotal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		in      string
		file    string
		want    uint64
		wantErr error
	}{
		// "Node 0 MemTotal:       32980312 kB" and node1 "32940968 kB".
		{name: "dual xeon node0", file: "ghw/dual-xeon-l5640/sys/devices/system/node/node0/meminfo", want: 32980312 * 1024},
		{name: "dual xeon node1", file: "ghw/dual-xeon-l5640/sys/devices/system/node/node1/meminfo", want: 32940968 * 1024},
		{name: "s390x", file: "ghw/s390x-z16/sys/devices/system/node/node0/meminfo", want: 112832212 * 1024},
		{name: "proc meminfo", in: "MemTotal:        2007536 kB\nMemFree: 1 kB\n", want: 2007536 * 1024},
		{name: "empty", in: "", wantErr: ErrNoMemTotal},
		{name: "no memtotal", in: "Node 0 MemFree: 12 kB\n", wantErr: ErrNoMemTotal},
		{name: "bad unit", in: "Node 0 MemTotal: 12 MB\n"},
		{name: "bad number", in: "Node 0 MemTotal: x kB\n"},
		{name: "overflow", in: "Node 0 MemTotal: 18446744073709551615 kB\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.in)
			if tt.file != "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ParseNodeMemTotal(data)
			wantFail := tt.wantErr != nil || tt.want == 0
			if wantFail {
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("ParseNodeMemTotal = %d, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseNodeMemTotal = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func FuzzParseNodeMemTotal(f *testing.F) {
	for _, fx := range []string{"ghw/dual-xeon-l5640/sys/devices/system/node/node1/meminfo", "local/vm-virtio/sys/devices/system/node/node0/meminfo"} {
		data, err := os.ReadFile(filepath.Join("testdata", fx))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseNodeMemTotal(data)
	})
}

func FuzzParseCacheSize(f *testing.F) {
	for _, s := range []string{"48K", "18432K", "2M", "512", "K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseCacheSize(s)
	})
}
