package hostpaths

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"time"
)

// OpenDevice opens a device node of the host (a path under the Dev tree)
// through the host's Machine: the kernel's on a live host, ErrRecorded on
// a recording, so a replay never reads the machine it runs on.
//
// The open and every read and close are bounded in time (ReadTimeout), as
// every other host read: a disk that stopped answering, a CPUID driver
// stuck in the kernel or a FIFO standing where a device node should be
// costs the caller ReadTimeout and an ErrTimeout, never a hang.
func (p *Paths) OpenDevice(name string) (Device, error) {
	return openDevice(p.Machine(), name, ReadTimeout)
}

// openDevice opens name on m within d. A node whose open returns after d
// has passed is closed when it does.
func openDevice(m Machine, name string, d time.Duration) (Device, error) {
	type opened struct {
		dev Device
		err error
	}
	done := make(chan opened, 1)
	go func() {
		dev, err := m.OpenDevice(name)
		done <- opened{dev, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, o.err
		}
		return &boundedDevice{dev: o.dev, name: name, d: d}, nil
	case <-t.C:
		go func() {
			if o := <-done; o.dev != nil {
				o.dev.Close()
			}
		}()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w after %v", ErrTimeout, d)}
	}
}

// boundedDevice bounds each read of dev in time. A read that times out is
// left behind (the kernel may hold it for minutes); from then on the
// device answers ErrTimeout at once, so a caller's next reads do not each
// wait the bound again, and Close does not wait for it.
type boundedDevice struct {
	dev  Device
	name string
	d    time.Duration
	hung atomic.Bool
}

func (b *boundedDevice) ReadAt(p []byte, off int64) (int, error) {
	if b.hung.Load() {
		return 0, &fs.PathError{Op: "read", Path: b.name, Err: fmt.Errorf("%w: an earlier read has not returned", ErrTimeout)}
	}
	// The read goes to a buffer of its own: a read left behind must not
	// write into the caller's memory after ReadAt returned. The buffer
	// goes back to the pool only when the read returned.
	buf := getReadBuffer(len(p))
	n, err := bounded(b.d, b.name, "read", func() (int, error) { return b.dev.ReadAt(*buf, off) })
	if errors.Is(err, ErrTimeout) {
		b.hung.Store(true)
		return 0, err
	}
	copy(p, (*buf)[:n])
	putReadBuffer(buf)
	return n, err
}

// readBufferSize is the size of pooled read buffers: the largest read the
// disk decoders make (blockid.MaxRead). Larger reads get a buffer of
// their own.
const readBufferSize = 64 << 10

var readBuffers = sync.Pool{New: func() any { b := make([]byte, readBufferSize); return &b }}

func getReadBuffer(n int) *[]byte {
	if n > readBufferSize {
		b := make([]byte, n)
		return &b
	}
	b := readBuffers.Get().(*[]byte)
	*b = (*b)[:n]
	return b
}

func putReadBuffer(b *[]byte) {
	if cap(*b) == readBufferSize {
		*b = (*b)[:readBufferSize]
		readBuffers.Put(b)
	}
}

func (b *boundedDevice) Close() error {
	if b.hung.Load() {
		go b.dev.Close()
		return nil
	}
	_, err := bounded(b.d, b.name, "close", func() (struct{}, error) { return struct{}{}, b.dev.Close() })
	return err
}
