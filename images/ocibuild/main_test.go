package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/hwagent/hwagent/internal/lab"
)

// testVersion is the version the test binaries carry.
const testVersion = "v9.9.9-test"

var (
	binOnce sync.Once
	bins    map[string]string // GOARCH → binary
	binErr  error
)

// testBinaries builds the agent for amd64 and arm64 once per test binary.
func testBinaries(t *testing.T) map[string]string {
	t.Helper()
	lab.Need(t, lab.Long) // builds the binary for two architectures
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ocibuild-test-")
		if err != nil {
			binErr = err
			return
		}
		bins = map[string]string{}
		for _, arch := range []string{"amd64", "arm64"} {
			out := filepath.Join(dir, "hwagent-"+arch)
			build := exec.Command("go", "build", "-tags", "noserver", "-trimpath", "-ldflags", "-s -w -X github.com/hwagent/hwagent/internal/version.Version="+testVersion, "-o", out, "../../cmd/hwagent")
			build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
			if b, err := build.CombinedOutput(); err != nil {
				binErr = err
				t.Logf("go build %s:\n%s", arch, b)
				return
			}
			bins[arch] = out
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return bins
}

// testOptions are the options of a two-platform image with small CA and
// pci.ids files.
func testOptions(t *testing.T, dir string) options {
	b := testBinaries(t)
	certs := filepath.Join(dir, "ca.pem")
	os.WriteFile(certs, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o644)
	ids := filepath.Join(dir, "pci.ids")
	os.WriteFile(ids, []byte("8086  Intel Corporation\n"), 0o644)
	return options{
		Binaries: []platformBinary{{OS: "linux", Arch: "amd64", Path: b["amd64"]}, {OS: "linux", Arch: "arm64", Variant: "v8", Path: b["arm64"]}},
		CACerts:  certs, PCIIDs: ids, Version: testVersion,
		Revision: "0123456789abcdef0123456789abcdef01234567", Source: "https://github.com/hwagent/hwagent", Licenses: "NOASSERTION",
		Created: time.Date(2026, 11, 22, 10, 11, 12, 0, time.UTC), Tag: "hwagent/hwagent:" + testVersion,
	}
}

// untar unpacks a layout tarball into a directory.
func untar(t *testing.T, file, dir string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.Equal(time.Date(2026, 11, 22, 10, 11, 12, 0, time.UTC)) {
			t.Errorf("%s: owner %d:%d, time %s", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		p := filepath.Join(dir, h.Name)
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			continue
		}
		b, _ := io.ReadAll(tr)
		os.WriteFile(p, b, 0o644)
	}
}

// TestMultiArchLayout builds the image for amd64 and arm64 twice: the two
// tarballs are the same bytes; read back as an OCI layout, the index holds
// one image per platform with the annotations, and each image's binary is
// for its architecture.
func TestMultiArchLayout(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(t, dir)
	out1, out2 := filepath.Join(dir, "1.tar"), filepath.Join(dir, "2.tar")
	d1, err := run(o, out1)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := run(o, out2)
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(out1)
	b2, _ := os.ReadFile(out2)
	if d1 != d2 || !bytes.Equal(b1, b2) {
		t.Errorf("two builds differ: %s and %s", d1, d2)
	}

	lay := filepath.Join(dir, "layout")
	names := untar(t, out1, lay)
	if names[len(names)-2] != "index.json" || names[len(names)-1] != "oci-layout" {
		t.Errorf("layout entries %v", names)
	}
	top, err := layout.ImageIndexFromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	topm, _ := top.IndexManifest()
	if len(topm.Manifests) != 1 || topm.Manifests[0].Digest != d1 {
		t.Fatalf("index.json: %+v, want the index %s", topm.Manifests, d1)
	}
	if diff := cmp.Diff(map[string]string{"io.containerd.image.name": "docker.io/hwagent/hwagent:" + testVersion, "org.opencontainers.image.ref.name": testVersion}, topm.Manifests[0].Annotations); diff != "" {
		t.Errorf("index.json names (-want +got):\n%s", diff)
	}
	idx, err := top.ImageIndex(d1)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	wantAnn := map[string]string{
		"org.opencontainers.image.title":       "hwagent",
		"org.opencontainers.image.description": "Hardware discovery agent for bare-metal provisioning",
		"org.opencontainers.image.version":     testVersion,
		"org.opencontainers.image.created":     "2026-11-22T10:11:12Z",
		"org.opencontainers.image.source":      "https://github.com/hwagent/hwagent",
		"org.opencontainers.image.revision":    "0123456789abcdef0123456789abcdef01234567",
		"org.opencontainers.image.licenses":    "NOASSERTION",
	}
	if diff := cmp.Diff(wantAnn, im.Annotations); diff != "" {
		t.Errorf("index annotations (-want +got):\n%s", diff)
	}
	var plats []string
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, d := range im.Manifests {
		plats = append(plats, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		if cf.Architecture != d.Platform.Architecture || cf.OS != "linux" || cf.Variant != d.Platform.Variant || !cf.Created.Equal(o.Created) {
			t.Errorf("%s: config %s/%s/%s created %s", d.Platform, cf.OS, cf.Architecture, cf.Variant, cf.Created)
		}
		if diff := cmp.Diff(wantAnn, cf.Config.Labels); diff != "" {
			t.Errorf("%s labels (-want +got):\n%s", d.Platform, diff)
		}
		if !cmp.Equal([]string{"/hwagent"}, cf.Config.Entrypoint) || !cmp.Equal([]string{"run"}, cf.Config.Cmd) {
			t.Errorf("%s: entrypoint %v cmd %v", d.Platform, cf.Config.Entrypoint, cf.Config.Cmd)
		}
		files, bin := layerFiles(t, img)
		want := []string{"hwagent", "etc/", "etc/ssl/", "etc/ssl/certs/", "etc/ssl/certs/ca-certificates.crt", "usr/", "usr/share/", "usr/share/hwdata/", "usr/share/hwdata/pci.ids"}
		if diff := cmp.Diff(want, files); diff != "" {
			t.Errorf("%s layer (-want +got):\n%s", d.Platform, diff)
		}
		ef, err := elf.NewFile(bytes.NewReader(bin))
		if err != nil || ef.Machine != machines[d.Platform.Architecture] {
			t.Errorf("%s: /hwagent is %v (%v), want %v", d.Platform, ef.Machine, err, machines[d.Platform.Architecture])
		}
		if d.Platform.Architecture == "amd64" {
			runBinary(t, dir, bin)
		}
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64/v8"}, plats); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	fi, _ := os.Stat(out1)
	t.Logf("image tarball %.1f MB, index %s", float64(fi.Size())/1e6, d1)
}

// layerFiles lists the image's layer and returns /hwagent's bytes.
func layerFiles(t *testing.T, img v1.Image) ([]string, []byte) {
	t.Helper()
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
	var bin []byte
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names, bin
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if h.Name == "hwagent" {
			bin, _ = io.ReadAll(tr)
		}
	}
}

// runBinary runs the image's agent build: its version, and no server.
func runBinary(t *testing.T, dir string, bin []byte) {
	t.Helper()
	p := filepath.Join(dir, "hwagent-from-image")
	if err := os.WriteFile(p, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(p, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(got), "hwagent "+testVersion+" ") {
		t.Errorf("hwagent version from the image = %q, %v", got, err)
	}
	if got, err := exec.Command(p, "serve").CombinedOutput(); err == nil || !strings.Contains(string(got), "built with -tags noserver") {
		t.Errorf("hwagent serve in the image: %v\n%s", err, got)
	}
}

// TestPullPerPlatform is the path of Hook's images/hook-embedded/
// pull-images.sh: the image pushed to a registry (skopeo copy --all, as
// images/README says), then pulled for one platform (pull-images.sh runs
// `docker pull --platform=linux/ARCH`; skopeo --override-arch makes the same
// choice from the index) and saved as a docker archive (its `docker save`),
// for amd64 and arm64: each pull gets its architecture's image and binary.
func TestPullPerPlatform(t *testing.T) {
	lab.Need(t, lab.Skopeo)
	dir := t.TempDir()
	o := testOptions(t, dir)
	out := filepath.Join(dir, "image.tar")
	if _, err := run(o, out); err != nil {
		t.Fatal(err)
	}
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	ref := strings.TrimPrefix(reg.URL, "http://") + "/hwagent/hwagent:" + testVersion
	skopeo(t, "copy", "--all", "--dest-tls-verify=false", "oci-archive:"+out, "docker://"+ref)
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	for _, arch := range []string{"amd64", "arm64"} {
		saved := filepath.Join(dir, "saved-"+arch+".tar")
		skopeo(t, "copy", "--override-os", "linux", "--override-arch", arch, "--src-tls-verify=false", "docker://"+ref, "docker-archive:"+saved+":hwagent/hwagent:"+testVersion)
		img, err := tarball.ImageFromPath(saved, nil)
		if err != nil {
			t.Fatalf("%s: the saved image: %v", arch, err)
		}
		cf, _ := img.ConfigFile()
		if cf.Architecture != arch || cf.Config.Labels["org.opencontainers.image.revision"] != o.Revision {
			t.Errorf("pulled for %s: architecture %s, labels %v", arch, cf.Architecture, cf.Config.Labels)
		}
		_, bin := layerFiles(t, img)
		ef, err := elf.NewFile(bytes.NewReader(bin))
		if err != nil || ef.Machine != machines[arch] {
			t.Errorf("pulled for %s: /hwagent is %v (%v)", arch, ef.Machine, err)
		}
	}
}

func skopeo(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("skopeo", append([]string{"--insecure-policy"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("skopeo %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestParseFlags(t *testing.T) {
	var list []platformBinary
	f := binariesFlag{&list}
	for _, v := range []string{"linux/amd64=a", "linux/arm64=b", "linux/arm/v7=c"} {
		if err := f.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := []string{list[0].String(), list[1].String(), list[2].String()}; !cmp.Equal(got, []string{"linux/amd64", "linux/arm64/v8", "linux/arm/v7"}) {
		t.Errorf("platforms %v", got)
	}
	for _, bad := range []string{"linux/amd64", "linux=a", "/amd64=a", "linux/amd64=x"} {
		if err := f.Set(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for in, want := range map[string]string{"2026-11-22T10:11:12+01:00": "2026-11-22T09:11:12Z", "1795000000": "2026-11-18T11:06:40Z", "": "1970-01-01T00:00:00Z"} {
		got, err := parseTime(in)
		if err != nil || got.Format(time.RFC3339) != want {
			t.Errorf("parseTime(%q) = %s, %v; want %s", in, got.Format(time.RFC3339), err, want)
		}
	}
	for in, want := range map[string]string{"hwagent/hwagent:v1": "docker.io/hwagent/hwagent:v1", "busybox:1": "docker.io/library/busybox:1", "registry.example:5000/a/b:c": "registry.example:5000/a/b:c", "localhost/x:y": "localhost/x:y"} {
		if got, err := normalizedName(in); err != nil || got != want {
			t.Errorf("normalizedName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := normalizedName("registry.example:5000/a"); err == nil {
		t.Error("a reference without a tag accepted")
	}
}
