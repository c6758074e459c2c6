package hostpaths

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/lldp"
)

// Kernel is the running machine as the agent reaches it: netlink, ethtool
// and raw sockets in the agent's network namespace (the host's, in
// production: LinuxKit runs hwagent with net: host) and device nodes.
func Kernel() Machine { return kernel{} }

type kernel struct{}

func (kernel) Kind() Kind { return Live }

func (kernel) Network() (Network, error) { return openNetlink() }

func (kernel) LinkLayer() (LinkLayer, error) {
	return LinkLayer{Open: lldp.OpenPacket, Links: lldp.Netlink{}, Flags: lldp.Ethtool{}}, nil
}

// OpenTPM opens a TPM character device read-write, or connects to a Unix
// socket standing for one: a software TPM taking raw TPM 2.0 commands
// (swtpm socket --server type=unixio), for labs and tests.
func (kernel) OpenTPM(path string) (io.ReadWriteCloser, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&fs.ModeCharDevice != 0:
		// Blocking, not os.OpenFile: Go opens a pollable file
		// O_NONBLOCK, and on a TPM device that makes write() only queue
		// the command (Linux 4.20+ async mode) and read() return 0 bytes,
		// not EAGAIN, until the TPM has answered. Blocking, write()
		// returns once the TPM answered and read() has the response.
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	case fi.Mode()&fs.ModeSocket != 0:
		return net.DialTimeout("unix", path, 2*time.Second)
	}
	return nil, fmt.Errorf("%s: %w or socket", path, ErrNotCharDevice)
}

// ErrNotCharDevice: a device node that is a plain file.
var ErrNotCharDevice = errors.New("not a character device")

func (kernel) OpenIPMI(path string) (ipmi.Device, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNotCharDevice)
	}
	return ipmi.Open(path)
}

// netlinkInfo is Network over rtnetlink (vishvananda/netlink) and the
// SIOCETHTOOL ioctl. Driver info needs the ioctl: ethtool's generic netlink
// family has no driver-info message, so mdlayher/ethtool cannot provide it.
type netlinkInfo struct {
	h  *netlink.Handle
	fd int // AF_INET datagram socket for SIOCETHTOOL, or -1
}

// openNetlink opens the agent's namespace.
func openNetlink() (Network, error) {
	// Route netlink only: NewHandle() with no family also opens XFRM and
	// netfilter sockets, which fail (EPROTONOSUPPORT) on kernels where
	// xfrm_user or nfnetlink are modules not loaded, as in a netboot
	// initramfs (found by the e2e test on Debian's kernel).
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fd = -1 // driver info is then unavailable; DriverInfo says why
	}
	return &netlinkInfo{h: h, fd: fd}, nil
}

func (n *netlinkInfo) Links() ([]NetLink, error) {
	links, err := n.h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("netlink: list links: %w", err)
	}
	out := make([]NetLink, 0, len(links))
	byIndex := make(map[int]int, len(links))
	for _, l := range links {
		a := l.Attrs()
		nl := NetLink{Index: a.Index, Name: a.Name, MAC: a.HardwareAddr, PermMAC: a.PermHWAddr}
		if v, ok := l.(*netlink.Vlan); ok {
			nl.VLANID, nl.ParentIndex = v.VlanId, a.ParentIndex
		}
		byIndex[a.Index] = len(out)
		out = append(out, nl)
	}
	addrs, err := n.h.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		return out, fmt.Errorf("netlink: list addresses: %w", err)
	}
	for _, a := range addrs {
		if i, ok := byIndex[a.LinkIndex]; ok && a.IPNet != nil {
			out[i].Addrs = append(out[i].Addrs, a.IPNet.String())
		}
	}
	return out, nil
}

func (n *netlinkInfo) DriverInfo(name string) (DriverInfo, error) {
	if n.fd < 0 {
		return DriverInfo{}, errors.New("ethtool: no socket")
	}
	d, err := unix.IoctlGetEthtoolDrvinfo(n.fd, name)
	if err != nil {
		return DriverInfo{}, fmt.Errorf("ethtool driver info of %s: %w", name, err)
	}
	return DriverInfo{
		Driver:          unix.ByteSliceToString(d.Driver[:]),
		Version:         unix.ByteSliceToString(d.Version[:]),
		FirmwareVersion: unix.ByteSliceToString(d.Fw_version[:]),
		BusInfo:         unix.ByteSliceToString(d.Bus_info[:]),
	}, nil
}

func (n *netlinkInfo) Close() error {
	n.h.Close()
	if n.fd >= 0 {
		return unix.Close(n.fd)
	}
	return nil
}

// OpenDevice opens path read-only: a block or character device node, or,
// in a test tree given Kernel(), a file standing in for one (a disk image).
func (kernel) OpenDevice(path string) (Device, error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("is a directory")}
	}
	return f, nil
}
