package network

import (
	"regexp"
	"testing"
)

func FuzzVirtioName(f *testing.F) {
	re := regexp.MustCompile(`^virtio[0-9]+$`)
	for _, s := range []string{"virtio0", "virtio12", "virtio", "virtio1a", "xvirtio1", "0000:00:03.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isVirtioName(s), re.MatchString(s); got != want {
			t.Errorf("isVirtioName(%q) = %v, regexp says %v", s, got, want)
		}
	})
}
