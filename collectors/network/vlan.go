package network

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// VLAN is one 802.1Q interface's ID and parent.
type VLAN struct {
	ID     uint16
	Parent string
}

// ErrVLANConfig is wrapped by ParseVLANConfig errors.
var ErrVLANConfig = errors.New("malformed /proc/net/vlan/config")

// ParseVLANConfig decodes /proc/net/vlan/config (net/8021q/vlanproc.c): a
// two-line header, then one "%-15s| %d  | %s" line per VLAN interface:
//
//	VLAN Dev name	 | VLAN ID
//	Name-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD
//	eth0.100       | 100  | eth0
func ParseVLANConfig(b []byte) (map[string]VLAN, error) {
	out := map[string]VLAN{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n <= 2 || strings.TrimSpace(line) == "" {
			continue // header
		}
		f := strings.Split(line, "|")
		if len(f) != 3 {
			return nil, fmt.Errorf("%w: line %d: %q", ErrVLANConfig, n, line)
		}
		name, parent := strings.TrimSpace(f[0]), strings.TrimSpace(f[2])
		id, err := strconv.ParseUint(strings.TrimSpace(f[1]), 10, 12)
		if err != nil || name == "" || parent == "" {
			return nil, fmt.Errorf("%w: line %d: %q", ErrVLANConfig, n, line)
		}
		out[name] = VLAN{ID: uint16(id), Parent: parent}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrVLANConfig, err)
	}
	return out, nil
}
