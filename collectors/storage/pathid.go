package storage

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hwagent/hwagent/hostpaths"
)

// node is one directory on the way from a block device up to /sys/devices
// that is a device (it has a uevent file).
type node struct {
	// dir is relative to /sys ("devices/pci0000:00/0000:00:1f.2").
	dir string
	// subsystem is the base name of the subsystem link, "" when none.
	subsystem string
}

func (n node) sysname() string { return strings.ReplaceAll(path.Base(n.dir), "!", "/") }

// sysnum is the sysname's trailing digits ("" when there are none).
func (n node) sysnum() string {
	s := n.sysname()
	i := len(s)
	for i > 0 && isDigit(s[i-1]) {
		i--
	}
	return s[i:]
}

// maxDepth bounds the walk: a device path deeper than this (sysfs paths of
// real disks have under 20 components) is not looked at.
const maxDepth = 64

// pathWalk composes a PathID as udev-builtin-path_id.c (systemd 252, the
// udev of Debian 12 and RHEL 9) does: from the block device up through its
// parents, each bus prepending its part ("pci-0000:00:1f.2",
// "ata-1.0", "nvme-1", "usb-0:1:1.0", "scsi-0:0:0:0", "sas-phy0-lun-0").
type pathWalk struct {
	r     reader
	dev   string // the block device's directory, relative to /sys
	nodes []node
	// path and compat collect the parts nearest first.
	path, compat []string
	ataCompat    bool
	// supportedParent and support are builtin_path_id's supported_parent
	// and supported_transport: without both, no ID_PATH.
	supportedParent, support bool
	// switched is set once the walk went over to an NVMe head's controller.
	switched bool
}

// ComputePathID composes the PathID of the block device at devPath
// (relative to /sys: "devices/pci0000:00/0000:00:1f.2/ata1/.../block/sda")
// from sysfs alone. ok is false where udev would set no ID_PATH (a virtual
// device, an unknown bus, a parent without a predictable name).
func ComputePathID(r reader, devPath string) (PathID, bool) {
	if strings.HasPrefix(devPath, "devices/virtual/") && !strings.HasPrefix(devPath, "devices/virtual/nvme-subsystem/") {
		return PathID{}, false
	}
	pw := &pathWalk{r: r, dev: devPath}
	pw.nodes = pw.chain(devPath)
	if len(pw.nodes) == 0 {
		return PathID{}, false
	}
	pw.walk()
	if len(pw.path) == 0 || !pw.supportedParent || !pw.support {
		return PathID{}, false
	}
	id := PathID{Path: joinParts(pw.path)}
	if pw.ataCompat {
		id.ATACompat = joinParts(pw.compat)
	}
	return id, true
}

func joinParts(parts []string) string {
	out := slices.Clone(parts)
	slices.Reverse(out)
	return strings.Join(out, "-")
}

// chain lists the device directories from devPath up to, not including,
// /sys/devices.
func (pw *pathWalk) chain(devPath string) []node {
	elems := strings.Split(devPath, "/")
	if len(elems) < 2 || elems[0] != "devices" || len(elems) > maxDepth {
		return nil
	}
	var out []node
	for i := len(elems); i >= 2; i-- {
		dir := strings.Join(elems[:i], "/")
		d, ok := pw.r.devs.get(dir)
		if !ok {
			d.subsystem = pw.subsystemOf(dir)
			// A directory with neither a subsystem nor a uevent file is
			// a class directory ("block", "nvme"), not a device.
			d.device = d.subsystem != "" || pw.r.p.Exists(pw.r.p.Sys(dir, "uevent"))
			pw.r.devs.put(dir, d)
		}
		if d.device {
			out = append(out, node{dir: dir, subsystem: d.subsystem})
		}
	}
	return out
}

// devCache remembers what the walks learnt of each sysfs directory: the
// disks behind one controller share their parents (64 disks of a JBOD, one
// HBA and PCI bridge), which are then read once per collection.
type devCache struct {
	dirs map[string]devInfo
}

