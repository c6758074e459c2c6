package tinkerbell

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
)

// Annotations hwagent puts on every Hardware.
const (
	AnnotationMachineID = "hwagent.io/machine-id"
	AnnotationSerial    = "hwagent.io/serial"
)

// Writer writes multi-document YAML: for every machine a
// Tinkerbell Hardware and, when the machine has BMC credentials, the Rufio
// Machine "bmc-<hostname>" and its Secret "bmc-<hostname>-auth", as EKS
// Anywhere generates them from hardware.csv.
//
// Write gathers machines and writes them a batch at a time, their YAML
// made on every CPU at once (an export hands machines over one at a time
// after it has read them all, and the YAML was one core's work while the
// others waited); End writes the rest. The documents come out in the
// order of the calls.
type Writer struct {
	w            io.Writer
	namespace    string
	facilityCode string
	pending      []*export.Machine
}

// batch is how many machines Write gathers before it writes them.
const batch = 64

// NewWriter writes to w; namespace and facilityCode default to
// DefaultNamespace and DefaultFacilityCode when empty.
func NewWriter(w io.Writer, namespace, facilityCode string) *Writer {
	if namespace == "" {
		namespace = plan.DefaultNamespace
	}
	if facilityCode == "" {
		facilityCode = plan.DefaultFacilityCode
	}
	return &Writer{w: w, namespace: namespace, facilityCode: facilityCode}
}

// WantsFacts implements FactsWriter.
func (t *Writer) WantsFacts() bool { return true }

// Begin does nothing: YAML has no header.
func (t *Writer) Begin(export.Columns) error { return nil }

// End writes the machines Write still holds.
func (t *Writer) End() error { return t.flush() }

// Write writes the machine's documents, or keeps the machine for the next
// batch: m must not change until End.
func (t *Writer) Write(m *export.Machine) error {
	t.pending = append(t.pending, m)
	if len(t.pending) < batch {
		return nil
	}
	return t.flush()
}

