package storage

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/hostpaths"
)

// Sources of inventory.Disk.ByPath.
const (
	// ByPathUdev: the host's /dev/disk/by-path links or its udev database.
	ByPathUdev = "udev"
	// ByPathSysfs: composed from sysfs the way udev's path_id builtin does,
	// on a host without udev (an in-memory OS such as Tinkerbell's Hook).
	ByPathSysfs = "sysfs"
)

// PathID is what udev's path_id builtin gives a block device: ID_PATH and,
// for ATA disks, ID_PATH_ATA_COMPAT.
type PathID struct {
	Path, ATACompat string
}

// ByPathLinks are the /dev/disk/by-path links systemd's
// 60-persistent-storage.rules makes of a whole disk's PathID, sorted as a
// directory lists them: ID_PATH, ID_PATH_ATA_COMPAT, the legacy
// "virtio-pci-…" link of a virtio-blk disk, and "ID_PATH-bootN" for the
// boot partitions of eMMC (mmcblkNbootM), which get only that one.
func ByPathLinks(name string, id PathID) []string {
	if id.Path == "" {
		return nil
	}
	const dir = "/dev/disk/by-path/"
	if n, ok := mmcBoot(name); ok {
		return []string{dir + id.Path + "-boot" + n}
	}
	links := []string{dir + id.Path}
	if id.ATACompat != "" {
		links = append(links, dir+id.ATACompat)
	}
	// KERNEL=="vd*[!0-9]", ENV{ID_PATH}=="pci-*"
	if strings.HasPrefix(name, "vd") && !isDigit(name[len(name)-1]) && strings.HasPrefix(id.Path, "pci-") {
		links = append(links, dir+"virtio-"+id.Path)
	}
	slices.Sort(links)
	return links
}

