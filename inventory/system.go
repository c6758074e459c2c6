package inventory

// System is the machine's firmware identity from SMBIOS types 0, 1, 2 and 3
// (DMTF DSP0134), read from /sys/firmware/dmi/tables.
type System struct {
	BIOS      BIOS       `json:"bios"`
	Product   Product    `json:"product"`
	Baseboard *Baseboard `json:"baseboard,omitempty"`
	Chassis   *Chassis   `json:"chassis,omitempty"`
	// SMBIOSVersion is the version from the entry point, e.g. "3.2.0".
	SMBIOSVersion string `json:"smbios_version,omitempty"`
	// Virtual is true when the firmware identifies a virtual machine (SMBIOS
	// type 0 characteristics extension byte 2 bit 4, or a known hypervisor
	// vendor/product).
	Virtual bool `json:"virtual"`
	// Hypervisor names the hypervisor when Virtual is true and it is known
	// ("QEMU", "VMware", "KVM", "Hyper-V", "Xen", "VirtualBox").
	Hypervisor string `json:"hypervisor,omitempty"`
}

// BIOS is SMBIOS type 0 (BIOS Information).
type BIOS struct {
	Vendor string `json:"vendor,omitempty"`
	// Version is the BIOS version string.
	Version string `json:"version,omitempty"`
	// ReleaseDate is as read, usually mm/dd/yyyy.
	ReleaseDate string `json:"release_date,omitempty"`
	// Release is the system BIOS major.minor release (SMBIOS 2.4+), e.g. "5.13".
	Release string `json:"release,omitempty"`
	// FirmwareRevision is the embedded controller firmware major.minor, when set.
	FirmwareRevision string `json:"firmware_revision,omitempty"`
	// ROMSizeBytes is the BIOS ROM size.
	ROMSizeBytes uint64 `json:"rom_size_bytes,omitempty"`
	// UEFI is true when the characteristics say UEFI is supported.
	UEFI bool `json:"uefi"`
	// Placeholders lists the JSON names of fields that hold vendor placeholders.
	Placeholders []string `json:"placeholders,omitempty"`
}

// Product is SMBIOS type 1 (System Information).
type Product struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	Name         string `json:"name,omitempty"`
	Version      string `json:"version,omitempty"`
	Serial       string `json:"serial,omitempty"`
	// UUID in the canonical lower-case form, with the first three fields
	// byte-swapped for SMBIOS 2.6+ as dmidecode prints it.
	UUID   string `json:"uuid,omitempty"`
	SKU    string `json:"sku,omitempty"`
	Family string `json:"family,omitempty"`
	// WakeUpType is the event that powered the system on ("Power Switch", "LAN Remote"...).
	WakeUpType   string   `json:"wake_up_type,omitempty"`
	Placeholders []string `json:"placeholders,omitempty"`
}

// Baseboard is the first SMBIOS type 2 (Baseboard Information) structure.
type Baseboard struct {
	Manufacturer string   `json:"manufacturer,omitempty"`
	Product      string   `json:"product,omitempty"`
	Version      string   `json:"version,omitempty"`
	Serial       string   `json:"serial,omitempty"`
	AssetTag     string   `json:"asset_tag,omitempty"`
	Placeholders []string `json:"placeholders,omitempty"`
}

// Chassis is the first SMBIOS type 3 (System Enclosure) structure.
type Chassis struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	// Type is the chassis type name as dmidecode prints it ("Rack Mount Chassis").
	Type string `json:"type,omitempty"`
	// TypeID is the SMBIOS chassis type number (DSP0134 7.4.1), lock bit removed.
	TypeID       uint8    `json:"type_id,omitempty"`
	Version      string   `json:"version,omitempty"`
	Serial       string   `json:"serial,omitempty"`
	AssetTag     string   `json:"asset_tag,omitempty"`
	SKU          string   `json:"sku,omitempty"`
	Placeholders []string `json:"placeholders,omitempty"`
}
