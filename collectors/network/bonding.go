package network

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"
)

// ErrBonding is wrapped by ParseBonding errors.
var ErrBonding = errors.New("malformed /proc/net/bonding file")

// ParseBonding decodes /proc/net/bonding/BOND (drivers/net/bonding/
// bond_procfs.c) into each slave's permanent address: the address the slave
// had when it was enslaved, which bonding keeps while the slave carries the
// bond's address. Slaves without a "Permanent HW addr" line are left out.
func ParseBonding(b []byte) (map[string]net.HardwareAddr, error) {
	out := map[string]net.HardwareAddr{}
	var slave string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		// Lines of the per-slave LACP details are indented; the keys
		// hwagent reads are not.
		switch key {
		case "Slave Interface":
			slave = strings.TrimSpace(value)
			if slave == "" {
				return nil, fmt.Errorf("%w: empty slave name", ErrBonding)
			}
		case "Permanent HW addr":
			if slave == "" {
				return nil, fmt.Errorf("%w: permanent address before any slave", ErrBonding)
			}
			mac, err := net.ParseMAC(strings.TrimSpace(value))
			if err != nil {
				return nil, fmt.Errorf("%w: slave %s: %w", ErrBonding, slave, err)
			}
			out[slave] = mac
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBonding, err)
	}
	return out, nil
}
