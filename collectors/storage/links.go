package storage

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
)

// devLinks maps a kernel device name ("sda") to the /dev/disk/by-path and
// /dev/disk/by-id links that resolve to it, as the host names them.
type devLinks struct {
	byPath, byID map[string][]string
}

// readDevLinks reads the host's dev/disk/by-path and dev/disk/by-id once.
// Without udev (most in-memory OSes) the directories do not exist.
func readDevLinks(p *hostpaths.Paths, w *collector.Warnings) devLinks {
	l := devLinks{byPath: map[string][]string{}, byID: map[string][]string{}}
	for _, d := range []struct {
		dir string
		m   map[string][]string
	}{{"by-path", l.byPath}, {"by-id", l.byID}} {
		dir := p.Dev("disk", d.dir)
		ents, err := p.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				w.Addf("list %s: %v", p.HostPath(dir), err)
			}
			continue
		}
		for _, e := range ents {
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			target, err := p.Readlink(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			// udev's links are relative ("../../sda"); the device is the
			// last element either way.
			dev := filepath.Base(target)
			d.m[dev] = append(d.m[dev], "/dev/disk/"+d.dir+"/"+e.Name())
		}
	}
	return l
}
