package storage

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

// skippedPrefixes are kernel names of block devices that are not disks.
var skippedPrefixes = []string{"loop", "ram", "zram", "dm-", "md", "nbd", "sr", "fd"}

// isDiskName reports whether a /sys/block entry may be a disk by its name.
func isDiskName(name string) bool {
	for _, p := range skippedPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// reader reads one disk's attributes, collecting unexpected errors.
type reader struct {
	p *hostpaths.Paths
	w *collector.Warnings
	// devs, when set, keeps what ComputePathID learnt of sysfs directories
	// for the other disks of the same collection.
	devs *devCache
}

// str reads an attribute and trims it; absent attributes give "".
func (r reader) str(name string) string {
	s, err := r.p.ReadString(name)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			r.w.Addf("read %s: %v", r.p.HostPath(name), err)
		}
		return ""
	}
	return s
}

// bytes reads a binary attribute; absent attributes give nil.
func (r reader) bytes(name string) []byte {
	b, err := r.p.ReadFile(name)
	if err != nil {
		if !hostpaths.Ignorable(err) {
			r.w.Addf("read %s: %v", r.p.HostPath(name), err)
		}
		return nil
	}
	return b
}

// uint reads a decimal attribute; ok is false when absent or malformed.
func (r reader) uint(name string) (uint64, bool) {
	s := r.str(name)
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		r.w.Addf("%s: bad number %q", r.p.HostPath(name), s)
		return 0, false
	}
	return v, true
}

func (r reader) flag(name string) bool {
	v, ok := r.uint(name)
	return ok && v != 0
}

// blockDevice is a /sys/block entry with its device path resolved.
type blockDevice struct {
	name string
	// devPath is where the link points, relative to /sys
	// ("devices/pci0000:00/.../block/sda").
	devPath string
}

// resolve reads /sys/block/NAME's link. The link is resolved by name, not
// by the file system, so that it works on any host root.
func resolve(p *hostpaths.Paths, name string) (blockDevice, error) {
	link := p.Sys("block", name)
	target, err := p.Readlink(link)
	if err != nil {
		return blockDevice{}, err
	}
	abs := filepath.Join(filepath.Dir(link), target)
	rel, err := filepath.Rel(p.Sys(), abs)
	if err != nil {
		return blockDevice{}, err
	}
	return blockDevice{name: name, devPath: filepath.ToSlash(rel)}, nil
}

// isNVMeHead reports whether the device is an NVMe multipath head
// (devices/virtual/nvme-subsystem/nvme-subsysN/nvmeXnY).
func (b blockDevice) isNVMeHead() bool {
	return strings.HasPrefix(b.devPath, "devices/virtual/nvme-subsystem/")
}

func (b blockDevice) isVirtual() bool {
	return strings.HasPrefix(b.devPath, "devices/virtual/") && !b.isNVMeHead()
}

