package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"text/template"

	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// Decoding is most of an export's cost, and most of an inventory is what no
// export reads: CPU flags, caches, NUMA nodes and socket records, memory
// module records, and all but a few fields of each PCI function. A lean
// decode skips those (encoding/json still checks them, but builds nothing),
// unless the hostname template names one of the skipped fields, in which
// case every document is decoded in full.

// leanInventory shadows the heavy sections of inventory.Inventory: the
// outer fields win over the embedded ones of the same JSON name.
type leanInventory struct {
	inventory.Inventory
	CPU    *leanCPU    `json:"cpu,omitempty"`
	Memory *leanMemory `json:"memory,omitempty"`
	PCI    *leanPCI    `json:"pci,omitempty"`
}

type leanCPU struct {
	ModelName      string `json:"model_name,omitempty"`
	Vendor         string `json:"vendor,omitempty"`
	Family         int    `json:"family,omitempty"`
	Model          int    `json:"model,omitempty"`
	Stepping       int    `json:"stepping,omitempty"`
	Microcode      string `json:"microcode,omitempty"`
	Packages       int    `json:"packages"`
	PhysicalCores  int    `json:"physical_cores"`
	LogicalThreads int    `json:"logical_threads"`
	OnlineCPUs     string `json:"online_cpus,omitempty"`
	OnlineCount    int    `json:"online_count"`
}

type leanMemory struct {
	TotalBytes     uint64 `json:"total_bytes"`
	InstalledBytes uint64 `json:"installed_bytes,omitempty"`
	SlotCount      int    `json:"slot_count"`
	PopulatedCount int    `json:"populated_count"`
}

type leanPCI struct {
	Devices     []leanPCIDevice `json:"devices"`
	IDsDatabase string          `json:"ids_database,omitempty"`
}

type leanPCIDevice struct {
	Address    string `json:"address"`
	Category   string `json:"category"`
	VendorID   string `json:"vendor_id"`
	DeviceID   string `json:"device_id"`
	VendorName string `json:"vendor_name,omitempty"`
	DeviceName string `json:"device_name,omitempty"`
}

// leanSkipped are the Go field names a lean decode leaves empty. A template
// naming any of them (even of another type: NIC has a Driver too) gets
// full documents.
var leanSkipped = map[string]bool{
	"Sockets": true, "Flags": true, "NUMANodes": true, "Caches": true, "Modules": true,
	"Class": true, "ClassName": true, "SubclassName": true, "SubsystemVendorID": true,
	"SubsystemDeviceID": true, "Revision": true, "SubsystemName": true, "Driver": true,
	"NUMANode": true, "IOMMUGroup": true,
}

// leanEnough reports whether the template reads nothing a lean decode
// skips.
func leanEnough(t *template.Template) bool {
	for id := range templateIdents(t) {
		if leanSkipped[id] {
			return false
		}
	}
	return true
}

// decodeLean decodes an inventory without the skipped parts.
func decodeLean(b []byte) (*inventory.Inventory, error) {
	var l leanInventory
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("not an inventory document: %w", err)
	}
	if l.SchemaVersion != inventory.SchemaVersion {
		return nil, fmt.Errorf("not an hwagent inventory: schema_version %q, want %q", l.SchemaVersion, inventory.SchemaVersion)
	}
	inv := &l.Inventory
	if c := l.CPU; c != nil {
		inv.CPU = &inventory.CPU{
			ModelName: c.ModelName, Vendor: c.Vendor, Family: c.Family, Model: c.Model,
			Stepping: c.Stepping, Microcode: c.Microcode, Packages: c.Packages,
			PhysicalCores: c.PhysicalCores, LogicalThreads: c.LogicalThreads,
			OnlineCPUs: c.OnlineCPUs, OnlineCount: c.OnlineCount,
		}
	}
	if m := l.Memory; m != nil {
		inv.Memory = &inventory.Memory{TotalBytes: m.TotalBytes, InstalledBytes: m.InstalledBytes, SlotCount: m.SlotCount, PopulatedCount: m.PopulatedCount}
	}
	if p := l.PCI; p != nil {
		inv.PCI = &inventory.PCI{IDsDatabase: p.IDsDatabase, Devices: make([]inventory.PCIDevice, len(p.Devices))}
		for i, d := range p.Devices {
			inv.PCI.Devices[i] = inventory.PCIDevice{Address: d.Address, Category: d.Category, VendorID: d.VendorID, DeviceID: d.DeviceID, VendorName: d.VendorName, DeviceName: d.DeviceName}
		}
	}
	return inv, nil
}

// loader reads documents for one goroutine of an export.
type loader struct {
	buf  bytes.Buffer
	lean bool
}

// load reads ref's document, lean when allowed and ref is a file, with
// the machine ID the source knows it by.
func (l *loader) load(ref source.Ref) (*inventory.Inventory, error) {
	if ref.Path == "" {
		return ref.Load()
	}
	if err := source.ReadFile(ref.Path, &l.buf); err != nil {
		return nil, err
	}
	decode := source.DecodeInventory
	if l.lean {
		decode = decodeLean
	}
	inv, err := decode(l.buf.Bytes())
	return ref.WithMachineID(inv), err
}
