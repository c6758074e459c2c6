// Package hostpaths is the host as one value: where its trees (/proc, /sys,
// /dev, /run, /etc, /usr) are when hwagent does not run in the host's own
// mount namespace, the files read from them, and every other way of reading
// the machine (Paths.Machine: netlink and ethtool, raw packet sockets, link
// state, the BMC's device node).
//
// A host is live or a recording (Kind). The live host is the running
// machine: the agent's own root, or a bind of the host's trees whose proc is
// a mounted procfs; its Machine is the kernel's (Kernel). A recording is a
// tree on disk: a `hwagent snapshot`, marked by its manifest
// (hwagent-snapshot.json, beside proc), or a tree assembled for tests. Its
// Machine replays the network facts the snapshot saved, or none, and has no
// sockets and no devices: a recording never mixes with the machine it is
// replayed on. Tests give a tree fakes with WithMachine (hostpathstest).
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
// (MaxFileSize) and in time (ReadTimeout, or its caller's deadline, below),
// and only regular files are read:
// a FIFO or device where a sysfs attribute should be is ErrNotRegular at
// once, never an open(2) that waits for a writer. Device nodes opened
// through OpenDevice (a disk's first sectors, CPUID) are bounded the same
// way: the open, each read and the close. Bounding a read means handing it
// to a goroutine and waiting for it at most ReadTimeout; on a 2-core VM
// that handoff cost more than the read, since it woke the other CPU. So a
// caller that bounds many reads together reads through Unbounded's copy:
// the collector runner, which bounds each collector by its deadline.
// Bounded gives such a caller back per-read bounds for the
// reads that may hang (a NIC's link settings, EFI variables). MapFile
// gives a large file (pci.ids) to a function mapped, not copied. Files are
// read with raw system calls, off the runtime's poller, as procfs's
// util.SysReadFile does.
package hostpaths
