package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/inventory/units"
)

// textWriter renders the report: sections of aligned rows.
type textWriter struct {
	w     io.Writer
	color bool
	err   error
}

const (
	ansiBold   = "\033[1m"
	ansiRed    = "\033[31m"
	ansiYellow = "\033[33m"
	ansiDim    = "\033[2m"
	ansiReset  = "\033[0m"
)

func (t *textWriter) paint(code, s string) string {
	if !t.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *textWriter) section(title string) {
	t.printf("\n%s\n", t.paint(ansiBold, title))
}

// table prints rows aligned in columns, indented by two spaces.
func (t *textWriter) table(rows [][]string) {
	if t.err != nil || len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\n", strings.TrimRight(strings.Join(r, "\t"), "\t"))
	}
	t.err = tw.Flush()
}

// WriteText writes the human-readable report: a one-line summary, then one
// section per inventory section, then the collectors' statuses.
func WriteText(w io.Writer, inv *inventory.Inventory, opts Options) error {
	// Every string came from the machine: escaped before it reaches a
	// terminal (issue 11).
	inv = safeCopy(inv)
	t := &textWriter{w: w, color: opts.Color}
	t.printf("%s\n", t.paint(ansiBold, Summary(inv)))
	writeSystem(t, inv)
	writeCPU(t, inv.CPU)
	writeMemory(t, inv.Memory)
	writeStorage(t, inv.Storage)
	writeNetwork(t, inv, opts)
	writePCI(t, inv.PCI)
	writeFirmware(t, inv.Firmware)
	writeBMC(t, inv.BMC)
	writeCollectors(t, inv)
	return t.err
}

// Summary is the one-line description of a machine: vendor, product and
// serial, CPUs, memory, disks and NICs.
func Summary(inv *inventory.Inventory) string {
	var parts []string
	if s := inv.System; s != nil {
		id := strings.TrimSpace(strings.Join(nonEmpty(s.Product.Manufacturer, s.Product.Name), " "))
		if s.Product.Serial != "" && !inventory.IsPlaceholder(s.Product.Serial) {
			id += " serial " + s.Product.Serial
		}
		if id != "" {
			parts = append(parts, id)
		}
	}
	if c := inv.CPU; c != nil {
		desc := plural(c.LogicalThreads, "thread")
		if c.ModelName != "" {
			pk := c.Packages
			if pk < 1 {
				pk = 1
			}
			desc = fmt.Sprintf("%d× %s (%s)", pk, collapseSpaces(c.ModelName), plural(c.LogicalThreads, "thread"))
		}
		parts = append(parts, desc)
	}
	if m := inv.Memory; m != nil {
		mem := units.Bytes(m.TotalBytes)
		if m.InstalledBytes > 0 {
			mem = units.Bytes(m.InstalledBytes)
		}
		parts = append(parts, mem+" RAM")
	}
	if s := inv.Storage; s != nil {
		var total uint64
		for _, d := range s.Disks {
			total += d.SizeBytes
		}
		parts = append(parts, fmt.Sprintf("%s %s", plural(len(s.Disks), "disk"), units.Bytes(total)))
	}
	if n := inv.Network; n != nil {
		phys := 0
		for _, nic := range n.Interfaces {
			if nic.Kind == inventory.NICPhysical {
				phys++
			}
		}
		parts = append(parts, plural(phys, "NIC"))
	}
	if v := inv.Virtualization; v.IsVirtual() {
		parts = append(parts, virtDescription(v))
	}
	if b := inv.BMC; b != nil {
		if l := b.PrimaryLAN(); l != nil {
			parts = append(parts, "BMC "+l.IPv4)
		} else {
			parts = append(parts, "BMC")
		}
	}
	if len(parts) == 0 {
		return "(nothing collected)"
	}
	return strings.Join(parts, " · ")
}

// plural renders "1 disk", "2 disks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// flagged marks a placeholder value for display.
func (t *textWriter) flagged(v string, placeholders []string, field string) string {
	for _, p := range placeholders {
		if p == field {
			return v + " " + t.paint(ansiDim, "(placeholder)")
		}
	}
	return v
}

