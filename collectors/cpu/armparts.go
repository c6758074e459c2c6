package cpu

import "sync"

// armImplementers and armParts name the arm64 MIDR implementer and part
// numbers that /proc/cpuinfo prints as "CPU implementer" and "CPU part", for
// the cores found in servers and common boards. Names follow util-linux's
// lscpu (sys-utils/lscpu-arm.c), so that they match what operators see.
var armImplementers = sync.OnceValue(func() map[int]string {
	return map[int]string{
		0x41: "ARM",
		0x42: "Broadcom",
		0x43: "Cavium",
		0x46: "Fujitsu",
		0x48: "HiSilicon",
		0x4e: "NVIDIA",
		0x50: "APM",
		0x51: "Qualcomm",
		0x61: "Apple",
		0x6d: "Microsoft",
		0xc0: "Ampere",
	}
})

var armParts = sync.OnceValue(func() map[int]map[int]string {
	return map[int]map[int]string{
		0x41: {
			0xd03: "Cortex-A53", 0xd04: "Cortex-A35", 0xd05: "Cortex-A55",
			0xd07: "Cortex-A57", 0xd08: "Cortex-A72", 0xd09: "Cortex-A73",
			0xd0a: "Cortex-A75", 0xd0b: "Cortex-A76", 0xd0c: "Neoverse-N1",
			0xd0d: "Cortex-A77", 0xd40: "Neoverse-V1", 0xd41: "Cortex-A78",
			0xd44: "Cortex-X1", 0xd46: "Cortex-A510", 0xd47: "Cortex-A710",
			0xd48: "Cortex-X2", 0xd49: "Neoverse-N2", 0xd4a: "Neoverse-E1",
			0xd4f: "Neoverse-V2", 0xd80: "Cortex-A520", 0xd81: "Cortex-A720",
			0xd84: "Neoverse-V3", 0xd8e: "Neoverse-N3",
		},
		0x42: {0x516: "ThunderX2"},
		0x43: {
			0x0a1: "ThunderX-88XX", 0x0a2: "ThunderX-81XX", 0x0a3: "ThunderX-83XX",
			0x0af: "ThunderX2-99xx", 0x0b8: "ThunderX3-T110",
		},
		0x46: {0x001: "A64FX"},
		0x48: {0xd01: "TaiShan-v110", 0xd02: "TaiShan-v120"},
		0x4e: {0x003: "Denver 2", 0x004: "Carmel"},
		0x50: {0x000: "X-Gene"},
		0x51: {0xc00: "Falkor", 0x001: "Oryon"},
		0xc0: {0xac3: "Ampere-1", 0xac4: "Ampere-1a"},
	}
})

// ARMName returns the implementer's name and the part's name for an arm64
// MIDR, each empty when not in the table. part may be nil.
func ARMName(implementer int, part *int) (vendor, model string) {
	vendor = armImplementers()[implementer]
	if part != nil {
		model = armParts()[implementer][*part]
	}
	return vendor, model
}
