package ipmi

import (
	"context"
	"errors"
	"fmt"
)

// SystemInterface is the BMC behind a Linux IPMI device node (/dev/ipmi0,
// created by ipmi_devintf), opened with Open. It is safe for concurrent
// use; requests are sent one at a time.
type SystemInterface struct {
	path string
	// sem holds the right to use io: one request outstanding at a time,
	// and Close waits for it.
	sem    chan struct{}
	io     sysIO
	closed bool
	seq    int // last message ID sent
}

var _ Device = (*SystemInterface)(nil)

// sysIO is the kernel side of a SystemInterface: the ipmi_devintf ioctls
// on Linux, fakes in tests.
type sysIO interface {
	// send queues a request with message ID id.
	send(id int, netfn, cmd uint8, data []byte) error
	// wait blocks until a message can be received or ctx ends.
	wait(ctx context.Context) error
	// receive takes one message: its kind (a response, an event...), its
	// message ID and data. It returns errAgain when nothing is queued.
	receive() (kind int, id int, data []byte, err error)
	close() error
}

// errAgain means no message was queued after all.
var errAgain = errors.New("no message")

// kindResponse is IPMI_RESPONSE_RECV_TYPE.
const kindResponse = 1

func newSystemInterface(path string, io sysIO) *SystemInterface {
	return &SystemInterface{path: path, io: io, sem: make(chan struct{}, 1)}
}

// Path is the device node's path.
func (s *SystemInterface) Path() string { return s.path }

// Close closes the device node, waiting for a request in progress.
func (s *SystemInterface) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.io.close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// Send sends a request to the BMC (system interface address, LUN 0) and
// waits for its response until ctx ends. A response to an earlier request
// that timed out is recognised by its message ID and dropped, as are
// events and commands addressed to the host.
func (s *SystemInterface) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: waiting for another request: %w", s.path, netfn, cmd, ctx.Err())
	}
	defer func() { <-s.sem }()
	if s.closed {
		return nil, fmt.Errorf("%s: device closed", s.path)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
	}
	s.seq++
	id := s.seq
	if err := s.io.send(id, netfn, cmd, data); err != nil {
		return nil, fmt.Errorf("%s: send netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
	}
	for {
		if err := s.io.wait(ctx); err != nil {
			return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: no response: %w", s.path, netfn, cmd, err)
		}
		kind, got, resp, err := s.io.receive()
		switch {
		case errors.Is(err, errAgain):
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: receive netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
		case kind != kindResponse || got != id:
			continue // an event, a command, or a reply that came too late
		}
		return resp, nil
	}
}
