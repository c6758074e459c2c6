// Package storage collects the machine's disks from /sys/block: size,
// sector sizes, rotational/removable/read-only flags, how each disk is
// attached (nvme, sata, sas, scsi, fc, iscsi, virtio, usb, mmc, xen), vendor,
// model, serial, WWN, firmware revision, the /dev/disk/by-path and by-id
// links that lead to it, the PCI address of its controller and its
// partition count.
//
// What is listed: every /sys/block entry except loop, ram, zram, device
// mapper (dm-), md RAID, nbd, floppy (fd), optical (sr: not an install
// target, and its size is that of the inserted disc), hidden devices (the
// per-path nodes of NVMe multipath, nvmeXcYnZ) and anything else the kernel
// places under /sys/devices/virtual, except the NVMe multipath head.
//
// Identifiers come from sysfs first, because an in-memory OS usually runs no
// udev: NVMe device/serial and wwid, SCSI VPD pages 0x80 and 0x83
// (device/vpd_pg80, device/vpd_pg83), virtio-blk's serial, USB's iSerial.
// The udev database (/run/udev/data/b<major>:<minor>) fills what sysfs
// lacks, and is read only when it exists.
//
// by_path, Ironic's root device hint, is the host's /dev/disk/by-path
// links when udev made them; without udev, the links udev would make,
// composed from sysfs as udev-builtin-path_id.c (systemd 252) and
// 60-persistent-storage.rules do (ComputePathID, ByPathLinks): PCI,
// ATA/SATA (the ata_port's port number), SCSI (hosts renumbered from the
// controller's first), SAS (phy, expander, wide port), Fibre Channel,
// iSCSI, Hyper-V, NVMe (namespaces, multipath heads), USB, virtio and
// platform buses. Disk.ByPathSource says which ("udev" or "sysfs").
//
// ParseVPDPage80, ParseVPDPage83, ParseUdevRecord and Transport are pure
// functions.
package storage