func writeSystem(t *textWriter, inv *inventory.Inventory) {
	s := inv.System
	if s == nil && inv.Host == nil {
		return
	}
	t.section("System")
	var rows [][]string
	if s != nil {
		p := s.Product
		version := p.Version
		if inventory.IsPlaceholder(version) {
			version = ""
		}
		rows = append(rows,
			[]string{"Manufacturer", t.flagged(p.Manufacturer, p.Placeholders, "manufacturer")},
			[]string{"Product", t.flagged(strings.Join(nonEmpty(p.Name, paren(version)), " "), p.Placeholders, "name")},
			[]string{"Serial", t.flagged(p.Serial, p.Placeholders, "serial")},
			[]string{"UUID", t.flagged(p.UUID, p.Placeholders, "uuid")},
		)
		if p.SKU != "" || p.Family != "" {
			rows = append(rows, []string{"SKU / family", strings.Join(nonEmpty(t.flagged(p.SKU, p.Placeholders, "sku"), t.flagged(p.Family, p.Placeholders, "family")), " / ")})
		}
		b := s.BIOS
		rows = append(rows, []string{"BIOS", strings.Join(nonEmpty(b.Vendor, b.Version, paren(b.ReleaseDate)), " ")})
		if bb := s.Baseboard; bb != nil {
			rows = append(rows, []string{"Baseboard", strings.Join(nonEmpty(t.flagged(bb.Manufacturer, bb.Placeholders, "manufacturer"),
				t.flagged(bb.Product, bb.Placeholders, "product"), prefixed("serial ", t.flagged(bb.Serial, bb.Placeholders, "serial"))), " ")})
		}
		if c := s.Chassis; c != nil {
			rows = append(rows, []string{"Chassis", strings.Join(nonEmpty(t.flagged(c.Manufacturer, c.Placeholders, "manufacturer"),
				c.Type, prefixed("serial ", t.flagged(c.Serial, c.Placeholders, "serial"))), " ")})
		}
		if s.Virtual && inv.Virtualization == nil {
			rows = append(rows, []string{"Virtual machine", strings.Join(nonEmpty("yes", s.Hypervisor), ", ")})
		}
	}
	if v := inv.Virtualization; v != nil {
		var srcs []string
		for _, e := range v.Evidence {
			if e.Virtual == v.IsVirtual() && !slices.Contains(srcs, e.Source) {
				srcs = append(srcs, e.Source)
			}
		}
		rows = append(rows, []string{"Virtualization", strings.Join(nonEmpty(virtDescription(v), paren(strings.Join(srcs, ", "))), " ")})
	}
	if inv.Identity.MachineID != "" {
		rows = append(rows, []string{"Machine ID", inv.Identity.MachineID + " " + t.paint(ansiDim, "(from "+inv.Identity.Basis+")")})
	}
	if h := inv.Host; h != nil {
		hostname := ""
		if h.Hostname != "" {
			hostname = `hostname "` + h.Hostname + `"` // escaped already (safeCopy)
		}
		rows = append(rows, []string{"Running", strings.Join(nonEmpty(h.OS, "kernel "+h.KernelRelease, h.Architecture, hostname), ", ")})
	}
	t.table(rows)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func writeCPU(t *textWriter, c *inventory.CPU) {
	if c == nil {
		return
	}
	t.section("CPU")
	rows := [][]string{
		{"Model", strings.Join(nonEmpty(collapseSpaces(c.ModelName), paren(c.Vendor)), " ")},
		{"Topology", fmt.Sprintf("%s, %s, %s (%d online), %s", plural(c.Packages, "package"), plural(c.PhysicalCores, "core"),
			plural(c.LogicalThreads, "thread"), c.OnlineCount, plural(len(c.NUMANodes), "NUMA node"))},
	}
	if f := c.Frequency; f != nil {
		var parts []string
		if f.BaseMHz > 0 {
			parts = append(parts, fmt.Sprintf("%d MHz base (%s)", f.BaseMHz, f.BaseSource))
		}
		if f.MaxMHz > 0 {
			parts = append(parts, fmt.Sprintf("%d MHz max (%s)", f.MaxMHz, f.MaxSource))
		}
		rows = append(rows, []string{"Frequency", strings.Join(parts, ", ")})
	}
	if c.Microcode != "" {
		rows = append(rows, []string{"Microcode", c.Microcode})
	}
	var caches []string
	for _, k := range c.Caches {
		name := fmt.Sprintf("L%d", k.Level)
		switch k.Type {
		case "Data":
			name += "d"
		case "Instruction":
			name += "i"
		}
		size := "size unknown"
		if k.SizeBytes > 0 {
			size = units.Bytes(k.SizeBytes)
		}
		caches = append(caches, fmt.Sprintf("%s %s×%d", name, size, max(k.Instances, 1)))
	}
	if len(caches) > 0 {
		rows = append(rows, []string{"Caches", strings.Join(caches, ", ")})
	}
	// Firmware of VMs lists every possible socket (VMware: 128); show the
	// ones in use and count the rest.
	unused := 0
	for _, s := range c.Sockets {
		if !s.Populated || strings.Contains(s.Status, "Disabled") {
			unused++
			continue
		}
		desc := strings.Join(nonEmpty(collapseSpaces(s.Version), mhz(s.MaxSpeedMHz, "max"),
			counts(int(s.CoreCount), "core"), counts(int(s.ThreadCount), "thread")), ", ")
		rows = append(rows, []string{"Socket " + s.Designation, desc})
	}
	if unused > 0 {
		rows = append(rows, []string{"Other sockets", fmt.Sprintf("%d empty or disabled", unused)})
	}
	t.table(rows)
}

func mhz(v uint16, what string) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%d MHz %s", v, what)
}

