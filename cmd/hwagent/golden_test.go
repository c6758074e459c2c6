//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hwagent/hwagent/internal/lab"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the dumps of testdata/hosts")

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

// helperEnv carries the CLI arguments to TestGoldenHelperProcess.
const helperEnv = "GOLDEN_HELPER_ARGS"

// TestGoldenHelperProcess is not a test: it is the child process of
// runIsolated, running the CLI in-process with the arguments in
// $GOLDEN_HELPER_ARGS.
func TestGoldenHelperProcess(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(context.Background(), args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hwagent:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runIsolated runs `hwagent ARGS` (this test binary calling run) in a new,
// empty network namespace, with no HWAGENT_* variables in its environment.
//
// Why: the network collector joins its sysfs view with the agent's own
// links over netlink (addresses, permanent MAC, ethtool driver info) when
// a link has the same name, ifindex and MAC. testdata/hosts/build-vm was
// captured on a machine of the kind the tests run on (eth0, ifindex 2,
// 02:fc:00:00:00:01), so replayed in the test's own namespace it would pick
// up that machine's live addresses. In an empty namespace only lo exists
// and no tree's interface can match: the goldens hold exactly what the
// tree says, on every machine.
func runIsolated(t *testing.T, args []string) []byte {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGoldenHelperProcess$", "-test.count=1")
	cmd.Env = []string{helperEnv + "=" + string(raw)}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HWAGENT_") && !strings.HasPrefix(kv, helperEnv+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	attr := &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if uid, gid := os.Geteuid(), os.Getegid(); uid != 0 {
		// Unprivileged: a user namespace mapping only ourselves lets us
		// own the new network namespace.
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
	}
	cmd.SysProcAttr = attr
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) && (errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOSPC)) {
			lab.Unavailable(t, lab.Root, fmt.Errorf("the golden dumps run in an empty network namespace, which needs root or unprivileged user namespaces: %w", err))
		}
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
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/hwagent -run TestGolden -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", file, diff)
	}
}

// TestGolden dumps every host tree of testdata/hosts as JSON and as text
// and compares the documents with testdata/golden. Regenerate with
// `go test ./cmd/hwagent -run TestGolden -update` and review the diff.
func TestGolden(t *testing.T) {
	for _, tree := range hostTrees(t) {
		for _, format := range []string{"json", "text"} {
			t.Run(tree+"/"+format, func(t *testing.T) {
				t.Parallel()
				out := runIsolated(t, dumpArgs(format, "--root", filepath.Join(hostsDir, tree)))
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
			hanlon := normalizeJSON(runIsolated(t, dumpArgs("json", loc...)))
			root := normalizeJSON(runIsolated(t, dumpArgs("json", "--root", dir)))
			if diff := cmp.Diff(string(root), string(hanlon)); diff != "" {
				t.Errorf("--proc/--sys/--dev/--run/--etc/--usr differ from --root (-root +overrides):\n%s", diff)
			}
		})
	}
}
