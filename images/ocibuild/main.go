// Command ocibuild builds hwagent's container image without a Docker engine:
// the same FROM-scratch image the Dockerfile describes (the static binary,
// CA certificates and pci.ids), written as a tarball that `docker load`,
// `podman load`, `ctr image import` and LinuxKit accept.
//
//	CGO_ENABLED=0 go build -tags noserver -trimpath -ldflags "-s -w -X github.com/hwagent/hwagent/internal/version.Version=$(git describe --tags --always --dirty)" -o dist/hwagent ./cmd/hwagent
//	go run ./images/ocibuild --binary dist/hwagent --tag hwagent/hwagent:$(git describe --tags --always --dirty) --out dist/hwagent-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// options say what goes into the image.
type options struct {
	Binary  string // the static hwagent binary
	CACerts string // a PEM bundle, installed as /etc/ssl/certs/ca-certificates.crt
	PCIIDs  string // pci.ids, installed as /usr/share/hwdata/pci.ids; optional
	Version string
	Created time.Time
}

// file is one file of the image's single layer.
type file struct {
	src, dst string
	mode     int64
	optional bool
}

func main() {
	var o options
	var tag, out string
	flag.StringVar(&o.Binary, "binary", "dist/hwagent", "the static hwagent binary (CGO_ENABLED=0)")
	flag.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle for TLS to the provisioning server")
	flag.StringVar(&o.PCIIDs, "pci-ids", "/usr/share/misc/pci.ids", "pci.ids for PCI names (empty: leave out)")
	flag.StringVar(&o.Version, "version", "dev", "version label")
	flag.StringVar(&tag, "tag", "hwagent/hwagent:dev", "image reference recorded in the tarball")
	flag.StringVar(&out, "out", "dist/hwagent-image.tar", "where to write the docker-loadable tarball")
	flag.Parse()
	o.Created = time.Now().UTC().Truncate(time.Second)
	if err := run(o, tag, out); err != nil {
		fmt.Fprintln(os.Stderr, "ocibuild:", err)
		os.Exit(1)
	}
}

func run(o options, tag, out string) error {
	img, err := build(o)
	if err != nil {
		return err
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("--tag %q: %w", tag, err)
	}
	if err := tarball.WriteToFile(out, ref, img); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%s, %.1f MB)\n", out, ref, float64(fi.Size())/1e6)
	return nil
}

// build assembles the image: one layer, entrypoint /hwagent, command run.
func build(o options) (v1.Image, error) {
	files := []file{
		{src: o.Binary, dst: "hwagent", mode: 0o755},
		{src: o.CACerts, dst: "etc/ssl/certs/ca-certificates.crt", mode: 0o644},
		{src: o.PCIIDs, dst: "usr/share/hwdata/pci.ids", mode: 0o644, optional: true},
	}
	layerTar, err := layerBytes(files, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Created = v1.Time{Time: o.Created}
	cf.Config.Entrypoint = []string{"/hwagent"}
	cf.Config.Cmd = []string{"run"}
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":       "hwagent",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.description": "Hardware discovery agent for bare-metal provisioning",
	}
	return mutate.ConfigFile(img, cf)
}

// layerBytes writes the files into a tar with their parent directories.
func layerBytes(files []file, mod time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		if f.src == "" && f.optional {
			continue
		}
		data, err := os.ReadFile(f.src)
		if err != nil {
			if f.optional && os.IsNotExist(err) {
				continue
			}
			return nil, err
		}
		for _, d := range parents(f.dst) {
			if !dirs[d] {
				dirs[d] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mod}); err != nil {
					return nil, err
				}
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.dst, Mode: f.mode, Size: int64(len(data)), ModTime: mod}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parents returns "a", "a/b" for "a/b/c".
func parents(p string) []string {
	var out []string
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	return out
}
