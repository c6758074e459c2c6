package network

import "strings"

// ParseUevent decodes a sysfs uevent attribute: KEY=value lines
// ("DEVTYPE=bridge\nINTERFACE=br0\nIFINDEX=2\n"). Lines without "=" are
// ignored; the last of repeated keys wins.
func ParseUevent(b []byte) map[string]string {
	out := map[string]string{}
	for line := range strings.SplitSeq(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
}
