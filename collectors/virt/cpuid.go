package virt

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// CPUID leaves read from /dev/cpu/0/cpuid, where the file offset is the
// leaf and each read gives EAX, EBX, ECX, EDX (16 bytes, little endian).
const (
	leafFeatures   = 0x1
	leafHypervisor = 0x40000000
	// hypervisorBit is CPUID.1:ECX[31], "hypervisor present".
	hypervisorBit = 1 << 31
)

// CPUIDInfo is what the hypervisor leaves of CPUID say.
type CPUIDInfo struct {
	// HypervisorBit is CPUID.1:ECX[31].
	HypervisorBit bool
	// Signature is the 12-byte vendor signature of leaf 0x40000000 (EBX,
	// ECX, EDX), NULs dropped; empty when the leaf is not implemented.
	Signature string
}

// ParseCPUID decodes the 16-byte answers of leaf 1 and leaf 0x40000000.
// leaf40 may be nil (not read).
func ParseCPUID(leaf1, leaf40 []byte) (CPUIDInfo, error) {
	var c CPUIDInfo
	if len(leaf1) != 16 {
		return c, fmt.Errorf("cpuid leaf 1: %d bytes, want 16", len(leaf1))
	}
	c.HypervisorBit = binary.LittleEndian.Uint32(leaf1[8:])&hypervisorBit != 0
	if len(leaf40) == 16 {
		maxLeaf := binary.LittleEndian.Uint32(leaf40[0:])
		// A CPU without hypervisor leaves echoes the highest basic leaf's
		// data; a hypervisor's max leaf is 0x40000000 or above.
		if maxLeaf >= leafHypervisor && maxLeaf < leafHypervisor+0x10000 {
			sig := strings.TrimRight(string(leaf40[4:16]), "\x00")
			if printable(sig) {
				c.Signature = sig
			}
		}
	}
	return c, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// cpuidVendors maps leaf 0x40000000 signatures to systemd-detect-virt's
// names (src/basic/virt.c, detect_vm_cpuid).
var cpuidVendors = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"XenVMMXenVMM": "xen",
		"KVMKVMKVM":    "kvm",
		"Linux KVM Hv": "kvm", // KVM with Hyper-V enlightenments
		"TCGTCGTCGTCG": "qemu",
		"VMwareVMware": "vmware",
		"Microsoft Hv": "microsoft",
		"bhyve bhyve ": "bhyve",
		"QNXQVMBSQG":   "qnx",
		"ACRNACRNACRN": "acrn",
		"SRESRESRESRE": "sre",
		"Apple VZ":     "apple",
		"VBoxVBoxVBox": "oracle",
		" lrpepyh  vr": "parallels",
	}
})
