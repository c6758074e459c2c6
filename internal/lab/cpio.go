package lab

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
)

// newc cpio (the format the kernel unpacks into its initramfs), written by
// hand: header "070701", thirteen 8-digit hex fields, the NUL-terminated
// name padded to 4 bytes, the data padded to 4 bytes, and a TRAILER!!!
// entry at the end.

type cpioEntry struct {
	name         string // no leading slash
	mode         uint32 // type and permission bits (S_IFREG|0755...)
	data         []byte // file contents or symlink target
	major, minor uint32 // device numbers of a character device
}

const (
	sIFDIR = 0o040000
	sIFREG = 0o100000
	sIFLNK = 0o120000
	sIFCHR = 0o020000
)

func cpioMode(m fs.FileMode) uint32 {
	perm := uint32(m.Perm())
	switch {
	case m.IsDir():
		return sIFDIR | perm
	case m&fs.ModeSymlink != 0:
		return sIFLNK | 0o777
	case m&fs.ModeCharDevice != 0:
		return sIFCHR | perm
	}
	return sIFREG | perm
}

// writeCPIO writes entries in name order (so every directory precedes
// what is in it) and the trailer.
func writeCPIO(w io.Writer, entries []cpioEntry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	for i, e := range append(entries, cpioEntry{name: "TRAILER!!!"}) {
		nlink := 1
		if e.mode&0o170000 == sIFDIR {
			nlink = 2
		}
		name := strings.TrimPrefix(e.name, "/")
		hdr := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			i+1, e.mode, 0, 0, nlink, 0, len(e.data), 0, 0, e.major, e.minor, len(name)+1, 0)
		if _, err := io.WriteString(w, hdr+name+"\x00"+pad(len(hdr)+len(name)+1)); err != nil {
			return err
		}
		if _, err := w.Write(e.data); err != nil {
			return err
		}
		if _, err := io.WriteString(w, pad(len(e.data))); err != nil {
			return err
		}
	}
	return nil
}

func pad(n int) string {
	return strings.Repeat("\x00", (4-n%4)%4)
}
