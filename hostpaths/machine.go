package hostpaths

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/hwagent/hwagent/ipmi"
	"github.com/hwagent/hwagent/lldp"
)

// Kind says whether a host is the running machine or a recording of one.
type Kind int

const (
	// Live is the running machine: the agent's own root, or a bind of the
	// host's trees (/host, Hook's /host_root, Hanlon's /host-proc) whose
	// proc is a mounted procfs. Its network facts, raw sockets and devices
	// are the kernel's.
	Live Kind = iota + 1
	// Recording is a tree on disk: a `hwagent snapshot` (marked by its
	// manifest, ManifestName) or a tree assembled for tests. It replays the
	// network facts its snapshot saved, or none; it has no sockets and no
	// devices, and never reads the machine it is replayed on.
	Recording
)

func (k Kind) String() string {
	switch k {
	case Live:
		return "live"
	case Recording:
		return "recording"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ErrRecorded is what a recording answers when asked for what only a
// running machine has: raw sockets, link control, device nodes.
var ErrRecorded = errors.New("a recorded host has no running machine behind it")

// Machine is every way of reading a host besides its files: its network
// namespace (links and addresses over netlink, drivers over ethtool), its
// data link (raw packet sockets, link state, NIC private flags) and its
// device nodes (the BMC's system interface). A live host's Machine is the
// kernel's (Kernel); a recording's replays what its snapshot saved. The
// collectors reach these only through Paths.Machine, so a recording can
// never mix with the machine it is replayed on.
type Machine interface {
	// Kind says whether this is the running machine or a recording.
	Kind() Kind
	// Network opens the host's network facts. A recording without saved
	// facts answers an empty Network.
	Network() (Network, error)
	// LinkLayer returns the host's data link; ErrRecorded for a recording.
	LinkLayer() (LinkLayer, error)
	// OpenIPMI opens the BMC system interface node at path (a path on the
	// agent's filesystem, from Paths.Dev); ErrRecorded for a recording.
	OpenIPMI(path string) (ipmi.Device, error)
	// OpenDevice opens a device node at path (from Paths.Dev) read-only,
	// for bounded reads at offsets: a disk's first sectors,
	// /dev/cpu/0/cpuid. ErrRecorded for a recording (a snapshot holds no
	// device nodes, and what was read through them is not saved).
	OpenDevice(path string) (Device, error)
	// OpenTPM opens the TPM at path (from Paths.Dev: /dev/tpmrm0,
	// /dev/tpm0) for TPM 2.0 commands, one written and its response read
	// at a time. ErrRecorded for a recording (a snapshot holds no TPM).
	OpenTPM(path string) (io.ReadWriteCloser, error)
}

// Device is an open device node: reads at offsets, then Close.
type Device interface {
	io.ReaderAt
	io.Closer
}

// LinkLayer is the data link of a host's NICs: what listening to the
// switch (LLDP, CDP) needs.
type LinkLayer struct {
	// Open opens a raw socket on an interface.
	Open lldp.Opener
	// Links reads and sets interfaces' administrative state.
	Links lldp.LinkController
	// Flags reads and sets ethtool private flags (firmware LLDP agents).
	Flags lldp.PrivateFlags
}

// Machine returns the host's Machine: the one given to WithMachine, else
// the kernel's when the trees are live, else the recording's (see Kind).
// While Record is on, what the Machine answers is recorded too.
func (p *Paths) Machine() Machine {
	m := p.machine
	if m == nil {
		m = p.detectMachine()
	}
	if p.rec != nil {
		return &recordingMachine{Machine: m, rec: p.rec}
	}
	return m
}

// Kind says whether p is the running machine or a recording.
func (p *Paths) Kind() Kind { return p.Machine().Kind() }

// WithMachine returns a copy of p reading its non-file sources from m: a
// test's fakes, or Kernel() for a test running in a namespace of its own.
func (p *Paths) WithMachine(m Machine) *Paths {
	c := *p
	c.machine = m
	return &c
}

// ManifestName is the file at the top of a snapshot that marks it as a
// recording and holds the facts read from the machine rather than from
// its files. It sits beside the proc tree (ROOT/hwagent-snapshot.json).
const ManifestName = "hwagent-snapshot.json"

// ManifestPath is where p's manifest would be.
func (p *Paths) ManifestPath() string {
	return filepath.Join(filepath.Dir(p.trees[Proc]), ManifestName)
}

// detectMachine chooses once: a manifest marks a recording; a proc tree
// that is a mounted procfs is the running machine; anything else is a tree
// on disk, a recording without saved facts.
func (p *Paths) detectMachine() Machine {
	d := p.detect
	d.once.Do(func() {
		if _, err := os.Lstat(p.ManifestPath()); err == nil {
			m, err := ReadManifest(p.ManifestPath())
			d.machine = &recorded{manifest: m, err: err}
			return
		}
		if isProcfs(p.trees[Proc]) {
			d.machine = Kernel()
			return
		}
		d.machine = &recorded{}
	})
	return d.machine
}

// detection is detectMachine's answer, shared by the copies of a Paths.
type detection struct {
	once    sync.Once
	machine Machine
}
