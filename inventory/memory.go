package inventory

// Memory is the kernel's usable memory and the firmware's list of slots.
type Memory struct {
	// TotalBytes is MemTotal from /proc/meminfo: usable by the kernel.
	TotalBytes uint64 `json:"total_bytes"`
	// InstalledBytes is the memory installed: the sum of the sizes of
	// populated SMBIOS type 17 devices, else the memory blocks the kernel
	// has online (BlockBytes × OnlineBlocks, what lshw and IPA's physical_mb
	// report without SMBIOS); absent when neither is known.
	InstalledBytes uint64 `json:"installed_bytes,omitempty"`
	// InstalledSource is "smbios" or "memory_blocks".
	InstalledSource string `json:"installed_source,omitempty"`
	// BlockBytes is /sys/devices/system/memory/block_size_bytes.
	BlockBytes uint64 `json:"block_bytes,omitempty"`
	// OnlineBlocks is how many memoryN blocks are online; MemoryBlocksBytes
	// is BlockBytes × OnlineBlocks.
	OnlineBlocks      int    `json:"online_blocks,omitempty"`
	MemoryBlocksBytes uint64 `json:"memory_blocks_bytes,omitempty"`
	// SlotCount is the number of SMBIOS type 17 structures (slots).
	SlotCount int `json:"slot_count"`
	// PopulatedCount is how many slots hold a module.
	PopulatedCount int `json:"populated_count"`
	// Modules lists every SMBIOS type 17 (Memory Device), empty slots included,
	// in table order.
	Modules []MemoryModule `json:"modules,omitempty"`
}

// MemoryModule is one SMBIOS type 17 (Memory Device) structure.
type MemoryModule struct {
	// Locator is the slot's silkscreen name ("DIMM_A1", "ChannelA-DIMM0").
	Locator     string `json:"locator,omitempty"`
	BankLocator string `json:"bank_locator,omitempty"`
	// Populated is false for an empty slot (size 0 / "No Module Installed").
	Populated bool `json:"populated"`
	// SizeBytes is the module size, extended size (SMBIOS 2.7+) applied.
	SizeBytes uint64 `json:"size_bytes,omitempty"`
	// Type is the memory type name as dmidecode prints it ("DDR4").
	Type string `json:"type,omitempty"`
	// TypeDetail lists the type detail flags ("Synchronous", "Registered (Buffered)").
	TypeDetail []string `json:"type_detail,omitempty"`
	// FormFactor as dmidecode prints it ("DIMM", "SODIMM").
	FormFactor string `json:"form_factor,omitempty"`
	// SpeedMTs is the maximum speed in MT/s (older firmware says MHz).
	SpeedMTs uint32 `json:"speed_mts,omitempty"`
	// ConfiguredSpeedMTs is the speed the memory controller runs it at.
	ConfiguredSpeedMTs uint32 `json:"configured_speed_mts,omitempty"`
	// Manufacturer is the module maker's name: the firmware's string, or
	// the JEDEC JEP106 name when the firmware gave a raw ID ("802C" →
	// "Micron Technology") or only the SMBIOS 3.2 Module Manufacturer ID.
	Manufacturer string `json:"manufacturer,omitempty"`
	// ManufacturerID is the raw JEP106 ID as the firmware gave it ("802C",
	// "00AD00B300AD", or "Bank 1, Hex 0x2C" from the Module Manufacturer
	// ID), when the name came from it.
	ManufacturerID string `json:"manufacturer_id,omitempty"`
	Serial         string `json:"serial,omitempty"`
	AssetTag       string `json:"asset_tag,omitempty"`
	PartNumber     string `json:"part_number,omitempty"`
	// Rank is the number of ranks (attributes bits 3:0), 0 when unknown.
	Rank int `json:"rank,omitempty"`
	// TotalWidthBits and DataWidthBits; ECC modules have total > data.
	TotalWidthBits int `json:"total_width_bits,omitempty"`
	DataWidthBits  int `json:"data_width_bits,omitempty"`
	// ConfiguredVoltageMillivolts when the firmware gives it.
	ConfiguredVoltageMillivolts int      `json:"configured_voltage_millivolts,omitempty"`
	Placeholders                []string `json:"placeholders,omitempty"`
}

// Where Memory.InstalledBytes came from.
const (
	InstalledFromSMBIOS       = "smbios"
	InstalledFromMemoryBlocks = "memory_blocks"
)
