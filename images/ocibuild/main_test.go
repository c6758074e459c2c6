package main

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestImageTarball builds the real binary, builds the image tarball the way
// the README says, loads it back like `docker load` would, and checks the
// entrypoint, the layer's files and that the binary in it runs.
func TestImageTarball(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hwagent")
	build := exec.Command("go", "build", "-tags", "noserver", "-trimpath", "-ldflags", "-s -w -X github.com/hwagent/hwagent/internal/version.Version=v9.9.9-test", "-o", bin, "../../cmd/hwagent")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	certs := filepath.Join(dir, "ca.pem")
	os.WriteFile(certs, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o644)
	ids := filepath.Join(dir, "pci.ids")
	os.WriteFile(ids, []byte("8086  Intel Corporation\n"), 0o644)

	out := filepath.Join(dir, "image.tar")
	o := options{Binary: bin, CACerts: certs, PCIIDs: ids, Version: "v9.9.9-test", Created: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)}
	if err := run(o, "hwagent/hwagent:v9.9.9-test", out); err != nil {
		t.Fatal(err)
	}

	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatalf("load tarball: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"/hwagent"}, cf.Config.Entrypoint); diff != "" {
		t.Errorf("entrypoint (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"run"}, cf.Config.Cmd); diff != "" {
		t.Errorf("cmd (-want +got):\n%s", diff)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || cf.Config.Labels["org.opencontainers.image.version"] != "v9.9.9-test" {
		t.Errorf("config: os %s arch %s labels %v", cf.OS, cf.Architecture, cf.Config.Labels)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers = %d, %v; want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var names []string
	extracted := filepath.Join(dir, "from-image")
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "hwagent" {
			f, _ := os.OpenFile(extracted, os.O_CREATE|os.O_WRONLY, os.FileMode(h.Mode))
			io.Copy(f, tr)
			f.Close()
		}
	}
	want := []string{"hwagent", "etc/", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt",
		"usr/", "usr/share/", "usr/share/hwdata/", "usr/share/hwdata/pci.ids"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("layer files (-want +got):\n%s", diff)
	}
	got, err := exec.Command(extracted, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("hwagent version from the image: %v\n%s", err, got)
	}
	if !strings.HasPrefix(string(got), "hwagent v9.9.9-test ") {
		t.Errorf("hwagent version = %q", got)
	}
	// The image is the agent build: no reference server in it.
	if got, err := exec.Command(extracted, "serve").CombinedOutput(); err == nil || !strings.Contains(string(got), "built with -tags noserver") {
		t.Errorf("hwagent serve in the image: %v\n%s", err, got)
	}
	fi, _ := os.Stat(out)
	bi, _ := os.Stat(extracted)
	t.Logf("image tarball %.1f MB, binary %.1f MB", float64(fi.Size())/1e6, float64(bi.Size())/1e6)
}
