package memory

import (
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// TestMemoryBlocksFixture: the project's build VM (no SMBIOS) captured
// with its 192 online 128 MiB blocks; lshw -C memory said "size" :
// 25769803776 (24 GiB) on it at the same time, MemTotal 24683772 kB.
func TestMemoryBlocksFixture(t *testing.T) {
	t.Parallel()
	inv, err := collectortest.Collect(t, New(), "testdata/local/vm-24g", collector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := inv.Memory
	if m.InstalledBytes != 25769803776 || m.InstalledSource != inventory.InstalledFromMemoryBlocks ||
		m.BlockBytes != 128<<20 || m.OnlineBlocks != 192 || m.TotalBytes != 24683772<<10 {
		t.Errorf("memory = %+v", m)
	}
	for _, bad := range []string{"0", "zz", "3000"} {
		if _, err := ParseBlockSize(bad); err == nil {
			t.Errorf("ParseBlockSize(%q) accepted", bad)
		}
	}
}

// TestMemoryBlocksAgainstLshw: on the machine the tests run on, the
// installed memory without SMBIOS is what lshw reports.
func TestMemoryBlocksAgainstLshw(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Root, lab.Lshw)
	paths := hostpaths.New("/", nil)
	b, err := readBlocks(paths)
	if err != nil {
		lab.Unavailable(t, lab.Root, err)
	}
	out, err := exec.CommandContext(t.Context(), "lshw", "-json", "-quiet", "-C", "memory").Output()
	if err != nil {
		t.Fatalf("lshw: %v", err)
	}
	var nodes []struct {
		ID          string `json:"id"`
		Description string `json:"description"`
		Size        uint64 `json:"size"`
	}
	if err := json.Unmarshal(out, &nodes); err != nil {
		t.Fatalf("lshw json: %v\n%s", err, out)
	}
	for _, n := range nodes {
		// "System memory" is lshw's node built from the memory blocks
		// (with SMBIOS it is "System Memory", the sum of the banks).
		if n.Description == "System memory" {
			if n.Size != b.Bytes() {
				t.Errorf("lshw says %d bytes, the memory blocks %d (%d × %d)", n.Size, b.Bytes(), b.Online, b.BlockBytes)
			}
			return
		}
	}
	t.Logf("lshw reports the SMBIOS banks here, not the memory blocks: %s", out)
}
