// Package host collects the host section of the inventory: the running
// kernel (hostname, release, version, architecture), the OS name from the
// host's os-release, the kernel command line with the parameters Tinkerbell
// passes (worker_id=, hw_addr=), the boot ID and the uptime.
//
// It describes the host, not the agent's container: every file is read from
// the host's trees through hostpaths.Paths. ParseOSRelease and ParseUptime
// are pure decoders.
package host
