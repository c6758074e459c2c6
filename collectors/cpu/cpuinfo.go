package cpu

import (
	"bufio"
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// CPUInfo is what /proc/cpuinfo says about the first logical CPU.
type CPUInfo struct {
	// Vendor is vendor_id on x86 and s390x; on arm64 the name of the CPU
	// implementer ("ARM", "Ampere").
	Vendor string
	// ModelName is "model name" on x86; on arm64 the part name derived from
	// the implementer and part ("Neoverse-N1"); on ppc64 the "cpu" line.
	ModelName string
	// Family, Model and Stepping are x86's "cpu family", "model" and
	// "stepping"; zero when absent.
	Family, Model, Stepping int
	// Microcode as the kernel prints it ("0x437").
	Microcode string
	// Flags are "flags" (x86) or "Features" (arm64) or "features" (s390x), in
	// kernel order.
	Flags []string
	// Implementer, Part, Variant and Revision are the arm64 MIDR fields
	// ("CPU implementer" etc.); present only on arm.
	Implementer, Part, Variant, Revision *int
	// Processors is how many logical CPUs the file lists ("processor" lines;
	// "# processors" on s390x).
	Processors int
	// MHz is the first "cpu MHz" (x86: the current frequency, or the TSC
	// rate in a VM); StaticMHz is s390x's "cpu MHz static" (nominal).
	MHz, StaticMHz float64
}

// ErrNoCPUInfo is returned by ParseCPUInfo when the input holds no
// "key : value" line.
var ErrNoCPUInfo = errors.New("no cpuinfo fields")

// ParseCPUInfo decodes /proc/cpuinfo. Values are taken from the first
// occurrence of each key, which is the first logical CPU's block (arm64 and
// s390x print some keys once, before or after the per-CPU blocks). Fields a
// kernel does not print stay zero; a numeric field the kernel printed in an
// unexpected form is left zero too. Only an input without any field is an
// error.
func ParseCPUInfo(data []byte) (CPUInfo, error) {
	var info CPUInfo
	seen := map[string]bool{}
	fields := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	// The flags line of a modern x86 CPU is ~1.5 KB; s390x "facilities" is
	// longer; no real line comes near 1 MiB.
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key == "" {
			continue
		}
		fields++
		if key == "processor" {
			info.Processors++
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		switch key {
		case "vendor_id":
			info.Vendor = value
		case "model name":
			info.ModelName = value
		case "cpu": // ppc64: "POWER9 (architected), altivec supported"
			if _, _, ppc := strings.Cut(value, ","); ppc || strings.HasPrefix(value, "POWER") {
				info.ModelName = value
			}
		case "cpu family":
			info.Family = atoi(value)
		case "model":
			info.Model = atoi(value)
		case "stepping":
			info.Stepping = atoi(value)
		case "microcode":
			info.Microcode = value
		case "flags", "Features", "features":
			info.Flags = strings.Fields(value)
		case "CPU implementer":
			info.Implementer = hexInt(value)
		case "CPU part":
			info.Part = hexInt(value)
		case "CPU variant":
			info.Variant = hexInt(value)
		case "CPU revision":
			info.Revision = hexInt(value)
		case "# processors": // s390x
			info.Processors = atoi(value)
		case "cpu MHz":
			info.MHz = mhz(value)
		case "cpu MHz static": // s390x
			info.StaticMHz = mhz(value)
		}
	}
	if err := sc.Err(); err != nil {
		return CPUInfo{}, err
	}
	if fields == 0 {
		return CPUInfo{}, ErrNoCPUInfo
	}
	if info.Implementer != nil {
		vendor, model := ARMName(*info.Implementer, info.Part)
		if info.Vendor == "" {
			info.Vendor = vendor
		}
		if info.ModelName == "" {
			info.ModelName = model
		}
	}
	return info, nil
}

// atoi parses a non-negative decimal; anything else is "not given".
func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// hexInt parses "0x41" (and plain decimal, as "CPU revision : 1" is).
func hexInt(s string) *int {
	n, err := strconv.ParseInt(s, 0, 32)
	if err != nil || n < 0 {
		return nil
	}
	v := int(n)
	return &v
}

// mhz parses a positive frequency in MHz ("2095.148"); anything else, or
// above 100 GHz, is "not given".
func mhz(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v > 100000 {
		return 0
	}
	return v
}