func counts(n int, what string) string {
	if n == 0 {
		return ""
	}
	return plural(n, what)
}

func writeMemory(t *textWriter, m *inventory.Memory) {
	if m == nil {
		return
	}
	t.section("Memory")
	rows := [][]string{{"Usable", units.Bytes(m.TotalBytes)}}
	switch {
	case m.SlotCount > 0:
		rows = append(rows, []string{"Installed", fmt.Sprintf("%s in %d of %d slots", units.Bytes(m.InstalledBytes), m.PopulatedCount, m.SlotCount)})
	case m.InstalledSource == inventory.InstalledFromMemoryBlocks:
		rows = append(rows, []string{"Installed", fmt.Sprintf("%s (%d memory blocks of %s online)", units.Bytes(m.InstalledBytes), m.OnlineBlocks, units.Bytes(m.BlockBytes))})
	}
	for _, d := range m.Modules {
		if !d.Populated {
			rows = append(rows, []string{d.Locator, t.paint(ansiDim, "empty")})
			continue
		}
		speed := ""
		if d.ConfiguredSpeedMTs > 0 {
			speed = fmt.Sprintf("%d MT/s", d.ConfiguredSpeedMTs)
		} else if d.SpeedMTs > 0 {
			speed = fmt.Sprintf("%d MT/s", d.SpeedMTs)
		}
		rows = append(rows, []string{d.Locator, units.Bytes(d.SizeBytes), d.Type, d.FormFactor, speed,
			t.flagged(d.Manufacturer, d.Placeholders, "manufacturer"), d.PartNumber, prefixed("serial ", t.flagged(d.Serial, d.Placeholders, "serial"))})
	}
	t.table(rows)
}

