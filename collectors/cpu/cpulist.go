package cpu

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MaxCPUs bounds the CPU numbers ParseCPUList accepts and how many it
// returns. Linux's NR_CPUS is at most 8192 today; the margin is for the
// future, the bound is against corrupt input asking for billions.
const MaxCPUs = 1 << 16

// ErrCPUList is wrapped by every ParseCPUList error.
var ErrCPUList = errors.New("invalid cpu list")

// ParseCPUList decodes a kernel CPU list as sysfs prints it
// (/sys/devices/system/cpu/online, a node's cpulist, a cache's
// shared_cpu_list): comma-separated CPU numbers and inclusive ranges,
// "0-3,8-11". An empty list (the kernel prints an empty line for an empty
// mask) gives no CPUs and no error. The result is sorted and without
// duplicates.
func ParseCPUList(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := parseCPUNumber(lo)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrCPUList, s, err)
		}
		last := first
		if isRange {
			if last, err = parseCPUNumber(hi); err != nil {
				return nil, fmt.Errorf("%w %q: %w", ErrCPUList, s, err)
			}
			if last < first {
				return nil, fmt.Errorf("%w %q: range %s is reversed", ErrCPUList, s, part)
			}
		}
		if len(out)+last-first+1 > MaxCPUs {
			return nil, fmt.Errorf("%w %q: more than %d cpus", ErrCPUList, s, MaxCPUs)
		}
		for c := first; c <= last; c++ {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseCPUNumber(s string) (int, error) {
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("bad cpu number %q", s)
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("bad cpu number %q", s)
	}
	if n >= MaxCPUs {
		return 0, fmt.Errorf("cpu number %d is too large", n)
	}
	return int(n), nil
}

// FormatCPUList is the inverse of ParseCPUList for a sorted list without
// duplicates: []int{0, 1, 2, 3, 8} → "0-3,8".
func FormatCPUList(cpus []int) string {
	var b strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(cpus[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(cpus[j]))
		}
		i = j + 1
	}
	return b.String()
}
