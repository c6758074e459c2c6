package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
)

// The whole-inventory golden files: for every host tree in testdata/hosts,
// `hwagent dump -o json` and `-o text --no-color` of that tree, with PCI
// names from the pinned excerpt testdata/hosts/pci.ids (the host's own
// pci.ids would make the goldens depend on the machine).
var (
	hostsDir     = filepath.Join("..", "..", "testdata", "hosts")
	goldenDir    = filepath.Join("..", "..", "testdata", "golden")
	pinnedPCIIDs = filepath.Join(hostsDir, "pci.ids")
)

// hostTrees lists the directories of testdata/hosts.
func hostTrees(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir(hostsDir)
	if err != nil {
		t.Fatal(err)
	}
	var trees []string
	for _, e := range ents {
		if e.IsDir() {
			trees = append(trees, e.Name())
		}
	}
	if len(trees) == 0 {
		t.Fatalf("no host trees in %s", hostsDir)
	}
	return trees
}

// dumpArgs is the dump command line for format, reading the host at loc
// (--root DIR, or per-tree overrides).
func dumpArgs(format string, loc ...string) []string {
	args := []string{"dump", "-o", format, "--pci-ids", pinnedPCIIDs, "--lldp-wait", "0"}
	if format == "text" {
		args = append(args, "--no-color")
	}
	return append(args, loc...)
}

// dumpTree runs `hwagent ARGS` in-process with no HWAGENT_* variables, and
// returns its standard output. The trees are recordings (hostpaths finds no
// procfs and no live machine behind them), so the dump holds exactly what
// the tree says on every machine: build-vm, captured on a machine of the
// kind the tests run on (eth0, ifindex 2, 02:fc:00:00:00:01), never picks
// up that machine's addresses.
func dumpTree(t *testing.T, args []string) []byte {
	t.Helper()
	noEnv := func(string) (string, bool) { return "", false }
	var stdout, stderr bytes.Buffer
	if err := runEnv(context.Background(), args, noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("hwagent %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return stdout.Bytes()
}

var (
	collectedAtRE = regexp.MustCompile(`"collected_at": "[^"]*"`)
	durationRE    = regexp.MustCompile(`"duration_seconds": [0-9.eE+-]+`)
	// textDurationRE is the duration column of the text report's
	// Collectors table with the padding after it: the column's width
	// changes with the slowest collector, so both go.
	textDurationRE = regexp.MustCompile(`[0-9]+\.[0-9] ms *`)
)

// normalizeJSON fixes the only values that change from run to run: when
// the collection started and how long each collector took. Everything else
// is compared as the CLI printed it.
func normalizeJSON(b []byte) []byte {
	b = collectedAtRE.ReplaceAll(b, []byte(`"collected_at": "2000-01-01T00:00:00Z"`))
	return durationRE.ReplaceAll(b, []byte(`"duration_seconds": 0`))
}

// normalizeText drops the duration column of the Collectors table.
func normalizeText(b []byte) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	in := false
	for i, l := range lines {
		if strings.HasPrefix(l, "Collectors") {
			in = true
			continue
		}
		if in {
			if !strings.HasPrefix(l, "  ") {
				in = false
				continue
			}
			body, nl := strings.CutSuffix(l, "\n")
			lines[i] = strings.TrimRight(textDurationRE.ReplaceAllString(body, ""), " ")
			if nl {
				lines[i] += "\n"
			}
		}
	}
	return []byte(strings.Join(lines, ""))
}

func normalize(format string, b []byte) []byte {
	if format == "json" {
		return normalizeJSON(b)
	}
	return normalizeText(b)
}

// goldenFile is where the golden document of tree in format lives.
func goldenFile(tree, format string) string {
	ext := map[string]string{"json": ".json", "text": ".txt"}[format]
	return filepath.Join(goldenDir, tree+ext)
}

// compareGolden compares got with the golden file, or rewrites it with
// -update.
func compareGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	testutil.Golden(t, file, got, *testutil.Update)
}

// TestGolden dumps every host tree of testdata/hosts as JSON and as text
// and compares the documents with testdata/golden. Regenerate with
// `go test ./cmd/hwagent -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	for _, tree := range hostTrees(t) {
		for _, format := range []string{"json", "text"} {
			t.Run(tree+"/"+format, func(t *testing.T) {
				t.Parallel()
				out := dumpTree(t, dumpArgs(format, "--root", filepath.Join(hostsDir, tree)))
				compareGolden(t, goldenFile(tree, format), normalize(format, out))
			})
		}
	}
}

// TestGoldenHasEveryTree fails when a golden file has no host tree left.
func TestGoldenHasEveryTree(t *testing.T) {
	t.Parallel()
	trees := map[string]bool{}
	for _, tree := range hostTrees(t) {
		trees[tree] = true
	}
	files, _ := filepath.Glob(filepath.Join(goldenDir, "*"))
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".json"), ".txt")
		if !trees[name] {
			t.Errorf("%s: no host tree testdata/hosts/%s", f, name)
		}
	}
}

// TestHanlonLayout reads each tree through per-tree overrides, the way
// Hanlon's microkernel mounts the host (/host-proc, /host-sys, /host-dev
// and so on), and expects the same document as with --root. Every tree is
// given (not only proc, sys and dev): a tree left out would be read from
// the test machine's own /etc, /run or /usr.
func TestHanlonLayout(t *testing.T) {
	for _, tree := range hostTrees(t) {
		t.Run(tree, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(hostsDir, tree)
			var loc []string
			for _, sub := range []string{"proc", "sys", "dev", "run", "etc", "usr"} {
				loc = append(loc, "--"+sub, filepath.Join(dir, sub))
			}
			hanlon := normalizeJSON(dumpTree(t, dumpArgs("json", loc...)))
			root := normalizeJSON(dumpTree(t, dumpArgs("json", "--root", dir)))
			if diff := cmp.Diff(string(root), string(hanlon)); diff != "" {
				t.Errorf("--proc/--sys/--dev/--run/--etc/--usr differ from --root (-root +overrides):\n%s", diff)
			}
		})
	}
}
