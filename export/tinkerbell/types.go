package tinkerbell

// The subset of Tinkerbell's Hardware (tinkerbell.org/v1alpha1), Rufio's
// Machine (bmc.tinkerbell.org/v1alpha1) and core/v1 Secret that hwagent
// writes. Field names follow the CRD's openAPIV3Schema exactly; the tests
// validate every Hardware against it with unknown fields rejected.
//
// Each field has its JSON name (the objects applied to a cluster) and the
// same YAML name (the manifests), and every struct declares its fields in
// the order kubectl's YAML sorts keys: go.yaml.in/yaml/v2 writes a struct's
// fields in declaration order (see marshal; TestYAMLAsKubectlWritesIt).

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
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Name        string            `json:"name" yaml:"name"`
	Namespace   string            `json:"namespace" yaml:"namespace"`
}

type hardware struct {
	APIVersion string       `json:"apiVersion" yaml:"apiVersion"`
	Kind       string       `json:"kind" yaml:"kind"`
	Metadata   objectMeta   `json:"metadata" yaml:"metadata"`
	Spec       hardwareSpec `json:"spec" yaml:"spec"`
}

type hardwareSpec struct {
	AgentID    string            `json:"agentID,omitempty" yaml:"agentID,omitempty"`
	BMCRef     *bmcRef           `json:"bmcRef,omitempty" yaml:"bmcRef,omitempty"`
	Disks      []hwDisk          `json:"disks,omitempty" yaml:"disks,omitempty"`
	Interfaces []hwInterface     `json:"interfaces,omitempty" yaml:"interfaces,omitempty"`
	Metadata   hwMetadata        `json:"metadata" yaml:"metadata"`
	Resources  map[string]string `json:"resources,omitempty" yaml:"resources,omitempty"`
}

type bmcRef struct {
	APIGroup string `json:"apiGroup" yaml:"apiGroup"`
	Kind     string `json:"kind" yaml:"kind"`
	Name     string `json:"name" yaml:"name"`
}

type hwDisk struct {
	Device string `json:"device" yaml:"device"`
}

type hwInterface struct {
	DHCP    hwDHCP    `json:"dhcp" yaml:"dhcp"`
	Netboot hwNetboot `json:"netboot" yaml:"netboot"`
}

type hwDHCP struct {
	Arch        string   `json:"arch,omitempty" yaml:"arch,omitempty"`
	Hostname    string   `json:"hostname,omitempty" yaml:"hostname,omitempty"`
	IP          *hwIP    `json:"ip,omitempty" yaml:"ip,omitempty"`
	LeaseTime   int64    `json:"lease_time" yaml:"lease_time"`
	MAC         string   `json:"mac" yaml:"mac"`
	NameServers []string `json:"name_servers,omitempty" yaml:"name_servers,omitempty"`
	UEFI        bool     `json:"uefi" yaml:"uefi"`
	VLANID      string   `json:"vlan_id,omitempty" yaml:"vlan_id,omitempty"`
}

type hwIP struct {
	Address string `json:"address" yaml:"address"`
	Family  int64  `json:"family" yaml:"family"`
	Gateway string `json:"gateway,omitempty" yaml:"gateway,omitempty"`
	Netmask string `json:"netmask,omitempty" yaml:"netmask,omitempty"`
}

type hwNetboot struct {
	AllowPXE      bool    `json:"allowPXE" yaml:"allowPXE"`
	AllowWorkflow bool    `json:"allowWorkflow" yaml:"allowWorkflow"`
	OSIE          *hwOSIE `json:"osie,omitempty" yaml:"osie,omitempty"`
}

// hwOSIE is netboot.osie: only kernelParams, which Smee appends to the
// kernel command line of Hook (the OSIE) in its iPXE script.
type hwOSIE struct {
	KernelParams []string `json:"kernelParams,omitempty" yaml:"kernelParams,omitempty"`
}

type hwMetadata struct {
	Facility     hwFacility      `json:"facility" yaml:"facility"`
	Instance     hwInstance      `json:"instance" yaml:"instance"`
	Manufacturer *hwManufacturer `json:"manufacturer,omitempty" yaml:"manufacturer,omitempty"`
	State        string          `json:"state" yaml:"state"`
}

type hwFacility struct {
	FacilityCode string `json:"facility_code" yaml:"facility_code"`
	PlanSlug     string `json:"plan_slug,omitempty" yaml:"plan_slug,omitempty"`
}

type hwInstance struct {
	AllowPXE        bool       `json:"allow_pxe" yaml:"allow_pxe"`
	AlwaysPXE       bool       `json:"always_pxe" yaml:"always_pxe"`
	Hostname        string     `json:"hostname,omitempty" yaml:"hostname,omitempty"`
	ID              string     `json:"id" yaml:"id"`
	IPs             []hwInstIP `json:"ips,omitempty" yaml:"ips,omitempty"`
	OperatingSystem hwOS       `json:"operating_system" yaml:"operating_system"`
	Tags            []string   `json:"tags,omitempty" yaml:"tags,omitempty"`
}

type hwInstIP struct {
	Address string `json:"address" yaml:"address"`
	Family  int64  `json:"family" yaml:"family"`
	Gateway string `json:"gateway,omitempty" yaml:"gateway,omitempty"`
	Netmask string `json:"netmask,omitempty" yaml:"netmask,omitempty"`
	Public  bool   `json:"public" yaml:"public"`
}

// hwOS is written empty, as EKS Anywhere does: Smee's Kubernetes back end
// needs the object present.
type hwOS struct{}

type hwManufacturer struct {
	Slug string `json:"slug" yaml:"slug"`
}

type rufioMachine struct {
	APIVersion string           `json:"apiVersion" yaml:"apiVersion"`
	Kind       string           `json:"kind" yaml:"kind"`
	Metadata   objectMeta       `json:"metadata" yaml:"metadata"`
	Spec       rufioMachineSpec `json:"spec" yaml:"spec"`
}

type rufioMachineSpec struct {
	Connection rufioConnection `json:"connection" yaml:"connection"`
}

type rufioConnection struct {
	AuthSecretRef secretRef `json:"authSecretRef" yaml:"authSecretRef"`
	Host          string    `json:"host" yaml:"host"`
	InsecureTLS   bool      `json:"insecureTLS" yaml:"insecureTLS"`
}

type secretRef struct {
	Name      string `json:"name" yaml:"name"`
	Namespace string `json:"namespace" yaml:"namespace"`
}

type secretObject struct {
	APIVersion string            `json:"apiVersion" yaml:"apiVersion"`
	Data       map[string]string `json:"data" yaml:"data"`
	Kind       string            `json:"kind" yaml:"kind"`
	Metadata   objectMeta        `json:"metadata" yaml:"metadata"`
	Type       string            `json:"type" yaml:"type"`
}