type devInfo struct {
	subsystem string
	device    bool
	devtype   *string
}

func (c *devCache) get(dir string) (devInfo, bool) {
	if c == nil {
		return devInfo{}, false
	}
	d, ok := c.dirs[dir]
	return d, ok
}

func (c *devCache) put(dir string, d devInfo) {
	if c == nil {
		return
	}
	if c.dirs == nil {
		c.dirs = map[string]devInfo{}
	}
	c.dirs[dir] = d
}

func (pw *pathWalk) subsystemOf(dir string) string {
	t, err := pw.r.p.Readlink(pw.r.p.Sys(dir, "subsystem"))
	if err != nil {
		return ""
	}
	return path.Base(t)
}

// attr reads a sysfs attribute of a directory relative to /sys.
func (pw *pathWalk) attr(dir, name string) (string, bool) {
	s, err := pw.r.p.ReadString(pw.r.p.Sys(dir, name))
	if err != nil {
		if !hostpaths.Ignorable(err) {
			pw.r.w.Addf("read %s: %v", pw.r.p.HostPath(pw.r.p.Sys(dir, name)), err)
		}
		return "", false
	}
	return s, true
}

// classAttr reads an attribute of the device a class names
// (/sys/class/SUBSYSTEM/SYSNAME/ATTR): sd_device_new_from_subsystem_sysname.
func (pw *pathWalk) classAttr(subsystem, sysname, name string) (string, bool) {
	return pw.attr(path.Join("class", subsystem, strings.ReplaceAll(sysname, "/", "!")), name)
}

// devtype is DEVTYPE from the device's uevent.
func (pw *pathWalk) devtype(i int) string {
	dir := pw.nodes[i].dir
	d, ok := pw.r.devs.get(dir)
	if ok && d.devtype != nil {
		return *d.devtype
	}
	t := ""
	if s, ok := pw.attr(dir, "uevent"); ok {
		for _, line := range strings.Split(s, "\n") {
			if v, ok := strings.CutPrefix(line, "DEVTYPE="); ok {
				t = strings.TrimSpace(v)
			}
		}
	}
	if ok {
		d.devtype = &t
		pw.r.devs.put(dir, d)
	}
	return t
}

// prepend adds a part nearer the root than those before; to the ATA
// compatible path too once ATA started it.
func (pw *pathWalk) prepend(part string, compatToo bool) {
	pw.path = append(pw.path, part)
	if compatToo && pw.ataCompat {
		pw.compat = append(pw.compat, part)
	}
}

// skip returns the last of the consecutive nodes from i up that belong to
// subsystem (skip_subsystem).
func (pw *pathWalk) skip(i int, subsystem string) int {
	for i+1 < len(pw.nodes) && pw.nodes[i+1].subsystem == subsystem {
		i++
	}
	return i
}

// parentWith returns the nearest node above i of subsystem and devtype
// (sd_device_get_parent_with_subsystem_devtype), -1 when there is none.
func (pw *pathWalk) parentWith(i int, subsystem, devtype string) int {
	for j := i + 1; j < len(pw.nodes); j++ {
		if pw.nodes[j].subsystem == subsystem && pw.devtype(j) == devtype {
			return j
		}
	}
	return -1
}

