package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// file is one file of an image's single layer.
type file struct {
	src, dst string
	mode     int64
	optional bool
}

// annotations are the OCI annotations of the index and every image, and
// the labels of every image's configuration.
func (o options) annotations() map[string]string {
	a := map[string]string{
		"org.opencontainers.image.title":       "hwagent",
		"org.opencontainers.image.description": "Hardware discovery agent for bare-metal provisioning",
		"org.opencontainers.image.version":     o.Version,
		"org.opencontainers.image.created":     o.Created.Format(time.RFC3339),
		"org.opencontainers.image.source":      o.Source,
		"org.opencontainers.image.licenses":    o.Licenses,
	}
	if o.Revision != "" {
		a["org.opencontainers.image.revision"] = o.Revision
	}
	return a
}

// index is the image index and its images, as they go into the layout.
type index struct {
	Raw    []byte // the index manifest
	Digest v1.Hash
	Images []v1.Image
}

// buildIndex assembles one image per binary under one OCI image index. The
// index manifest is written here rather than by mutate.AppendManifests,
// which marks every image as an artifact (artifactType).
func buildIndex(o options) (*index, error) {
	im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Annotations: o.annotations()}
	x := &index{}
	for _, b := range o.Binaries {
		img, err := buildImage(o, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b, err)
		}
		d, err := partial.Descriptor(img)
		if err != nil {
			return nil, err
		}
		im.Manifests = append(im.Manifests, v1.Descriptor{
			MediaType: d.MediaType, Size: d.Size, Digest: d.Digest,
			Platform: &v1.Platform{OS: b.OS, Architecture: b.Arch, Variant: b.Variant},
		})
		x.Images = append(x.Images, img)
	}
	raw, err := json.Marshal(im)
	if err != nil {
		return nil, err
	}
	x.Raw = raw
	x.Digest, _, err = v1.SHA256(bytes.NewReader(raw))
	return x, err
}

// buildImage is one platform's image: one layer, entrypoint /hwagent,
// command run.
func buildImage(o options, b platformBinary) (v1.Image, error) {
	files := []file{
		{src: b.Path, dst: "hwagent", mode: 0o755},
		{src: o.CACerts, dst: "etc/ssl/certs/ca-certificates.crt", mode: 0o644},
		{src: o.PCIIDs, dst: "usr/share/hwdata/pci.ids", mode: 0o644, optional: true},
	}
	layerTar, err := layerBytes(files, o.Created)
	if err != nil {
		return nil, err
	}
	gz, err := gzipBytes(layerTar)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(gz)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{
		Created:   v1.Time{Time: o.Created},
		CreatedBy: "hwagent images/ocibuild: /hwagent, CA certificates, pci.ids",
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = b.OS, b.Arch, b.Variant
	cf.Created = v1.Time{Time: o.Created}
	cf.Config.Entrypoint = []string{"/hwagent"}
	cf.Config.Cmd = []string{"run"}
	cf.Config.Labels = o.annotations()
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, err
	}
	return mutate.Annotations(img, o.annotations()).(v1.Image), nil
}

// gzipBytes compresses with fixed settings and an empty header (no name,
// no time), so that equal input gives equal output.
func gzipBytes(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layerBytes writes the files into a tar with their parent directories,
// every entry owned by root with the given time.
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
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mod, Format: tar.FormatUSTAR}); err != nil {
					return nil, err
				}
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.dst, Mode: f.mode, Size: int64(len(data)), ModTime: mod, Format: tar.FormatUSTAR}); err != nil {
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
