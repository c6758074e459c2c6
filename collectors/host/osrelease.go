package host

import (
	"bufio"
	"bytes"
	"strings"
)

// ParseOSRelease decodes an os-release(5) file: KEY=VALUE lines, values
// optionally in double or single quotes, with backslash escapes (\" \\ \$ \`)
// inside double quotes. As the format asks, comments, blank lines and lines
// that are not assignments are ignored; an unterminated quote keeps what
// follows it. Later assignments win.
func ParseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || !validKey(key) {
			continue
		}
		out[key] = unquote(value)
	}
	// A line longer than 64 KiB stops the scan: what was read is kept.
	return out
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		switch {
		case r >= 'A' && r <= 'Z', r == '_', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func unquote(v string) string {
	if v == "" {
		return v
	}
	switch q := v[0]; q {
	case '\'':
		s := v[1:]
		if i := strings.IndexByte(s, '\''); i >= 0 {
			s = s[:i]
		}
		return s
	case '"':
		var b strings.Builder
		for i := 1; i < len(v); i++ {
			c := v[i]
			if c == '"' {
				break
			}
			if c == '\\' && i+1 < len(v) && strings.IndexByte("\"\\$`", v[i+1]) >= 0 {
				i++
				c = v[i]
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	return v
}
