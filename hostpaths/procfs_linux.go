package hostpaths

import "golang.org/x/sys/unix"

// isProcfs reports whether dir is a mounted procfs: a live kernel's view,
// never a copy on disk.
func isProcfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.PROC_SUPER_MAGIC
}
