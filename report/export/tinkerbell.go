package export

import (
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/inventory"
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

// Facts are what a Hardware carries of the inventory beyond the csv row.
type Facts struct {
	// ManufacturerSlug and PlanSlug are the product's manufacturer and name
	// as slugs (spec.metadata.manufacturer.slug, facility.plan_slug).
	ManufacturerSlug string
	PlanSlug         string
	// Resources are spec.resources (see FactsOf).
	Resources map[string]string
	// Tags are spec.metadata.instance.tags (see Tags).
	Tags []string
}

// FactsOf extracts the Facts of an inventory.
func FactsOf(inv *inventory.Inventory) *Facts {
	f := &Facts{Resources: resources(inv), Tags: Tags(inv)}
	if s := inv.System; s != nil {
		f.ManufacturerSlug = Slug(s.Product.Manufacturer)
		f.PlanSlug = Slug(s.Product.Name)
	}
	return f
}

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

// resources are Kubernetes-style quantities: cpu (logical CPUs) and memory
// (what the kernel sees). GPUs are not counted: an onboard VGA (BMC
// graphics) is a PCI display controller too; they are listed in tags.
func resources(inv *inventory.Inventory) map[string]string {
	res := map[string]string{}
	if inv.CPU != nil && inv.CPU.LogicalThreads > 0 {
		res["cpu"] = strconv.Itoa(inv.CPU.LogicalThreads)
	}
	if inv.Memory != nil && inv.Memory.TotalBytes > 0 {
		res["memory"] = quantity(inv.Memory.TotalBytes)
	}
	if len(res) == 0 {
		return nil
	}
	return res
}

// quantity renders bytes as a Kubernetes quantity, exact: "131072Mi",
// "16Gi", or plain bytes.
func quantity(b uint64) string {
	for _, u := range []struct {
		suffix string
		mult   uint64
	}{{"Ti", 1 << 40}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if b%u.mult == 0 {
			return strconv.FormatUint(b/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatUint(b, 10)
}

// Slug lower-cases s and keeps letters and digits, other runs becoming
// one '-': "Thomas-Krenn.AG" → "thomas-krenn-ag". Placeholders give "".
func Slug(s string) string {
	if inventory.IsPlaceholder(s) {
		return ""
	}
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(strings.TrimSpace(s)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Tags are the discovered facts as "key=value" strings, in a fixed order:
// identity, firmware, CPU, memory, each disk, each physical NIC with its
// LLDP neighbour, GPUs and the BMC.
func Tags(inv *inventory.Inventory) []string {
	var tags []string
	add := func(k, v string) {
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			tags = append(tags, k+"="+v)
		}
	}
	keep := func(v string) string {
		if inventory.IsPlaceholder(v) {
			return ""
		}
		return v
	}
	add("hwagent.io/machine-id", machineID(inv))
	if s := inv.System; s != nil {
		add("manufacturer", keep(s.Product.Manufacturer))
		add("product", keep(s.Product.Name))
		add("serial", bestSerial(inv))
		add("uuid", inv.Identity.SystemUUID)
		add("bios", strings.TrimSpace(keep(s.BIOS.Vendor)+" "+keep(s.BIOS.Version)))
		if s.Virtual {
			add("virtual", firstNonEmpty(s.Hypervisor, "true"))
		}
	}
	if f := inv.Firmware; f != nil {
		add("boot-mode", f.BootMode)
	}
	if c := inv.CPU; c != nil {
		add("cpu", c.ModelName)
		if c.Packages > 0 {
			add("cpu-sockets", strconv.Itoa(c.Packages))
		}
		if c.PhysicalCores > 0 {
			add("cpu-cores", strconv.Itoa(c.PhysicalCores))
		}
		if c.LogicalThreads > 0 {
			add("cpu-threads", strconv.Itoa(c.LogicalThreads))
		}
	}
	if m := inv.Memory; m != nil {
		if m.TotalBytes > 0 {
			add("memory-bytes", strconv.FormatUint(m.TotalBytes, 10))
		}
		if m.InstalledBytes > 0 {
			add("memory-installed-bytes", strconv.FormatUint(m.InstalledBytes, 10))
		}
	}
	if st := inv.Storage; st != nil {
		for i := range st.Disks {
			d := &st.Disks[i]
			add("disk/"+d.Name, strings.Join(nonEmpty(diskClass(d), d.Transport, strconv.FormatUint(d.SizeBytes, 10), d.Model), " "))
		}
	}
	if n := inv.Network; n != nil {
		for i := range n.Interfaces {
			nic := &n.Interfaces[i]
			if nic.Kind != inventory.NICPhysical {
				continue
			}
			speed := ""
			if nic.SpeedMbps > 0 {
				speed = strconv.FormatUint(uint64(nic.SpeedMbps), 10) + "Mbps"
			}
			add("nic/"+nic.Name, strings.Join(nonEmpty(nicMAC(nic), speed, nic.Driver), " "))
			for _, nb := range nic.Neighbors {
				v := strings.Join(nonEmpty(firstNonEmpty(nb.SystemName, nb.ChassisID), nb.PortID), " ")
				if nb.PortVLANID != 0 {
					v += fmt.Sprintf(" vlan %d", nb.PortVLANID)
				}
				add("switch/"+nic.Name, v)
			}
		}
	}
	if inv.PCI != nil {
		for _, d := range inv.PCI.Devices {
			if d.Category == inventory.PCICategoryGPU || d.Category == inventory.PCICategoryAccelerator {
				add(d.Category+"/"+d.Address, strings.Join(nonEmpty(d.VendorID+":"+d.DeviceID, d.VendorName, d.DeviceName), " "))
			}
		}
	}
	if b := inv.BMC; b != nil {
		add("bmc", strings.Join(nonEmpty(b.Manufacturer, b.FirmwareVersion), " "))
		if lan := b.PrimaryLAN(); lan != nil {
			add("bmc-mac", lan.MAC)
		}
	}
	return tags
}

func nonEmpty(vs ...string) []string {
	out := vs[:0]
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
