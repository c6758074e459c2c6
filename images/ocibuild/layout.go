package main

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// run builds the index and writes it as an OCI layout tarball to out
// (atomically: a temporary file renamed into place), returning the index
// digest.
func run(o options, out string) (v1.Hash, error) {
	idx, err := buildIndex(o)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return v1.Hash{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".ocibuild-*")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.Remove(tmp.Name())
	if err := writeLayout(tmp, idx, o.Tag, o.Created); err != nil {
		tmp.Close()
		return v1.Hash{}, err
	}
	if err := tmp.Close(); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return v1.Hash{}, err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return v1.Hash{}, err
	}
	return idx.Digest, nil
}

// layoutIndex is the layout's index.json: one descriptor, the image index,
// named the way docker save (Docker 25+) and containerd name images.
type layoutIndex struct {
	SchemaVersion int             `json:"schemaVersion"`
	MediaType     string          `json:"mediaType"`
	Manifests     []v1.Descriptor `json:"manifests"`
}

// writeLayout writes the OCI image layout (image-spec image-layout.md) as
// a tar: oci-layout, index.json and every blob under blobs/sha256/, in
// sorted order, every entry with the same owner, mode and time.
func writeLayout(w *os.File, idx *index, tag string, mod time.Time) error {
	blobs := map[string][]byte{}
	add := func(h v1.Hash, b []byte) { blobs[h.Hex] = b }
	add(idx.Digest, idx.Raw)
	for _, img := range idx.Images {
		raw, err := img.RawManifest()
		if err != nil {
			return err
		}
		d, err := img.Digest()
		if err != nil {
			return err
		}
		add(d, raw)
		cfgName, err := img.ConfigName()
		if err != nil {
			return err
		}
		cfg, err := img.RawConfigFile()
		if err != nil {
			return err
		}
		add(cfgName, cfg)
		layers, err := img.Layers()
		if err != nil {
			return err
		}
		for _, l := range layers {
			h, err := l.Digest()
			if err != nil {
				return err
			}
			rc, err := l.Compressed()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			add(h, b)
		}
	}
	ref, err := normalizedName(tag)
	if err != nil {
		return err
	}
	_, tagName, _ := strings.Cut(ref[strings.LastIndexByte(ref, '/')+1:], ":")
	index, err := json.Marshal(layoutIndex{SchemaVersion: 2, MediaType: "application/vnd.oci.image.index.v1+json", Manifests: []v1.Descriptor{{
		MediaType: types.OCIImageIndex, Size: int64(len(idx.Raw)), Digest: idx.Digest,
		Annotations: map[string]string{
			"io.containerd.image.name":          ref,
			"org.opencontainers.image.ref.name": tagName,
		},
	}}})
	if err != nil {
		return err
	}

	tw := tar.NewWriter(w)
	entry := func(name string, typ byte, data []byte) error {
		h := &tar.Header{Typeflag: typ, Name: name, Mode: 0o644, ModTime: mod, Format: tar.FormatUSTAR}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		} else {
			h.Size = int64(len(data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := entry("blobs/", tar.TypeDir, nil); err != nil {
		return err
	}
	if err := entry("blobs/sha256/", tar.TypeDir, nil); err != nil {
		return err
	}
	hexes := make([]string, 0, len(blobs))
	for h := range blobs {
		hexes = append(hexes, h)
	}
	sort.Strings(hexes)
	for _, h := range hexes {
		if err := entry("blobs/sha256/"+h, tar.TypeReg, blobs[h]); err != nil {
			return err
		}
	}
	if err := entry("index.json", tar.TypeReg, index); err != nil {
		return err
	}
	if err := entry("oci-layout", tar.TypeReg, []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
		return err
	}
	return tw.Close()
}

// normalizedName is a reference as Docker and containerd record it:
// docker.io/library/NAME:TAG for a bare name, docker.io/USER/NAME:TAG for
// one without a registry.
func normalizedName(ref string) (string, error) {
	i := strings.LastIndexByte(ref, ':')
	if i <= strings.LastIndexByte(ref, '/') {
		return "", fmt.Errorf("--tag %q: want NAME:TAG", ref)
	}
	name, tag := ref[:i], ref[i+1:]
	if tag == "" || name == "" || strings.ContainsAny(ref, " @") {
		return "", fmt.Errorf("--tag %q: want NAME:TAG", ref)
	}
	first, _, hasSlash := strings.Cut(name, "/")
	switch {
	case !hasSlash:
		name = "docker.io/library/" + name
	case !strings.ContainsAny(first, ".:") && first != "localhost":
		name = "docker.io/" + name
	}
	return name + ":" + tag, nil
}
