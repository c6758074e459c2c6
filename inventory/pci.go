package inventory

// PCI lists every PCI function in /sys/bus/pci/devices.
type PCI struct {
	Devices []PCIDevice `json:"devices"`
	// IDsDatabase is the pci.ids file names were taken from, if one was found.
	IDsDatabase string `json:"ids_database,omitempty"`
}

// PCI device categories hwagent calls out.
const (
	PCICategoryGPU         = "gpu"
	PCICategoryAccelerator = "accelerator"
	PCICategoryNetwork     = "network"
	PCICategoryStorage     = "storage"
	PCICategoryBridge      = "bridge"
	PCICategoryOther       = "other"
)

// PCIDevice is one PCI function.
type PCIDevice struct {
	// Address is domain:bus:device.function ("0000:00:1f.2").
	Address string `json:"address"`
	// Class is the 24-bit class code as six hex digits ("030000").
	Class string `json:"class"`
	// ClassName and SubclassName from the PCI class list (built in).
	ClassName    string `json:"class_name,omitempty"`
	SubclassName string `json:"subclass_name,omitempty"`
	// Category is gpu, accelerator, network, storage, bridge or other.
	Category          string `json:"category"`
	VendorID          string `json:"vendor_id"`
	DeviceID          string `json:"device_id"`
	SubsystemVendorID string `json:"subsystem_vendor_id,omitempty"`
	SubsystemDeviceID string `json:"subsystem_device_id,omitempty"`
	// Revision is two hex digits ("01").
	Revision string `json:"revision,omitempty"`
	// VendorName, DeviceName, SubsystemName from pci.ids, when found.
	VendorName    string `json:"vendor_name,omitempty"`
	DeviceName    string `json:"device_name,omitempty"`
	SubsystemName string `json:"subsystem_name,omitempty"`
	// Driver bound to the function.
	Driver string `json:"driver,omitempty"`
	// NUMANode is the function's numa_node; absent when the kernel says -1.
	NUMANode *int `json:"numa_node,omitempty"`
	// IOMMUGroup is the function's IOMMU group number; absent without IOMMU.
	IOMMUGroup *int `json:"iommu_group,omitempty"`
}
