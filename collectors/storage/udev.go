package storage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// UdevRecord is the part of a udev database record
// (/run/udev/data/b<major>:<minor>) the collector uses.
type UdevRecord struct {
	// Properties are the E: lines ("ID_SERIAL_SHORT" → "S3Z1NB0K123456X").
	Properties map[string]string
	// Links are the S: lines: symlinks relative to /dev
	// ("disk/by-id/wwn-0x5002538e40a1b2c3").
	Links []string
}

// ErrUdevRecord is wrapped by ParseUdevRecord errors.
var ErrUdevRecord = errors.New("bad udev database record")

// ParseUdevRecord decodes a udev database record as systemd-udevd writes it
// (src/libsystemd/sd-device/device-private.c device_update_db): one
// "<letter>:<value>" line per item. E: lines are KEY=VALUE properties, S:
// lines symlinks; the other letters (I: init time, G: and Q: tags, W: watch
// handle, L: link priority, V: version, N: and M:) are skipped. A line of
// another shape is an error.
func ParseUdevRecord(data []byte) (UdevRecord, error) {
	r := UdevRecord{Properties: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<10)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" {
			continue
		}
		if len(t) < 2 || t[1] != ':' {
			return UdevRecord{}, fmt.Errorf("%w: line %d: %q", ErrUdevRecord, line, truncate(t))
		}
		v := t[2:]
		switch t[0] {
		case 'E':
			k, val, ok := strings.Cut(v, "=")
			if !ok || k == "" {
				return UdevRecord{}, fmt.Errorf("%w: line %d: property without =: %q", ErrUdevRecord, line, truncate(t))
			}
			r.Properties[k] = val
		case 'S':
			if v != "" {
				r.Links = append(r.Links, v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return UdevRecord{}, fmt.Errorf("%w: %w", ErrUdevRecord, err)
	}
	return r, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
