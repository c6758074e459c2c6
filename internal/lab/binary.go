package lab

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// HostBinary adds a dynamically linked program of the host at the same
// path in the guest (run it by that path: busybox's applets own /bin), with the shared libraries ldd lists for it (and the
// dynamic loader), so that a reference tool (systemd-detect-virt, mdadm,
// blkid, lsblk) runs in the guest as it does on the host. The guest's
// kernel is Debian's, like the host's userland, so the binaries fit.
func (r *Initramfs) HostBinary(program string) error {
	path, err := exec.LookPath(program)
	if err != nil {
		return fmt.Errorf("%s not installed: %w", program, err)
	}
	if path, err = filepath.EvalSymlinks(path); err != nil {
		return err
	}
	if err := r.HostFile(path, path); err != nil {
		return err
	}
	out, err := exec.Command("ldd", path).Output()
	if err != nil {
		// A static binary: nothing more to copy.
		return nil
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		var lib string
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0] // the dynamic loader
		default:
			continue
		}
		real, err := filepath.EvalSymlinks(lib)
		if err != nil {
			return fmt.Errorf("%s needs %s: %w", program, lib, err)
		}
		if err := r.HostFile(real, real); err != nil {
			return err
		}
		if real != lib {
			r.Symlink(lib, real)
		}
	}
	return nil
}
