package hostpaths

import (
	"fmt"
	"io/fs"
	"os"
)

// OpenDevice opens a block or character device of the host (a path under
// the Dev tree) read-only, for bounded reads at offsets: a disk's first
// sectors, /dev/cpu/0/cpuid. Such reads are not recorded: a snapshot holds
// no device nodes, so a recorded host never answers them (the caller gets
// fs.ErrNotExist) and never reads the live machine in its place.
func (p *Paths) OpenDevice(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("is a directory")}
	}
	return f, nil
}
