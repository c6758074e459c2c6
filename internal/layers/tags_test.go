package layers

import (
	"bufio"
	"go/build/constraint"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// buildTags are the tags the module's files are built with or without
// (//go:build lines), platform names and toolchain words left out: the
// builds the house comes in. `noserver` is the agent's build (the image's),
// `e2e` the netboot test's, `hwagent_nextschema` the replicas' upgrade test's.
func buildTags(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatalf("go tool dist list: %v", err)
	}
	platform := map[string]bool{"unix": true, "cgo": true, "gc": true, "gccgo": true, "ignore": true}
	for _, p := range strings.Fields(string(out)) {
		goos, goarch, _ := strings.Cut(p, "/")
		platform[goos], platform[goarch] = true, true
	}
	seen := map[string]bool{}
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		expr, err := goBuildLine(path)
		if err != nil || expr == nil {
			return err
		}
		expr.Eval(func(tag string) bool {
			if !platform[tag] && !strings.HasPrefix(tag, "go1.") && !strings.HasPrefix(tag, "goexperiment.") {
				seen[tag] = true
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tags := make([]string, 0, len(seen))
	for tag := range seen {
		tags = append(tags, tag)
	}
	slices.Sort(tags)
	return tags
}

// goBuildLine returns the file's //go:build constraint, nil without one.
func goBuildLine(path string) (constraint.Expr, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case constraint.IsGoBuild(line):
			return constraint.Parse(line)
		case line == "" || strings.HasPrefix(line, "//"):
			continue
		default:
			return nil, nil // the package clause: constraints come before it
		}
	}
	return nil, sc.Err()
}

// TestEveryBuildTagBuilds: every package of the module, tests included,
// type-checks under each build tag its files use (go vet -tags TAG), not
// only under the default one that `go build ./...` and CI's vet see. A
// package split by a tag must build on both sides: `go build -tags
// noserver ./...` failed in server/kubesync when export.One was left out
// of the agent's build.
func TestEveryBuildTagBuilds(t *testing.T) {
	t.Parallel()
	tags := buildTags(t)
	if !slices.Contains(tags, "noserver") {
		t.Fatalf("build tags %v: the agent's noserver build is not among them; is the walk reading the module?", tags)
	}
	for _, tag := range tags {
		cmd := exec.Command("go", "vet", "-tags", tag, module+"...")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go vet -tags %s ./...: %v\n%s", tag, err, out)
		}
	}
}
