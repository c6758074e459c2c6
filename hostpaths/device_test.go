package hostpaths

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// slowDevice answers reads and opens when released.
type slowDevice struct {
	release chan struct{}
	closed  atomic.Bool
}

func (d *slowDevice) ReadAt(p []byte, off int64) (int, error) {
	<-d.release
	for i := range p {
		p[i] = 0xAA // what a late read would write into the caller's buffer
	}
	return len(p), nil
}

func (d *slowDevice) Close() error { d.closed.Store(true); return nil }

// slowMachine opens devices only once released.
type slowMachine struct {
	Machine
	release chan struct{}
	dev     *slowDevice
}

func (m slowMachine) OpenDevice(string) (Device, error) {
	<-m.release
	return m.dev, nil
}

// TestOpenDeviceBounded: an open that does not return (a FIFO in place of
// a device node, opened by the kernel's own OpenDevice) gives ErrTimeout
// after the bound; a node whose open returns late is closed.
func TestOpenDeviceBounded(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "sda")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := openDevice(Kernel(), fifo, 100*time.Millisecond)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("open of a FIFO without a writer: %v, want ErrTimeout", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("open gave up after %v", waited)
	}
	// Unblock the abandoned open(2) so that its goroutine ends.
	if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
		w.Close()
	}

	m := slowMachine{release: make(chan struct{}), dev: &slowDevice{release: make(chan struct{})}}
	if _, err := openDevice(m, "/dev/sdb", 50*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("slow open: %v, want ErrTimeout", err)
	}
	close(m.release)
	for i := 0; !m.dev.closed.Load(); i++ {
		if i == 500 {
			t.Fatal("a device opened after the caller gave up was not closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDeviceReadBounded: a read that does not return gives ErrTimeout
// after the bound and never writes into the caller's buffer afterwards;
// the next read fails at once, and Close does not wait for the stuck one.
func TestDeviceReadBounded(t *testing.T) {
	t.Parallel()
	m := slowMachine{release: make(chan struct{}), dev: &slowDevice{release: make(chan struct{})}}
	close(m.release)
	dev, err := openDevice(m, "/dev/sdc", 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	if n, err := dev.ReadAt(buf, 0); !errors.Is(err, ErrTimeout) || n != 0 {
		t.Fatalf("stuck read: %d, %v; want ErrTimeout", n, err)
	}
	start := time.Now()
	if _, err := dev.ReadAt(buf, 4096); !errors.Is(err, ErrTimeout) {
		t.Errorf("read after a stuck one: %v, want ErrTimeout", err)
	}
	if waited := time.Since(start); waited > 40*time.Millisecond {
		t.Errorf("the read after a stuck one waited %v", waited)
	}
	if err := dev.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	close(m.dev.release)
	time.Sleep(50 * time.Millisecond)
	if !bytes.Equal(buf, make([]byte, 512)) {
		t.Error("the abandoned read wrote into the caller's buffer")
	}

	// A device that answers reads through the bound unchanged.
	f := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(f, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	dev, err = openDevice(Kernel(), f, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	got := make([]byte, 4)
	if n, err := dev.ReadAt(got, 3); n != 4 || err != nil || string(got) != "3456" {
		t.Errorf("ReadAt = %d %v %q", n, err, got)
	}
	if n, err := dev.ReadAt(make([]byte, 4), 8); n != 2 || err == nil {
		t.Errorf("ReadAt past the end = %d %v, want 2 and EOF", n, err)
	}
}
