package testutil_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/testutil"
)

func TestGoldenPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ghw/dual-xeon-l5640": "testdata/golden/ghw_dual-xeon-l5640.json",
		"build-vm":            "testdata/golden/build-vm.json",
		"qemu/q35/a":          "testdata/golden/qemu_q35_a.json",
	} {
		if got := testutil.GoldenPath(in); got != filepath.FromSlash(want) {
			t.Errorf("GoldenPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "golden", "cpu.json")

	// No file yet: the failure says how to make one.
	testutil.Record(t, func(tb testing.TB) { testutil.Golden(tb, path, []byte("a\n"), false) }).
		WantFatal(t, "run go test -update to create it")

	// -update writes (creating the directory), then the same bytes pass.
	if r := testutil.Record(t, func(tb testing.TB) { testutil.Golden(tb, path, []byte("a\nbravo\n"), true) }); r.Failed() {
		t.Fatalf("update: fatal %q, errors %q", r.Fatal, r.Errors)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "a\nbravo\n" {
		t.Fatalf("written golden = %q, %v", b, err)
	}
	if r := testutil.Record(t, func(tb testing.TB) { testutil.Golden(tb, path, []byte("a\nbravo\n"), false) }); r.Failed() {
		t.Fatalf("same bytes: fatal %q, errors %q", r.Fatal, r.Errors)
	}

	// Other bytes: one error naming the file, with a -want +got diff.
	r := testutil.Record(t, func(tb testing.TB) { testutil.Golden(tb, path, []byte("a\ncharlie\n"), false) })
	if r.Fatal != "" || len(r.Errors) != 1 || !strings.HasPrefix(r.Errors[0], path+" (-want +got):\n") ||
		!strings.Contains(r.Errors[0], "bravo") || !strings.Contains(r.Errors[0], "charlie") {
		t.Errorf("different bytes: fatal %q, errors %q", r.Fatal, r.Errors)
	}
}

func TestGoldenJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "host.json")
	v := struct {
		Host     map[string]any `json:"host"`
		Warnings []string       `json:"warnings,omitempty"`
	}{Host: map[string]any{"hostname": "vm", "uptime_seconds": 1251.07, "note": "<&>"}}
	if r := testutil.Record(t, func(tb testing.TB) { testutil.GoldenJSON(tb, path, v, true) }); r.Failed() {
		t.Fatalf("update: fatal %q, errors %q", r.Fatal, r.Errors)
	}
	// json.MarshalIndent's bytes: two spaces, sorted map keys, HTML
	// characters escaped, a final newline.
	want := "{\n  \"host\": {\n    \"hostname\": \"vm\",\n    \"note\": \"\\u003c\\u0026\\u003e\",\n    \"uptime_seconds\": 1251.07\n  }\n}\n"
	if b, err := os.ReadFile(path); err != nil || string(b) != want {
		t.Errorf("golden = %q, %v; want %q", b, err, want)
	}
	testutil.Record(t, func(tb testing.TB) { testutil.GoldenJSON(tb, path, func() {}, false) }).
		WantFatal(t, "unsupported type: func()")
}
