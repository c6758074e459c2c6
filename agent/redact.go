package agent

import (
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// SecretParams are the kernel parameters whose values are secrets: the
// enrollment token may be passed as hwagent.token= on the kernel command
// line, which the host collector copies into the inventory.
var SecretParams = []string{"hwagent.token"}

// redactedValue replaces a secret parameter's value.
const redactedValue = "[redacted]"

// redact returns inv with the values of SecretParams removed from the
// kernel command line; inv itself is not modified.
func redact(inv *inventory.Inventory) *inventory.Inventory {
	if inv == nil || inv.Host == nil {
		return inv
	}
	line := RedactCmdline(inv.Host.KernelCommandLine, SecretParams)
	if line == inv.Host.KernelCommandLine {
		return inv
	}
	c := *inv
	h := *inv.Host
	h.KernelCommandLine = line
	c.Host = &h
	return &c
}

// RedactCmdline replaces the value of every parameter named in keys with
// "[redacted]", keeping the rest of the line byte for byte. It splits the
// line the way the kernel does (spaces outside double quotes).
func RedactCmdline(line string, keys []string) string {
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
		if hasValue && contains(keys, key) {
			b.WriteString(key + "=" + redactedValue)
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
