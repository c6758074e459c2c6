package smbios

import (
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

func TestVirtualFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range fixtures {
		sys, err := parseFixture(t, name).System()
		if err != nil {
			t.Fatal(err)
		}
		want, hv := false, ""
		if name == "VMWare" {
			want, hv = true, HypervisorVMware
		}
		if sys.Virtual != want || sys.Hypervisor != hv {
			t.Errorf("%s: Virtual %v Hypervisor %q, want %v %q", name, sys.Virtual, sys.Hypervisor, want, hv)
		}
	}
}

// TestDetectVirtual uses the type 0 and 1 strings the hypervisors write
// (QEMU 7.2 and 8, VirtualBox 7, Hyper-V Gen 2, EC2 Nitro, GCE).
func TestDetectVirtual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		vmBit                 bool
		biosVendor, mfr, prod string
		wantVirtual           bool
		wantHypervisor        string
	}{
		{"QEMU pc", false, "SeaBIOS", "QEMU", "Standard PC (i440FX + PIIX, 1996)", true, HypervisorQEMU},
		{"QEMU with OVMF", true, "EDK II", "QEMU", "Standard PC (Q35 + ICH9, 2009)", true, HypervisorQEMU},
		{"VirtualBox", false, "innotek GmbH", "innotek GmbH", "VirtualBox", true, HypervisorVirtualBox},
		{"Hyper-V", false, "Microsoft Corporation", "Microsoft Corporation", "Virtual Machine", true, HypervisorHyperV},
		{"Surface is not Hyper-V", false, "Microsoft Corporation", "Microsoft Corporation", "Surface Laptop 4", false, ""},
		{"Xen HVM", false, "Xen", "Xen", "HVM domU", true, HypervisorXen},
		{"EC2 Nitro VM", false, "Amazon EC2", "Amazon EC2", "m5.large", true, HypervisorEC2},
		{"EC2 bare metal", false, "Amazon EC2", "Amazon EC2", "m5.metal", false, ""},
		{"GCE", false, "Google", "Google", "Google Compute Engine", true, HypervisorGCE},
		{"RHEV/oVirt", false, "SeaBIOS", "Red Hat", "KVM", true, HypervisorKVM},
		{"VM bit, unknown vendor", true, "Acme", "Acme", "Cloud VM", true, ""},
		{"Supermicro", false, "American Megatrends Inc.", "Supermicro", "X11DPi-N", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &inventory.System{
				BIOS:    inventory.BIOS{Vendor: tt.biosVendor},
				Product: inventory.Product{Manufacturer: tt.mfr, Name: tt.prod},
			}
			v, hv := DetectVirtual(tt.vmBit, s)
			if v != tt.wantVirtual || hv != tt.wantHypervisor {
				t.Errorf("DetectVirtual = %v %q, want %v %q", v, hv, tt.wantVirtual, tt.wantHypervisor)
			}
		})
	}
}
