package hostpaths

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"sort"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hwagent/hwagent/ipmi"
)

// ManifestFormat is the version of the manifest's layout.
const ManifestFormat = 1

// Manifest is ManifestName: it marks a tree as a recording and holds what
// the collectors read from the machine rather than from its files.
type Manifest struct {
	// Format is ManifestFormat.
	Format int `json:"format"`
	// HwagentVersion is the version of the hwagent that took the snapshot.
	HwagentVersion string `json:"hwagent_version,omitempty"`
	// TakenAt is when the snapshot was written.
	TakenAt time.Time `json:"taken_at"`
	// Source is the layout the snapshot was read from (Paths.String).
	Source string `json:"source,omitempty"`
	// Network is what netlink and ethtool answered; absent when nothing
	// asked (the network collector did not run).
	Network *RecordedNetwork `json:"network,omitempty"`
}

// RecordedNetwork is a Network's answers, saved.
type RecordedNetwork struct {
	Links []RecordedLink `json:"links"`
	// LinksError is the error listing the links, if any.
	LinksError string `json:"links_error,omitempty"`
	// DriverInfo is each DriverInfo answer by interface name.
	DriverInfo map[string]RecordedDriverInfo `json:"driver_info,omitempty"`
}

// RecordedLink is a NetLink, with addresses as text.
type RecordedLink struct {
	Index       int      `json:"index"`
	Name        string   `json:"name"`
	MAC         string   `json:"mac,omitempty"`
	PermMAC     string   `json:"permanent_mac,omitempty"`
	VLANID      int      `json:"vlan_id,omitempty"`
	ParentIndex int      `json:"parent_index,omitempty"`
	Addrs       []string `json:"addresses,omitempty"`
}

// RecordedDriverInfo is one DriverInfo answer: the info, or the error with
// its errno name (EOPNOTSUPP) so that a replay fails the same way.
type RecordedDriverInfo struct {
	Driver          string `json:"driver,omitempty"`
	Version         string `json:"version,omitempty"`
	FirmwareVersion string `json:"firmware_version,omitempty"`
	BusInfo         string `json:"bus_info,omitempty"`
	Error           string `json:"error,omitempty"`
	Errno           string `json:"errno,omitempty"`
}

// maxManifestSize bounds the manifest read: it is a recording's, so it is
// input like any other.
const maxManifestSize = 4 << 20

// ReadManifest reads and checks a manifest.
func ReadManifest(path string) (*Manifest, error) {
	b, err := bounded(ReadTimeout, path, "read", func() ([]byte, error) { return readRegular(path) })
	if err != nil {
		return nil, err
	}
	if len(b) > maxManifestSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxManifestSize)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Format != ManifestFormat {
		return nil, fmt.Errorf("%s: format %d, this hwagent reads %d", path, m.Format, ManifestFormat)
	}
	return &m, nil
}

// Marshal encodes the manifest as indented JSON.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	return append(b, '\n'), err
}

// recorded is a recording's Machine: the network its manifest saved (or
// none), no data link, no devices.
type recorded struct {
	manifest *Manifest // nil: a tree without a manifest
	err      error     // the manifest could not be read
}

func (*recorded) Kind() Kind { return Recording }

func (r *recorded) Network() (Network, error) {
	if r.err != nil {
		return nil, fmt.Errorf("recorded network: %w", r.err)
	}
	if r.manifest == nil || r.manifest.Network == nil {
		return replayedNetwork{}, nil
	}
	return replayedNetwork{r.manifest.Network}, nil
}

func (*recorded) LinkLayer() (LinkLayer, error) { return LinkLayer{}, ErrRecorded }

func (*recorded) OpenIPMI(path string) (ipmi.Device, error) {
	return nil, fmt.Errorf("%s: %w", path, ErrRecorded)
}

func (*recorded) OpenDevice(path string) (Device, error) {
	return nil, fmt.Errorf("%s: %w", path, ErrRecorded)
}

func (*recorded) OpenTPM(path string) (io.ReadWriteCloser, error) {
	return nil, fmt.Errorf("%s: %w", path, ErrRecorded)
}

// replayedNetwork answers from a RecordedNetwork; a nil one has no links.
type replayedNetwork struct{ n *RecordedNetwork }

func (r replayedNetwork) Links() ([]NetLink, error) {
	if r.n == nil {
		return nil, nil
	}
	out := make([]NetLink, 0, len(r.n.Links))
	for _, l := range r.n.Links {
		mac, _ := net.ParseMAC(l.MAC)
		perm, _ := net.ParseMAC(l.PermMAC)
		out = append(out, NetLink{Index: l.Index, Name: l.Name, MAC: mac, PermMAC: perm,
			VLANID: l.VLANID, ParentIndex: l.ParentIndex, Addrs: append([]string(nil), l.Addrs...)})
	}
	if r.n.LinksError != "" {
		return out, errors.New(r.n.LinksError)
	}
	return out, nil
}

