package host

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOSRelease(t *testing.T) {
	t.Parallel()
	debian, err := os.ReadFile(filepath.Join("testdata", "local", "vm-virtio", "usr", "lib", "os-release"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{name: "debian 12 (captured)", in: string(debian), want: map[string]string{
			"PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "NAME": "Debian GNU/Linux", "VERSION_ID": "12",
			"VERSION": "12 (bookworm)", "VERSION_CODENAME": "bookworm", "ID": "debian",
			"HOME_URL": "https://www.debian.org/", "SUPPORT_URL": "https://www.debian.org/support",
			"BUG_REPORT_URL": "https://bugs.debian.org/",
		}},
		// The escapes os-release(5) allows in double quotes.
		{name: "escapes", in: "# comment\n\nA=\"say \\\"hi\\\" \\$HOME \\\\ \\`x\\`\"\nB='single \"q\"'\nC=plain\n", want: map[string]string{
			"A": "say \"hi\" $HOME \\ `x`", "B": "single \"q\"", "C": "plain",
		}},
		{name: "junk lines ignored, later wins", in: "not an assignment\n1X=bad key\nX=1\nX=2\n=empty\nY=\"unterminated\n", want: map[string]string{
			"X": "2", "Y": "unterminated",
		}},
		{name: "empty", in: "", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ParseOSRelease([]byte(tt.in))); diff != "" {
				t.Errorf("ParseOSRelease (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseUptime(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{in: "1251.07 2182.67\n", want: 1251.07},
		{in: "0.00 0.00", want: 0},
		{in: "", wantErr: true},
		{in: "-1 0", wantErr: true},
		{in: "NaN 0", wantErr: true},
		{in: "+Inf 0", wantErr: true},
		{in: "abc", wantErr: true},
	} {
		got, err := ParseUptime([]byte(tt.in))
		if tt.wantErr {
			if !errors.Is(err, ErrBadUptime) {
				t.Errorf("ParseUptime(%q) error = %v, want ErrBadUptime", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseUptime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseOSRelease(f *testing.F) {
	debian, err := os.ReadFile(filepath.Join("testdata", "local", "vm-virtio", "usr", "lib", "os-release"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(debian)
	f.Add([]byte("A=\"x\\\"y\"\nB='z'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := range ParseOSRelease(data) {
			if !validKey(k) {
				t.Fatalf("invalid key %q", k)
			}
		}
	})
}

func FuzzParseUptime(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "local", "vm-virtio", "proc", "uptime"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseUptime(data)
		if err == nil && v < 0 {
			t.Fatalf("negative uptime %v", v)
		}
	})
}
