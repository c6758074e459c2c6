package export

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small block-style YAML encoder for the manifest types: the output of
// sigs.k8s.io/yaml.Marshal (keys sorted, sequences of mappings as
// "- key: value" at the parent key's indentation) at a fraction of its
// cost, which goes through JSON and a generic YAML tree. Only what the
// manifest types use is supported: structs with json tags (omitempty and
// "-"), maps with string keys, slices, pointers, strings, bools and
// integers. The tests check that every document decodes (with
// sigs.k8s.io/yaml) to exactly what encoding/json makes of the object, and
// fuzz the scalar quoting against the YAML decoder.

// marshalYAML encodes v, a struct or pointer to one, as a YAML document.
func marshalYAML(v any) ([]byte, error) {
	e := yamlEncoder{b: make([]byte, 0, 2048)}
	rv := reflect.Indirect(reflect.ValueOf(v))
	pairs, err := e.pairs(rv)
	if err != nil {
		return nil, err
	}
	if err := e.mapping(pairs, 0, false); err != nil {
		return nil, err
	}
	return e.b, nil
}

type yamlEncoder struct{ b []byte }

type yamlPair struct {
	key string
	val reflect.Value
}

// fieldInfo caches the json names of a struct type's fields.
type fieldInfo struct {
	index     int
	name      string
	omitEmpty bool
}

var fieldCache = map[reflect.Type][]fieldInfo{}

func fieldsOf(t reflect.Type) []fieldInfo {
	if f, ok := fieldCache[t]; ok {
		return f
	}
	var out []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, fieldInfo{index: i, name: name, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	fieldCache[t] = out
	return out
}

// fieldCache is filled at package initialization for the manifest types,
// so that encoders running concurrently only read it.
func init() {
	for _, v := range []any{hardware{}, rufioMachine{}, secretObject{}} {
		var walk func(t reflect.Type)
		walk = func(t reflect.Type) {
			switch t.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map:
				walk(t.Elem())
			case reflect.Struct:
				if _, ok := fieldCache[t]; ok {
					return
				}
				for _, f := range fieldsOf(t) {
					walk(t.Field(f.index).Type)
				}
			}
		}
		walk(reflect.TypeOf(v))
	}
}

// pairs lists a struct's or map's entries in key order, omitting what
// encoding/json would omit.
func (e *yamlEncoder) pairs(v reflect.Value) ([]yamlPair, error) {
	switch v.Kind() {
	case reflect.Struct:
		fields, ok := fieldCache[v.Type()]
		if !ok {
			return nil, fmt.Errorf("yaml: type %s is not a manifest type", v.Type())
		}
		out := make([]yamlPair, 0, len(fields))
		for _, f := range fields {
			fv := v.Field(f.index)
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			out = append(out, yamlPair{f.name, fv})
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("yaml: map key type %s", v.Type().Key())
		}
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		out := make([]yamlPair, len(keys))
		for i, k := range keys {
			out[i] = yamlPair{k, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key()))}
		}
		return out, nil
	}
	return nil, fmt.Errorf("yaml: %s is not a mapping", v.Kind())
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return false
}

func (e *yamlEncoder) indent(n int) {
	for range n {
		e.b = append(e.b, ' ')
	}
}

// mapping writes pairs at indent; as a sequence item, the first line starts
// with "- " two columns to the left.
func (e *yamlEncoder) mapping(pairs []yamlPair, indent int, seqItem bool) error {
	for i, p := range pairs {
		if seqItem && i == 0 {
			e.indent(indent - 2)
			e.b = append(e.b, '-', ' ')
		} else {
			e.indent(indent)
		}
		e.b = appendYAMLString(e.b, p.key)
		e.b = append(e.b, ':')
		if err := e.value(p.val, indent); err != nil {
			return fmt.Errorf("%s: %w", p.key, err)
		}
	}
	return nil
}

