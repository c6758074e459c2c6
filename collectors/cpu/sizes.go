package cpu

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseCacheSize decodes a cache's size attribute. The kernel prints the
// size in KiB with a "K" suffix ("32K", "18432K"); "M" and "G" suffixes and
// a bare byte count are accepted too.
func ParseCacheSize(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	mult := uint64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad cache size %q", s)
	}
	if n > math.MaxUint64/mult {
		return 0, fmt.Errorf("cache size %q overflows", s)
	}
	return n * mult, nil
}

// ErrNoMemTotal is returned by ParseNodeMemTotal when the input has no
// MemTotal line.
var ErrNoMemTotal = errors.New("no MemTotal line")

// ParseNodeMemTotal returns MemTotal in bytes from a NUMA node's meminfo
// (/sys/devices/system/node/nodeN/meminfo: "Node 0 MemTotal:  32542668 kB").
// The "Node N" prefix is optional, so /proc/meminfo works too.
func ParseNodeMemTotal(data []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(key)
		if len(f) == 0 || f[len(f)-1] != "MemTotal" {
			continue
		}
		v := strings.Fields(value)
		if len(v) == 0 || len(v) > 2 || (len(v) == 2 && v[1] != "kB") {
			return 0, fmt.Errorf("bad MemTotal value %q", strings.TrimSpace(value))
		}
		n, err := strconv.ParseUint(v[0], 10, 64)
		if err != nil || n > math.MaxUint64/1024 {
			return 0, fmt.Errorf("bad MemTotal value %q", v[0])
		}
		return n * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, ErrNoMemTotal
}