func writeStorage(t *textWriter, s *inventory.Storage) {
	if s == nil {
		return
	}
	t.section("Storage")
	if len(s.Disks) == 0 {
		t.printf("  no disks\n")
		return
	}
	rows := [][]string{{"DEVICE", "SIZE", "TYPE", "MODEL", "SERIAL", "FIRMWARE", "CONTENTS"}}
	for _, d := range s.Disks {
		kind := d.Transport
		if !d.Rotational && d.Transport != "nvme" {
			kind = strings.TrimSpace(kind + " ssd")
		}
		if d.Removable {
			kind += " removable"
		}
		dev := d.Path
		if d.HoldsRoot {
			dev += " " + t.paint(ansiBold, "[root]")
		}
		rows = append(rows, []string{dev, units.Bytes(d.SizeBytes), kind, strings.Join(nonEmpty(d.Vendor, d.Model), " "), d.Serial, d.FirmwareRevision, t.diskContents(d)})
	}
	for _, a := range s.Arrays {
		desc := strings.Join(nonEmpty(a.Kind, a.Level), " ") + " of " + strings.Join(a.Members, ", ")
		dev := a.Path
		if a.HoldsRoot {
			dev += " " + t.paint(ansiBold, "[root]")
		}
		var sigs []string
		for _, sg := range a.Signatures {
			sigs = append(sigs, sg.Type)
		}
		rows = append(rows, []string{dev, units.Bytes(a.SizeBytes), desc, "", "", "", strings.Join(append(sigs, mounted(a.Mountpoints)...), ", ")})
	}
	t.table(rows)
}

func writeNetwork(t *textWriter, inv *inventory.Inventory, opts Options) {
	n := inv.Network
	if n == nil {
		return
	}
	t.section("Network")
	rows := [][]string{}
	for _, nic := range n.Interfaces {
		state := "down"
		if nic.Carrier {
			state = "up"
			if nic.SpeedMbps > 0 {
				state += " " + units.Speed(nic.SpeedMbps)
			} else {
				state += ", speed unknown"
			}
		}
		mtu := ""
		if nic.MTU > 0 {
			mtu = fmt.Sprintf("mtu %d", nic.MTU)
		}
		name := nic.Name
		if nic.Boot {
			name += " (boot)"
		}
		mac := nic.MAC
		if nic.PermanentMAC != "" && !strings.EqualFold(nic.PermanentMAC, nic.MAC) {
			mac += " (perm " + nic.PermanentMAC + ")"
		}
		kind := nic.Kind
		if len(nic.Members) > 0 {
			kind += "[" + strings.Join(nic.Members, ",") + "]"
		}
		rows = append(rows, []string{name, kind, mac, nic.Driver, state, mtu, strings.Join(nic.Addresses, " "), NeighborLine(nic)})
	}
	t.table(rows)
	if hint := lldpHint(inv, opts.LLDPWait); hint != "" {
		t.printf("  %s\n", t.paint(ansiDim, hint))
	}
	if b := n.Boot; b != nil && b.Interface == "" {
		t.printf("  boot MAC %s (from %s) matches no interface\n", b.MAC, b.Source)
	}
}

// NeighborLine renders a NIC's first neighbour as "→ sw01 Ethernet1/7 (VLAN 100)".
func NeighborLine(nic inventory.NIC) string {
	if len(nic.Neighbors) == 0 {
		return ""
	}
	nb := nic.Neighbors[0]
	sys := nb.SystemName
	if sys == "" {
		sys = nb.ChassisID
	}
	port := nb.PortID
	if nb.PortIDSubtype == "mac" && nb.PortDescription != "" {
		port = nb.PortDescription
	}
	s := "→ " + strings.Join(nonEmpty(sys, port), " ")
	if nb.PortVLANID != 0 {
		s += fmt.Sprintf(" (VLAN %d)", nb.PortVLANID)
	}
	if len(nic.Neighbors) > 1 {
		s += fmt.Sprintf(" +%d more", len(nic.Neighbors)-1)
	}
	return s
}

func writePCI(t *textWriter, p *inventory.PCI) {
	if p == nil {
		return
	}
	t.section("PCI")
	byCat := map[string]int{}
	for _, d := range p.Devices {
		byCat[d.Category]++
	}
	var rows [][]string
	rows = append(rows, []string{"Devices", fmt.Sprintf("%d (%d network, %d storage, %d GPU, %d accelerator)", len(p.Devices),
		byCat[inventory.PCICategoryNetwork], byCat[inventory.PCICategoryStorage], byCat[inventory.PCICategoryGPU], byCat[inventory.PCICategoryAccelerator])})
	for _, d := range p.Devices {
		switch d.Category {
		case inventory.PCICategoryGPU, inventory.PCICategoryAccelerator, inventory.PCICategoryNetwork, inventory.PCICategoryStorage:
			name := strings.Join(nonEmpty(d.VendorName, d.DeviceName), " ")
			if name == "" {
				name = d.VendorID + ":" + d.DeviceID
			}
			rows = append(rows, []string{d.Address, d.Category, name, prefixed("driver ", d.Driver)})
		}
	}
	t.table(rows)
}

