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

// Open opens an IPMI device node for reading and writing.
func Open(path string) (*SystemInterface, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return newSystemInterface(path, &fdIO{fd: fd, buf: make([]byte, ipmiMaxMsgLength)}), nil
}

// fdIO speaks the ipmi_devintf ioctls on an open device node.
type fdIO struct {
	fd   int
	buf  []byte
	addr ipmiAddr
}

func (f *fdIO) close() error { return unix.Close(f.fd) }

func (f *fdIO) send(id int, netfn, cmd uint8, data []byte) error {
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
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(f.fd), ipmictlSendCommand, uintptr(unsafe.Pointer(&req)))
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

func (f *fdIO) receive() (int, int, []byte, error) {
	recv := ipmiRecv{
		addr:    unsafe.Pointer(&f.addr),
		addrLen: uint32(unsafe.Sizeof(f.addr)),
		msg:     ipmiMsg{data: unsafe.Pointer(&f.buf[0]), dataLen: uint16(len(f.buf))},
	}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(f.fd), ipmictlReceiveMsgTrunc, uintptr(unsafe.Pointer(&recv)))
	runtime.KeepAlive(f)
	switch errno {
	case 0, unix.EMSGSIZE: // EMSGSIZE: truncated to buf, still a reply
	case unix.EAGAIN, unix.EINTR:
		return 0, 0, nil, errAgain
	default:
		return 0, 0, nil, errno
	}
	n := min(int(recv.msg.dataLen), len(f.buf))
	return int(recv.recvType), recv.msgid, append([]byte(nil), f.buf[:n]...), nil
}

func (f *fdIO) wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		slice := pollSlice
		if dl, ok := ctx.Deadline(); ok {
			slice = min(slice, time.Until(dl))
		}
		ms := max(1, int((slice+time.Millisecond-1)/time.Millisecond))
		fds := []unix.PollFd{{Fd: int32(f.fd), Events: unix.POLLIN}}
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
