package storage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// TestSnapshotRoundTrip checks that every file the collector reads goes
// through hostpaths: what `hwagent snapshot` records from the QEMU capture,
// unpacked, gives the same section.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	paths := hostpaths.New(filepath.Join("testdata", "qemu", "q35-all-transports"), nil)
	rec := paths.Record()
	apply, err := New().Collect(context.Background(), collector.NewEnv(paths, nil, collector.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	var want inventory.Inventory
	apply(&want)

	tree, err := paths.Snapshot(rec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tree.WriteTarGz(&buf, nil); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	untar(t, &buf, root)
	got, _, err := collect(t, root)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Storage, got); diff != "" {
		t.Errorf("storage from the snapshot (-want +got):\n%s", diff)
	}
}

func untar(t *testing.T, r io.Reader, root string) {
	t.Helper()
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(p, data, 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
