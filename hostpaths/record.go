package hostpaths

import (
	"io/fs"
	"sort"
	"sync"
)

// Recorder remembers every file, directory and symlink read through a Paths,
// so that `hwagent snapshot` can capture exactly what the collectors saw.
type Recorder struct {
	mu      sync.Mutex
	entries map[string]Entry
	netRec  networkRecord
}

// EntryKind says what a recorded path was.
type EntryKind int

// Entry kinds.
const (
	KindFile EntryKind = iota
	KindDir
	KindSymlink
	KindOther // device nodes and the like: recorded by mode only
)

// Entry is one recorded path (on the agent's filesystem).
type Entry struct {
	Path   string
	Kind   EntryKind
	Data   []byte      // file contents as read
	Target string      // symlink target
	Mode   fs.FileMode // for KindOther and KindDir
}

// Record starts recording reads made through p and returns the recorder.
// Call it before collectors run.
func (p *Paths) Record() *Recorder {
	p.rec = &Recorder{entries: map[string]Entry{}}
	return p.rec
}

// Recording says whether reads through p are being recorded (Record): a
// collector that could skip reads on the live machine must then make them,
// so that the snapshot replays to the same answer.
func (p *Paths) Recording() bool { return p.rec != nil }

// Entries returns what was recorded, sorted by path.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Entry, 0, len(r.entries))
	for _, e := range r.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (r *Recorder) put(e Entry) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.entries[e.Path]; ok && old.Kind == KindFile && e.Kind != KindFile {
		return
	}
	r.entries[e.Path] = e
}

func (r *Recorder) file(name string, data []byte) {
	if r == nil {
		return
	}
	r.put(Entry{Path: name, Kind: KindFile, Data: append([]byte(nil), data...)})
}

func (r *Recorder) dir(name string) {
	r.put(Entry{Path: name, Kind: KindDir, Mode: fs.ModeDir | 0o755})
}

func (r *Recorder) link(name, target string) {
	r.put(Entry{Path: name, Kind: KindSymlink, Target: target})
}

func (r *Recorder) stat(name string, fi fs.FileInfo) {
	if r == nil {
		return
	}
	switch {
	case fi.IsDir():
		r.dir(name)
	case fi.Mode().IsRegular():
		// Existence checks of regular files are kept as empty files only if
		// nothing reads them; ReadFile overwrites the entry with contents.
		r.put(Entry{Path: name, Kind: KindOther, Mode: fi.Mode()})
	default:
		r.put(Entry{Path: name, Kind: KindOther, Mode: fi.Mode()})
	}
}
