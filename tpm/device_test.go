package tpm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/hostpaths"
)

// chunked is a TPM byte stream whose reads return at most n bytes, as a
// socket may.
type chunked struct {
	rsp     *bytes.Reader
	n       int
	written []byte
}

func (c *chunked) Write(p []byte) (int, error) {
	c.written = append(c.written, p...)
	return len(p), nil
}
func (c *chunked) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.rsp.Read(p)
}

func response(size uint32, body ...byte) []byte {
	h := []byte{0x80, 0x01, byte(size >> 24), byte(size >> 16), byte(size >> 8), byte(size), 0, 0, 0, 0}
	return append(h, body...)
}

func TestExchange(t *testing.T) {
	ok := response(14, 1, 2, 3, 4)
	for _, tc := range []struct {
		name  string
		input []byte
		chunk int
		want  []byte
		err   string
	}{
		{name: "one read", input: ok, chunk: 4096, want: ok},
		{name: "split reads", input: ok, chunk: 3, want: ok},
		{name: "byte by byte", input: ok, chunk: 1, want: ok},
		{name: "header only", input: response(10), chunk: 4096, want: response(10)},
		{name: "size below the header", input: response(9), chunk: 4096, err: "size field 9 out of range"},
		{name: "size above the limit", input: response(maxResponse + 1), chunk: 4096, err: "size field 8193 out of range"},
		{name: "more than the size", input: append(response(10), 7), chunk: 4096, err: "1 bytes after a response of 10"},
		{name: "truncated", input: response(20, 1, 2), chunk: 4096, err: "read TPM response (12 bytes so far): unexpected EOF"},
		{name: "nothing", input: nil, chunk: 4096, err: "read TPM response (0 bytes so far): unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rw := &chunked{rsp: bytes.NewReader(tc.input), n: tc.chunk}
			got, err := exchange(rw, []byte{0x80, 0x01, 0, 0, 0, 12, 0, 0, 1, 0x7b, 0, 0}, make([]byte, maxResponse))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("response %x, want %x", got, tc.want)
			}
			if len(rw.written) != 12 {
				t.Errorf("wrote %d bytes, want the 12-byte command", len(rw.written))
			}
		})
	}
}

func FuzzExchange(f *testing.F) {
	f.Add(response(14, 1, 2, 3, 4), 3)
	f.Add(response(10), 4096)
	f.Add(response(9), 1)
	f.Fuzz(func(t *testing.T, input []byte, chunk int) {
		if chunk <= 0 || chunk > maxResponse {
			chunk = maxResponse
		}
		got, err := exchange(&chunked{rsp: bytes.NewReader(input), n: chunk}, []byte{0}, make([]byte, maxResponse))
		if err != nil {
			return
		}
		if len(got) < responseHeader || len(got) > maxResponse || !bytes.Equal(got, input[:len(got)]) {
			t.Fatalf("exchange returned %d bytes %x from %x", len(got), got, input)
		}
	})
}

// TestSendTimeout: a TPM socket that takes the command and never answers
// makes Send fail when the context ends, and the device stays failed.
func TestSendTimeout(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "tpmhang-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "tpm")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		io.Copy(io.Discard, c) // reads commands, answers none
	}()
	rwc, err := hostpaths.Kernel().OpenTPM(sock)
	if err != nil {
		t.Fatal(err)
	}
	dev := NewDevice(rwc)
	defer dev.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = dev.Send(ctx, response(10))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer from the TPM") {
		t.Fatalf("error %v, want no answer / deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send returned after %s", d)
	}
	if _, err2 := dev.Send(context.Background(), response(10)); !errors.Is(err2, context.DeadlineExceeded) {
		t.Errorf("second Send: %v, want the first failure again", err2)
	}
}

// TestOpenCharDevice uses real character devices that are no TPM: the
// kernel's OpenTPM opens them, and their answers are refused.
func TestOpenCharDevice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ path, err string }{
		{"/dev/null", "unexpected EOF"},
		{"/dev/zero", "size field 0 out of range"},
	} {
		rwc, err := hostpaths.Kernel().OpenTPM(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		dev := NewDevice(rwc)
		_, err = dev.Send(context.Background(), response(10))
		dev.Close()
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.path, err, tc.err)
		}
	}
	// A regular file is what a replayed snapshot has at /dev/tpm0.
	file := filepath.Join(t.TempDir(), "tpm0")
	os.WriteFile(file, nil, 0o600)
	if _, err := hostpaths.Kernel().OpenTPM(file); !errors.Is(err, hostpaths.ErrNotCharDevice) {
		t.Errorf("regular file: %v, want ErrNotCharDevice", err)
	}
}