// readDisk fills one disk from sysfs, then from the udev record when given.
func readDisk(r reader, b blockDevice, links devLinks, udev *UdevRecord) inventory.Disk {
	p := r.p
	attr := func(elem ...string) string { return p.Sys(append([]string{"block", b.name}, elem...)...) }
	d := inventory.Disk{Name: b.name, Path: "/dev/" + b.name}
	if sectors, ok := r.uint(attr("size")); ok {
		d.SizeBytes = sectors * 512 // always 512-byte units, whatever the sector size
	}
	if v, ok := r.uint(attr("queue", "logical_block_size")); ok && v <= 1<<31 {
		d.LogicalSectorBytes = uint32(v)
	}
	if v, ok := r.uint(attr("queue", "physical_block_size")); ok && v <= 1<<31 {
		d.PhysicalSectorBytes = uint32(v)
	}
	d.Rotational = r.flag(attr("queue", "rotational"))
	d.Removable = r.flag(attr("removable"))
	d.ReadOnly = r.flag(attr("ro"))
	d.Transport = Transport(b.name, b.devPath)
	d.Partitions = countPartitions(p, b.name, r.w)
	d.ByPath, d.ByID = links.byPath[b.name], links.byID[b.name]

	ctrlPath := b.devPath
	switch d.Transport {
	case "nvme":
		// The controller (or, for a multipath head, the subsystem) holds
		// serial, model and firmware_rev; the namespace holds wwid.
		d.Model = r.str(attr("device", "model"))
		d.Serial = r.str(attr("device", "serial"))
		d.FirmwareRevision = r.str(attr("device", "firmware_rev"))
		d.WWN = r.str(attr("wwid"))
		if b.isNVMeHead() {
			ctrlPath = nvmeControllerPath(p, b)
		}
	case "mmc":
		d.Model = r.str(attr("device", "name"))
		d.Serial = r.str(attr("device", "serial"))
		d.FirmwareRevision = r.str(attr("device", "fwrev"))
	case "virtio":
		if strings.HasPrefix(b.name, "vd") {
			// virtio-blk: no vendor or model beyond the virtio IDs.
			d.Serial = r.str(attr("serial"))
			break
		}
		fallthrough
	default:
		readSCSI(r, attr, &d)
		if d.Serial == "" && d.Transport == "usb" {
			d.Serial = usbSerial(r, b.devPath)
		}
	}
	d.PCIAddress = PCIAddress(ctrlPath)
	d.HCTL = HCTL(b.devPath)
	if udev != nil {
		fromUdev(&d, udev)
	}
	switch {
	case d.ByPath != nil:
		d.ByPathSource = ByPathUdev
	case hasPersistentLinks(b.name):
		// No udev (Hook and most in-memory OSes): the links udev would make.
		if id, ok := ComputePathID(r, b.devPath); ok {
			d.ByPath, d.ByPathSource = ByPathLinks(b.name, id), ByPathSysfs
		}
	}
	// udev's scsi_id sets ID_WWN_WITH_EXTENSION for every NAA identifier
	// (the WWN itself when there is no extension); NVMe gets none.
	if d.WWNWithExtension == "" && strings.HasPrefix(d.WWN, "0x") {
		d.WWNWithExtension = d.WWN
	}
	return d
}

// HCTL returns the SCSI address host:channel:target:lun of a disk on a
// SCSI host: the device path component just before "block"
// (".../target2:0:0/2:0:0:0/block/sda"); "" for NVMe, virtio-blk, MMC.
func HCTL(devPath string) string {
	parts := strings.Split(devPath, "/")
	for i := len(parts) - 1; i > 0; i-- {
		if parts[i] == "block" {
			if c := parts[i-1]; isHCTL(c) {
				return c
			}
			return ""
		}
	}
	return ""
}

func isHCTL(c string) bool {
	f := strings.Split(c, ":")
	if len(f) != 4 {
		return false
	}
	for _, x := range f {
		if x == "" || !allDigits(x) {
			return false
		}
	}
	return true
}

// readSCSI reads the SCSI device's INQUIRY strings and VPD pages.
func readSCSI(r reader, attr func(...string) string, d *inventory.Disk) {
	d.Vendor = r.str(attr("device", "vendor"))
	d.Model = r.str(attr("device", "model"))
	d.FirmwareRevision = r.str(attr("device", "rev"))
	if pg := r.bytes(attr("device", "vpd_pg80")); pg != nil {
		s, err := ParseVPDPage80(pg)
		if err != nil {
			r.w.Addf("%s: %v", r.p.HostPath(attr("device", "vpd_pg80")), err)
		}
		d.Serial = s
	}
	if pg := r.bytes(attr("device", "vpd_pg83")); pg != nil {
		ds, err := ParseVPDPage83(pg)
		if err != nil {
			r.w.Addf("%s: %v", r.p.HostPath(attr("device", "vpd_pg83")), err)
		}
		d.WWN = WWN(ds)
		if len(d.WWN) == 2+32 { // NAA 6 with its vendor extension
			d.WWNWithExtension, d.WWNVendorExtension = d.WWN, "0x"+d.WWN[18:]
		}
	}
	if d.WWN == "" {
		// The kernel's own pick from page 0x83 (Linux 5.x+); "naa." is
		// the NAA designator udev calls 0x..., "eui." an EUI-64.
		wwid := r.str(attr("device", "wwid"))
		if v, ok := strings.CutPrefix(wwid, "naa."); ok {
			d.WWN = "0x" + v
		} else if strings.HasPrefix(wwid, "eui.") {
			d.WWN = wwid
		}
	}
	if d.Serial == "" {
		d.Serial = r.str(attr("device", "serial"))
	}
}

