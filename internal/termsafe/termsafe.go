package termsafe

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must not reach a terminal as is: C0 controls
// (tab and newline too: they break columns and lines), DEL, C1 controls,
// and the invisible and bidirectional formatting characters (zero-width
// spaces and joiners, directional marks, embeddings, overrides and
// isolates, the word joiner and invisible operators, the BOM).
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}

// Escape returns s with every unsafe character as a Go escape (\x1b,
// \u009b, \u202e) and every byte that is not UTF-8 as \xNN. A string
// without any is returned as is.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafe(r) || r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unsafe(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// EscapeAll escapes, in place, every string reachable from v (a pointer):
// struct fields, slices, arrays, maps' values, through pointers. Callers
// escape a copy of what they print.
func EscapeAll(v any) {
	escapeValue(reflect.ValueOf(v), 0)
}

func escapeValue(v reflect.Value, depth int) {
	if depth > 64 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); Escape(s) != s {
				v.SetString(Escape(s))
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			escapeValue(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				escapeValue(v.Field(i), depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, shown as base64 or hex
		}
		for i := 0; i < v.Len(); i++ {
			escapeValue(v.Index(i), depth+1)
		}
	case reflect.Map:
		if v.Type().Elem().Kind() != reflect.String {
			it := v.MapRange()
			for it.Next() {
				// Map values are not addressable: copy, escape, put back.
				c := reflect.New(it.Value().Type()).Elem()
				c.Set(it.Value())
				escapeValue(c, depth+1)
				v.SetMapIndex(it.Key(), c)
			}
			return
		}
		it := v.MapRange()
		for it.Next() {
			v.SetMapIndex(it.Key(), reflect.ValueOf(Escape(it.Value().String())).Convert(v.Type().Elem()))
		}
	}
}

// JSON returns encoded JSON with the unsafe characters encoding/json
// leaves raw (DEL, C1 controls, bidirectional and invisible formatting
// characters) spelled as \u escapes: the same data, safe on a terminal.
// They can only occur inside strings. C0 controls are left alone:
// encoding/json escapes them inside strings, and outside strings they are
// the document's own white space.
func JSON(b []byte) []byte {
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if jsonUnsafe(r) {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b) + 16)
	out.Write(b[:i])
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if jsonUnsafe(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
		} else {
			out.Write(b[i : i+n])
		}
		i += n
	}
	return out.Bytes()
}

func jsonUnsafe(r rune) bool { return r >= 0x7f && r != utf8.RuneError && unsafe(r) }