// value writes what follows "key:" for a value at the key's indent.
func (e *yamlEncoder) value(v reflect.Value, indent int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			e.b = append(e.b, " null\n"...)
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Map:
		pairs, err := e.pairs(v)
		if err != nil {
			return err
		}
		if len(pairs) == 0 {
			e.b = append(e.b, " {}\n"...)
			return nil
		}
		e.b = append(e.b, '\n')
		return e.mapping(pairs, indent+2, false)
	case reflect.Slice:
		if v.Len() == 0 {
			e.b = append(e.b, " []\n"...)
			return nil
		}
		e.b = append(e.b, '\n')
		for i := 0; i < v.Len(); i++ {
			if err := e.item(v.Index(i), indent); err != nil {
				return err
			}
		}
		return nil
	}
	e.b = append(e.b, ' ')
	if err := e.scalar(v); err != nil {
		return err
	}
	e.b = append(e.b, '\n')
	return nil
}

// item writes one sequence item at indent.
func (e *yamlEncoder) item(v reflect.Value, indent int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			e.indent(indent)
			e.b = append(e.b, "- null\n"...)
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Map:
		pairs, err := e.pairs(v)
		if err != nil {
			return err
		}
		if len(pairs) == 0 {
			e.indent(indent)
			e.b = append(e.b, "- {}\n"...)
			return nil
		}
		return e.mapping(pairs, indent+2, true)
	case reflect.Slice:
		return fmt.Errorf("yaml: nested sequences are not supported")
	}
	e.indent(indent)
	e.b = append(e.b, '-', ' ')
	if err := e.scalar(v); err != nil {
		return err
	}
	e.b = append(e.b, '\n')
	return nil
}

func (e *yamlEncoder) scalar(v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		e.b = appendYAMLString(e.b, v.String())
	case reflect.Bool:
		e.b = strconv.AppendBool(e.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = strconv.AppendInt(e.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.b = strconv.AppendUint(e.b, v.Uint(), 10)
	default:
		return fmt.Errorf("yaml: unsupported kind %s", v.Kind())
	}
	return nil
}

// Plain scalars YAML 1.1 or 1.2 would read as something other than a
// string (go-yaml resolves with a mix of both).
var yamlNonString = regexp.MustCompile(`^(?:` +
	`[-+]?[0-9][0-9_]*` + // int
	`|0[xX][0-9a-fA-F_]*|0[oO][0-7_]*|0[bB][01_]*` + // based int
	`|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?` + // float
	`|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?` + // sexagesimal
	`|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)` +
	`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?.*` + // timestamp
	`|<<|=)$`)

// yamlReserved are the words YAML 1.1 reads as booleans or null (any case).
var yamlReserved = map[string]bool{"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true, "on": true, "off": true, "null": true, "~": true}

// plainSafe reports whether s can be written as a plain scalar and read
// back as the same string.
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	if len(s) <= 5 && yamlReserved[strings.ToLower(s)] {
		return false
	}
	// Only strings starting like a number, '.', '<' or '=' can match the
	// non-string forms; the regexp is the slow part of encoding.
	if c := s[0]; c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' || c == '<' || c == '=' {
		if yamlNonString.MatchString(s) || numberToGoYAML(s) {
			return false
		}
	}
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@` ", s[0]) >= 0 || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			return false // control characters, and non-ASCII to be safe
		case c == ':' && (i+1 == len(s) || s[i+1] == ' '):
			return false
		case c == '#' && s[i-1] == ' ':
			return false
		}
	}
	return true
}

// numberToGoYAML reports whether go-yaml would read s as a number: it
// drops every '_' and tries strconv's parsers with base prefixes ("0_X0"
// is 0 to it).
func numberToGoYAML(s string) bool {
	plain := strings.ReplaceAll(s, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(plain, 64); err == nil {
		return true
	}
	return false
}

// appendYAMLString appends s as a plain scalar when that is safe, else
// double-quoted with YAML escapes.
func appendYAMLString(b []byte, s string) []byte {
	if plainSafe(s) {
		return append(b, s...)
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0xd800 && r <= 0xdfff || r == 0xfeff || r == 0xfffe || r == 0xffff || r == 0x2028 || r == 0x2029 || r == 0x85:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r) // invalid UTF-8 becomes U+FFFD
		}
	}
	return append(b, '"')
}
