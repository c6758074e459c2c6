package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Mount is one line of /proc/PID/mountinfo.
type Mount struct {
	// Dev is the device number of the mounted filesystem ("8:1").
	Dev string
	// MountPoint is where it is mounted, octal escapes undone.
	MountPoint string
	// FSType and Source are the fields after the " - " separator.
	FSType, Source string
}

// ErrMountInfo is wrapped by ParseMountInfo's errors.
var ErrMountInfo = errors.New("bad mountinfo")

// maxMounts bounds how many lines are kept.
const maxMounts = 1 << 16

// ParseMountInfo decodes /proc/PID/mountinfo (proc(5)): mount ID, parent
// ID, major:minor, root, mount point, options, optional fields ending with
// "-", filesystem type, source, super options. A line without the
// separator or with too few fields is an error naming the line.
func ParseMountInfo(data []byte) ([]Mount, error) {
	var out []Mount
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		head, tail, ok := strings.Cut(line, " - ")
		f := strings.Fields(head)
		t := strings.Fields(tail)
		if !ok || len(f) < 6 || len(t) < 2 || !strings.Contains(f[2], ":") {
			return out, fmt.Errorf("%w: line %d: %q", ErrMountInfo, n, truncate(line))
		}
		if len(out) < maxMounts {
			out = append(out, Mount{Dev: f[2], MountPoint: unescapeOctal(f[4]), FSType: t[0], Source: unescapeOctal(t[1])})
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("%w: %w", ErrMountInfo, err)
	}
	return out, nil
}

// unescapeOctal undoes the kernel's \ooo escapes of space, tab, newline
// and backslash in mountinfo paths.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1:i+4]) {
			v := (s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0')
			b.WriteByte(v)
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return s[0] <= '3'
}
