package cpu

import (
	"regexp"
	"testing"
)

// brandFrequencyRE is the expression brandFrequency replaces: the oracle.
var brandFrequencyRE = regexp.MustCompile(`@\s*([0-9]+(?:\.[0-9]+)?)\s*([GM])Hz`)

var brandSeeds = []string{
	"Intel(R) Xeon(R) CPU E5-2695 v4 @ 2.10GHz", "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz",
	"Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz", "AMD Ryzen 5 1600 Six-Core Processor", "QEMU Virtual CPU version 2.5+",
	"x @ 800MHz", "@2GHz", "@ 2.GHz", "@ .5GHz", "@ 2.5 GHz", "@ 2.5Ghz", "a @ b @ 3GHz", "@ 3 @ 4MHz", "@", "@@1MHz",
	"@ 12.34.56GHz", "@\t7\tMHz", "@ 1GH", "@ 99999999999999999999GHz",
}

func checkBrand(t *testing.T, s string) {
	t.Helper()
	num, unit, ok := brandFrequency(s)
	m := brandFrequencyRE.FindStringSubmatch(s)
	if ok != (m != nil) || ok && (num != m[1] || string(unit) != m[2]) {
		t.Errorf("brandFrequency(%q) = %q %q %v, regexp says %q", s, num, unit, ok, m)
	}
}

func TestBrandFrequencyAgreesWithRegexp(t *testing.T) {
	t.Parallel()
	for _, s := range brandSeeds {
		checkBrand(t, s)
	}
}

func FuzzBrandFrequency(f *testing.F) {
	for _, s := range brandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkBrand(t, s) })
}
