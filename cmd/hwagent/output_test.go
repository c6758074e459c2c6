package main

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An output that is not a regular file is written into, never replaced:
// `export -o /dev/null` run as root renamed its temporary file over
// /dev/null (a FIFO stands in for the device here), and a symbolic link
// keeps pointing at the file it names.
func TestExportIntoWhatIsNotARegularFile(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile(exportTestdata + "/golden/basic.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	export := func(out string) {
		t.Helper()
		if _, stderr, err := runCLI(t, "export", "hardware-csv", "--plan", exportTestdata+"/plans/basic.yaml", exportTestdata+"/fleet", "-o", out); err != nil {
			t.Fatalf("-o %s: %v\n%s", out, err, stderr)
		}
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			read <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		read <- b
	}()
	export(fifo)
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != os.ModeNamedPipe {
		t.Fatalf("the FIFO was replaced: %v, %v", fi.Mode(), err) // its reader waits for ever
	}
	if diff := cmp.Diff(string(want), string(<-read)); diff != "" {
		t.Errorf("read from the FIFO (-golden +got):\n%s", diff)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".hwagent-export-*")); len(left) != 0 {
		t.Errorf("temporary files beside the FIFO: %v", left)
	}

	target := filepath.Join(dir, "real.csv")
	if err := os.WriteFile(target, []byte("previous\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink("real.csv", link); err != nil {
		t.Fatal(err)
	}
	export(link)
	if fi, err := os.Lstat(link); err != nil || fi.Mode().Type() != os.ModeSymlink {
		t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
	}
	got, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("the file the link names (-golden +got):\n%s", diff)
	}

	if _, _, err := runCLI(t, "export", "hardware-csv", "--plan", exportTestdata+"/plans/basic.yaml", exportTestdata+"/fleet", "-o", dir); err == nil {
		t.Error("-o DIRECTORY: no error")
	}
}
