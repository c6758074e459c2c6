package inventory

// Storage lists the machine's disks.
type Storage struct {
	Disks []Disk `json:"disks"`
	// Arrays are the md RAID and dm-multipath devices assembled from the
	// disks, with their members.
	Arrays []Array `json:"arrays,omitempty"`
}

// Disk is a whole block device that is a disk: /sys/block entries other than
// loop, ram, zram, dm, md, nbd, floppy (fd) and optical (sr) devices, hidden
// devices (NVMe multipath paths) and other devices under
// /sys/devices/virtual; partitions are not listed.
type Disk struct {
	// Name is the kernel name ("sda", "nvme0n1", "vda").
	Name string `json:"name"`
	// Path is the device node under /dev ("/dev/sda").
	Path string `json:"path"`
	// SizeBytes is the capacity (/sys/block/NAME/size × 512).
	SizeBytes uint64 `json:"size_bytes"`
	// LogicalSectorBytes and PhysicalSectorBytes from queue/.
	LogicalSectorBytes  uint32 `json:"logical_sector_bytes,omitempty"`
	PhysicalSectorBytes uint32 `json:"physical_sector_bytes,omitempty"`
	// Rotational is queue/rotational: true for spinning disks.
	Rotational bool `json:"rotational"`
	// Removable is /sys/block/NAME/removable.
	Removable bool `json:"removable"`
	// ReadOnly is /sys/block/NAME/ro.
	ReadOnly bool `json:"read_only"`
	// Transport is how the disk is attached: "nvme", "sata", "sas", "scsi",
	// "fc", "iscsi", "virtio" (virtio-blk and virtio-scsi), "usb", "mmc" or
	// "xen"; "unknown" is never used: absent when it cannot be told.
	Transport string `json:"transport,omitempty"`
	Vendor    string `json:"vendor,omitempty"`
	Model     string `json:"model,omitempty"`
	// Serial from NVMe device/serial, SCSI VPD page 0x80, virtio serial, or
	// the udev database (ID_SERIAL_SHORT) when present.
	Serial string `json:"serial,omitempty"`
	// WWN from NVMe/SCSI wwid, VPD page 0x83 NAA descriptor, or udev ID_WWN.
	WWN string `json:"wwn,omitempty"`
	// FirmwareRevision from device/firmware_rev or device/rev.
	FirmwareRevision string `json:"firmware_revision,omitempty"`
	// ByPath and ByID are the /dev/disk/by-path and by-id links to the disk.
	// Without udev (an in-memory OS), ByPath is composed from sysfs as
	// udev's path_id builtin would (ByPathSource says which).
	ByPath []string `json:"by_path,omitempty"`
	// ByPathSource says where ByPath comes from: "udev" (the host's
	// /dev/disk/by-path links or udev database) or "sysfs" (the links udev
	// would make, composed from sysfs: PCI, ATA, SCSI, SAS, NVMe, USB,
	// virtio, platform buses).
	ByPathSource string   `json:"by_path_source,omitempty"`
	ByID         []string `json:"by_id,omitempty"`
	// PCIAddress of the controller the disk hangs off, when it is on PCI.
	PCIAddress string `json:"pci_address,omitempty"`
	// Partitions is the number of partitions the kernel sees.
	Partitions int `json:"partitions"`

	// HCTL is the SCSI address host:channel:target:lun ("2:0:0:0"), for
	// disks on a SCSI host (SATA, SAS, USB, virtio-scsi, RAID).
	HCTL string `json:"hctl,omitempty"`
	// WWNWithExtension and WWNVendorExtension are udev's
	// ID_WWN_WITH_EXTENSION and ID_WWN_VENDOR_EXTENSION: for an NAA 6
	// identifier (16 bytes) the whole of it and its last 8 bytes; for an
	// NAA 2, 3 or 5 identifier the WWN and nothing. Ironic's root-device
	// hints wwn_with_extension and wwn_vendor_extension match them.
	WWNWithExtension   string `json:"wwn_with_extension,omitempty"`
	WWNVendorExtension string `json:"wwn_vendor_extension,omitempty"`

	// PartitionTable is the partition table type as blkid names it
	// ("gpt", "dos"), read from the disk's first sectors.
	PartitionTable string `json:"partition_table,omitempty"`
	// PartitionTableUUID is the GPT disk GUID or the MBR disk signature
	// ("0x1a2b3c4d"), as blkid's PTUUID.
	PartitionTableUUID string `json:"partition_table_uuid,omitempty"`
	// Signatures found on the whole disk (not in a partition): a filesystem,
	// swap, an LVM PV, an md or ZFS member made on the bare disk.
	Signatures []Signature `json:"signatures,omitempty"`
	// PartitionList describes each partition the kernel sees.
	PartitionList []Partition `json:"partition_list,omitempty"`
	// Mountpoints where the whole disk is mounted (host mount table).
	Mountpoints []string `json:"mountpoints,omitempty"`
	// Holders are the kernel names of devices built on the disk or its
	// partitions (md0, dm-0), from sysfs holders/.
	Holders []string `json:"holders,omitempty"`
	// HoldsRoot is true when the running root filesystem is on this disk
	// (directly, or through md/dm devices built on it).
	HoldsRoot bool `json:"holds_root,omitempty"`
	// InUse is true when anything says the disk holds data: a partition
	// table, a signature, a mount, a holder, the root filesystem;
	// absent when nothing does (or from an agent older than the field).
	// InUseReasons says which, for people.
	InUse        bool     `json:"in_use,omitempty"`
	InUseReasons []string `json:"in_use_reasons,omitempty"`
	// SignatureError says why the disk's first sectors could not be read or
	// decoded in full (the other fields hold what was found).
	SignatureError string `json:"signature_error,omitempty"`
}

