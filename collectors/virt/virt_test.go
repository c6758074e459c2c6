package virt

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

// leaf is a 16-byte CPUID answer (EAX, EBX, ECX, EDX, little endian).
func leaf(eax, ebx, ecx, edx uint32) []byte {
	b := make([]byte, 16)
	for i, v := range []uint32{eax, ebx, ecx, edx} {
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	return b
}

func TestParseCPUID(t *testing.T) {
	t.Parallel()
	// Leaf 0x40000000 as this project's build VM (KVM on AMD EPYC)
	// answers it through /dev/cpu/0/cpuid, and leaf 1's ECX 0xfffa3203.
	kvm := []byte("\x01\x00\x00\x40KVMKVMKVM\x00\x00\x00")
	for _, tc := range []struct {
		name         string
		leaf1, leaf4 []byte
		want         CPUIDInfo
	}{
		{"kvm guest", leaf(0, 0, 0xfffa3203, 0), kvm, CPUIDInfo{HypervisorBit: true, Signature: "KVMKVMKVM"}},
		{"hyper-v", leaf(0, 0, 1<<31, 0), []byte("\x0b\x00\x00\x40Microsoft Hv"), CPUIDInfo{HypervisorBit: true, Signature: "Microsoft Hv"}},
		// Bare metal: leaf 0x40000000 echoes the highest basic leaf.
		{"bare metal", leaf(0, 0, 0x7ffefbff, 0), leaf(0x00000d, 0x1234, 0x5678, 0x9abc), CPUIDInfo{}},
		{"hypervisor bit, no leaf", leaf(0, 0, 1<<31, 0), nil, CPUIDInfo{HypervisorBit: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCPUID(tc.leaf1, tc.leaf4)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParseCPUID([]byte{1, 2}, nil); err == nil {
		t.Error("short leaf 1 accepted")
	}
}

func FuzzParseCPUID(f *testing.F) {
	f.Add(leaf(0, 0, 1<<31, 0), []byte("\x01\x00\x00\x40KVMKVMKVM\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		c, err := ParseCPUID(a, b)
		if err == nil && !printable(c.Signature) && c.Signature != "" {
			t.Fatalf("unprintable signature %q", c.Signature)
		}
	})
}

func ev(source string, virtual bool, hv, detail string) inventory.VirtualizationEvidence {
	return inventory.VirtualizationEvidence{Source: source, Virtual: virtual, Hypervisor: hv, Detail: detail}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		ev       []inventory.VirtualizationEvidence
		typ, hyp string
	}{
		{"nothing", nil, inventory.VirtualizationPhysical, ""},
		{"kvm without smbios", []inventory.VirtualizationEvidence{ev(SourceCPUID, true, "kvm", ""), ev(SourceCPUInfo, true, "", "")}, inventory.VirtualizationVirtualMachine, "kvm"},
		{"kvm under qemu's smbios", []inventory.VirtualizationEvidence{ev(SourceSMBIOS, true, "qemu", ""), ev(SourceCPUID, true, "kvm", "")}, inventory.VirtualizationVirtualMachine, "kvm"},
		{"ec2 nitro: firmware first", []inventory.VirtualizationEvidence{ev(SourceCPUID, true, "kvm", ""), ev(SourceSMBIOS, true, "amazon", "")}, inventory.VirtualizationVirtualMachine, "amazon"},
		{"virtualbox on kvm", []inventory.VirtualizationEvidence{ev(SourceCPUID, true, "kvm", ""), ev(SourceDMIID, true, "oracle", "")}, inventory.VirtualizationVirtualMachine, "oracle"},
		{"only the cpuinfo flag", []inventory.VirtualizationEvidence{ev(SourceCPUInfo, true, "", "")}, inventory.VirtualizationVirtualMachine, ""},
		{"a lone virtio function on bare metal", []inventory.VirtualizationEvidence{ev(SourcePCI, true, "", "virtio"), ev(SourceSMBIOS, false, "", "")}, inventory.VirtualizationPhysical, ""},
		{"xen dom0", []inventory.VirtualizationEvidence{ev(SourceCPUID, true, "xen", ""), ev(SourceSysHypervisor, false, "xen", "/sys/hypervisor/type \"xen\", dom0 (the Xen host)")}, inventory.VirtualizationPhysical, ""},
		{"arm64 kvm by device tree", []inventory.VirtualizationEvidence{ev(SourceDeviceTree, true, "kvm", "")}, inventory.VirtualizationVirtualMachine, "kvm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ, hyp := Decide(tc.ev)
			if typ != tc.typ || hyp != tc.hyp {
				t.Errorf("Decide = %s %q, want %s %q", typ, hyp, tc.typ, tc.hyp)
			}
		})
	}
}

// TestHostTrees: the files-only sources on host trees: a Xen guest's
// /sys/hypervisor, an arm64 KVM guest's device tree, Hyper-V's clocksource.
func TestHostTrees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		tree map[string]string
		want inventory.Virtualization
	}{
		{"xen domU", map[string]string{"sys/hypervisor/type": "xen\n", "sys/hypervisor/properties/features": "00000000000000000000000000002705\n"},
			inventory.Virtualization{Type: "virtual-machine", Hypervisor: "xen", Evidence: []inventory.VirtualizationEvidence{
				ev(SourceSysHypervisor, true, "xen", `/sys/hypervisor/type "xen"`)}}},
		{"xen dom0", map[string]string{"sys/hypervisor/type": "xen\n", "sys/hypervisor/properties/features": "00000000000000000000000000002f05\n"},
			inventory.Virtualization{Type: "physical", Evidence: []inventory.VirtualizationEvidence{
				ev(SourceSysHypervisor, false, "xen", `/sys/hypervisor/type "xen", dom0 (the Xen host)`)}}},
		{"arm64 kvm", map[string]string{"proc/device-tree/hypervisor/compatible": "linux,kvm\x00"},
			inventory.Virtualization{Type: "virtual-machine", Hypervisor: "kvm", Evidence: []inventory.VirtualizationEvidence{
				ev(SourceDeviceTree, true, "kvm", `hypervisor/compatible "linux,kvm"`)}}},
		{"hyper-v clock", map[string]string{"sys/devices/system/clocksource/clocksource0/available_clocksource": "hyperv_clocksource_tsc_page acpi_pm \n"},
			inventory.Virtualization{Type: "virtual-machine", Hypervisor: "microsoft", Evidence: []inventory.VirtualizationEvidence{
				ev(SourceClocksource, true, "microsoft", `paravirtual clocksource "hyperv_clocksource_tsc_page"`)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, tc.tree)
			inv, err := collectortest.Collect(t, New(), root, collector.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tc.want, inv.Virtualization); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestThisMachineAgainstSystemdDetectVirt: on the machine the tests run on,
// live, the decision is systemd-detect-virt --vm's.
func TestThisMachineAgainstSystemdDetectVirt(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Root, lab.SystemdDetectVirt)
	out, _ := exec.Command("systemd-detect-virt", "--vm").Output() // exits 1 for "none"
	want := strings.TrimSpace(string(out))
	if _, err := os.Stat("/dev/cpu/0/cpuid"); err != nil {
		exec.Command("modprobe", "cpuid").Run()
	}
	paths := hostpaths.New("/", nil)
	if paths.Kind() != hostpaths.Live {
		t.Fatalf("/ is not a live host: %v", paths.Kind())
	}
	inv, err := collectortest.CollectPaths(t, New(), paths, collector.Config{})
	if err != nil {
		t.Logf("warnings: %v", err)
	}
	v := inv.Virtualization
	got := v.Hypervisor
	switch {
	case v.Type == inventory.VirtualizationPhysical:
		got = "none"
	case got == "":
		got = "vm-other"
	}
	if got != want {
		t.Errorf("hwagent says %q (%+v), systemd-detect-virt --vm says %q", got, v.Evidence, want)
	}
	t.Logf("systemd-detect-virt --vm: %s; hwagent: %s %s", want, v.Type, v.Hypervisor)
}
