package tinkerbell

// The subset of Tinkerbell's Hardware (tinkerbell.org/v1alpha1), Rufio's
// Machine (bmc.tinkerbell.org/v1alpha1) and core/v1 Secret that hwagent
// writes. Field names follow the CRD's openAPIV3Schema exactly; the tests
// validate every Hardware against it with unknown fields rejected.

const (
	hardwareAPIVersion = "tinkerbell.org/v1alpha1"
	hardwareKind       = "Hardware"
	rufioAPIGroup      = "bmc.tinkerbell.org"
	rufioAPIVersion    = rufioAPIGroup + "/v1alpha1"
	rufioKind          = "Machine"
	// clusterctlMoveLabel is set on BMC secrets, as EKS Anywhere does, so
	// that clusterctl move takes them along.
	clusterctlMoveLabel = "clusterctl.cluster.x-k8s.io/move"
	// leaseTime is the lease EKS Anywhere gives (2^32-2 s: effectively
	// forever, for OSes that keep DHCP).
	leaseTime = 4294967294
)

type objectMeta struct {
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type hardware struct {
	APIVersion string       `json:"apiVersion"`
	Kind       string       `json:"kind"`
	Metadata   objectMeta   `json:"metadata"`
	Spec       hardwareSpec `json:"spec"`
}

type hardwareSpec struct {
	AgentID    string            `json:"agentID,omitempty"`
	BMCRef     *bmcRef           `json:"bmcRef,omitempty"`
	Disks      []hwDisk          `json:"disks,omitempty"`
	Interfaces []hwInterface     `json:"interfaces,omitempty"`
	Metadata   hwMetadata        `json:"metadata"`
	Resources  map[string]string `json:"resources,omitempty"`
}

type bmcRef struct {
	APIGroup string `json:"apiGroup"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
}

type hwDisk struct {
	Device string `json:"device"`
}

type hwInterface struct {
	DHCP    hwDHCP    `json:"dhcp"`
	Netboot hwNetboot `json:"netboot"`
}

type hwDHCP struct {
	Arch        string   `json:"arch,omitempty"`
	Hostname    string   `json:"hostname,omitempty"`
	IP          *hwIP    `json:"ip,omitempty"`
	LeaseTime   int64    `json:"lease_time"`
	MAC         string   `json:"mac"`
	NameServers []string `json:"name_servers,omitempty"`
	UEFI        bool     `json:"uefi"`
	VLANID      string   `json:"vlan_id,omitempty"`
}

type hwIP struct {
	Address string `json:"address"`
	Family  int64  `json:"family"`
	Gateway string `json:"gateway,omitempty"`
	Netmask string `json:"netmask,omitempty"`
}

type hwNetboot struct {
	AllowPXE      bool    `json:"allowPXE"`
	AllowWorkflow bool    `json:"allowWorkflow"`
	OSIE          *hwOSIE `json:"osie,omitempty"`
}

// hwOSIE is netboot.osie: only kernelParams, which Smee appends to the
// kernel command line of Hook (the OSIE) in its iPXE script.
type hwOSIE struct {
	KernelParams []string `json:"kernelParams,omitempty"`
}

type hwMetadata struct {
	Facility     hwFacility      `json:"facility"`
	Instance     hwInstance      `json:"instance"`
	Manufacturer *hwManufacturer `json:"manufacturer,omitempty"`
	State        string          `json:"state"`
}

type hwFacility struct {
	FacilityCode string `json:"facility_code"`
	PlanSlug     string `json:"plan_slug,omitempty"`
}

type hwInstance struct {
	AllowPXE        bool       `json:"allow_pxe"`
	AlwaysPXE       bool       `json:"always_pxe"`
	Hostname        string     `json:"hostname,omitempty"`
	ID              string     `json:"id"`
	IPs             []hwInstIP `json:"ips,omitempty"`
	OperatingSystem hwOS       `json:"operating_system"`
	Tags            []string   `json:"tags,omitempty"`
}

type hwInstIP struct {
	Address string `json:"address"`
	Family  int64  `json:"family"`
	Gateway string `json:"gateway,omitempty"`
	Netmask string `json:"netmask,omitempty"`
	Public  bool   `json:"public"`
}

// hwOS is written empty, as EKS Anywhere does: Smee's Kubernetes back end
// needs the object present.
type hwOS struct{}

type hwManufacturer struct {
	Slug string `json:"slug"`
}

type rufioMachine struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Metadata   objectMeta       `json:"metadata"`
	Spec       rufioMachineSpec `json:"spec"`
}

type rufioMachineSpec struct {
	Connection rufioConnection `json:"connection"`
}

type rufioConnection struct {
	AuthSecretRef secretRef `json:"authSecretRef"`
	Host          string    `json:"host"`
	InsecureTLS   bool      `json:"insecureTLS"`
}

type secretRef struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type secretObject struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   objectMeta        `json:"metadata"`
	Type       string            `json:"type"`
	Data       map[string]string `json:"data"`
}
