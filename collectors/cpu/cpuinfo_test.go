package cpu

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cpuInfoSummary is CPUInfo with the flags reduced to count, first and last.
type cpuInfoSummary struct {
	Vendor, ModelName                    string
	Family, Model, Stepping              int
	Microcode                            string
	NFlags                               int
	FirstFlag, LastFlag                  string
	Implementer, Part, Variant, Revision int
	Processors                           int
}

func summarize(i CPUInfo) cpuInfoSummary {
	s := cpuInfoSummary{
		Vendor: i.Vendor, ModelName: i.ModelName, Family: i.Family, Model: i.Model,
		Stepping: i.Stepping, Microcode: i.Microcode, NFlags: len(i.Flags), Processors: i.Processors,
		Implementer: -1, Part: -1, Variant: -1, Revision: -1,
	}
	if len(i.Flags) > 0 {
		s.FirstFlag, s.LastFlag = i.Flags[0], i.Flags[len(i.Flags)-1]
	}
	for _, f := range []struct {
		dst *int
		src *int
	}{{&s.Implementer, i.Implementer}, {&s.Part, i.Part}, {&s.Variant, i.Variant}, {&s.Revision, i.Revision}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	return s
}

// noMIDR marks an x86 or s390x CPU: no arm64 fields.
func noMIDR(s cpuInfoSummary) cpuInfoSummary {
	s.Implementer, s.Part, s.Variant, s.Revision = -1, -1, -1, -1
	return s
}

// ppc64CPUInfo is in the layout of arch/powerpc/kernel/setup-common.c
// show_cpuinfo() on a POWER9 LPAR (IBM Power System S922, 9009-22A),
// shortened to one CPU.
const ppc64CPUInfo = `processor	: 0
cpu		: POWER9 (architected), altivec supported
clock		: 2300.000000MHz
revision	: 2.2 (pvr 004e 1202)

timebase	: 512000000
platform	: pSeries
model		: IBM,9009-22A
machine		: CHRP IBM,9009-22A
MMU		: Radix
`

func TestParseCPUInfo(t *testing.T) {
	t.Parallel()
	// Values as read in each fixture's proc/cpuinfo.
	tests := []struct {
		fixture string
		data    string
		want    cpuInfoSummary
	}{
		{fixture: "ghw/intel-i7-1270p", want: noMIDR(cpuInfoSummary{
			Vendor: "GenuineIntel", ModelName: "12th Gen Intel(R) Core(TM) i7-1270P",
			Family: 6, Model: 154, Stepping: 3, Microcode: "0x437",
			NFlags: 139, FirstFlag: "fpu", LastFlag: "arch_capabilities", Processors: 16,
		})},
		{fixture: "ghw/amd-ryzen5-1600", want: noMIDR(cpuInfoSummary{
			Vendor: "AuthenticAMD", ModelName: "AMD Ryzen 5 1600 Six-Core Processor",
			Family: 23, Model: 1, Stepping: 1, Microcode: "0x8001138",
			NFlags: 110, FirstFlag: "fpu", LastFlag: "smca", Processors: 12,
		})},
		{fixture: "ghw/dual-xeon-l5640", want: noMIDR(cpuInfoSummary{
			Vendor: "GenuineIntel", ModelName: "Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz",
			Family: 6, Model: 44, Stepping: 2, Microcode: "0x1f",
			NFlags: 77, FirstFlag: "fpu", LastFlag: "flush_l1d", Processors: 24,
		})},
		{fixture: "ghw/skylake-offline-cpus", want: noMIDR(cpuInfoSummary{
			Vendor: "GenuineIntel", ModelName: "Intel Xeon Processor (Skylake, IBRS)",
			Family: 6, Model: 85, Stepping: 4, Microcode: "0x1",
			NFlags: 99, FirstFlag: "fpu", LastFlag: "arch_capabilities", Processors: 2,
		})},
		{fixture: "ghw/arm64-neoverse-n1", want: cpuInfoSummary{
			Vendor: "ARM", ModelName: "Neoverse-N1",
			NFlags: 17, FirstFlag: "fp", LastFlag: "ssbs", Processors: 1,
			Implementer: 0x41, Part: 0xd0c, Variant: 3, Revision: 1,
		}},
		{fixture: "ghw/s390x-z16", want: noMIDR(cpuInfoSummary{
			Vendor: "IBM/S390", NFlags: 23, FirstFlag: "esan3", LastFlag: "sie", Processors: 8,
		})},
		{fixture: "local/vm-virtio", want: noMIDR(cpuInfoSummary{
			Vendor: "GenuineIntel", ModelName: "Intel(R) Xeon(R) Processor",
			Family: 6, Model: 167, Stepping: 1, Microcode: "0x1",
			NFlags: 108, FirstFlag: "fpu", LastFlag: "arch_capabilities", Processors: 2,
		})},
		{fixture: "ppc64", data: ppc64CPUInfo, want: noMIDR(cpuInfoSummary{
			ModelName: "POWER9 (architected), altivec supported", Processors: 1,
		})},
		{fixture: "arm64 unknown part", data: "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xfff\n", want: cpuInfoSummary{
			Vendor: "ARM", Processors: 1, Implementer: 0x41, Part: 0xfff, Variant: -1, Revision: -1,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.data)
			if tt.data == "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", tt.fixture, "proc", "cpuinfo")); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ParseCPUInfo(data)
			if err != nil {
				t.Fatalf("ParseCPUInfo: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(got)); diff != "" {
				t.Errorf("ParseCPUInfo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCPUInfoErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\n\n", "no colon here\n", ": value without key\n"} {
		if _, err := ParseCPUInfo([]byte(in)); !errors.Is(err, ErrNoCPUInfo) {
			t.Errorf("ParseCPUInfo(%q) error = %v, want ErrNoCPUInfo", in, err)
		}
	}
	// A line longer than any real one is an error, not a hang or a panic.
	long := "flags\t: " + strings.Repeat("x", 2<<20) + "\n"
	if _, err := ParseCPUInfo([]byte(long)); err == nil {
		t.Error("ParseCPUInfo of a 2 MiB line: no error")
	}
}

func FuzzParseCPUInfo(f *testing.F) {
	for _, fx := range []string{"ghw/intel-i7-1270p", "ghw/arm64-neoverse-n1", "ghw/s390x-z16", "local/vm-virtio"} {
		data, err := os.ReadFile(filepath.Join("testdata", fx, "proc", "cpuinfo"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(ppc64CPUInfo))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseCPUInfo(data)
		if err != nil {
			return
		}
		if info.Processors < 0 {
			t.Fatalf("negative processor count %d", info.Processors)
		}
	})
}
