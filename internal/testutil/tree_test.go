package testutil_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
)

// listTree describes every entry under dir: "d" for a directory, "->target"
// for a symlink, the content for a regular file.
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[rel] = "->" + target
			return err
		case d.IsDir():
			out[rel] = "d"
		default:
			b, err := os.ReadFile(p)
			out[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The layout of a PCI NIC as sysfs has it, an efivarfs variable (binary)
	// and an empty directory.
	testutil.WriteTree(t, dir, map[string]string{
		"sys/devices/pci0000:00/0000:00:03.0/vendor":                               "0x1af4\n",
		"sys/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0/":                    "",
		"sys/class/net/eth0":                                                       "->../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0",
		"sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c": "\x06\x00\x00\x00\x01",
	})
	want := map[string]string{
		"sys":                                 "d",
		"sys/devices":                         "d",
		"sys/devices/pci0000:00":              "d",
		"sys/devices/pci0000:00/0000:00:03.0": "d",
		"sys/devices/pci0000:00/0000:00:03.0/vendor":           "0x1af4\n",
		"sys/devices/pci0000:00/0000:00:03.0/virtio0":          "d",
		"sys/devices/pci0000:00/0000:00:03.0/virtio0/net":      "d",
		"sys/devices/pci0000:00/0000:00:03.0/virtio0/net/eth0": "d",
		"sys/class":                "d",
		"sys/class/net":            "d",
		"sys/class/net/eth0":       "->../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0",
		"sys/firmware":             "d",
		"sys/firmware/efi":         "d",
		"sys/firmware/efi/efivars": "d",
		"sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c": "\x06\x00\x00\x00\x01",
	}
	if diff := cmp.Diff(want, listTree(t, dir)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	// The link resolves inside the tree.
	if b, err := os.ReadFile(dir + "/sys/class/net/eth0/../../../vendor"); err != nil || string(b) != "0x1af4\n" {
		t.Errorf("vendor through the link = %q, %v", b, err)
	}
}

func TestWriteTreeFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.Record(t, func(tb testing.TB) {
		testutil.WriteTree(tb, dir, map[string]string{"sys/devices/": "content"})
	}).WantFatal(t, `directory "sys/devices/" given content "content"`)
	testutil.Record(t, func(tb testing.TB) {
		testutil.WriteTree(tb, dir, map[string]string{"proc": "x"})
		testutil.WriteTree(tb, dir, map[string]string{"proc/cpuinfo": "processor\t: 0\n"})
	}).WantFatal(t, "not a directory")
}

// tarGz builds a gzip-compressed tar stream of entries, in order.
func tarGz(t *testing.T, entries ...tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, h := range entries {
		body := h.Linkname
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
			h.Linkname = ""
		}
		h.Mode = 0o644
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// reg is a regular file entry; its content rides in Linkname until tarGz
// writes it.
func reg(name, content string) tar.Header {
	return tar.Header{Typeflag: tar.TypeReg, Name: name, Linkname: content}
}

func TestUntarGz(t *testing.T) {
	t.Parallel()
	// The shape of a snapshot: a directory entry, files whose parents have
	// no entry of their own, a relative symlink, the inventory at the top.
	buf := tarGz(t,
		tar.Header{Typeflag: tar.TypeDir, Name: "./"},
		tar.Header{Typeflag: tar.TypeDir, Name: "sys/class/net/"},
		tar.Header{Typeflag: tar.TypeSymlink, Name: "sys/class/net/eth0", Linkname: "../../devices/virtual/net/eth0"},
		reg("sys/devices/virtual/net/eth0/address", "52:54:00:12:34:56\n"),
		reg("proc/cpuinfo", "processor\t: 0\n"),
		reg("hwagent-inventory.json", "{}"),
	)
	dir := t.TempDir()
	testutil.UntarGz(t, buf, dir)
	want := map[string]string{
		"sys":                                  "d",
		"sys/class":                            "d",
		"sys/class/net":                        "d",
		"sys/class/net/eth0":                   "->../../devices/virtual/net/eth0",
		"sys/devices":                          "d",
		"sys/devices/virtual":                  "d",
		"sys/devices/virtual/net":              "d",
		"sys/devices/virtual/net/eth0":         "d",
		"sys/devices/virtual/net/eth0/address": "52:54:00:12:34:56\n",
		"proc":                                 "d",
		"proc/cpuinfo":                         "processor\t: 0\n",
		"hwagent-inventory.json":               "{}",
	}
	if diff := cmp.Diff(want, listTree(t, dir)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestUntarGzFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input func() *bytes.Buffer
		want  string
	}{
		{"not gzip", func() *bytes.Buffer { return bytes.NewBufferString("proc/cpuinfo") }, "gzip: invalid header"},
		{"truncated", func() *bytes.Buffer {
			b := tarGz(t, reg("proc/cpuinfo", "processor\t: 0\n"))
			b.Truncate(b.Len() / 2)
			return b
		}, "unexpected EOF"},
		{"leaves the directory", func() *bytes.Buffer { return tarGz(t, reg("../escaped", "x")) }, `entry "../escaped" leaves`},
		{"absolute", func() *bytes.Buffer { return tarGz(t, reg("/etc/passwd", "x")) }, `entry "/etc/passwd" leaves`},
		{"device node", func() *bytes.Buffer {
			return tarGz(t, tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Devmajor: 1, Devminor: 3})
		}, `entry "dev/null" has type '3'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.input()
			testutil.Record(t, func(tb testing.TB) { testutil.UntarGz(tb, in, t.TempDir()) }).WantFatal(t, tt.want)
		})
	}
}