func writeFirmware(t *textWriter, f *inventory.Firmware) {
	if f == nil {
		return
	}
	t.section("Firmware")
	mode := strings.ToUpper(f.BootMode)
	if f.BootMode == "uefi" && f.EFIBitness > 0 {
		mode += fmt.Sprintf(" (%d-bit)", f.EFIBitness)
	}
	rows := [][]string{{"Boot mode", mode}}
	if f.SecureBoot != nil {
		rows = append(rows, []string{"Secure Boot", onOff(*f.SecureBoot)})
	}
	tpm := "none"
	if f.TPM != nil {
		tpm = strings.Join(nonEmpty(f.TPM.Device, prefixed("version ", f.TPM.Version), f.TPM.Manufacturer), " ")
	}
	rows = append(rows, []string{"TPM", tpm})
	if f.TPM != nil && f.TPM.EndorsementKey != nil {
		ek := f.TPM.EndorsementKey
		rows = append(rows, []string{"TPM EK", strings.Join(nonEmpty(ek.Algorithm, "sha256:"+ek.PublicKeySHA256, prefixed("at ", ek.Persistent)), " ")})
		if ek.CertificateIssuer != "" {
			rows = append(rows, []string{"TPM EK issuer", ek.CertificateIssuer})
		}
	}
	t.table(rows)
}

func onOff(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func writeBMC(t *textWriter, b *inventory.BMC) {
	if b == nil {
		return
	}
	t.section("BMC")
	t.printf("  %s\n", BMCLine(b))
	var rows [][]string
	if b.Interface != nil {
		rows = append(rows, []string{"Interface", strings.Join(nonEmpty(b.Interface.Type, prefixed("at ", b.Interface.BaseAddress), prefixed("IPMI ", b.Interface.SpecVersion)), " ")})
	}
	for _, l := range b.LAN {
		rows = append(rows, []string{fmt.Sprintf("LAN channel %d", l.Channel),
			strings.Join(nonEmpty(l.IPv4, prefixed("mask ", l.Netmask), prefixed("gw ", l.Gateway), l.MAC, l.IPSource), " ")})
	}
	if b.LANError != "" {
		rows = append(rows, []string{"LAN", t.paint(ansiYellow, b.LANError)})
	}
	if r := b.Redfish; r != nil {
		rows = append(rows, []string{"Redfish", strings.Join(nonEmpty(r.InterfaceType, strings.Join(r.Protocols, ","), r.ServiceIP), " ")})
	}
	t.table(rows)
}

// BMCLine renders the BMC at a glance:
// "BMC 10.0.0.42 (static) 52:54:00:be:ef:01 VLAN 20 — Supermicro fw 3.10".
func BMCLine(b *inventory.BMC) string {
	parts := []string{"BMC"}
	if l := b.PrimaryLAN(); l != nil {
		parts = append(parts, l.IPv4)
		if l.IPSource != "" {
			parts = append(parts, "("+l.IPSource+")")
		}
		if l.MAC != "" {
			parts = append(parts, l.MAC)
		}
		if l.VLANID != 0 {
			parts = append(parts, fmt.Sprintf("VLAN %d", l.VLANID))
		}
	} else {
		parts = append(parts, "(no LAN address)")
	}
	id := strings.Join(nonEmpty(b.Manufacturer, prefixed("fw ", b.FirmwareVersion)), " ")
	if id != "" {
		parts = append(parts, "—", id)
	}
	return strings.Join(parts, " ")
}

func writeCollectors(t *textWriter, inv *inventory.Inventory) {
	t.section("Collectors")
	var rows [][]string
	for _, c := range inv.Collectors {
		status := string(c.Status)
		switch c.Status {
		case inventory.StatusFailed:
			status = t.paint(ansiRed, status)
		case inventory.StatusPartial:
			status = t.paint(ansiYellow, status)
		}
		msg := c.Error
		if len(c.Warnings) > 0 {
			msg = strings.Join(c.Warnings, "; ")
		}
		rows = append(rows, []string{c.Name, status, fmt.Sprintf("%.1f ms", c.DurationSeconds*1000), msg})
	}
	t.table(rows)
}

// collapseSpaces turns runs of white space into one space, as firmware
// pads CPU brand strings ("Intel(R) Xeon(R) CPU           L5640  @ 2.27GHz").
func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// virtDescription is "KVM virtual machine", "physical machine".
func virtDescription(v *inventory.Virtualization) string {
	if !v.IsVirtual() {
		return "physical machine"
	}
	name := hypervisorNames()[v.Hypervisor]
	if name == "" {
		name = v.Hypervisor
	}
	if name == "" {
		return "virtual machine (hypervisor not named)"
	}
	return name + " virtual machine"
}

// hypervisorNames are systemd-detect-virt's names as people write them.
var hypervisorNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"kvm": "KVM", "qemu": "QEMU", "vmware": "VMware", "microsoft": "Hyper-V", "oracle": "VirtualBox",
		"xen": "Xen", "bochs": "Bochs", "parallels": "Parallels", "bhyve": "bhyve", "qnx": "QNX", "acrn": "ACRN",
		"powervm": "PowerVM", "apple": "Apple Virtualization", "amazon": "Amazon EC2", "google": "Google Compute Engine",
		"sre": "SRE",
	}
})