// Partition is one partition of a disk: where the kernel put it (sysfs)
// and what its partition table entry and its first sectors say.
type Partition struct {
	// Name is the kernel name ("sda1", "nvme0n1p2"); Path is /dev/Name.
	Name string `json:"name"`
	Path string `json:"path"`
	// Number is the partition number (sysfs partition).
	Number int `json:"number"`
	// StartBytes and SizeBytes from sysfs start and size (× 512).
	StartBytes uint64 `json:"start_bytes"`
	SizeBytes  uint64 `json:"size_bytes"`
	// Type is the partition type as blkid's PART_ENTRY_TYPE: a GPT type
	// GUID in lower case or an MBR type byte ("0x83"); TypeName says it in
	// words ("EFI System", "Linux filesystem", "Linux RAID").
	Type     string `json:"type,omitempty"`
	TypeName string `json:"type_name,omitempty"`
	// UUID is blkid's PART_ENTRY_UUID (the GPT partition GUID, or the MBR
	// disk signature and number, "1a2b3c4d-01"); Label is the GPT
	// partition name (PART_ENTRY_NAME).
	UUID  string `json:"uuid,omitempty"`
	Label string `json:"label,omitempty"`
	// Signatures found in the partition (its filesystem, swap, LVM PV...).
	Signatures []Signature `json:"signatures,omitempty"`
	// Mountpoints where the partition is mounted.
	Mountpoints []string `json:"mountpoints,omitempty"`
	// Holders are the devices built on the partition (md0, dm-0).
	Holders []string `json:"holders,omitempty"`
}

// Signature is one superblock or label found on a block device, named as
// blkid names it.
type Signature struct {
	// Type is blkid's TYPE: "ext4", "ext3", "ext2", "xfs", "vfat", "swap",
	// "LVM2_member", "linux_raid_member", "zfs_member", "crypto_LUKS", "btrfs".
	Type string `json:"type"`
	// Usage is blkid's USAGE: "filesystem", "raid", "crypto" or "other".
	Usage string `json:"usage,omitempty"`
	// UUID and Label as blkid prints them (for an md member, the array's
	// UUID and name; for ZFS, the pool GUID in decimal and the pool name).
	UUID  string `json:"uuid,omitempty"`
	Label string `json:"label,omitempty"`
	// Version is blkid's VERSION ("1.0" for ext4, "1.2" for md metadata).
	Version string `json:"version,omitempty"`
}

// Array is an md RAID or dm-multipath device.
type Array struct {
	// Name is the kernel name ("md0", "dm-0"); Path is its /dev node
	// ("/dev/md0", "/dev/mapper/mpatha").
	Name string `json:"name"`
	Path string `json:"path"`
	// Kind is "md" or "multipath".
	Kind string `json:"kind"`
	// Level is the md RAID level ("raid1"); empty for multipath.
	Level string `json:"level,omitempty"`
	// DMName is the device-mapper name ("mpatha") and UUID its dm or md UUID.
	DMName string `json:"dm_name,omitempty"`
	UUID   string `json:"uuid,omitempty"`
	// SizeBytes is the array's capacity.
	SizeBytes uint64 `json:"size_bytes"`
	// Members are the kernel names of the member devices (sda1, sdb1).
	Members []string `json:"members"`
	// Signatures found on the array (its filesystem...).
	Signatures []Signature `json:"signatures,omitempty"`
	// Mountpoints where it is mounted; HoldsRoot when / is on it.
	Mountpoints []string `json:"mountpoints,omitempty"`
	HoldsRoot   bool     `json:"holds_root,omitempty"`
}
