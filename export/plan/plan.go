package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Plan is what discovery cannot know: the operator's address plan,
// hostnames, roles and BMC credentials, and overrides of the choices made
// from the inventory. It is read from YAML (LoadPlan) with snake_case keys;
// every field is also a flag of `hwagent export` (docs/export.md lists
// them). Per-machine maps are keyed by a machine's serial number (system,
// baseboard or chassis), any of its MAC addresses, or its hwagent machine
// ID, compared case-insensitively.
type Plan struct {
	// CIDR is the machines' subnet ("10.10.10.0/24"). It gives the netmask
	// when Netmask is empty and the address pool when PoolStart/PoolEnd are.
	CIDR string `json:"cidr,omitempty"`
	// PoolStart and PoolEnd bound the addresses handed out, inclusive.
	// Default: every host address of CIDR.
	PoolStart string `json:"pool_start,omitempty"`
	PoolEnd   string `json:"pool_end,omitempty"`
	// Addresses assigns fixed IPv4 addresses by serial or MAC; they are
	// never handed out from the pool.
	Addresses map[string]string `json:"addresses,omitempty"`
	// Netmask in dotted-quad form; derived from CIDR when empty.
	Netmask string `json:"netmask,omitempty"`
	// Gateway is the default gateway.
	Gateway string `json:"gateway,omitempty"`
	// Nameservers are the DNS servers.
	Nameservers []string `json:"nameservers,omitempty"`
	// VLAN is a fixed VLAN ID (1-4094) or "lldp": the port VLAN ID the
	// switch advertises on the boot NIC. Empty: no vlan_id.
	VLAN VLAN `json:"vlan,omitempty"`

	// HostnameTemplate is a Go text/template over the inventory (see
	// TemplateData), lower-cased and made DNS-1123 safe. Default
	// DefaultHostnameTemplate.
	HostnameTemplate string `json:"hostname_template,omitempty"`
	// Hostnames fixes hostnames by serial or MAC (used as given, not
	// rewritten).
	Hostnames map[string]string `json:"hostnames,omitempty"`

	// Labels are given to every machine.
	Labels map[string]string `json:"labels,omitempty"`
	// Roles assign labels by rule, in export order: each machine takes the
	// labels of the first rule it matches that still has room (see Role).
	Roles []Role `json:"roles,omitempty"`

	// BMC says when BMC columns are written: "auto" (default: for machines
	// whose BMC address is known), "required" (every machine must have one)
	// or "omit" (never).
	BMC string `json:"bmc,omitempty"`
	// BMCCredentialsFile is a YAML file with the BMC username and password
	// (see Credentials). HWAGENT_BMC_USERNAME and HWAGENT_BMC_PASSWORD fill
	// what the file does not give.
	BMCCredentialsFile string `json:"bmc_credentials_file,omitempty"`
	// BMCAddresses fixes BMC addresses by serial or MAC, over what the BMC
	// reported in band.
	BMCAddresses map[string]string `json:"bmc_addresses,omitempty"`

	// Disk, when set, is the install disk of every machine ("/dev/sda").
	Disk string `json:"disk,omitempty"`
	// Disks fixes the install disk by serial or MAC.
	Disks map[string]string `json:"disks,omitempty"`
	// DiskMinSize is the smallest disk considered. Default 16GiB.
	DiskMinSize Size `json:"disk_min_size,omitempty"`
	// DiskPrefer orders disk classes: "nvme", "ssd" (non-rotational, not
	// NVMe), "hdd" (rotational). Disks of an unlisted class are not
	// considered. Default nvme, ssd, hdd.
	DiskPrefer []string `json:"disk_prefer,omitempty"`
	// DiskExcludeTransports are transports never installed to. Default usb.
	DiskExcludeTransports []string `json:"disk_exclude_transports,omitempty"`
	// DiskAllowRemovable considers disks the kernel marks removable.
	DiskAllowRemovable bool `json:"disk_allow_removable,omitempty"`
	// RootDevice chooses the install disk of every machine by Ironic's
	// root device hints ({serial: …}, {wwn: …}, {size: ">= 200"},
	// {rotational: false}, {by_path: …}; see RootDevice), over the
	// disk_* rule; RootDevices does the same per machine (by serial, MAC
	// or machine ID) and wins over RootDevice. A disk named by a hint stays
	// the same disk when the kernel renames it.
	RootDevice  RootDevice            `json:"root_device,omitempty"`
	RootDevices map[string]RootDevice `json:"root_devices,omitempty"`
	// DiskAllowInUse lets the install disk be one that holds something: a
	// partition table, a filesystem, swap, an LVM, md or ZFS member, a
	// mount, a holder, the running root, or contents the agent could not
	// read. Without it such a disk is never chosen, whoever names it (an
	// operator's data is at stake).
	DiskAllowInUse bool `json:"disk_allow_in_use,omitempty"`

	// BootInterface names the NIC to provision over ("eno1") instead of the
	// one that netbooted.
	BootInterface string `json:"boot_interface,omitempty"`
	// BootMACs fixes the provisioning MAC by serial or MAC.
	BootMACs map[string]string `json:"boot_macs,omitempty"`

	// Namespace of the Tinkerbell objects. Default "eksa-system".
	Namespace string `json:"namespace,omitempty"`
	// FacilityCode for Hardware spec.metadata.facility. Default "onprem".
	FacilityCode string `json:"facility_code,omitempty"`
	// Names says how Hardware objects are named: "hostname" (the default,
	// as EKS Anywhere names them) or "discovery" (discovery-<agent ID>, as
	// Tinkerbell's own auto-discovery does; hwagent serve's default).
	Names string `json:"names,omitempty"`
	// KernelParams are written to every Hardware as
	// spec.interfaces[].netboot.osie.kernelParams, which Smee appends to
	// Hook's kernel command line after its own
	// --ipxe-http-script-extra-kernel-args: hwagent.server=URL,
	// hwagent.token=... or any other parameter. Empty: not written (the
	// Hardware leaves netboot.osie to the operator).
	KernelParams []string `json:"kernel_params,omitempty"`
}

