package inventory

// CPU joins the firmware's view of the processor sockets (SMBIOS type 4) with
// the kernel's (/proc/cpuinfo and /sys/devices/system/cpu).
type CPU struct {
	// Sockets lists SMBIOS type 4 structures, populated or not.
	Sockets []CPUSocket `json:"sockets,omitempty"`

	// ModelName is "model name" of the first logical CPU in /proc/cpuinfo
	// (on arm64, derived from the CPU implementer and part).
	ModelName string `json:"model_name,omitempty"`
	// Vendor is vendor_id from /proc/cpuinfo ("GenuineIntel", "AuthenticAMD").
	Vendor   string `json:"vendor,omitempty"`
	Family   int    `json:"family,omitempty"`
	Model    int    `json:"model,omitempty"`
	Stepping int    `json:"stepping,omitempty"`
	// Microcode is the microcode revision as the kernel prints it ("0xf0").
	Microcode string `json:"microcode,omitempty"`
	// Flags are the feature flags of the first logical CPU, in kernel order.
	Flags []string `json:"flags,omitempty"`

	// Packages is the number of distinct physical packages (sockets) the
	// kernel sees (topology/physical_package_id).
	Packages int `json:"packages"`
	// PhysicalCores is the number of distinct (package, core) pairs.
	PhysicalCores int `json:"physical_cores"`
	// LogicalThreads is the number of logical CPUs the kernel knows
	// (/sys/devices/system/cpu/present, else possible, else the cpuN
	// directories, else the processors /proc/cpuinfo lists). Packages and
	// PhysicalCores count online CPUs only: offline ones have no topology.
	LogicalThreads int `json:"logical_threads"`
	// OnlineCPUs is the kernel's list of online CPUs ("0-15").
	OnlineCPUs string `json:"online_cpus,omitempty"`
	// OnlineCount is how many CPUs OnlineCPUs names.
	OnlineCount int `json:"online_count"`

	// Frequency is the base and maximum clock, each with its source.
	Frequency *CPUFrequency `json:"frequency,omitempty"`

	// NUMANodes from /sys/devices/system/node.
	NUMANodes []NUMANode `json:"numa_nodes,omitempty"`
	// Caches of logical CPU 0 (/sys/devices/system/cpu/cpu0/cache), one entry
	// per level and type, with how many instances exist machine-wide.
	Caches []Cache `json:"caches,omitempty"`
}

// CPUSocket is one SMBIOS type 4 (Processor Information) structure.
type CPUSocket struct {
	// Designation is the socket designation ("CPU1", "P0").
	Designation  string `json:"designation,omitempty"`
	Type         string `json:"type,omitempty"`
	Family       string `json:"family,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	// ID is the processor ID as dmidecode prints it ("A9 06 03 00 FF FB EB BF").
	ID string `json:"id,omitempty"`
	// Version is the processor version string (usually the model name).
	Version string `json:"version,omitempty"`
	// VoltageVolts is the current voltage, when given.
	VoltageVolts float64 `json:"voltage_volts,omitempty"`
	// ExternalClockMHz, MaxSpeedMHz and CurrentSpeedMHz as the firmware reports them.
	ExternalClockMHz uint16 `json:"external_clock_mhz,omitempty"`
	MaxSpeedMHz      uint16 `json:"max_speed_mhz,omitempty"`
	CurrentSpeedMHz  uint16 `json:"current_speed_mhz,omitempty"`
	// Populated is true when a processor is installed in the socket.
	Populated bool `json:"populated"`
	// Status is the CPU status ("Enabled", "Disabled By BIOS"...).
	Status       string   `json:"status,omitempty"`
	Upgrade      string   `json:"upgrade,omitempty"`
	Serial       string   `json:"serial,omitempty"`
	AssetTag     string   `json:"asset_tag,omitempty"`
	PartNumber   string   `json:"part_number,omitempty"`
	CoreCount    uint16   `json:"core_count,omitempty"`
	CoresEnabled uint16   `json:"cores_enabled,omitempty"`
	ThreadCount  uint16   `json:"thread_count,omitempty"`
	Placeholders []string `json:"placeholders,omitempty"`
}

// NUMANode is one /sys/devices/system/node/nodeN.
type NUMANode struct {
	ID int `json:"id"`
	// CPUs is the node's cpulist ("0-7,16-23").
	CPUs string `json:"cpus,omitempty"`
	// MemoryBytes is MemTotal from the node's meminfo.
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`
}

// Cache is one CPU cache level and type (cpu0/cache/indexN).
type Cache struct {
	Level int `json:"level"`
	// Type is "Data", "Instruction" or "Unified".
	Type string `json:"type"`
	// SizeBytes is absent when the kernel does not know it: arm64 kernels
	// take cache sizes from ACPI PPTT or the device tree, and firmware that
	// describes no cache there (QEMU's virt machine) leaves sysfs without
	// a size file.
	SizeBytes uint64 `json:"size_bytes,omitempty"`
	// Ways of associativity and line size, when the kernel reports them.
	Ways          int `json:"ways,omitempty"`
	LineSizeBytes int `json:"line_size_bytes,omitempty"`
	// SharedCPUs is the shared_cpu_list of cpu0's instance ("0,8").
	SharedCPUs string `json:"shared_cpus,omitempty"`
	// Instances is how many distinct caches of this level and type exist.
	Instances int `json:"instances,omitempty"`
}

// Frequency sources.
const (
	FrequencyFromCPUFreq = "cpufreq"
	FrequencyFromCPUInfo = "cpuinfo"
	FrequencyFromSMBIOS  = "smbios"
)

// CPUFrequency is the processor's clock as IPA's cpu.frequency and LXD's
// frequency fields report it.
type CPUFrequency struct {
	// BaseMHz is the nominal (non-turbo) frequency: cpufreq base_frequency
	// (intel_pstate) or, without it, the frequency in the x86 brand string
	// ("@ 2.10GHz"), else /proc/cpuinfo "cpu MHz" when no cpufreq driver
	// changes it (a VM's TSC rate), else SMBIOS type 4 Current Speed.
	BaseMHz uint32 `json:"base_mhz,omitempty"`
	// BaseSource is "cpufreq", "cpuinfo" or "smbios".
	BaseSource string `json:"base_source,omitempty"`
	// MaxMHz is the highest frequency a core may run at: cpufreq
	// cpuinfo_max_freq (turbo included), else the brand string's or "cpu
	// MHz" of /proc/cpuinfo, else SMBIOS type 4 Max Speed.
	MaxMHz uint32 `json:"max_mhz,omitempty"`
	// MaxSource is "cpufreq", "cpuinfo" or "smbios".
	MaxSource string `json:"max_source,omitempty"`
	// MinMHz is cpufreq cpuinfo_min_freq, when a driver reports it.
	MinMHz uint32 `json:"min_mhz,omitempty"`
	// Driver is the cpufreq scaling driver ("intel_pstate", "acpi-cpufreq").
	Driver string `json:"driver,omitempty"`
}
