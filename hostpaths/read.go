package hostpaths

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// MaxFileSize bounds every read: sysfs and procfs files are small, and a
// corrupted or hostile tree must not make the agent allocate without limit.
// The largest file hwagent reads on purpose is pci.ids (~1.4 MB).
const MaxFileSize = 8 << 20

// ReadFile reads a whole file from a host tree. It does not trust the size
// stat reports (sysfs says 4096 for everything, procfs says 0) and reads
// until EOF, at most MaxFileSize bytes.
func (p *Paths) ReadFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	// Regular files with a believable size (pci.ids, a DMI table) get one
	// allocation; sysfs says 4096 and procfs 0, which is harmless.
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 && fi.Size() <= MaxFileSize {
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	n, err := buf.ReadFrom(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if n > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("file larger than 8 MiB")}
	}
	p.rec.file(name, buf.Bytes())
	return buf.Bytes(), nil
}

// ReadString reads a sysfs or procfs attribute and trims surrounding space.
func (p *Paths) ReadString(name string) (string, error) {
	b, err := p.ReadFile(name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// ReadUint reads an attribute holding one unsigned decimal (or 0x-prefixed
// hex) number.
func (p *Paths) ReadUint(name string) (uint64, error) {
	s, err := p.ReadString(name)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// ReadInt reads an attribute holding one signed decimal number.
func (p *Paths) ReadInt(name string) (int64, error) {
	s, err := p.ReadString(name)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// ReadDir lists a directory, sorted by name. Names starting with "." are
// left out: sysfs, procfs and devtmpfs have none, so such a name is an
// artefact of a copied tree (a .gitkeep that keeps an empty sysfs directory
// in a repository), never a device.
func (p *Paths) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	p.rec.dir(name)
	out := ents[:0]
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e)
		}
	}
	return out, nil
}

// Readlink returns a symlink's target as stored.
func (p *Paths) Readlink(name string) (string, error) {
	t, err := os.Readlink(name)
	if err != nil {
		return "", err
	}
	p.rec.link(name, t)
	return t, nil
}

// Stat follows symlinks.
func (p *Paths) Stat(name string) (fs.FileInfo, error) {
	fi, err := os.Stat(name)
	if err == nil {
		p.rec.stat(name, fi)
	}
	return fi, err
}

// Exists reports whether name exists (following symlinks).
func (p *Paths) Exists(name string) bool {
	_, err := p.Stat(name)
	return err == nil
}

// Ignorable reports whether err means the attribute is simply not there for
// this device or kernel: not present, not permitted (some attributes are
// root-only), not supported by the driver (EINVAL, EOPNOTSUPP, ENODEV, EIO
// from drivers that implement the attribute but not for this device). Such
// errors leave a field empty; others are worth a warning.
func Ignorable(err error) bool {
	if err == nil {
		return true
	}
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.ENXIO) ||
		errors.Is(err, syscall.EIO) || errors.Is(err, syscall.EAGAIN)
}
