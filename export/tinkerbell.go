package export

import (
	"encoding/base64"
	"io"
)

// Annotations hwagent puts on every Hardware.
const (
	AnnotationMachineID = "hwagent.io/machine-id"
	AnnotationSerial    = "hwagent.io/serial"
)

// TinkerbellWriter writes multi-document YAML: for every machine a
// Tinkerbell Hardware and, when the machine has BMC credentials, the Rufio
// Machine "bmc-<hostname>" and its Secret "bmc-<hostname>-auth", as EKS
// Anywhere generates them from hardware.csv.
type TinkerbellWriter struct {
	w            io.Writer
	namespace    string
	facilityCode string
}

// NewTinkerbellWriter writes to w; namespace and facilityCode default to
// DefaultNamespace and DefaultFacilityCode when empty.
func NewTinkerbellWriter(w io.Writer, namespace, facilityCode string) *TinkerbellWriter {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	if facilityCode == "" {
		facilityCode = DefaultFacilityCode
	}
	return &TinkerbellWriter{w: w, namespace: namespace, facilityCode: facilityCode}
}

// WantsFacts implements FactsWriter.
func (t *TinkerbellWriter) WantsFacts() bool { return true }

// Begin does nothing: YAML has no header.
func (t *TinkerbellWriter) Begin(Columns) error { return nil }

// End does nothing.
func (t *TinkerbellWriter) End() error { return nil }

// Write writes the machine's documents.
func (t *TinkerbellWriter) Write(m *Machine) error {
	for _, d := range t.docs(m) {
		b, err := marshalYAML(d)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(t.w, "---\n"); err != nil {
			return err
		}
		if _, err := t.w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// docs are the machine's objects: its Hardware, and with a BMC the Rufio
// Machine and the Secret.
func (t *TinkerbellWriter) docs(m *Machine) []any {
	docs := []any{t.Hardware(m)}
	if m.Row.BMCIP != "" {
		docs = append(docs, t.bmcMachine(m.Row), t.bmcSecret(m.Row))
	}
	return docs
}

func bmcName(r *Row) string       { return "bmc-" + r.Hostname }
func bmcSecretName(r *Row) string { return bmcName(r) + "-auth" }

// Hardware is the machine's Tinkerbell Hardware object, as EKS Anywhere
// builds it from a hardware.csv row, plus the discovered facts (m.Facts):
// the machine's CPU and memory as spec.resources, its manufacturer and
// product as spec.metadata.manufacturer.slug and facility.plan_slug, and
// the rest as spec.metadata.instance.tags ("key=value"). status.attributes is not
// written: it is a status subresource, which the API server ignores on
// create.
func (t *TinkerbellWriter) Hardware(m *Machine) any {
	r := m.Row
	hw := hardware{
		APIVersion: hardwareAPIVersion,
		Kind:       hardwareKind,
		Metadata: objectMeta{
			Name:        r.Hostname,
			Namespace:   t.namespace,
			Labels:      r.Labels,
			Annotations: map[string]string{AnnotationMachineID: m.ID},
		},
		Spec: hardwareSpec{
			Disks: []hwDisk{{Device: r.Disk}},
			Interfaces: []hwInterface{{
				DHCP: hwDHCP{
					Arch:        r.Arch,
					Hostname:    r.Hostname,
					IP:          hwIP{Address: r.IPAddress, Family: 4, Gateway: r.Gateway, Netmask: r.Netmask},
					LeaseTime:   leaseTime,
					MAC:         r.MAC,
					NameServers: r.Nameservers,
					UEFI:        r.UEFI,
					VLANID:      r.VLANID,
				},
				Netboot: hwNetboot{AllowPXE: true, AllowWorkflow: true},
			}},
			Metadata: hwMetadata{
				Facility: hwFacility{FacilityCode: t.facilityCode},
				Instance: hwInstance{
					AllowPXE:  true,
					AlwaysPXE: true,
					Hostname:  r.Hostname,
					ID:        r.MAC,
					IPs:       []hwInstIP{{Address: r.IPAddress, Family: 4, Gateway: r.Gateway, Netmask: r.Netmask, Public: true}},
				},
				State: "provisioning",
			},
		},
	}
	if m.Serial != "" {
		hw.Metadata.Annotations[AnnotationSerial] = m.Serial
	}
	if r.BMCIP != "" {
		hw.Spec.BMCRef = &bmcRef{APIGroup: rufioAPIGroup, Kind: rufioKind, Name: bmcName(r)}
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

func (t *TinkerbellWriter) bmcMachine(r *Row) any {
	return &rufioMachine{
		APIVersion: rufioAPIVersion,
		Kind:       rufioKind,
		Metadata:   objectMeta{Name: bmcName(r), Namespace: t.namespace},
		Spec: rufioMachineSpec{Connection: rufioConnection{
			AuthSecretRef: secretRef{Name: bmcSecretName(r), Namespace: t.namespace},
			Host:          r.BMCIP,
			InsecureTLS:   true,
		}},
	}
}

func (t *TinkerbellWriter) bmcSecret(r *Row) any {
	enc := base64.StdEncoding.EncodeToString
	return &secret{
		APIVersion: "v1",
		Kind:       "Secret",
		Metadata: objectMeta{
			Name:      bmcSecretName(r),
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
