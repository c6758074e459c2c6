package cmdline

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	// A Tinkerbell Hook command line as Smee serves it, plus quoting.
	line := `console=tty0 console=ttyS1,115200 ip=dhcp modules=loop,squashfs,sd-mod,usb-storage` +
		` hw_addr=52:54:00:12:34:56 worker_id=52:54:00:12:34:56 hwagent.server=http://10.0.2.2:8080` +
		` msg="two words" quiet hwagent.server=http://override:8080` + "\n"
	p := Parse(line)
	if got, _ := p.Get("console"); got != "ttyS1,115200" {
		t.Errorf("console = %q, want the last one", got)
	}
	if got, _ := p.Get("msg"); got != "two words" {
		t.Errorf("msg = %q", got)
	}
	if _, ok := p.Get("absent"); ok {
		t.Error("absent key found")
	}
	q := p[len(p)-2]
	if q.Key != "quiet" || q.HasValue {
		t.Errorf("bare flag parsed as %+v", q)
	}
	want := map[string]string{"server": "http://override:8080"}
	if diff := cmp.Diff(want, p.WithPrefix("hwagent.")); diff != "" {
		t.Errorf("WithPrefix (-want +got):\n%s", diff)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`a=b "c d" e="f g" h`)
	f.Add(`"unterminated`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range Parse(s) {
			if p.Key == "" && !p.HasValue {
				t.Fatalf("empty parameter from %q", s)
			}
		}
	})
}
