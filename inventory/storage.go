package inventory

// Storage lists the machine's disks.
type Storage struct {
	Disks []Disk `json:"disks"`
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
	ByPath []string `json:"by_path,omitempty"`
	ByID   []string `json:"by_id,omitempty"`
	// PCIAddress of the controller the disk hangs off, when it is on PCI.
	PCIAddress string `json:"pci_address,omitempty"`
	// Partitions is the number of partitions the kernel sees.
	Partitions int `json:"partitions"`
}