// usbSerial reads the iSerial string of the USB device a disk is on: the
// last bus-port component of its path ("2-1" in .../usb2/2-1/2-1:1.0/host9/...).
func usbSerial(r reader, devPath string) string {
	parts := strings.Split(devPath, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if isUSBDevice(parts[i]) {
			return r.str(r.p.Sys(append(parts[:i+1:i+1], "serial")...))
		}
	}
	return ""
}

// nvmeControllerPath returns the device path of the first controller of an
// NVMe multipath head's subsystem (nvme-subsysN/nvmeM → the PCI device).
func nvmeControllerPath(p *hostpaths.Paths, b blockDevice) string {
	subsys := p.Sys(filepath.Dir(b.devPath))
	ents, err := p.ReadDir(subsys)
	if err != nil {
		return ""
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "nvme") || e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		target, err := p.Readlink(filepath.Join(subsys, e.Name()))
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(p.Sys(), filepath.Join(subsys, target)); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return ""
}

// countPartitions counts the partition directories of a disk: entries of
// /sys/block/NAME named after the disk ("sda1", "nvme0n1p2"). No other
// attribute directory starts with the disk's name.
func countPartitions(p *hostpaths.Paths, name string, w *collector.Warnings) int {
	dir := p.Sys("block", name)
	ents, err := p.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.Addf("list %s: %v", p.HostPath(dir), err)
		}
		return 0
	}
	n := 0
	for _, e := range ents {
		if rest, ok := strings.CutPrefix(e.Name(), name); ok && rest != "" && e.IsDir() {
			n++
		}
	}
	return n
}

// fromUdev fills what sysfs left empty from a udev database record.
func fromUdev(d *inventory.Disk, u *UdevRecord) {
	prop := u.Properties
	set := func(dst *string, keys ...string) {
		for _, k := range keys {
			if *dst == "" {
				*dst = prop[k]
			}
		}
	}
	set(&d.Serial, "ID_SERIAL_SHORT")
	set(&d.WWN, "ID_WWN_WITH_EXTENSION", "ID_WWN")
	set(&d.WWNWithExtension, "ID_WWN_WITH_EXTENSION")
	set(&d.WWNVendorExtension, "ID_WWN_VENDOR_EXTENSION")
	set(&d.Vendor, "ID_VENDOR")
	set(&d.Model, "ID_MODEL")
	set(&d.FirmwareRevision, "ID_REVISION")
	if d.Transport == "" {
		switch prop["ID_BUS"] {
		case "ata":
			d.Transport = "sata"
		case "scsi":
			d.Transport = "scsi"
		case "usb":
			d.Transport = "usb"
		case "nvme":
			d.Transport = "nvme"
		}
	}
	if d.ByPath == nil && d.ByID == nil {
		for _, l := range u.Links {
			switch {
			case strings.HasPrefix(l, "disk/by-path/"):
				d.ByPath = append(d.ByPath, "/dev/"+l)
			case strings.HasPrefix(l, "disk/by-id/"):
				d.ByID = append(d.ByID, "/dev/"+l)
			}
		}
	}
}