func (r replayedNetwork) DriverInfo(name string) (DriverInfo, error) {
	d, ok := RecordedDriverInfo{}, false
	if r.n != nil {
		d, ok = r.n.DriverInfo[name]
	}
	switch {
	case !ok:
		return DriverInfo{}, fmt.Errorf("ethtool driver info of %s: not recorded: %w", name, fs.ErrNotExist)
	case d.Errno != "":
		if e := errnoValue(d.Errno); e != 0 {
			return DriverInfo{}, fmt.Errorf("%s (recorded): %w", d.Error, e)
		}
		return DriverInfo{}, errors.New(d.Error)
	case d.Error != "":
		return DriverInfo{}, errors.New(d.Error)
	}
	return DriverInfo{Driver: d.Driver, Version: d.Version, FirmwareVersion: d.FirmwareVersion, BusInfo: d.BusInfo}, nil
}

func (replayedNetwork) Close() error { return nil }

// recordingMachine records what its Machine's Network answers, for the
// manifest of a snapshot.
type recordingMachine struct {
	Machine
	rec *Recorder
}

func (m *recordingMachine) Network() (Network, error) {
	n, err := m.Machine.Network()
	if err != nil {
		return nil, err
	}
	return &recordingNetwork{Network: n, rec: m.rec}, nil
}

type recordingNetwork struct {
	Network
	rec *Recorder
}

func (n *recordingNetwork) Links() ([]NetLink, error) {
	links, err := n.Network.Links()
	rn := RecordedNetwork{Links: make([]RecordedLink, 0, len(links))}
	for _, l := range links {
		rl := RecordedLink{Index: l.Index, Name: l.Name, VLANID: l.VLANID, ParentIndex: l.ParentIndex, Addrs: l.Addrs}
		if len(l.MAC) > 0 {
			rl.MAC = l.MAC.String()
		}
		if len(l.PermMAC) > 0 {
			rl.PermMAC = l.PermMAC.String()
		}
		rn.Links = append(rn.Links, rl)
	}
	if err != nil {
		rn.LinksError = err.Error()
	}
	n.rec.network(func(saved *RecordedNetwork) {
		saved.Links, saved.LinksError = rn.Links, rn.LinksError
	})
	return links, err
}

func (n *recordingNetwork) DriverInfo(name string) (DriverInfo, error) {
	d, err := n.Network.DriverInfo(name)
	r := RecordedDriverInfo{Driver: d.Driver, Version: d.Version, FirmwareVersion: d.FirmwareVersion, BusInfo: d.BusInfo}
	if err != nil {
		r = RecordedDriverInfo{Error: err.Error()}
		var errno syscall.Errno
		if errors.As(err, &errno) {
			r.Errno = unix.ErrnoName(errno)
		}
	}
	n.rec.network(func(saved *RecordedNetwork) {
		if saved.DriverInfo == nil {
			saved.DriverInfo = map[string]RecordedDriverInfo{}
		}
		saved.DriverInfo[name] = r
	})
	return d, err
}

// networkRecord is the Recorder's share of the manifest.
type networkRecord struct {
	mu  sync.Mutex
	net *RecordedNetwork
}

func (r *Recorder) network(update func(*RecordedNetwork)) {
	r.netRec.mu.Lock()
	defer r.netRec.mu.Unlock()
	if r.netRec.net == nil {
		r.netRec.net = &RecordedNetwork{Links: []RecordedLink{}}
	}
	update(r.netRec.net)
}

// Manifest returns the manifest of a snapshot of what r recorded.
func (r *Recorder) Manifest(hwagentVersion string, takenAt time.Time, source string) *Manifest {
	m := &Manifest{Format: ManifestFormat, HwagentVersion: hwagentVersion, TakenAt: takenAt.UTC(), Source: source}
	r.netRec.mu.Lock()
	defer r.netRec.mu.Unlock()
	if n := r.netRec.net; n != nil {
		c := *n
		c.Links = append([]RecordedLink(nil), n.Links...)
		sort.Slice(c.Links, func(i, j int) bool { return c.Links[i].Index < c.Links[j].Index })
		m.Network = &c
	}
	return m
}

// errnoValue is the errno named name (EOPNOTSUPP), 0 when unknown.
func errnoValue(name string) syscall.Errno {
	for e := syscall.Errno(1); e < 4096; e++ {
		if unix.ErrnoName(e) == name {
			return e
		}
	}
	return 0
}
