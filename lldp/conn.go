package lldp

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

// Conn is the part of a raw socket a listener uses. *packet.Conn implements
// it; tests use a fake that replays frames.
type Conn interface {
	ReadFrom(b []byte) (int, net.Addr, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// Opener opens a Conn on the named interface.
type Opener func(ifname string) (Conn, error)

// ethPAll is ETH_P_ALL: LLDP has its own EtherType, but CDP frames carry an
// 802.3 length, so the socket takes every protocol and the BPF filter
// selects.
const ethPAll = 0x0003

// OpenPacket opens an AF_PACKET socket on ifname with the kernel filter for
// LLDP and CDP, joins the LLDP and CDP multicast groups and ignores frames
// the host sends itself. It needs CAP_NET_RAW. The socket opens in the
// network namespace of the calling thread.
func OpenPacket(ifname string) (Conn, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("lldp socket on %s: %w", ifname, err)
	}
	filter, err := Filter()
	if err != nil {
		return nil, fmt.Errorf("lldp socket on %s: assemble filter: %w", ifname, err)
	}
	c, err := packet.Listen(ifi, packet.Raw, ethPAll, &packet.Config{Filter: filter})
	if err != nil {
		return nil, fmt.Errorf("lldp socket on %s: %w", ifname, err)
	}
	for _, addr := range Multicasts() {
		if err := c.JoinGroup(addr); err != nil {
			_ = c.Close()
			return nil, fmt.Errorf("lldp socket on %s: join %s: %w", ifname, addr, err)
		}
	}
	if ignoreOutgoing(c) {
		return c, nil
	}
	return &skipOwn{Conn: c, mac: ifi.HardwareAddr}, nil
}

// ignoreOutgoing sets PACKET_IGNORE_OUTGOING (Linux 4.20+) so that an LLDP
// agent on this host does not show up as its own neighbour. It reports
// whether the kernel took the option.
func ignoreOutgoing(c *packet.Conn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	}); err != nil {
		return false
	}
	return serr == nil
}

// skipOwn drops frames sent from the interface's own address, for kernels
// without PACKET_IGNORE_OUTGOING.
type skipOwn struct {
	Conn
	mac net.HardwareAddr
}

func (s *skipOwn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, addr, err := s.Conn.ReadFrom(b)
		if err != nil || n < 12 || len(s.mac) != 6 || !bytes.Equal(b[6:12], s.mac) {
			return n, addr, err
		}
	}
}

// isTimeout reports whether err is a read deadline expiring.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
