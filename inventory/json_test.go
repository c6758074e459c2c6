package inventory

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeJSONMatchesEncodingJSON: the generated encoders write what
// encoding/json writes, byte for byte, for an inventory with every field
// set (a field added without go generate is missing from the generated
// output and fails here) under several fillings of strings and numbers.
func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	strs := []string{
		"Intel(R) Xeon(R) Gold 5218R CPU @ 2.10GHz",
		"<b>&amp;</b> \"quoted\" back\\slash",
		"\x1b]0;title\x07 \x1b[2J \x00 \x7f \u0085",
		"bad utf-8 \xff\xfe, separators \u2028 \u2029, ünïcödé ✓",
		"",
	}
	floats := []float64{0, 4.7261e-05, 1e-7, 12.5, 1e21, 123456789.125, -0.000001, 3.3}
	for i := range 12 {
		f := &filler{strs: strs, floats: floats, n: i}
		var inv Inventory
		f.fill(reflect.ValueOf(&inv).Elem(), 0)
		compareEncoders(t, &inv)
		// The agent's escaped copies decode what EncodeJSON wrote.
		b, err := EncodeJSON(&inv)
		if err != nil {
			t.Fatal(err)
		}
		var back Inventory
		if err := DecodeJSON(b, &back); err != nil {
			t.Fatalf("DecodeJSON: %v", err)
		}
		var want Inventory
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, back); diff != "" {
			t.Fatalf("filling %d: DecodeJSON vs encoding/json's Unmarshal (-want +got):\n%s", i, diff)
		}
	}
}

// TestEncodeJSONRealInventories compares the encoders on the inventories of
// real machines in the repository's testdata.
func TestEncodeJSONRealInventories(t *testing.T) {
	t.Parallel()
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || d.Name() != "hwagent-inventory.json" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var inv Inventory
		if err := json.Unmarshal(b, &inv); err != nil {
			return nil // not this schema's document
		}
		n++
		t.Run(path, func(t *testing.T) { compareEncoders(t, &inv) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Fatalf("found %d hwagent-inventory.json documents in testdata, want the real machines' (at least 4)", n)
	}
}

func TestEncodeJSONRefusesNaN(t *testing.T) {
	t.Parallel()
	inv := Inventory{Collectors: []CollectorStatus{{Name: "cpu", DurationSeconds: math.NaN()}}}
	if _, err := EncodeJSON(&inv); err == nil {
		t.Error("EncodeJSON wrote NaN; encoding/json refuses it")
	}
	if _, err := json.Marshal(&inv); err == nil {
		t.Error("encoding/json wrote NaN")
	}
}

func compareEncoders(t *testing.T, inv *Inventory) {
	t.Helper()
	want, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncodeJSON(inv)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("EncodeJSON differs from encoding/json at byte %d:\n got %q\nwant %q", i, excerpt(got, i), excerpt(want, i))
	}
}

func excerpt(b []byte, i int) []byte {
	return b[max(0, i-80):min(len(b), i+80)]
}

// filler sets every field of a value, choosing strings and floats by its
// position so that each filling differs.
type filler struct {
	strs   []string
	floats []float64
	n      int
}

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 6, 14, 0, f.next()%60, 123456789, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth)
			}
		}
	case reflect.Pointer:
		if depth > 4 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), depth+1)
	case reflect.Slice:
		if depth > 4 {
			return
		}
		n := 1 + f.next()%2
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			f.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.String:
		s := f.strs[f.next()%len(f.strs)]
		if strings.HasSuffix(v.Type().Name(), "Kind") || v.Type().Name() == "Status" {
			s = "ok"
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(f.next()%3 != 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()%5-1) * 1000003 % (1 << (v.Type().Bits() - 2)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(uint64(f.next()%4) * 65537 % (1 << (v.Type().Bits() - 1)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.floats[f.next()%len(f.floats)])
	case reflect.Map, reflect.Interface:
		panic("the inventory has a " + v.Kind().String() + " field (" + v.Type().String() + "): easyjson writes maps in no set order")
	}
}
