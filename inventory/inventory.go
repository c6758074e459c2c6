package inventory

import "time"

// SchemaVersion identifies the shape of the Inventory document. The major
// version changes only when a field is removed or changes meaning.
const SchemaVersion = "hwagent.inventory/v1"

// Inventory is everything hwagent knows about one machine.
type Inventory struct {
	// SchemaVersion is always SchemaVersion for documents this package writes.
	SchemaVersion string `json:"schema_version"`
	// CollectedAt is when collection started (agent clock, UTC).
	CollectedAt time.Time `json:"collected_at"`
	// Agent describes the program that produced the document.
	Agent Agent `json:"agent"`
	// Identity holds the identifiers a server uses to recognise the machine.
	Identity Identity `json:"identity"`

	Host     *Host     `json:"host,omitempty"`
	System   *System   `json:"system,omitempty"`
	CPU      *CPU      `json:"cpu,omitempty"`
	Memory   *Memory   `json:"memory,omitempty"`
	Storage  *Storage  `json:"storage,omitempty"`
	Network  *Network  `json:"network,omitempty"`
	PCI      *PCI      `json:"pci,omitempty"`
	Firmware *Firmware `json:"firmware,omitempty"`
	BMC      *BMC      `json:"bmc,omitempty"`
	// Virtualization says whether this is a virtual machine, from every
	// source the host offers.
	Virtualization *Virtualization `json:"virtualization,omitempty"`

	// Collectors reports, for every collector that was enabled, how it went.
	Collectors []CollectorStatus `json:"collectors"`
}

// Agent identifies the hwagent build that collected the document.
type Agent struct {
	// Version is the agent's version (git describe at build time).
	Version string `json:"version"`
	// Mode is how the agent ran: "dump", "run", "register" or "snapshot".
	Mode string `json:"mode,omitempty"`
}

// Status is the outcome of one collector.
type Status string

const (
	// StatusOK means the section was filled completely.
	StatusOK Status = "ok"
	// StatusPartial means the section was filled but some reads failed;
	// CollectorStatus.Warnings says which.
	StatusPartial Status = "partial"
	// StatusNotApplicable means the concern does not exist on this machine
	// (no BMC, no SMBIOS table in a VM that has none): not an error.
	StatusNotApplicable Status = "not_applicable"
	// StatusFailed means the collector could not produce its section.
	StatusFailed Status = "failed"
	// StatusPending means the collector had not finished when this
	// inventory was sent: its section arrives in the agent's next
	// inventory update. Only a registration carries it (`hwagent run`
	// registers as soon as the identity collectors are done;
	// docs/protocol.md "Registration"), and a server keeps the sections
	// it holds until that update.
	StatusPending Status = "pending"
)

// Pending lists the collectors whose status is StatusPending, in the
// inventory's order.
func (inv *Inventory) Pending() []string {
	var out []string
	for _, c := range inv.Collectors {
		if c.Status == StatusPending {
			out = append(out, c.Name)
		}
	}
	return out
}

// CollectorStatus records how one collector ran, like node_exporter's
// collector_success.
type CollectorStatus struct {
	// Name is the collector's name as used by --collectors.
	Name string `json:"name"`
	// Status is the outcome.
	Status Status `json:"status"`
	// Error is the reason for StatusFailed or StatusNotApplicable.
	Error string `json:"error,omitempty"`
	// Warnings lists the reads that failed when Status is StatusPartial.
	Warnings []string `json:"warnings,omitempty"`
	// DurationSeconds is the collector's wall time.
	DurationSeconds float64 `json:"duration_seconds"`
}

// Collector returns the status of the named collector, or nil.
func (inv *Inventory) Collector(name string) *CollectorStatus {
	for i := range inv.Collectors {
		if inv.Collectors[i].Name == name {
			return &inv.Collectors[i]
		}
	}
	return nil
}

// Host describes the running operating system, usually the in-memory OS the
// machine netbooted into.
type Host struct {
	// Hostname is the kernel's hostname (/proc/sys/kernel/hostname).
	Hostname string `json:"hostname,omitempty"`
	// KernelRelease is uname -r (/proc/sys/kernel/osrelease).
	KernelRelease string `json:"kernel_release,omitempty"`
	// KernelVersion is uname -v (/proc/sys/kernel/version).
	KernelVersion string `json:"kernel_version,omitempty"`
	// Architecture is the machine architecture in GOARCH terms (amd64, arm64).
	Architecture string `json:"architecture,omitempty"`
	// OS is PRETTY_NAME from the host's /etc/os-release, when readable.
	OS string `json:"os,omitempty"`
	// KernelCommandLine is /proc/cmdline.
	KernelCommandLine string `json:"kernel_command_line,omitempty"`
	// BootID is /proc/sys/kernel/random/boot_id.
	BootID string `json:"boot_id,omitempty"`
	// UptimeSeconds is the first field of /proc/uptime.
	UptimeSeconds float64 `json:"uptime_seconds,omitempty"`
	// WorkerID is Tinkerbell's worker_id= kernel parameter, when present.
	WorkerID string `json:"worker_id,omitempty"`
	// HWAddr is Tinkerbell's hw_addr= kernel parameter, when present.
	HWAddr string `json:"hw_addr,omitempty"`
}
