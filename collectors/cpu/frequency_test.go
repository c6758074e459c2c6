package cpu

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/inventory"
)

// TestFrequencyFixtures: each source on a real machine's files (values
// read by hand from them, see testdata/README.md).
func TestFrequencyFixtures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tree string
		want *inventory.CPUFrequency
	}{
		// cpufreq gives the max (and min, driver); the brand string the base.
		{"procfs/i7-8650u", &inventory.CPUFrequency{BaseMHz: 1900, BaseSource: "cpuinfo", MaxMHz: 2400, MaxSource: "cpufreq", MinMHz: 800, Driver: "intel_pstate"}},
		// A KVM guest: the brand string (the four peers' 2100 MHz).
		{"ghw/xeon-e5-2695v4-vm", &inventory.CPUFrequency{BaseMHz: 2100, BaseSource: "cpuinfo", MaxMHz: 2100, MaxSource: "cpuinfo"}},
		{"ghw/dual-xeon-l5640", &inventory.CPUFrequency{BaseMHz: 2270, BaseSource: "cpuinfo", MaxMHz: 2270, MaxSource: "cpuinfo"}},
		// A QEMU guest without a brand frequency: cpu MHz is the TSC rate.
		{"ghw/skylake-offline-cpus", &inventory.CPUFrequency{BaseMHz: 2594, BaseSource: "cpuinfo", MaxMHz: 2594, MaxSource: "cpuinfo"}},
		{"ghw/s390x-z16", &inventory.CPUFrequency{BaseMHz: 5200, BaseSource: "cpuinfo", MaxMHz: 5200, MaxSource: "cpuinfo"}},
		// Bare metal without cpufreq files or a brand frequency: cpu MHz
		// (400, the current frequency) is not a base; nothing else says.
		{"ghw/intel-i7-1270p", nil},
		{"ghw/arm64-neoverse-n1", nil},
	} {
		t.Run(tc.tree, func(t *testing.T) {
			t.Parallel()
			got, err := collect(t, filepath.Join("testdata", tc.tree))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Frequency); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFrequencySMBIOS: with only SMBIOS (the X9DBL's type 4: Current Speed
// 1800 MHz, Max Speed 4000 MHz, as dmidecode prints them), both come from it.
func TestFrequencySMBIOS(t *testing.T) {
	t.Parallel()
	sockets := []inventory.CPUSocket{{Populated: true, CurrentSpeedMHz: 1800, MaxSpeedMHz: 4000}}
	got := Frequency(CPUFreq{}, false, CPUInfo{ModelName: "Intel(R) Xeon(R) CPU E5-2420 0"}, sockets)
	want := &inventory.CPUFrequency{BaseMHz: 1800, BaseSource: "smbios", MaxMHz: 4000, MaxSource: "smbios"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := BrandMHz("AMD EPYC 7763 64-Core Processor"); got != 0 {
		t.Errorf("BrandMHz without @ = %d", got)
	}
	if got := BrandMHz("Intel(R) Pentium(R) III CPU @ 933MHz"); got != 933 {
		t.Errorf("BrandMHz MHz = %d", got)
	}
}
