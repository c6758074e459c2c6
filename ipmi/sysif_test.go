package ipmi

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type message struct {
	kind, id int
	data     []byte
}

// fakeIO is a kernel queue: what it delivers is decided per request by
// reply, called with each request's message ID as it is sent.
type fakeIO struct {
	mu     sync.Mutex
	queue  []message
	ready  chan struct{} // signalled when the queue grows
	reply  func(id int, netfn, cmd uint8) []message
	sent   []int
	sendFn func() error
	recvFn func() error
	closed bool
}

func newFakeIO(reply func(id int, netfn, cmd uint8) []message) *fakeIO {
	return &fakeIO{ready: make(chan struct{}, 100), reply: reply}
}

func (f *fakeIO) send(id int, netfn, cmd uint8, _ []byte) error {
	if f.sendFn != nil {
		if err := f.sendFn(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.sent = append(f.sent, id)
	msgs := f.reply(id, netfn, cmd)
	f.queue = append(f.queue, msgs...)
	f.mu.Unlock()
	for range msgs {
		f.ready <- struct{}{}
	}
	return nil
}

func (f *fakeIO) wait(ctx context.Context) error {
	select {
	case <-f.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeIO) receive() (int, int, []byte, error) {
	if f.recvFn != nil {
		if err := f.recvFn(); err != nil {
			return 0, 0, nil, err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) == 0 {
		return 0, 0, nil, errAgain
	}
	m := f.queue[0]
	f.queue = f.queue[1:]
	return m.kind, m.id, m.data, nil
}

func (f *fakeIO) close() error {
	f.closed = true
	return nil
}

// TestStaleReply: the first request times out; its reply arrives during
// the second request, after an event, and is dropped.
func TestStaleReply(t *testing.T) {
	t.Parallel()
	io := newFakeIO(func(id int, _, _ uint8) []message {
		if id == 1 {
			return nil // the BMC is slow: nothing yet
		}
		return []message{
			{kind: 2, id: 0, data: []byte{0x00, 0xee}},            // an event
			{kind: kindResponse, id: 1, data: []byte{0x00, 0x01}}, // late reply to request 1
			{kind: kindResponse, id: id, data: []byte{0x00, 0x02}},
		}
	})
	s := newSystemInterface("/dev/ipmi0", io)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Send(ctx, NetFnApp, CmdGetDeviceID, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first Send: %v, want a timeout", err)
	}
	got, err := s.Send(t.Context(), NetFnApp, CmdGetDeviceID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(got, []byte{0x00, 0x02}) {
		t.Errorf("second Send = % x, want the reply to request 2 (00 02)", got)
	}
	if !cmp.Equal(io.sent, []int{1, 2}) {
		t.Errorf("message IDs sent %v, want [1 2]", io.sent)
	}
}

// TestOneRequestAtATime: while a request waits for its reply, another one
// waits for the device and gives up when its context ends.
func TestOneRequestAtATime(t *testing.T) {
	t.Parallel()
	io := newFakeIO(func(int, uint8, uint8) []message { return nil })
	s := newSystemInterface("/dev/ipmi0", io)
	first, cancelFirst := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := s.Send(first, NetFnApp, CmdGetDeviceID, nil)
		done <- err
	}()
	for {
		io.mu.Lock()
		n := len(io.sent)
		io.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := s.Send(ctx, NetFnApp, CmdGetDeviceID, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Send: %v, want a timeout waiting for the device", err)
	}
	cancelFirst()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("first Send: %v", err)
	}
	if len(io.sent) != 1 {
		t.Errorf("sent %v: the second request must not reach the device", io.sent)
	}
}

func TestSystemInterfaceErrors(t *testing.T) {
	t.Parallel()
	ok := func(id int, _, _ uint8) []message { return []message{{kind: kindResponse, id: id, data: []byte{0}}} }

	io := newFakeIO(ok)
	io.sendFn = func() error { return syscall.EBUSY }
	if _, err := newSystemInterface("/dev/ipmi0", io).Send(t.Context(), NetFnApp, CmdGetDeviceID, nil); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("send failure: %v", err)
	}

	io = newFakeIO(ok)
	io.recvFn = func() error { return syscall.EFAULT }
	if _, err := newSystemInterface("/dev/ipmi0", io).Send(t.Context(), NetFnApp, CmdGetDeviceID, nil); !errors.Is(err, syscall.EFAULT) {
		t.Errorf("receive failure: %v", err)
	}

	io = newFakeIO(ok)
	s := newSystemInterface("/dev/ipmi0", io)
	if err := s.Close(); err != nil || !io.closed {
		t.Fatalf("Close: %v, closed %v", err, io.closed)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Send(t.Context(), NetFnApp, CmdGetDeviceID, nil); err == nil {
		t.Error("Send after Close: no error")
	}
}
