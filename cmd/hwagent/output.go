package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// output is where a command writes the file its -o/--out names. A regular
// file, or a new one, is replaced as a whole: the command writes a
// temporary file beside it and renames it over the old one only when
// everything succeeded, so a failed run leaves the old file as it was.
// Anything else (/dev/null, /dev/stdout, a FIFO, a terminal) is written
// into, never replaced: renaming over /dev/null as root left a regular
// file there, which broke every program on the machine that writes to it.
// A symbolic link is followed: the file it names is replaced, the link
// stays.
type output struct {
	path   string // the file written, links resolved
	direct bool   // not a regular file: write into it
}

// outputFor looks at dest.
func outputFor(dest string) (output, error) {
	path := dest
	if p, err := filepath.EvalSymlinks(dest); err == nil {
		path = p
	} else if !errors.Is(err, fs.ErrNotExist) {
		return output{}, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return output{path: path}, nil
	case err != nil:
		return output{}, err
	case fi.IsDir():
		return output{}, fmt.Errorf("%s is a directory", dest)
	case !fi.Mode().IsRegular():
		return output{path: path, direct: true}, nil
	}
	return output{path: path}, nil
}

// tempDir is where the temporary file goes: beside the file it replaces,
// so that the rename stays within one filesystem, or def when the output
// is written into.
func (o output) tempDir(def string) string {
	if o.direct {
		return def
	}
	return filepath.Dir(o.path)
}

// place puts the finished temporary file at the output and closes it.
func (o output) place(tmp *os.File) error {
	if !o.direct {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), o.path)
	}
	defer tmp.Close()
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, tmp); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