// diskContents says what is on a disk in a few words: "empty", or the
// partition table, the signatures of the disk and its partitions with
// their mount points, holders, and "not read: ..." when unknown.
func (t *textWriter) diskContents(d inventory.Disk) string {
	var parts []string
	if d.PartitionTable != "" {
		parts = append(parts, d.PartitionTable)
	}
	for _, s := range d.Signatures {
		parts = append(parts, s.Type)
	}
	parts = append(parts, mounted(d.Mountpoints)...)
	for _, p := range d.PartitionList {
		what := p.Name
		for _, s := range p.Signatures {
			what += " " + s.Type
		}
		for _, m := range p.Mountpoints {
			what += " on " + m
		}
		parts = append(parts, what)
	}
	if len(d.Holders) > 0 {
		parts = append(parts, "held by "+strings.Join(d.Holders, ","))
	}
	if d.SignatureError != "" {
		parts = append(parts, t.paint(ansiDim, "contents not read"))
	}
	if len(parts) == 0 && !d.InUse {
		return "empty"
	}
	return strings.Join(parts, ", ")
}

func mounted(mps []string) []string {
	var out []string
	for _, m := range mps {
		out = append(out, "on "+m)
	}
	return out
}

// switchInterval is how often switches send LLDP by default (msgTxInterval).
const switchInterval = 30 * time.Second

// lldpSilent is how the LLDP collector words a NIC with carrier that heard
// nothing ("eth0: no LLDP received within 3s"); with no neighbour at all
// its status is not_applicable with that reason.
const lldpSilent = "no LLDP received within"

// lldpHint suggests a longer --lldp-wait when the wait was shorter than a
// switch's usual interval and no neighbour was heard on any NIC while a NIC
// with carrier listened (not when nothing had carrier, the links were
// down or the host is a recording: waiting longer would not help).
func lldpHint(inv *inventory.Inventory, wait time.Duration) string {
	if wait <= 0 || wait >= switchInterval || inv.Network == nil {
		return ""
	}
	c := inv.Collector("lldp")
	if c == nil {
		return ""
	}
	switch c.Status {
	case inventory.StatusOK, inventory.StatusPartial:
	case inventory.StatusNotApplicable:
		if !strings.Contains(c.Error, lldpSilent) {
			return ""
		}
	default:
		return ""
	}
	for _, nic := range inv.Network.Interfaces {
		if len(nic.Neighbors) > 0 {
			return ""
		}
	}
	return fmt.Sprintf("no LLDP/CDP neighbour heard in %s: switches send every 30 s; try --lldp-wait 35s", wait)
}