// Role gives Labels to up to Count machines that match Match (Count 0: no
// limit). A rule with an empty Match matches every machine, so a last rule
// {labels: {type: worker}} labels the rest.
type Role struct {
	Match  Match             `json:"match,omitempty"`
	Count  int               `json:"count,omitempty"`
	Labels map[string]string `json:"labels"`
}

// Match selects machines by their facts. Text fields are shell globs
// (path.Match), compared case-insensitively; every given field must match.
type Match struct {
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	Serial       string `json:"serial,omitempty"`
	// Switch matches the system name of an LLDP/CDP neighbour of any NIC.
	Switch string `json:"switch,omitempty"`
	// MinMemory and MaxMemory bound the memory the kernel sees.
	MinMemory Size `json:"min_memory,omitempty"`
	MaxMemory Size `json:"max_memory,omitempty"`
	// MinCPUs and MaxCPUs bound the logical CPUs (threads).
	MinCPUs int `json:"min_cpus,omitempty"`
	MaxCPUs int `json:"max_cpus,omitempty"`
}

// Defaults applied by Compile to fields left empty.
const (
	DefaultHostnameTemplate = "node-{{id}}"
	DefaultDiskMinSize      = Size(16 << 30)
	DefaultNamespace        = "eksa-system"
	DefaultFacilityCode     = "onprem"
)

// Hardware naming styles (Plan.Names).
const (
	NamesHostname  = "hostname"
	NamesDiscovery = "discovery"
)

// BMC modes.
const (
	BMCAuto     = "auto"
	BMCRequired = "required"
	BMCOmit     = "omit"
)

// LoadPlan reads a plan from YAML. Unknown and duplicate keys are errors.
// A relative bmc_credentials_file is relative to the plan's directory.
func LoadPlan(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	p, err := ParsePlan(b)
	if err != nil {
		return nil, fmt.Errorf("plan %s: %w", path, err)
	}
	if f := p.BMCCredentialsFile; f != "" && !filepath.IsAbs(f) {
		p.BMCCredentialsFile = filepath.Join(filepath.Dir(path), f)
	}
	return p, nil
}

// ParsePlan decodes a plan from YAML or JSON. Unknown and duplicate keys
// are errors.
func ParsePlan(b []byte) (*Plan, error) {
	var p Plan
	if err := yaml.UnmarshalStrict(b, &p); err != nil {
		return nil, cleanYAMLError(err)
	}
	return &p, nil
}

// cleanYAMLError drops the decoder's Go type names from messages about
// unknown fields.
func cleanYAMLError(err error) error {
	msg := err.Error()
	msg = strings.ReplaceAll(msg, "error unmarshaling JSON: while decoding JSON: ", "")
	msg = strings.ReplaceAll(msg, "json: ", "")
	return fmt.Errorf("%s", msg)
}
