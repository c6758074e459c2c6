// Package hostpaths says where the host's trees (/proc, /sys, /dev, /run,
// /etc) are when hwagent does not run in the host's own mount namespace, and
// reads files from them.
//
// A container sees the host through remapped mounts: hwagent's own LinuxKit
// entries (images/linuxkit/hwagent.yml) bind /proc, /sys and /dev at
// /host/proc, /host/sys and /host/dev (a convention of hwagent's, not of
// Hook); Tinkerbell's Hook gives its own privileged services the whole host
// root at /host_root; the Hanlon microkernel used /host-proc, /host-sys and
// /host-dev. Detect recognises all three. Paths is built once
// from flags, environment and autodetection and handed to every collector.
//
// Every read goes through Paths so that quirks of sysfs and procfs are handled
// in one place (sizes that lie) and so that `hwagent snapshot` can record
// exactly which files the collectors read. Every read is bounded in size
// (MaxFileSize) and in time (ReadTimeout), and only regular files are read:
// a FIFO or device where a sysfs attribute should be is ErrNotRegular at
// once, never an open(2) that waits for a writer.
package hostpaths
