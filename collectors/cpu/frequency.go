package cpu

import (
	"math"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// CPUFreq is what /sys/devices/system/cpu/cpu0/cpufreq says, in kHz; zero
// when a file is absent.
type CPUFreq struct {
	MaxKHz, MinKHz, BaseKHz uint64
	Driver                  string
}

// readCPUFreq reads cpu0's cpufreq policy (cpu0/cpufreq is a link to
// cpufreq/policy0 on current kernels); ok is false without a driver.
func readCPUFreq(p *hostpaths.Paths) (f CPUFreq, ok bool) {
	dir := p.Sys("devices", "system", "cpu", "cpu0", "cpufreq")
	num := func(name string) uint64 {
		v, err := p.ReadUint(dir + "/" + name)
		if err != nil || v > 100e6 { // 100 GHz: not a real value
			return 0
		}
		return v
	}
	f.MaxKHz, f.MinKHz, f.BaseKHz = num("cpuinfo_max_freq"), num("cpuinfo_min_freq"), num("base_frequency")
	f.Driver, _ = p.ReadString(dir + "/scaling_driver")
	return f, f.MaxKHz > 0 || f.Driver != ""
}

// brandFrequency finds the nominal frequency x86 brand strings end with
// ("Intel(R) Xeon(R) CPU E5-2695 v4 @ 2.10GHz"): the leftmost match of
// `@\s*([0-9]+(?:\.[0-9]+)?)\s*([GM])Hz`, by hand (no regexp code on the
// boot path; frequency_test.go checks it against that expression). It
// returns the number and the unit letter, ok false without a match.
func brandFrequency(s string) (number string, unit byte, ok bool) {
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	digits := func(s string) int {
		n := 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		return n
	}
	for at := strings.IndexByte(s, '@'); at >= 0; {
		rest := s[at+1:]
		for len(rest) > 0 && space(rest[0]) {
			rest = rest[1:]
		}
		n := digits(rest)
		if n > 0 {
			if len(rest) > n+1 && rest[n] == '.' {
				if f := digits(rest[n+1:]); f > 0 {
					n += 1 + f
				}
			}
			num, tail := rest[:n], rest[n:]
			for len(tail) > 0 && space(tail[0]) {
				tail = tail[1:]
			}
			if len(tail) >= 3 && (tail[0] == 'G' || tail[0] == 'M') && tail[1:3] == "Hz" {
				return num, tail[0], true
			}
		}
		next := strings.IndexByte(rest, '@')
		if next < 0 {
			break
		}
		at = len(s) - len(rest) + next
	}
	return "", 0, false
}

// BrandMHz returns the frequency in a model name, 0 when it has none.
func BrandMHz(model string) uint32 {
	num, unit, ok := brandFrequency(model)
	if !ok {
		return 0
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0
	}
	if unit == 'G' {
		v *= 1000
	}
	if v <= 0 || v > 100000 {
		return 0
	}
	return uint32(math.Round(v))
}

// Frequency decides the base and maximum frequency and says where each
// came from:
//
//   - cpufreq (when a driver is loaded): base_frequency (intel_pstate) and
//     cpuinfo_max_freq, turbo included;
//   - /proc/cpuinfo: the brand string's "@ 2.10GHz", s390x's "cpu MHz
//     static", or, in a VM (the hypervisor flag; no cpufreq driver there),
//     "cpu MHz", which is then the TSC rate; on bare metal "cpu MHz" is the
//     current frequency and is not used;
//   - SMBIOS type 4 of the first populated socket: Current Speed as the
//     base, Max Speed as the maximum.
//
// It returns nil when no source gives either.
func Frequency(freq CPUFreq, haveFreq bool, info CPUInfo, sockets []inventory.CPUSocket) *inventory.CPUFrequency {
	f := &inventory.CPUFrequency{}
	if haveFreq {
		f.Driver = freq.Driver
		f.MinMHz = uint32(freq.MinKHz / 1000)
		if freq.BaseKHz > 0 {
			f.BaseMHz, f.BaseSource = uint32(freq.BaseKHz/1000), inventory.FrequencyFromCPUFreq
		}
		if freq.MaxKHz > 0 {
			f.MaxMHz, f.MaxSource = uint32(freq.MaxKHz/1000), inventory.FrequencyFromCPUFreq
		}
	}
	cpuinfo := uint32(0)
	switch {
	case BrandMHz(info.ModelName) > 0:
		cpuinfo = BrandMHz(info.ModelName)
	case info.StaticMHz > 0:
		cpuinfo = uint32(math.Round(info.StaticMHz))
	case info.MHz > 0 && !haveFreq && hasFlag(info.Flags, "hypervisor"):
		cpuinfo = uint32(math.Round(info.MHz))
	}
	if cpuinfo > 0 {
		if f.BaseMHz == 0 {
			f.BaseMHz, f.BaseSource = cpuinfo, inventory.FrequencyFromCPUInfo
		}
		if f.MaxMHz == 0 {
			f.MaxMHz, f.MaxSource = cpuinfo, inventory.FrequencyFromCPUInfo
		}
	}
	for _, s := range sockets {
		if !s.Populated {
			continue
		}
		if f.BaseMHz == 0 && s.CurrentSpeedMHz > 0 {
			f.BaseMHz, f.BaseSource = uint32(s.CurrentSpeedMHz), inventory.FrequencyFromSMBIOS
		}
		if f.MaxMHz == 0 && s.MaxSpeedMHz > 0 {
			f.MaxMHz, f.MaxSource = uint32(s.MaxSpeedMHz), inventory.FrequencyFromSMBIOS
		}
		break
	}
	if f.BaseMHz == 0 && f.MaxMHz == 0 && f.MinMHz == 0 {
		return nil
	}
	return f
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}
