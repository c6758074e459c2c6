// Package hostpathstest builds hostpaths.Machine values from fakes, for
// tests that give a host tree a network, a data link or a BMC of their
// choosing (paths.WithMachine(hostpathstest.Machine{...})).
package hostpathstest

import (
	"fmt"
	"io"
	"syscall"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/ipmi"
)

// Machine is a hostpaths.Machine assembled from parts. A nil part is one
// the machine does not have: Network answers no links, LinkLayer and
// OpenIPMI answer hostpaths.ErrRecorded.
type Machine struct {
	// Live makes Kind say hostpaths.Live; else hostpaths.Recording.
	Live bool
	// Net answers Network; NetErr, when set, is Network's error instead.
	Net    hostpaths.Network
	NetErr error
	// Link answers LinkLayer.
	Link *hostpaths.LinkLayer
	// IPMI answers OpenIPMI.
	IPMI func(path string) (ipmi.Device, error)
	// Devices answers OpenDevice (hostpaths.Kernel().OpenDevice opens a
	// tree's files standing in for device nodes).
	Devices func(path string) (hostpaths.Device, error)
	// TPM answers OpenTPM (hostpaths.Kernel().OpenTPM opens a software
	// TPM's socket standing in for /dev/tpmrm0).
	TPM func(path string) (io.ReadWriteCloser, error)
}

// OpenTPM implements hostpaths.Machine.
func (m Machine) OpenTPM(path string) (io.ReadWriteCloser, error) {
	if m.TPM == nil {
		return nil, fmt.Errorf("%s: %w", path, hostpaths.ErrRecorded)
	}
	return m.TPM(path)
}

// OpenDevice implements hostpaths.Machine.
func (m Machine) OpenDevice(path string) (hostpaths.Device, error) {
	if m.Devices == nil {
		return nil, fmt.Errorf("%s: %w", path, hostpaths.ErrRecorded)
	}
	return m.Devices(path)
}

// Kind implements hostpaths.Machine.
func (m Machine) Kind() hostpaths.Kind {
	if m.Live {
		return hostpaths.Live
	}
	return hostpaths.Recording
}

// Network implements hostpaths.Machine.
func (m Machine) Network() (hostpaths.Network, error) {
	if m.NetErr != nil {
		return nil, m.NetErr
	}
	if m.Net == nil {
		return Network{}, nil
	}
	return m.Net, nil
}

// LinkLayer implements hostpaths.Machine.
func (m Machine) LinkLayer() (hostpaths.LinkLayer, error) {
	if m.Link == nil {
		return hostpaths.LinkLayer{}, hostpaths.ErrRecorded
	}
	return *m.Link, nil
}

// OpenIPMI implements hostpaths.Machine.
func (m Machine) OpenIPMI(path string) (ipmi.Device, error) {
	if m.IPMI == nil {
		return nil, fmt.Errorf("%s: %w", path, hostpaths.ErrRecorded)
	}
	return m.IPMI(path)
}

// Network answers from fixed links and driver infos; a driver not in
// Drivers answers EOPNOTSUPP, as drivers without the operation do.
type Network struct {
	NetLinks []hostpaths.NetLink
	Drivers  map[string]hostpaths.DriverInfo
}

// Links implements hostpaths.Network.
func (n Network) Links() ([]hostpaths.NetLink, error) { return n.NetLinks, nil }

// DriverInfo implements hostpaths.Network.
func (n Network) DriverInfo(name string) (hostpaths.DriverInfo, error) {
	if d, ok := n.Drivers[name]; ok {
		return d, nil
	}
	return hostpaths.DriverInfo{}, fmt.Errorf("ethtool driver info of %s: %w", name, syscall.EOPNOTSUPP)
}

// Close implements hostpaths.Network.
func (Network) Close() error { return nil }
