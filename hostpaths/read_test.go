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