// mmcBoot matches mmcblk[0-9]boot[0-9] and returns the boot number.
func mmcBoot(name string) (string, bool) {
	if len(name) == len("mmcblk0boot0") && strings.HasPrefix(name, "mmcblk") && isDigit(name[6]) && name[7:11] == "boot" && isDigit(name[11]) {
		return name[11:], true
	}
	return "", false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// persistentStorageNames are the kernel names 60-persistent-storage.rules
// handles (its KERNEL!= line); other block devices get no by-path link.
var persistentStorageNames = []string{"loop", "mmcblk", "msblk", "mspblk", "nvme", "sd", "sr", "vd", "xvd", "bcache", "cciss", "dasd", "ubd", "ubi", "scm", "pmem", "nbd", "zd"}

// hasPersistentLinks reports whether the rules give name by-path links:
// its prefix is listed, and mmcblk, msblk and mspblk names end in a digit.
func hasPersistentLinks(name string) bool {
	for _, p := range persistentStorageNames {
		if strings.HasPrefix(name, p) {
			if p == "mmcblk" || p == "msblk" || p == "mspblk" {
				return isDigit(name[len(name)-1])
			}
			return true
		}
	}
	return false
}

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

// hctl parses a scsi_device's sysname "H:C:T:L".
func hctl(name string) ([4]uint64, bool) {
	var v [4]uint64
	f := strings.Split(name, ":")
	if len(f) != 4 {
		return v, false
	}
	for i, s := range f {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// lun formats the LUN of a scsi_device's sysnum (format_lun_number).
func (pw *pathWalk) lun(i int) string {
	lun, err := strconv.ParseUint(pw.nodes[i].sysnum(), 10, 64)
	if err != nil {
		return ""
	}
	if lun < 256 {
		return fmt.Sprintf("lun-%d", lun) // address method 0
	}
	return fmt.Sprintf("lun-0x%04x%04x00000000", lun&0xffff, (lun>>16)&0xffff)
}

// scsi is handle_scsi: only a scsi_device names anything; the transport
// is told by the device's path.
func (pw *pathWalk) scsi(i int) int {
	if pw.devtype(i) != "scsi_device" {
		return i
	}
	n := pw.nodes[i]
	if id, ok := pw.attr(n.dir, "ieee1394_id"); ok {
		pw.prepend("ieee1394-0x"+id, false)
		pw.supportedParent = true
		return pw.skip(i, "scsi")
	}
	syspath := "/sys/" + n.dir
	switch {
	case strings.Contains(syspath, "/rport-"):
		pw.supportedParent = true
		return pw.fibreChannel(i)
	case strings.Contains(syspath, "/end_device-"):
		pw.supportedParent = true
		return pw.sas(i)
	case strings.Contains(syspath, "/session"):
		pw.supportedParent = true
		return pw.iscsi(i)
	case strings.Contains(syspath, "/ata"):
		return pw.ata(i)
	case strings.Contains(syspath, "/vmbus_"):
		return pw.hyperv(i, 37)
	case strings.Contains(syspath, "/VMBUS"):
		return pw.hyperv(i, 38)
	}
	return pw.scsiDefault(i)
}

func (pw *pathWalk) fibreChannel(i int) int {
	t := pw.parentWith(i, "scsi", "scsi_target")
	if t < 0 {
		return -1
	}
	port, ok := pw.classAttr("fc_transport", pw.nodes[t].sysname(), "port_name")
	if !ok {
		return -1
	}
	pw.prepend("fc-"+port+"-"+pw.lun(i), false)
	return i
}

// sas is handle_scsi_sas: a disk on a port of one phy is named by that
// phy (and its expander's address), a wide port by the disk's address.
func (pw *pathWalk) sas(i int) int {
	t := pw.parentWith(i, "scsi", "scsi_target")
	if t < 0 || t+2 >= len(pw.nodes) {
		return -1
	}
	endDevice, port := pw.nodes[t+1].sysname(), pw.nodes[t+2].sysname()
	if !pw.r.p.Exists(pw.r.p.Sys("class", "sas_device", endDevice)) {
		return -1
	}
	phys, ok := pw.classAttr("sas_port", port, "num_phys")
	if !ok {
		return -1
	}
	if phys != "1" {
		addr, ok := pw.classAttr("sas_device", endDevice, "sas_address")
		if !ok {
			return -1
		}
		pw.prepend("sas-"+addr+"-"+pw.lun(i), false)
		return i
	}
	phy, ok := pw.classAttr("sas_device", endDevice, "phy_identifier")
	if !ok || t+3 >= len(pw.nodes) {
		return -1
	}
	expander := pw.nodes[t+3].sysname()
	if pw.r.p.Exists(pw.r.p.Sys("class", "sas_device", expander)) {
		addr, ok := pw.classAttr("sas_device", expander, "sas_address")
		if !ok {
			return -1
		}
		pw.prepend("sas-exp"+addr+"-phy"+phy+"-"+pw.lun(i), false)
		return i
	}
	pw.prepend("sas-phy"+phy+"-"+pw.lun(i), false)
	return i
}

func (pw *pathWalk) iscsi(i int) int {
	s := -1
	for j := i + 1; j < len(pw.nodes); j++ {
		if strings.HasPrefix(pw.nodes[j].sysname(), "session") {
			s = j
			break
		}
	}
	if s < 0 {
		return -1
	}
	session := pw.nodes[s]
	target, ok := pw.classAttr("iscsi_session", session.sysname(), "targetname")
	if !ok || session.sysnum() == "" {
		return -1
	}
	conn := "connection" + session.sysnum() + ":0"
	addr, ok1 := pw.classAttr("iscsi_connection", conn, "persistent_address")
	port, ok2 := pw.classAttr("iscsi_connection", conn, "persistent_port")
	if !ok1 || !ok2 {
		return -1
	}
	pw.prepend("ip-"+addr+":"+port+"-iscsi-"+target+"-"+pw.lun(i), false)
	return i
}

// ata is handle_scsi_ata: the ATA port number (ata_port's port_no, not
// the ataN name) and the target (master/slave) or, behind a port
// multiplier, the bus; ID_PATH_ATA_COMPAT is "ata-PORT".
func (pw *pathWalk) ata(i int) int {
	a, ok := hctl(pw.nodes[i].sysname())
	if !ok {
		return -1
	}
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 || h+1 >= len(pw.nodes) {
		return -1
	}
	port, ok := pw.classAttr("ata_port", pw.nodes[h+1].sysname(), "port_no")
	if !ok {
		return -1
	}
	if bus := a[1]; bus != 0 {
		pw.prepend(fmt.Sprintf("ata-%s.%d.0", port, bus), false)
	} else {
		pw.prepend(fmt.Sprintf("ata-%s.%d", port, a[2]), false)
	}
	pw.ataCompat = true
	pw.compat = append(pw.compat, "ata-"+port)
	return i
}

func (pw *pathWalk) hyperv(i int, guidLen int) int {
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 || h+1 >= len(pw.nodes) {
		return -1
	}
	guid, ok := pw.attr(pw.nodes[h+1].dir, "device_id")
	if !ok || len(guid) < guidLen || guid[0] != '{' || guid[guidLen-1] != '}' {
		return -1
	}
	pw.prepend("vmbus-"+strings.ReplaceAll(guid[1:guidLen-1], "-", "")+"-"+pw.lun(i), false)
	return i
}

// scsiDefault is handle_scsi_default: "scsi-H:C:T:L" with the host number
// made relative to the lowest hostN beside the disk's host (virtio-scsi,
// USB mass storage, RAID and SAS HBAs without a SAS transport).
func (pw *pathWalk) scsiDefault(i int) int {
	h := pw.parentWith(i, "scsi", "scsi_host")
	if h < 0 {
		return -1
	}
	a, ok := hctl(pw.nodes[i].sysname())
	if !ok {
		return -1
	}
	base := path.Dir(pw.nodes[h].dir)
	ents, err := pw.r.p.ReadDir(pw.r.p.Sys(base))
	if err != nil {
		return -1
	}
	low := int64(-1)
	for _, e := range ents {
		if e.Type()&(fs.ModeDir|fs.ModeSymlink) == 0 {
			continue
		}
		num, ok := strings.CutPrefix(e.Name(), "host")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil {
			continue
		}
		if low < 0 || int64(n) < low {
			low = int64(n)
		}
	}
	if low < 0 {
		return h
	}
	pw.prepend(fmt.Sprintf("scsi-%d:%d:%d:%d", uint32(int64(a[0])-low), a[1], a[2], a[3]), false)
	return h
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
