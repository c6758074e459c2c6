package hostpaths

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 11 row 13: /proc/cmdline as a FIFO made `hwagent register --root`
// hang in open(2) forever, with no output. Only regular files are read;
// anything else is an error at once.
func TestReadFileRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	proc := filepath.Join(root, "proc")
	if err := os.MkdirAll(proc, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(proc, "cmdline")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// A FIFO with a writer that never writes: once opened, a read would
	// block too.
	writerFIFO := filepath.Join(proc, "uptime")
	if err := syscall.Mkfifo(writerFIFO, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(writerFIFO, os.O_RDWR, 0) // O_RDWR: does not wait for a reader
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := New(root, nil)
	for _, name := range []string{fifo, writerFIFO} {
		done := make(chan error, 1)
		go func() {
			_, err := p.ReadFile(name)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), name) {
				t.Errorf("ReadFile(%s) = %v, want ErrNotRegular naming the path", name, err)
			}
			if Ignorable(err) {
				t.Errorf("ReadFile(%s): %v is Ignorable: a FIFO in /proc is worth a warning", name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("ReadFile(%s) still blocked after 20 s", name)
		}
	}
	// A directory is not a file either.
	if _, err := p.ReadFile(proc); err == nil {
		t.Errorf("ReadFile of a directory succeeded")
	}
}

// Every host read is bounded in time: a read that blocks (a hung driver
// attribute, a dead network file system) returns ErrTimeout after the
// deadline, and the agent goes on.
func TestBoundedGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	_, err := bounded(50*time.Millisecond, "/sys/bus/pci/devices/0000:00:00.0/vpd", "read", func() ([]byte, error) {
		<-release
		return []byte("late"), nil
	})
	var pe *fs.PathError
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &pe) || pe.Path != "/sys/bus/pci/devices/0000:00:00.0/vpd" {
		t.Fatalf("bounded = %v, want a *fs.PathError wrapping ErrTimeout", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Errorf("returned after %v", waited)
	}
	// A panic in fn is raised in the caller's goroutine, where a
	// collector's recover catches it, not in bounded's, where it would end
	// the process.
	func() {
		defer func() {
			if r := recover(); r != "driver bug" {
				t.Errorf("recovered %v, want the panic of fn", r)
			}
		}()
		_, _ = bounded(time.Minute, "x", "read", func() ([]byte, error) { panic("driver bug") })
		t.Error("bounded returned after fn panicked")
	}()
	// A read that finishes in time returns its own result.
	got, err := bounded(time.Minute, "x", "read", func() ([]byte, error) { return []byte("ok"), nil })
	if err != nil || string(got) != "ok" {
		t.Errorf("bounded = %q, %v", got, err)
	}
}

// BenchmarkReadFile is the cost of one bounded sysfs-sized read (the
// goroutine and timer of bounded included); BenchmarkReadRegular the read
// alone.
func BenchmarkReadFile(b *testing.B) {
	name := filepath.Join(b.TempDir(), "speed")
	if err := os.WriteFile(name, []byte("1000\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	p := New("/", nil)
	for b.Loop() {
		if _, err := p.ReadFile(name); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadRegular(b *testing.B) {
	name := filepath.Join(b.TempDir(), "speed")
	if err := os.WriteFile(name, []byte("1000\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := readRegular(name); err != nil {
			b.Fatal(err)
		}
	}
}
