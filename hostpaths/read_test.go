package hostpaths

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// readRegular reads with raw system calls and a pooled buffer; what it
// returns must be byte for byte what os.ReadFile returns, for small and
// large files, files at and past the pooled buffer's size, and the real
// procfs and sysfs files the collectors read (procfs says size 0, sysfs
// 4096, whatever the content).
func TestReadFileMatchesOSReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var names []string
	for _, n := range []int{0, 1, 4095, 4096, readBufSize - 1, readBufSize, readBufSize + 1, 3 * readBufSize, 1 << 20, MaxFileSize} {
		name := filepath.Join(dir, "f"+strings.Repeat("x", n%7)+string(rune('a'+len(names))))
		data := bytes.Repeat([]byte("0123456789abcdef\n"), n/17+1)[:n]
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	for _, name := range []string{"/proc/self/status", "/proc/self/mountinfo", "/proc/self/maps", "/proc/version", "/proc/filesystems", "/proc/cmdline", "/proc/sys/kernel/ostype"} {
		names = append(names, name)
	}
	if _, err := os.Stat("/sys/kernel"); err == nil {
		names = append(names, "/sys/devices/system/cpu/online", "/sys/devices/system/cpu/possible")
	}
	// Every answer is kept until all are read: one that shared the
	// pooled buffer would be overwritten by the next read.
	p := New("/", nil)
	got := make([][]byte, len(names))
	for i, name := range names {
		b, err := p.ReadFile(name)
		if err != nil {
			t.Errorf("ReadFile(%s): %v", name, err)
		}
		got[i] = b
	}
	for i, name := range names {
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		// /proc/self/* describes the process reading it and changes
		// between two reads: it must only be there.
		if strings.HasPrefix(name, "/proc/self/") {
			if len(got[i]) == 0 {
				t.Errorf("ReadFile(%s) is empty", name)
			}
			continue
		}
		if !bytes.Equal(got[i], want) {
			t.Errorf("ReadFile(%s): %d bytes, os.ReadFile %d bytes, contents differ", name, len(got[i]), len(want))
		}
	}
}

// A file past MaxFileSize is refused with the path named, and so is one
// whose size is not believed (procfs, sysfs say 0 or 4096): readAll is
// given a pipe that delivers more than the limit without a size.
func TestReadFileRefusesOversize(t *testing.T) {
	t.Parallel()
	name := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(name, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New("/", nil).ReadFile(name); err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") || !strings.Contains(err.Error(), name) {
		t.Errorf("ReadFile of %d bytes = %v, want 'larger than 8 MiB' naming the path", MaxFileSize+1, err)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		defer w.Close()
		chunk := make([]byte, 64<<10)
		for i := 0; i <= MaxFileSize/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	// The pipe from os.Pipe is non-blocking for the poller; read it
	// through a blocking duplicate, as a regular file would be read.
	fd, err := syscall.Dup(int(r.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.SetNonblock(fd, false); err != nil {
		t.Fatal(err)
	}
	_, err = readAll(fd, "pipe", make([]byte, 0, 16))
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "pipe" || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("readAll of an endless pipe = %v, want 'larger than 8 MiB'", err)
	}
}

// MapFile gives fn what ReadFile returns, refuses what ReadFile refuses,
// and turns a file truncated while mapped (SIGBUS) into an error naming
// the path rather than a crash.
func TestMapFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := New("/", nil)
	for _, n := range []int{0, 5, readBufSize, readBufSize + 1, 1362280} {
		name := filepath.Join(dir, "ids"+strings.Repeat("x", n%5)+string(rune('a'+n%26)))
		data := bytes.Repeat([]byte("8086  Intel Corporation\n\t1521  I350\n"), n/36+1)[:n]
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var got []byte
		if err := p.MapFile(name, func(b []byte) { got = bytes.Clone(b) }); err != nil || !bytes.Equal(got, data) {
			t.Errorf("MapFile(%d bytes) = %d bytes, %v", n, len(got), err)
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.MapFile(fifo, func([]byte) { t.Error("fn called for a FIFO") }); !errors.Is(err, ErrNotRegular) {
		t.Errorf("MapFile(FIFO) = %v, want ErrNotRegular", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.MapFile(big, func([]byte) { t.Error("fn called for an oversize file") }); err == nil || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Errorf("MapFile(oversize) = %v", err)
	}

	// Truncated under the mapping: the pages past the new end fault.
	shrinking := filepath.Join(dir, "shrinking")
	if err := os.WriteFile(shrinking, bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var last byte
	err := p.MapFile(shrinking, func(b []byte) {
		if err := os.Truncate(shrinking, 0); err != nil {
			t.Error(err)
		}
		last = b[len(b)-1]
	})
	if err == nil || !strings.Contains(err.Error(), "truncated or failed while mapped") || !strings.Contains(err.Error(), shrinking) {
		t.Errorf("MapFile of a file truncated while mapped = %v (read %q)", err, last)
	}
	// A panic of fn's own is fn's: it goes on up.
	func() {
		defer func() {
			if r := recover(); r != "fn's own" {
				t.Errorf("recovered %v, want fn's own panic", r)
			}
		}()
		if err := os.WriteFile(shrinking, bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = p.MapFile(shrinking, func([]byte) { panic("fn's own") })
	}()
}

// A file system that cannot map files (ENODEV) is read instead. Not
// parallel: it replaces mmap.
func TestMapFileFallsBackToRead(t *testing.T) {
	name := filepath.Join(t.TempDir(), "pci.ids")
	data := bytes.Repeat([]byte("8086  Intel Corporation\n"), 4096)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(m func(int, int64, int, int, int) ([]byte, error)) { mmap = m }(mmap)
	mmap = func(int, int64, int, int, int) ([]byte, error) { return nil, syscall.ENODEV }
	var got []byte
	if err := New("/", nil).MapFile(name, func(b []byte) { got = bytes.Clone(b) }); err != nil || !bytes.Equal(got, data) {
		t.Errorf("MapFile where mmap fails = %d bytes, %v; want the file's %d bytes", len(got), err, len(data))
	}
}
