package testutil

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// GoldenPath is the golden file of a fixture or case name:
// testdata/golden/NAME.json, every "/" of name replaced by "_"
// ("ghw/dual-xeon-l5640" → testdata/golden/ghw_dual-xeon-l5640.json).
func GoldenPath(name string) string {
	return filepath.Join("testdata", "golden", strings.ReplaceAll(name, "/", "_")+".json")
}

// Golden compares got with the content of the file at path and reports a
// difference as "PATH (-want +got)". With update, it first writes got to
// path (creating its directory), so `go test -update` regenerates golden
// files and a plain run checks them.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// GoldenJSON is Golden for v as JSON indented by two spaces, ending in a
// newline (json.MarshalIndent's output, so readable and stable).
func GoldenJSON(t testing.TB, path string, v any, update bool) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Golden(t, path, append(got, '\n'), update)
}

// Update is the -update flag of every test package that keeps golden
// files: `go test ./PKG -update` rewrites them from what the code makes
// now (review the diff), a plain run compares. It is registered here, once,
// so no test package defines a flag of its own.
var Update = flag.Bool("update", false, "rewrite golden files from the current output (review the diff)")
