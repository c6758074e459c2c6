package plan

import "strings"

// Key normalizes a machine key (a serial, a MAC address) the way plans and
// credentials files match them: trimmed and lower-case.
func Key(k string) string { return strings.ToLower(strings.TrimSpace(k)) }

// Lookup finds the entry of a per-machine map (keys normalized with Key)
// for a machine known by keys: its value, the key that matched, and a
// second matching key whose entry differs (a conflict), if any.
func Lookup[V comparable](m map[string]V, keys []string) (v V, key string, conflict string) {
	found := false
	for _, k := range keys {
		x, ok := m[k]
		if !ok {
			continue
		}
		if !found {
			v, key, found = x, k, true
		} else if x != v {
			conflict = k
		}
	}
	return v, key, conflict
}