// flush writes the pending machines' documents in order.
func (t *Writer) flush() error {
	docs := make([][]byte, len(t.pending))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, m := range t.pending {
		g.Go(func() error {
			var b bytes.Buffer
			for _, d := range t.Objects(m) {
				y, err := marshal(d)
				if err != nil {
					return fmt.Errorf("%s: %w", hardwareName(m), err)
				}
				b.WriteString("---\n")
				b.Write(y)
			}
			docs[i] = b.Bytes()
			return nil
		})
	}
	err := g.Wait()
	clear(t.pending)
	t.pending = t.pending[:0]
	if err != nil {
		return err
	}
	for _, b := range docs {
		if _, err := t.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Objects are the machine's objects, each a struct that encodes (JSON or
// YAML) to a Kubernetes object: its Hardware and, with a BMC, the Rufio
// Machine and its Secret.
func (t *Writer) Objects(m *export.Machine) []any {
	if m.Row.BMCIP != "" {
		return []any{t.Hardware(m), t.bmcMachine(m), t.bmcSecret(m)}
	}
	return []any{t.Hardware(m)}
}

// hardwareName is m's Hardware name: m.Name, else the hostname.
func hardwareName(m *export.Machine) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Row.Hostname
}

func bmcName(m *export.Machine) string       { return "bmc-" + hardwareName(m) }
func bmcSecretName(m *export.Machine) string { return bmcName(m) + "-auth" }

// Hardware is the machine's Tinkerbell Hardware object, as EKS Anywhere
// builds it from a hardware.csv row, plus spec.agentID and the discovered
// facts (m.Facts): the machine's CPU and memory as spec.resources, its
// manufacturer and product as spec.metadata.manufacturer.slug and
// facility.plan_slug, and the rest as spec.metadata.instance.tags
// ("key=value"). What the row lacks (no IP, no install disk, no boot MAC:
// possible only outside a fleet export, see One) is left out rather than
// written empty. status.attributes is not written: it is a status
// subresource, which the API server ignores on create.
func (t *Writer) Hardware(m *export.Machine) any {
	r := m.Row
	hw := hardware{
		APIVersion: hardwareAPIVersion,
		Kind:       hardwareKind,
		Metadata: objectMeta{
			Name:        hardwareName(m),
			Namespace:   t.namespace,
			Labels:      r.Labels,
			Annotations: map[string]string{AnnotationMachineID: m.ID},
		},
		Spec: hardwareSpec{
			AgentID: m.AgentID,
			Metadata: hwMetadata{
				Facility: hwFacility{FacilityCode: t.facilityCode},
				Instance: hwInstance{
					AllowPXE:  true,
					AlwaysPXE: true,
					Hostname:  r.Hostname,
					ID:        r.MAC,
				},
				State: "provisioning",
			},
		},
	}
	var ip *hwIP
	if r.IPAddress != "" {
		ip = &hwIP{Address: r.IPAddress, Family: 4, Gateway: r.Gateway, Netmask: r.Netmask}
		hw.Spec.Metadata.Instance.IPs = []hwInstIP{{Address: r.IPAddress, Family: 4, Gateway: r.Gateway, Netmask: r.Netmask, Public: true}}
	}
	if r.Disk != "" {
		hw.Spec.Disks = []hwDisk{{Device: r.Disk}}
	}
	if r.MAC != "" {
		hw.Spec.Interfaces = []hwInterface{{
			DHCP: hwDHCP{
				Arch:        r.Arch,
				Hostname:    r.Hostname,
				IP:          ip,
				LeaseTime:   leaseTime,
				MAC:         r.MAC,
				NameServers: r.Nameservers,
				UEFI:        r.UEFI,
				VLANID:      r.VLANID,
			},
			Netboot: hwNetboot{AllowPXE: true, AllowWorkflow: true},
		}}
		if len(r.KernelParams) > 0 {
			hw.Spec.Interfaces[0].Netboot.OSIE = &hwOSIE{KernelParams: r.KernelParams}
		}
	}
	if m.Serial != "" {
		hw.Metadata.Annotations[AnnotationSerial] = m.Serial
	}
	if r.BMCIP != "" {
		hw.Spec.BMCRef = &bmcRef{APIGroup: rufioAPIGroup, Kind: rufioKind, Name: bmcName(m)}
	}
	if f := m.Facts; f != nil {
		if f.ManufacturerSlug != "" {
			hw.Spec.Metadata.Manufacturer = &hwManufacturer{Slug: f.ManufacturerSlug}
		}
		hw.Spec.Metadata.Facility.PlanSlug = f.PlanSlug
		hw.Spec.Resources = f.Resources
		hw.Spec.Metadata.Instance.Tags = f.Tags
	}
	return &hw
}

func (t *Writer) bmcMachine(m *export.Machine) any {
	r := m.Row
	return &rufioMachine{
		APIVersion: rufioAPIVersion,
		Kind:       rufioKind,
		Metadata:   objectMeta{Name: bmcName(m), Namespace: t.namespace},
		Spec: rufioMachineSpec{Connection: rufioConnection{
			AuthSecretRef: secretRef{Name: bmcSecretName(m), Namespace: t.namespace},
			Host:          r.BMCIP,
			InsecureTLS:   true,
		}},
	}
}

func (t *Writer) bmcSecret(m *export.Machine) any {
	r := m.Row
	enc := base64.StdEncoding.EncodeToString
	return &secretObject{
		APIVersion: "v1",
		Kind:       "Secret",
		Metadata: objectMeta{
			Name:      bmcSecretName(m),
			Namespace: t.namespace,
			Labels:    map[string]string{clusterctlMoveLabel: "true"},
		},
		Type: "kubernetes.io/basic-auth",
		Data: map[string]string{
			"username": enc([]byte(r.BMCUsername)),
			"password": enc([]byte(r.BMCPassword.Reveal())),
		},
	}
}
