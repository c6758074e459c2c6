// Package cmdline parses the Linux kernel command line (/proc/cmdline) the
// way the kernel does: space-separated parameters, "key=value" or bare
// "key", double quotes protecting spaces in values.
package cmdline

import "strings"

// Param is one kernel parameter.
type Param struct {
	Key   string
	Value string
	// HasValue is false for a bare flag such as "quiet".
	HasValue bool
}

// Params are the parameters in command-line order.
type Params []Param

// Parse splits a kernel command line into parameters.
func Parse(line string) Params {
	var out Params
	var b strings.Builder
	inQuote := false
	flush := func() {
		if b.Len() == 0 {
			return
		}
		tok := b.String()
		b.Reset()
		k, v, ok := strings.Cut(tok, "=")
		out = append(out, Param{Key: k, Value: v, HasValue: ok})
	}
	for _, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
		case !inQuote && (r == ' ' || r == '\t' || r == '\n'):
			flush()
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// Get returns the value of the last parameter named key (the kernel and
// most userspace honour the last occurrence).
func (p Params) Get(key string) (string, bool) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Key == key {
			return p[i].Value, true
		}
	}
	return "", false
}

// WithPrefix returns the parameters whose key starts with prefix, with the
// prefix removed ("hwagent.server=x" → "server"="x"), later ones winning.
func (p Params) WithPrefix(prefix string) map[string]string {
	out := map[string]string{}
	for _, q := range p {
		if k, ok := strings.CutPrefix(q.Key, prefix); ok && k != "" {
			out[k] = q.Value
		}
	}
	return out
}
