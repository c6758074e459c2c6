package export

import (
	"strings"
	"testing"
)

// FuzzSanitizeHostname: the result holds only a-z, 0-9, '-' and '.', has
// no empty label and no label starting or ending with '-', and sanitizing
// again changes nothing.
func FuzzSanitizeHostname(f *testing.F) {
	for _, s := range []string{"node-1", "VMware-56 4d e2", "To Be Filled By O.E.M.", "..a..", "-x-", "Ä", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := SanitizeHostname(s)
		if SanitizeHostname(h) != h {
			t.Fatalf("%q → %q is not stable", s, h)
		}
		if h == "" {
			return
		}
		for _, l := range strings.Split(h, ".") {
			if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
				t.Fatalf("%q → %q has a bad label %q", s, h, l)
			}
			for _, c := range l {
				if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
					t.Fatalf("%q → %q holds %q", s, h, c)
				}
			}
		}
		if len(h) <= 253 && hostnameProblem(h) != "" && !tooLongLabel(h) {
			t.Fatalf("%q → %q rejected: %s", s, h, hostnameProblem(h))
		}
	})
}

func tooLongLabel(h string) bool {
	for _, l := range strings.Split(h, ".") {
		if len(l) > 63 {
			return true
		}
	}
	return false
}