// walk is builtin_path_id's loop. A handler returns the node to go on
// from (its parent is next), or -1 to stop.
func (pw *pathWalk) walk() {
	for i := 0; i < len(pw.nodes); i++ {
		n := pw.nodes[i]
		name := n.sysname()
		switch n.subsystem {
		case "":
		case "scsi":
			i = pw.scsi(i)
			pw.support = true
		case "cciss":
			var ctrl, disk uint
			if _, err := fmt.Sscanf(name, "c%dd%d", &ctrl, &disk); err != nil {
				return
			}
			pw.prepend(fmt.Sprintf("cciss-disk%d", disk), false)
			i = pw.skip(i, "cciss")
			pw.support = true
		case "usb":
			i = pw.usb(i)
			pw.support = true
		case "bcma":
			var bus, core uint
			if _, err := fmt.Sscanf(name, "bcma%d:%d", &bus, &core); err != nil {
				return
			}
			pw.prepend(fmt.Sprintf("bcma-%d", core), false)
			pw.support = true
		case "serio":
			if num := n.sysnum(); num != "" {
				pw.prepend("serio-"+num, false)
				i = pw.skip(i, "serio")
			}
		case "pci", "acpi", "xen":
			pw.prepend(n.subsystem+"-"+name, true)
			i = pw.skip(i, n.subsystem)
			pw.supportedParent = true
		case "platform", "scm", "ccw", "ccwgroup", "iucv":
			pw.prepend(n.subsystem+"-"+name, true)
			i = pw.skip(i, n.subsystem)
			pw.support, pw.supportedParent = true, true
		case "virtio":
			i = pw.skip(i, "virtio")
			pw.support = true
		case "ap":
			typ, ok1 := pw.attr(n.dir, "type")
			fn, ok2 := pw.attr(n.dir, "ap_functions")
			if ok1 && ok2 {
				pw.prepend("ap-"+typ+"-"+fn, false)
			} else {
				pw.prepend("ap-"+name, false)
			}
			i = pw.skip(i, "ap")
			pw.support, pw.supportedParent = true, true
		case "nvme", "nvme-subsystem":
			nsid, ok := pw.attr(pw.dev, "nsid")
			if !ok {
				break
			}
			pw.prepend("nvme-"+nsid, true)
			if n.subsystem == "nvme-subsystem" {
				if i = pw.realNVMeParent(); i < 0 {
					pw.path = nil // find_real_nvme_parent failed: no ID_PATH
					return
				}
			}
			i = pw.skip(i, "nvme")
			pw.support, pw.supportedParent = true, true
		case "spi":
			if num := n.sysnum(); num != "" {
				pw.prepend("cs-"+num, false)
				i = pw.skip(i, "spi")
			}
		}
		if i < 0 {
			return // a handler found no parent to go on from
		}
	}
}

// realNVMeParent switches the walk to the controller of an NVMe multipath
// head (devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1 → the
// controller nvme0 under its PCI function): find_real_nvme_parent.
func (pw *pathWalk) realNVMeParent() int {
	if pw.switched {
		// Only a hostile tree puts a controller under an NVMe subsystem:
		// switching again would go back to the same controller for ever.
		return -1
	}
	pw.switched = true
	name := path.Base(pw.dev)
	rest, ok := strings.CutPrefix(name, "nvme")
	if !ok {
		return -1
	}
	i := 0
	for i < len(rest) && isDigit(rest[i]) {
		i++
	}
	ctrl := "nvme" + rest[:i]
	link := pw.r.p.Sys("class", "nvme", ctrl)
	target, err := pw.r.p.Readlink(link)
	if err != nil {
		return -1
	}
	rel := path.Clean(path.Join("class", "nvme", target))
	// A controller that is itself virtual (NVMe over fabrics) has no
	// predictable path: systemd 255 and later refuse it, 252 would name
	// every such disk "nvme-NSID" alike; refused here.
	if !strings.HasPrefix(rel, "devices/") || strings.HasPrefix(rel, "devices/virtual/") {
		return -1
	}
	pw.nodes = pw.chain(rel)
	if len(pw.nodes) == 0 {
		return -1
	}
	return 0
}

// usb is handle_usb: "usb-0:PORT" from a USB device's or interface's name
// ("2-1:1.0" → "usb-0:1:1.0"), the host number dropped.
func (pw *pathWalk) usb(i int) int {
	switch pw.devtype(i) {
	case "usb_interface", "usb_device":
	default:
		return i
	}
	_, port, ok := strings.Cut(pw.nodes[i].sysname(), "-")
	if !ok {
		return i
	}
	pw.prepend("usb-0:"+port, false)
	return pw.skip(i, "usb")
}
