package hostpaths

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// maxLinkHops bounds symlink resolution, like the kernel's MAXSYMLINKS.
const maxLinkHops = 40

// SnapshotTree is the host tree a Snapshot builds before writing it: canonical
// paths ("sys/class/net/eth0") to entries.
type SnapshotTree map[string]Entry

// Snapshot turns what r recorded into a host tree laid out under the
// canonical names (proc/…, sys/…, dev/…), so that `hwagent dump --root DIR`
// on the unpacked tree reads the same bytes the collectors read. Symlinks on
// the way to every recorded path (sysfs is mostly symlinks) are kept as
// symlinks; directories that were listed keep their subdirectory and
// symlink children. Device nodes are not captured.
func (p *Paths) Snapshot(r *Recorder) (SnapshotTree, error) {
	out := SnapshotTree{}
	for _, e := range r.Entries() {
		if err := p.addResolved(out, e); err != nil {
			return nil, err
		}
		if e.Kind == KindDir {
			p.addChildren(out, e.Path)
		}
	}
	return out, nil
}

// canonical maps an agent path to "tree/rel".
func (p *Paths) canonical(agentPath string) (string, bool) {
	t, rel, ok := p.Locate(agentPath)
	if !ok || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return path.Join(string(t), filepath.ToSlash(rel)), true
}

// addResolved records e at its real location, recording every symlink met
// while walking to it.
func (p *Paths) addResolved(out SnapshotTree, e Entry) error {
	t, rel, ok := p.Locate(e.Path)
	if !ok {
		return nil
	}
	base := p.trees[t]
	parts := strings.Split(filepath.ToSlash(rel), "/")
	cur := base
	hops := 0
	for i := 0; i < len(parts); i++ {
		if parts[i] == "." || parts[i] == "" {
			continue
		}
		next := filepath.Join(cur, parts[i])
		last := i == len(parts)-1
		fi, err := os.Lstat(next)
		if err != nil {
			return nil // gone since it was read: skip
		}
		if fi.Mode()&fs.ModeSymlink != 0 && !(last && e.Kind == KindSymlink) {
			target, err := os.Readlink(next)
			if err != nil {
				return nil
			}
			if c, ok := p.canonical(next); ok {
				out[c] = Entry{Path: c, Kind: KindSymlink, Target: target}
			}
			if hops++; hops > maxLinkHops {
				return fmt.Errorf("snapshot: too many symlinks resolving %s", e.Path)
			}
			var resolved string
			if filepath.IsAbs(target) {
				// An absolute link points into the host's namespace: map
				// it onto the same tree.
				resolved = filepath.Join(p.Root, target)
			} else {
				resolved = filepath.Join(filepath.Dir(next), target)
			}
			rt, rrel, ok := p.Locate(resolved)
			if !ok || strings.HasPrefix(rrel, "..") {
				return nil
			}
			rest := parts[i+1:]
			base = p.trees[rt]
			parts = append(strings.Split(filepath.ToSlash(rrel), "/"), rest...)
			cur = base
			i = -1
			continue
		}
		cur = next
	}
	c, ok := p.canonical(cur)
	if !ok {
		return nil
	}
	switch e.Kind {
	case KindFile:
		out[c] = Entry{Path: c, Kind: KindFile, Data: e.Data}
	case KindSymlink:
		out[c] = Entry{Path: c, Kind: KindSymlink, Target: e.Target}
	case KindDir:
		if _, exists := out[c]; !exists {
			out[c] = Entry{Path: c, Kind: KindDir, Mode: fs.ModeDir | 0o755}
		}
	case KindOther:
		// Stat of a regular file nobody read: keep its existence.
		if e.Mode.IsRegular() {
			if _, exists := out[c]; !exists {
				out[c] = Entry{Path: c, Kind: KindFile}
			}
		}
	}
	return nil
}

// addChildren keeps the subdirectories and symlinks of a listed directory,
// so that a replayed ReadDir sees the same names.
func (p *Paths) addChildren(out SnapshotTree, dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, d := range ents {
		full := filepath.Join(dir, d.Name())
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if target, err := os.Readlink(full); err == nil {
				_ = p.addResolved(out, Entry{Path: full, Kind: KindSymlink, Target: target})
			}
		case d.IsDir():
			_ = p.addResolved(out, Entry{Path: full, Kind: KindDir})
		}
	}
}

// WriteTarGz writes the tree as a gzip-compressed tar, parents before
// children, with extra files (name → contents) at the top level.
func (s SnapshotTree) WriteTarGz(w io.Writer, extra map[string][]byte) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	now := time.Now().UTC().Truncate(time.Second)
	dirs := map[string]bool{}
	var mkdirs func(string) error
	mkdirs = func(d string) error {
		if d == "." || d == "/" || d == "" || dirs[d] {
			return nil
		}
		if err := mkdirs(path.Dir(d)); err != nil {
			return err
		}
		dirs[d] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: now})
	}
	names := make([]string, 0, len(s)+len(extra))
	for n := range s {
		names = append(names, n)
	}
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if data, ok := extra[n]; ok {
			if err := writeFile(tw, n, data, now); err != nil {
				return err
			}
			continue
		}
		e := s[n]
		if err := mkdirs(path.Dir(n)); err != nil {
			return err
		}
		var err error
		switch e.Kind {
		case KindFile:
			err = writeFile(tw, n, e.Data, now)
		case KindSymlink:
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: n, Linkname: e.Target, Mode: 0o777, ModTime: now})
		case KindDir:
			err = mkdirs(n)
		}
		if err != nil {
			return fmt.Errorf("snapshot: %s: %w", n, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeFile(tw *tar.Writer, name string, data []byte, mod time.Time) error {
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: mod}); err != nil {
		return err
	}
	_, err := tw.Write(data)
	return err
}
