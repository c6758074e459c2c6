package cmdline

import "strings"

// SecretParams are the kernel parameters whose values are secrets: the
// enrollment token may be passed as hwagent.token= on the kernel command
// line, and the command line is copied into the inventory and logs.
var SecretParams = []string{"hwagent.token"}

// Redacted replaces a secret parameter's value.
const Redacted = "[redacted]"

// Redact replaces the value of every parameter named in keys with
// "[redacted]", keeping the rest of the line byte for byte. It splits the
// line the way the kernel does (spaces outside double quotes).
func Redact(line string, keys []string) string {
	var b strings.Builder
	changed := false
	i := 0
	for i < len(line) {
		if c := line[i]; c == ' ' || c == '\t' || c == '\n' {
			b.WriteByte(c)
			i++
			continue
		}
		start, inQuote := i, false
		for i < len(line) && (inQuote || (line[i] != ' ' && line[i] != '\t' && line[i] != '\n')) {
			if line[i] == '"' {
				inQuote = !inQuote
			}
			i++
		}
		tok := line[start:i]
		key, _, hasValue := strings.Cut(strings.TrimPrefix(tok, `"`), "=")
		if hasValue && slicesContains(keys, key) {
			b.WriteString(key + "=" + Redacted)
			changed = true
			continue
		}
		b.WriteString(tok)
	}
	if !changed {
		return line
	}
	return b.String()
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
