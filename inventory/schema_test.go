package inventory_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/inventory/internal/schemagen"
)

func generate(t *testing.T) []byte {
	t.Helper()
	enums := map[reflect.Type][]string{
		reflect.TypeOf(inventory.Status("")): {
			string(inventory.StatusOK), string(inventory.StatusPartial),
			string(inventory.StatusNotApplicable), string(inventory.StatusFailed),
			string(inventory.StatusPending),
		},
	}
	b, err := schemagen.Generate(reflect.TypeOf(inventory.Inventory{}), ".",
		"https://hwagent.dev/schema/inventory/v1.json", "hwagent inventory ("+inventory.SchemaVersion+")", enums)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSchemaUpToDate fails when schema.json no longer matches the types.
// Regenerate with: go test ./inventory -run TestSchemaUpToDate -update
func TestSchemaUpToDate(t *testing.T) {
	got := generate(t)
	if *testutil.Update {
		if err := os.WriteFile("schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("schema.json is stale: run go test ./inventory -run TestSchemaUpToDate -update")
	}
}

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(generate(t)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, b []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(v)
}

// TestGoldenDocumentsValidate validates every inventory document the
// project's golden tests produced from real host trees.
func TestGoldenDocumentsValidate(t *testing.T) {
	s := compile(t)
	files, _ := filepath.Glob("../testdata/golden/*.json")
	more, _ := filepath.Glob("../export/testdata/fleet/*.json")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no golden inventory documents under ../testdata/golden or ../export/testdata/fleet")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(t, s, b); err != nil {
			t.Errorf("%s does not validate:\n%v", f, err)
		}
	}
}

func TestSchemaRejectsBadDocuments(t *testing.T) {
	s := compile(t)
	good := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC),
		Agent:         inventory.Agent{Version: "v0.1.0"},
		Memory:        &inventory.Memory{TotalBytes: 16 << 30},
		Collectors:    []inventory.CollectorStatus{{Name: "memory", Status: inventory.StatusOK}},
	}
	b, _ := json.Marshal(good)
	if err := validate(t, s, b); err != nil {
		t.Fatalf("a good document fails: %v", err)
	}
	for name, mutate := range map[string]func(string) string{
		"size as text": func(d string) string {
			return strings.Replace(d, `"total_bytes":17179869184`, `"total_bytes":"16GB"`, 1)
		},
		"unknown field":  func(d string) string { return strings.Replace(d, `"agent":{`, `"agent":{"colour":"blue",`, 1) },
		"bad status":     func(d string) string { return strings.Replace(d, `"status":"ok"`, `"status":"fine"`, 1) },
		"missing header": func(d string) string { return strings.Replace(d, `"schema_version":"hwagent.inventory/v1",`, ``, 1) },
		"negative size":  func(d string) string { return strings.Replace(d, `17179869184`, `-1`, 1) },
	} {
		bad := mutate(string(b))
		if bad == string(b) {
			t.Fatalf("%s: mutation did not apply to %s", name, b)
		}
		if err := validate(t, s, []byte(bad)); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
}
