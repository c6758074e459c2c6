package images

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
)

// TestMakeImageReproducible: `make image` in two fresh clones of the same
// commit, in different directories, gives the same tarball byte for byte,
// whose index carries the commit and the commit's time.
func TestMakeImageReproducible(t *testing.T) {
	lab.Need(t, lab.Long, lab.GitCheckout) // builds the image twice, from the checkout
	for _, p := range []string{"git", "make"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s not installed", p)
		}
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := strings.TrimSpace(string(top))
	head := git(t, root, "rev-parse", "HEAD")
	commitTime := git(t, root, "log", "-1", "--format=%cI", head)
	var tarballs [][]byte
	start := time.Now()
	for _, name := range []string{"a", "b/deeper"} {
		dir := filepath.Join(t.TempDir(), name)
		git(t, root, "clone", "--quiet", "--shared", "--no-checkout", root, dir)
		git(t, dir, "checkout", "--quiet", "--detach", head)
		cmd := exec.Command("make", "-C", dir, "image")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make image in %s: %v\n%s", dir, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "dist", "hwagent-image.tar"))
		if err != nil {
			t.Fatal(err)
		}
		tarballs = append(tarballs, b)
	}
	if !bytes.Equal(tarballs[0], tarballs[1]) {
		t.Fatalf("two builds of %s differ (%d and %d bytes)", head, len(tarballs[0]), len(tarballs[1]))
	}
	idx := indexOf(t, tarballs[0])
	want := map[string]string{
		"org.opencontainers.image.revision": head,
		"org.opencontainers.image.created":  mustRFC3339(t, commitTime),
		"org.opencontainers.image.version":  git(t, root, "describe", "--tags", "--always", head),
		"org.opencontainers.image.source":   "https://github.com/hwagent/hwagent",
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
	for k, v := range want {
		if idx.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, idx.Annotations[k], v)
		}
	}
	var plats []string
	for _, m := range idx.Manifests {
		plats = append(plats, m.Platform.OS+"/"+m.Platform.Architecture)
	}
	if strings.Join(plats, " ") != "linux/amd64 linux/arm64" {
		t.Errorf("platforms %v", plats)
	}
	t.Logf("two builds of %s in %s: %d bytes each, identical", head[:12], time.Since(start).Round(time.Second), len(tarballs[0]))
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func mustRFC3339(t *testing.T, s string) string {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC().Format(time.RFC3339)
}

type ociIndex struct {
	Manifests []struct {
		Digest   string `json:"digest"`
		Platform struct {
			OS           string `json:"os"`
			Architecture string `json:"architecture"`
		} `json:"platform"`
	} `json:"manifests"`
	Annotations map[string]string `json:"annotations"`
}

// indexOf reads the image index out of a layout tarball: index.json names
// it, its blob holds it.
func indexOf(t *testing.T, tarball []byte) ociIndex {
	t.Helper()
	files := untarBytes(t, tarball)
	var top ociIndex
	if err := json.Unmarshal(files["index.json"], &top); err != nil || len(top.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	var idx ociIndex
	if err := json.Unmarshal(files["blobs/sha256/"+strings.TrimPrefix(top.Manifests[0].Digest, "sha256:")], &idx); err != nil {
		t.Fatal(err)
	}
	return idx
}
