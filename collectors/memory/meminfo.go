package memory

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// Meminfo holds /proc/meminfo: each field's value in bytes for the fields
// the kernel gives in kB, and as the plain count for the others
// (HugePages_Total and friends).
type Meminfo map[string]uint64

// ErrNoMemTotal means /proc/meminfo has no MemTotal line.
var ErrNoMemTotal = errors.New("no MemTotal in meminfo")

// ParseMeminfo parses /proc/meminfo ("MemTotal:       65921280 kB"). A
// line that is not "Name: number [kB]" is an error naming the line, as is a
// value that does not fit 64 bits once in bytes.
func ParseMeminfo(data []byte) (Meminfo, error) {
	m := Meminfo{}
	for n := 1; len(data) > 0; n++ {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		name, rest, ok := bytes.Cut(line, []byte{':'})
		fields := bytes.Fields(rest)
		if !ok || len(name) == 0 || len(fields) == 0 || len(fields) > 2 {
			return nil, fmt.Errorf("meminfo line %d: %q is not \"Name: value [kB]\"", n, line)
		}
		v, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("meminfo line %d: %w", n, err)
		}
		if len(fields) == 2 {
			if string(fields[1]) != "kB" {
				return nil, fmt.Errorf("meminfo line %d: unit %q, want kB", n, fields[1])
			}
			if v > (1<<64-1)>>10 {
				return nil, fmt.Errorf("meminfo line %d: %d kB overflows", n, v)
			}
			v <<= 10
		}
		m[string(name)] = v
	}
	return m, nil
}

// MemTotal returns MemTotal in bytes.
func (m Meminfo) MemTotal() (uint64, error) {
	v, ok := m["MemTotal"]
	if !ok {
		return 0, ErrNoMemTotal
	}
	return v, nil
}
