package storage

import "strings"

// Transport names how a disk is attached, from its kernel name and its
// device path in sysfs (the resolved /sys/block/NAME link, relative to
// /sys: "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda").
// It returns "" when the path does not tell.
//
// The first path component that names a bus or transport class wins, so a
// SATA disk in a USB enclosure is "usb" and a disk on a virtio-scsi
// controller is "virtio":
//
//	usbN, N-M (USB)                    usb
//	ataN (libata: SATA, PATA, AHCI)    sata
//	port-H:N, end_device-, expander-   sas  (SAS transport class)
//	rport-                             fc   (FC transport class)
//	sessionN                           iscsi
//	virtioN                            virtio
//	vbd-                               xen
//
// Names decide before the path for NVMe (nvme*), MMC/SD (mmcblk*) and Xen
// (xvd*); a SCSI disk with none of the above is "scsi" (RAID and parallel
// SCSI HBAs: megaraid_sas, aacraid, hpsa...).
func Transport(name, devPath string) string {
	switch {
	case strings.HasPrefix(name, "nvme"):
		return "nvme"
	case strings.HasPrefix(name, "mmcblk"):
		return "mmc"
	case strings.HasPrefix(name, "xvd"):
		return "xen"
	}
	scsi := false
	for c := range strings.SplitSeq(devPath, "/") {
		switch {
		case numbered(c, "usb"), isUSBDevice(c):
			return "usb"
		case numbered(c, "ata"):
			return "sata"
		case strings.HasPrefix(c, "end_device-"), strings.HasPrefix(c, "expander-"), strings.HasPrefix(c, "port-"):
			return "sas"
		case strings.HasPrefix(c, "rport-"):
			return "fc"
		case numbered(c, "session"):
			return "iscsi"
		case numbered(c, "virtio"):
			return "virtio"
		case strings.HasPrefix(c, "vbd-"):
			return "xen"
		case strings.HasPrefix(c, "target"):
			scsi = true
		}
	}
	switch {
	case scsi:
		return "scsi"
	case strings.HasPrefix(name, "vd"):
		return "virtio"
	}
	return ""
}

// numbered reports whether c is prefix followed by one or more digits.
func numbered(c, prefix string) bool {
	rest, ok := strings.CutPrefix(c, prefix)
	return ok && rest != "" && allDigits(rest)
}

// isUSBDevice reports whether c names a USB device: bus-port[.port...]
// ("2-1", "1-1.4"), not an interface ("2-1:1.0").
func isUSBDevice(c string) bool {
	bus, ports, ok := strings.Cut(c, "-")
	if !ok || bus == "" || !allDigits(bus) || ports == "" {
		return false
	}
	for p := range strings.SplitSeq(ports, ".") {
		if p == "" || !allDigits(p) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPCIAddress reports whether c is a PCI function address
// domain:bus:device.function ("0000:3b:00.0").
func isPCIAddress(c string) bool {
	if len(c) != 12 || c[4] != ':' || c[7] != ':' || c[10] != '.' {
		return false
	}
	for i, r := range []byte(c) {
		if i == 4 || i == 7 || i == 10 {
			continue
		}
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// PCIAddress returns the PCI function nearest to the disk on its device
// path: the controller (an AHCI, NVMe, HBA, virtio or USB host function).
func PCIAddress(devPath string) string {
	addr := ""
	for c := range strings.SplitSeq(devPath, "/") {
		if isPCIAddress(c) {
			addr = c
		}
	}
	return addr
}
