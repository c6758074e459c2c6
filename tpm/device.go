package tpm

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Device carries TPM 2.0 commands to a TPM and their responses back.
type Device interface {
	// Send sends one marshalled command and returns the TPM's response.
	// ctx bounds it: a TPM that does not answer in time leaves the device
	// unusable (every later Send fails) rather than the caller stuck.
	Send(ctx context.Context, cmd []byte) ([]byte, error)
	Close() error
}

// maxResponse bounds a response: the kernel's buffer is 4 KiB
// (TPM_BUFSIZE) and no TPM 2.0 command answers more.
const maxResponse = 8 << 10

// responseHeader is tag (2 bytes), size (4), response code (4).
const responseHeader = 10

// ErrBusy means /dev/tpm0 is open elsewhere (the kernel allows one opener
// of the raw device; tpm2-abrmd holds it when it runs).
var ErrBusy = errors.New("TPM device busy: another process holds it (tpm2-abrmd?); use /dev/tpmrm0")

// NewDevice is the TPM behind a byte stream: a character device, whose
// driver takes a whole command per write and returns a whole response per
// read, or a socket, which may split both (hostpaths.Machine.OpenTPM
// opens either).
func NewDevice(rwc io.ReadWriteCloser) Device { return &stream{rwc: rwc} }

// stream is NewDevice's Device.
type stream struct {
	mu     sync.Mutex
	buf    []byte // the read buffer, reused by every exchange under mu
	rwc    io.ReadWriteCloser
	broken error
	closed bool
}

// Send implements Device. The exchange runs in a goroutine: a TPM device
// that never answers blocks a read that no deadline reaches on older
// kernels (the TPM character device became pollable in Linux 5.x). On
// timeout the device is closed, which ends a pollable read at once; an
// unpollable one is left behind, and the boot goes on.
func (s *stream) Send(ctx context.Context, cmd []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return nil, s.broken
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		rsp []byte
		err error
	}
	done := make(chan result, 1)
	if s.buf == nil {
		s.buf = make([]byte, maxResponse)
	}
	buf := s.buf
	go func() {
		rsp, err := exchange(s.rwc, cmd, buf)
		done <- result{rsp, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			// A half-read response would be taken for the next one.
			s.broken = r.err
		}
		return r.rsp, r.err
	case <-ctx.Done():
		s.broken = fmt.Errorf("no answer from the TPM: %w", ctx.Err())
		s.buf = nil // the abandoned exchange may still write into it
		s.closeLocked()
		return nil, s.broken
	}
}

// Close implements Device.
func (s *stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeLocked()
}

func (s *stream) closeLocked() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.broken == nil {
		s.broken = errors.New("TPM device closed")
	}
	return s.rwc.Close()
}

// exchange writes cmd and reads one response into buf (maxResponse
// bytes), which it frames by the size in its header, and returns a copy.
func exchange(rw io.ReadWriter, cmd, buf []byte) ([]byte, error) {
	if _, err := rw.Write(cmd); err != nil {
		return nil, fmt.Errorf("send TPM command: %w", err)
	}
	// One read with a buffer as large as the driver's gets the whole
	// response from a character device: kernels before 4.20 drop what a
	// shorter read leaves.
	n := 0
	for {
		m, err := rw.Read(buf[n:])
		n += m
		if n >= responseHeader {
			size := int(binary.BigEndian.Uint32(buf[2:6]))
			switch {
			case size < responseHeader || size > maxResponse:
				return nil, fmt.Errorf("TPM response: size field %d out of range [%d, %d]", size, responseHeader, maxResponse)
			case n > size:
				return nil, fmt.Errorf("TPM response: %d bytes after a response of %d", n-size, size)
			case n == size:
				return append([]byte(nil), buf[:n]...), nil
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("read TPM response (%d bytes so far): %w", n, err)
		}
		if m == 0 {
			return nil, fmt.Errorf("read TPM response: empty read after %d bytes", n)
		}
	}
}
