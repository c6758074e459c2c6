// Package schemagen generates the inventory's JSON Schema from the Go types
// and their doc comments, so the published schema cannot drift from the
// code: the inventory package's tests fail when schema.json is stale.
package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"time"
)

// Generate returns the JSON Schema (draft 2020-12) for root, with type and
// field descriptions taken from the doc comments of the Go sources in dir.
// enums maps a named string type to its allowed values.
func Generate(root reflect.Type, dir, id, title string, enums map[reflect.Type][]string) ([]byte, error) {
	docs, err := readDocs(dir)
	if err != nil {
		return nil, err
	}
	g := &gen{docs: docs, defs: map[string]any{}, enums: enums}
	rootSchema := g.structSchema(root)
	rootSchema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	rootSchema["$id"] = id
	rootSchema["title"] = title
	rootSchema["$defs"] = g.defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rootSchema); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type gen struct {
	docs  map[string]string // "Type" and "Type.Field" → comment
	defs  map[string]any
	enums map[reflect.Type][]string
}

var timeType = reflect.TypeOf(time.Time{})

func (g *gen) schema(t reflect.Type) map[string]any {
	if vals, ok := g.enums[t]; ok {
		return map[string]any{"type": "string", "enum": vals}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		if _, ok := g.defs[t.Name()]; !ok {
			g.defs[t.Name()] = nil // break recursion
			g.defs[t.Name()] = g.structSchema(t)
		}
		return map[string]any{"$ref": "#/$defs/" + t.Name()}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer", "minimum": 0}
		if bits := t.Bits(); bits < 64 {
			s["maximum"] = uint64(1)<<bits - 1
		}
		return s
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	}
	panic(fmt.Sprintf("schemagen: unsupported kind %s in %s", t.Kind(), t))
}

func (g *gen) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schema(f.Type)
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}, "description": d}
			} else {
				s["description"] = d
			}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	if d := g.docs[t.Name()]; d != "" {
		out["description"] = d
	}
	return out
}

// readDocs collects the doc comments of types and struct fields in dir.
// A comment above a group of fields ("Identity from Get Device ID") applies
// to the first field only, as godoc shows it.
func readDocs(dir string) (map[string]string, error) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					doc := ts.Doc
					if doc == nil {
						doc = gd.Doc
					}
					docs[ts.Name.Name] = clean(doc.Text())
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, f := range st.Fields.List {
						text := f.Doc.Text()
						if text == "" {
							text = f.Comment.Text()
						}
						for _, n := range f.Names {
							docs[ts.Name.Name+"."+n.Name] = clean(text)
						}
					}
				}
			}
		}
	}
	return docs, nil
}

func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
