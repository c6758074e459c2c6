package plan

import "strings"

// Key normalizes a machine key (a serial, a MAC address) the way plans and
// credentials files match them: trimmed and lower-case.
func Key(k string) string { return strings.ToLower(strings.TrimSpace(k)) }
