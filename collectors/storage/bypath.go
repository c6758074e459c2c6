package storage

import (
	"slices"
	"strings"
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
