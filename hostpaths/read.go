package hostpaths

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// MaxFileSize bounds every read: sysfs and procfs files are small, and a
// corrupted or hostile tree must not make the agent allocate without limit.
// The largest file hwagent reads on purpose is pci.ids (~1.4 MB).
const MaxFileSize = 8 << 20

// ReadFile reads a whole file from a host tree. It does not trust the size
// stat reports (sysfs says 4096 for everything, procfs says 0) and reads
// until EOF, at most MaxFileSize bytes, within ReadTimeout. Only regular
// files are read: a FIFO, socket or device is ErrNotRegular at once (it is
// opened non-blocking, so a FIFO without a writer cannot hang the open).
func (p *Paths) ReadFile(name string) ([]byte, error) {
	b, err := run(p, name, "read", func() ([]byte, error) { return readRegular(name) })
	if err != nil {
		return nil, err
	}
	p.rec.file(name, b)
	return b, nil
}

// readRegular opens, checks and reads with raw system calls, as procfs's
// util.SysReadFile does, rather than through *os.File: os.OpenFile
// registers every file with the runtime's poller (sysfs attributes are
// pollable, so that is an epoll_ctl on open and on close, and two fcntl
// calls), which made a read of a sysfs attribute cost twice its system
// calls. The read goes into a pooled buffer and the answer is copied out
// at its exact size, so reading 200 four-byte attributes does not allocate
// 200 pages.
func readRegular(name string) ([]byte, error) {
	fd, st, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	// A file with a believable size above the pooled buffer's (pci.ids, a
	// DMI table) is read into one allocation of that size; sysfs says 4096
	// and procfs 0, and those go through the pooled buffer.
	if st.Size > readBufSize && st.Size <= MaxFileSize {
		return readAll(fd, name, make([]byte, 0, st.Size+1))
	}
	bp := readBufPool.Get().(*[]byte)
	defer readBufPool.Put(bp)
	b, err := readAll(fd, name, (*bp)[:0])
	if err != nil {
		return nil, err
	}
	if cap(b) > readBufSize { // it outgrew the pooled buffer: b is its own
		return b, nil
	}
	return bytes.Clone(b), nil
}

// openRegular opens name with a raw system call (off the runtime's poller) and
// refuses what is not a regular file. O_NONBLOCK: a FIFO's open returns at
// once (and is then refused) instead of waiting for a writer.
func openRegular(name string) (int, syscall.Stat_t, error) {
	var st syscall.Stat_t
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return -1, st, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if _, err := ignoringEINTR(func() (int, error) { return 0, syscall.Fstat(fd, &st) }); err != nil {
		syscall.Close(fd)
		return -1, st, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return -1, st, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%s)", ErrNotRegular, fileType(modeType(st.Mode)))}
	}
	return fd, st, nil
}

// readBufSize is the pooled read buffer: sysfs attributes are at most a
// page, and most procfs files hwagent reads fit.
const readBufSize = 16 << 10

var readBufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

// readAll reads fd to EOF into b, growing it, at most MaxFileSize bytes.
func readAll(fd int, name string, b []byte) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			if len(b) > MaxFileSize {
				return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("file larger than 8 MiB")}
			}
			b = append(b, 0)[:len(b)]
		}
		n, err := ignoringEINTR(func() (int, error) { return syscall.Read(fd, b[len(b):cap(b)]) })
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			if len(b) > MaxFileSize {
				return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("file larger than 8 MiB")}
			}
			return b, nil
		}
		b = b[:len(b)+n]
	}
}

func ignoringEINTR(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// modeType is the fs.FileMode type bits of a stat mode.
func modeType(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	}
	return 0
}

// fileType names a non-regular file's type for errors.
func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return m.Type().String()
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
	ents, err := run(p, name, "readdir", func() ([]fs.DirEntry, error) { return readDir(name) })
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

// readDir is os.ReadDir opening with O_DIRECTORY: a FIFO where a directory
// should be is an error, not an open that never returns.
func readDir(name string) ([]fs.DirEntry, error) {
	// O_DIRECTORY makes a FIFO an ENOTDIR before it could block the open.
	// The descriptor is blocking, so os.NewFile keeps it off the poller.
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	ents, err := f.ReadDir(-1)
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, err
}

// Readlink returns a symlink's target as stored.
func (p *Paths) Readlink(name string) (string, error) {
	t, err := run(p, name, "readlink", func() (string, error) { return os.Readlink(name) })
	if err != nil {
		return "", err
	}
	p.rec.link(name, t)
	return t, nil
}

// Stat follows symlinks.
func (p *Paths) Stat(name string) (fs.FileInfo, error) {
	fi, err := run(p, name, "stat", func() (fs.FileInfo, error) { return os.Stat(name) })
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

// MapFile calls fn with the content of a regular file, mapped read-only
// rather than copied: pci.ids is 1.4 MB, of which a lookup scans what it
// needs, and copying it into a fresh allocation cost a dump more than a
// millisecond (the copy, and a page fault per 4 KiB of the new buffer). fn
// must not keep data, nor anything that points into it, after it returns.
// The file is refused as ReadFile refuses it (not a regular file, larger
// than MaxFileSize), the whole call is bounded by ReadTimeout, and a file
// truncated or failing while mapped is an error, not a crash: the kernel's
// SIGBUS becomes a recovered panic. A file whose size is not believed
// (procfs), and every file while recording, is read as ReadFile does.
func (p *Paths) MapFile(name string, fn func(data []byte)) error {
	if p.rec != nil {
		data, err := p.ReadFile(name)
		if err != nil {
			return err
		}
		fn(data)
		return nil
	}
	_, err := run(p, name, "read", func() (struct{}, error) { return struct{}{}, mapFile(name, fn) })
	return err
}

// mmap is syscall.Mmap; a test makes it fail.
var mmap = syscall.Mmap

func mapFile(name string, fn func([]byte)) (err error) {
	fd, st, err := openRegular(name)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if st.Size > MaxFileSize {
		return &fs.PathError{Op: "read", Path: name, Err: errors.New("file larger than 8 MiB")}
	}
	if st.Size <= readBufSize {
		bp := readBufPool.Get().(*[]byte)
		defer readBufPool.Put(bp)
		b, err := readAll(fd, name, (*bp)[:0])
		if err != nil {
			return err
		}
		fn(b)
		return nil
	}
	data, err := mmap(fd, 0, int(st.Size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		// A file system that cannot map its files (ENODEV: some FUSE
		// and network file systems) is read instead.
		b, err := readAll(fd, name, make([]byte, 0, st.Size+1))
		if err != nil {
			return err
		}
		fn(b)
		return nil
	}
	defer syscall.Munmap(data)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, fault := r.(interface{ Addr() uintptr }); !fault {
			panic(r)
		}
		err = &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("the file was truncated or failed while mapped (%v)", r)}
	}()
	fn(data)
	return nil
}
