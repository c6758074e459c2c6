package memory

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
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

// TestZoneinfoProvesBlocksOnline: /proc/zoneinfo of the same VM as
// testdata/local/vm-24g (192 blocks of 128 MiB, all online; lshw: 24 GiB)
// counts 6291358 present 4 KiB pages (24575.6 MiB: the first MiB's holes
// are not present). That proves all 192 blocks online; with one block
// offline the kernel would count 32768 pages fewer, and that proves
// nothing: the blocks are then read one by one.
func TestZoneinfoProvesBlocksOnline(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/zoneinfo-vm-24g")
	if err != nil {
		t.Fatal(err)
	}
	pages, err := ParseZoneinfoPresent(data)
	if err != nil || pages != 6291358 {
		t.Fatalf("ParseZoneinfoPresent = %d, %v; want 6291358", pages, err)
	}
	vm := Blocks{BlockBytes: 128 << 20, Total: 192}
	if !AllOnline(vm, pages, 4096) {
		t.Errorf("AllOnline(192 blocks, %d pages) = false", pages)
	}
	if AllOnline(vm, pages-32768, 4096) {
		t.Errorf("AllOnline with one block's pages taken out = true")
	}
	if AllOnline(Blocks{BlockBytes: 128 << 20, Total: 193}, pages, 4096) {
		t.Errorf("AllOnline with a 193rd block = true")
	}
	for _, bad := range []string{"", "Node 0, zone DMA\n  pages free 3\n", "  present 12x\n", "present 18446744073709551615\npresent 2\n"} {
		if _, err := ParseZoneinfoPresent([]byte(bad)); err == nil {
			t.Errorf("ParseZoneinfoPresent(%q) accepted", bad)
		}
	}
	if AllOnline(vm, 1<<62, 1<<16) {
		t.Errorf("AllOnline accepted an overflowing page count")
	}
}

// TestMemoryBlocksShortcutLive: on the running machine, what readBlocks
// answers (from /proc/zoneinfo when it proves every block online) is what
// reading every block's "online" file gives.
func TestMemoryBlocksShortcutLive(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Sysfs)
	p := hostpaths.New("/", nil)
	b, err := readBlocks(p)
	if errors.Is(err, ErrNoBlocks) {
		lab.Unavailable(t, lab.Sysfs, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := p.Sys("devices", "system", "memory")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "memory") && e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if online := countOnline(p, dir, names); b.Online != online || b.Total != len(names) {
		t.Errorf("readBlocks = %d of %d online; the blocks' files say %d of %d", b.Online, b.Total, online, len(names))
	}
	t.Logf("%d of %d blocks of %d MiB online", b.Online, b.Total, b.BlockBytes>>20)
}

// TestSnapshotRoundTripLive: a snapshot of the running machine replays to
// the same memory section. On the live machine the blocks' files may be
// skipped (zoneinfo proves them online), but not while recording: a
// replayed tree has no page size to read zoneinfo with, and counts the
// blocks' files, which must therefore be in the snapshot.
func TestSnapshotRoundTripLive(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Sysfs)
	collectortest.SnapshotRoundTrip(t, New(), "/")
}
