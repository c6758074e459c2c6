package pci

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/inventory"
)

// TestClassNamesAgreeWithPCIIDs checks the built-in table against the class
// list of the real pci.ids excerpt: same classes, same subclasses, same
// names (one typo in pci.ids aside).
func TestClassNamesAgreeWithPCIIDs(t *testing.T) {
	t.Parallel()
	f, err := os.Open("pciids/testdata/pci.ids")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fixed := map[string]string{"Smard Card controller": "Smart Card controller"}
	var base uint64
	inClasses := false
	seen := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "C "):
			inClasses = true
			base, _ = strconv.ParseUint(line[2:4], 16, 8)
			name, _ := ClassNames(uint32(base) << 16)
			if want := line[6:]; name != want {
				t.Errorf("class %02x: %q, pci.ids says %q", base, name, want)
			}
			seen++
		case inClasses && strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, "\t\t"):
			sub, _ := strconv.ParseUint(line[1:3], 16, 8)
			want := line[5:]
			if w, ok := fixed[want]; ok {
				want = w
			}
			if _, got := ClassNames(uint32(base)<<16 | uint32(sub)<<8); got != want {
				t.Errorf("class %02x%02x: %q, pci.ids says %q", base, sub, got, want)
			}
			seen++
		}
	}
	if seen != 136 {
		t.Errorf("compared %d classes and subclasses, want 136 (22 classes, 114 subclasses)", seen)
	}
	total := 0
	for _, c := range classes() {
		total += 1 + len(c.subclasses)
	}
	if total != seen {
		t.Errorf("built-in table has %d entries, pci.ids %d", total, seen)
	}
}

func TestCategory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		vendor uint16
		class  uint32
		want   string
	}{
		{"matrox vga (r610)", 0x102b, 0x030000, inventory.PCICategoryGPU},
		{"intel igpu (laptop)", 0x8086, 0x030000, inventory.PCICategoryGPU},
		{"virtio gpu", 0x1af4, 0x030000, inventory.PCICategoryGPU},
		{"tesla p100 3d controller", 0x10de, 0x030200, inventory.PCICategoryGPU},
		{"amd instinct display controller", 0x1002, 0x038000, inventory.PCICategoryGPU},
		{"amd radeon vga", 0x1002, 0x030000, inventory.PCICategoryGPU},
		{"processing accelerator", 0x1b36, 0x120000, inventory.PCICategoryAccelerator},
		{"co-processor", 0x8086, 0x0b4000, inventory.PCICategoryAccelerator},
		{"habana gaudi", 0x1da3, 0x100000, inventory.PCICategoryAccelerator},
		{"habana bridge", 0x1da3, 0x060400, inventory.PCICategoryBridge},
		{"bnx2", 0x14e4, 0x020000, inventory.PCICategoryNetwork},
		{"iwlwifi", 0x8086, 0x028000, inventory.PCICategoryNetwork},
		{"nvme", 0x144d, 0x010802, inventory.PCICategoryStorage},
		{"perc raid", 0x1000, 0x010400, inventory.PCICategoryStorage},
		{"pcie root port", 0x8086, 0x060400, inventory.PCICategoryBridge},
		{"xhci", 0x8086, 0x0c0330, inventory.PCICategoryOther},
		{"unassigned", 0x1af4, 0xffff00, inventory.PCICategoryOther},
	}
	for _, tt := range tests {
		if got := Category(tt.vendor, tt.class); got != tt.want {
			t.Errorf("%s: Category(%04x, %06x) = %q, want %q", tt.name, tt.vendor, tt.class, got, tt.want)
		}
	}
}
