//go:build linux

package ipmi

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pollSlice bounds one poll(2) so that a context cancelled without a
// deadline is noticed promptly.
const pollSlice = 100 * time.Millisecond

// SystemInterface is the BMC behind a Linux IPMI device node (/dev/ipmi0,
// created by ipmi_devintf). It is safe for concurrent use; requests are
// sent one at a time.
type SystemInterface struct {
	path string
	// sem holds the right to use fd: one request outstanding at a time,
	// and Close waits for it.
	sem chan struct{}
	fd  int
	seq int // last message ID sent
}

var _ Device = (*SystemInterface)(nil)

// Open opens an IPMI device node for reading and writing.
func Open(path string) (*SystemInterface, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &SystemInterface{path: path, fd: fd, sem: make(chan struct{}, 1)}
	return s, nil
}

// Path is the device node's path.
func (s *SystemInterface) Path() string { return s.path }

// Close closes the device node, waiting for a request in progress.
func (s *SystemInterface) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.fd < 0 {
		return nil
	}
	err := unix.Close(s.fd)
	s.fd = -1
	if err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return nil
}

// Send sends a request to the BMC (system interface address, LUN 0) and
// waits for its response until ctx ends. Responses to earlier requests
// that timed out are recognised by their message ID and dropped.
func (s *SystemInterface) Send(ctx context.Context, netfn, cmd uint8, data []byte) ([]byte, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: waiting for the device: %w", s.path, netfn, cmd, ctx.Err())
	}
	defer func() { <-s.sem }()
	if s.fd < 0 {
		return nil, fmt.Errorf("%s: %w", s.path, errors.New("device closed"))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
	}
	s.seq++
	id := s.seq
	if err := s.send(id, netfn, cmd, data); err != nil {
		return nil, fmt.Errorf("%s: send netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
	}
	resp, err := s.receive(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%s: netfn 0x%02x cmd 0x%02x: %w", s.path, netfn, cmd, err)
	}
	return resp, nil
}

func (s *SystemInterface) send(id int, netfn, cmd uint8, data []byte) error {
	addr := ipmiSystemInterfaceAddr{addrType: ipmiSystemInterfaceAddrType, channel: ipmiBMCChannel}
	req := ipmiReq{
		addr:    unsafe.Pointer(&addr),
		addrLen: uint32(unsafe.Sizeof(addr)),
		msgid:   id,
		msg:     ipmiMsg{netfn: netfn, cmd: cmd, dataLen: uint16(len(data))},
	}
	if len(data) > 0 {
		req.msg.data = unsafe.Pointer(&data[0])
	}
	for {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(s.fd), ipmictlSendCommand, uintptr(unsafe.Pointer(&req)))
		runtime.KeepAlive(&addr)
		runtime.KeepAlive(data)
		switch errno {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return errno
	}
}

// receive waits for the response to message id.
func (s *SystemInterface) receive(ctx context.Context, id int) ([]byte, error) {
	buf := make([]byte, ipmiMaxMsgLength)
	var addr ipmiAddr
	for {
		if err := s.wait(ctx); err != nil {
			return nil, err
		}
		recv := ipmiRecv{
			addr:    unsafe.Pointer(&addr),
			addrLen: uint32(unsafe.Sizeof(addr)),
			msg:     ipmiMsg{data: unsafe.Pointer(&buf[0]), dataLen: uint16(len(buf))},
		}
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(s.fd), ipmictlReceiveMsgTrunc, uintptr(unsafe.Pointer(&recv)))
		runtime.KeepAlive(&addr)
		runtime.KeepAlive(buf)
		switch errno {
		case 0, unix.EMSGSIZE: // EMSGSIZE: truncated to buf, still a reply
		case unix.EAGAIN, unix.EINTR:
			continue
		default:
			return nil, fmt.Errorf("receive: %w", errno)
		}
		if recv.recvType != ipmiResponseRecvType || recv.msgid != id {
			continue // an event, a command, or a reply that came too late
		}
		n := int(recv.msg.dataLen)
		if n > len(buf) {
			n = len(buf)
		}
		return append([]byte(nil), buf[:n]...), nil
	}
}

// wait blocks until the device has a message or ctx ends.
func (s *SystemInterface) wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("no response: %w", err)
		}
		slice := pollSlice
		if dl, ok := ctx.Deadline(); ok {
			if left := time.Until(dl); left < slice {
				slice = left
			}
		}
		ms := int((slice + time.Millisecond - 1) / time.Millisecond)
		if ms < 1 {
			ms = 1
		}
		fds := []unix.PollFd{{Fd: int32(s.fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, ms)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return fmt.Errorf("poll: %w", err)
		case n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLNVAL) != 0:
			return fmt.Errorf("poll: device error (revents 0x%x)", fds[0].Revents)
		case n > 0:
			return nil
		}
	}
}
