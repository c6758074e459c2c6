package units

import "testing"

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Bytes(512), "512 B"},
		{Bytes(16 << 30), "16 GiB"},
		{Bytes(16_369_152 * 1024), "15.6 GiB"},
		{Bytes(1 << 40), "1 TiB"},
		{DecimalBytes(480_103_981_056), "480 GB"},
		{DecimalBytes(2_000_398_934_016), "2.0 TB"},
		{DecimalBytes(21_474_836_480), "21.5 GB"},
		{Speed(1000), "1 Gb/s"},
		{Speed(25000), "25 Gb/s"},
		{Speed(2500), "2.5 Gb/s"},
		{Speed(100), "100 Mb/s"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
