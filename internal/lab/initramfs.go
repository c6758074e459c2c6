package lab

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Initramfs is the file tree of a guest's initramfs, built in memory and
// written as a gzip-compressed newc cpio archive.
type Initramfs struct {
	entries map[string]cpioEntry
}

// NewInitramfs returns an initramfs holding only /dev/console, which the
// kernel opens as init's stdin, stdout and stderr before devtmpfs is
// mounted.
func NewInitramfs() *Initramfs {
	r := &Initramfs{entries: map[string]cpioEntry{}}
	r.addDirs("dev")
	r.entries["dev/console"] = cpioEntry{name: "dev/console", mode: sIFCHR | 0o600, major: 5, minor: 1}
	return r
}

func clean(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// addDirs adds dir and its parents.
func (r *Initramfs) addDirs(dir string) {
	for d := clean(dir); d != "" && d != "."; d = path.Dir(d) {
		if _, ok := r.entries[d]; ok {
			return
		}
		r.entries[d] = cpioEntry{name: d, mode: sIFDIR | 0o755}
	}
}

// Dir adds an empty directory (and its parents).
func (r *Initramfs) Dir(name string) { r.addDirs(name) }

// File adds a regular file with the given permission bits.
func (r *Initramfs) File(name string, data []byte, perm fs.FileMode) {
	name = clean(name)
	r.addDirs(path.Dir(name))
	r.entries[name] = cpioEntry{name: name, mode: sIFREG | uint32(perm.Perm()), data: data}
}

// HostFile adds a copy of the host file src at name, keeping its
// permission bits.
func (r *Initramfs) HostFile(name, src string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	r.File(name, data, fi.Mode())
	return nil
}

// Symlink adds a symbolic link name → target.
func (r *Initramfs) Symlink(name, target string) {
	name = clean(name)
	r.addDirs(path.Dir(name))
	r.entries[name] = cpioEntry{name: name, mode: sIFLNK | 0o777, data: []byte(target)}
}

// Busybox adds the host's static busybox as /bin/busybox and /bin/sh; the
// init scripts of InitScript install the other applets at boot.
func (r *Initramfs) Busybox() error {
	p, err := busyboxPath()
	if err != nil {
		return err
	}
	if err := r.HostFile("bin/busybox", p); err != nil {
		return err
	}
	r.Symlink("bin/sh", "busybox")
	return nil
}

// BusyboxFile adds a static busybox (BusyboxFor) as /bin/busybox and
// /bin/sh, for guests of another architecture than the host.
func (r *Initramfs) BusyboxFile(path string) error {
	if err := r.HostFile("bin/busybox", path); err != nil {
		return err
	}
	r.Symlink("bin/sh", "busybox")
	return nil
}

// busyboxPath finds a statically linked busybox (Debian's busybox-static
// installs /bin/busybox; the dynamic busybox package would not run in the
// guest).
func busyboxPath() (string, error) {
	p, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("busybox not installed (Debian package busybox-static)")
	}
	out, err := exec.Command("ldd", p).CombinedOutput()
	if err == nil && !strings.Contains(string(out), "not a dynamic executable") && !strings.Contains(string(out), "statically linked") {
		return "", fmt.Errorf("%s is dynamically linked: install busybox-static", p)
	}
	return p, nil
}

// Modules adds kernel modules as /lib/modules/NAME.ko, for InitScript's
// insmod lines.
func (r *Initramfs) Modules(mods []Module) error {
	for _, m := range mods {
		if err := r.HostFile(ModulePath(m.Name), m.Path); err != nil {
			return err
		}
	}
	return nil
}

// ModulePath is where Modules puts a module in the guest.
func ModulePath(name string) string { return "/lib/modules/" + name + ".ko" }

// WriteTo writes the gzip-compressed cpio archive.
func (r *Initramfs) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	zw, err := gzip.NewWriterLevel(cw, gzip.BestSpeed)
	if err != nil {
		return 0, err
	}
	entries := make([]cpioEntry, 0, len(r.entries))
	for _, e := range r.entries {
		entries = append(entries, e)
	}
	if err := writeCPIO(zw, entries); err != nil {
		return cw.n, err
	}
	err = zw.Close()
	return cw.n, err
}

// WriteFile writes the archive to a file.
func (r *Initramfs) WriteFile(name string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := r.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
