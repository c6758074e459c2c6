package storage

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
)

// benchDisks is the size of the benchmark's JBOD.
const benchDisks = 64

// gptDisk writes a sparse disk image of size bytes with a protective MBR
// and a GPT of one Linux partition from 1 MiB to the end.
func gptDisk(t testing.TB, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 34*512)
	le := binary.LittleEndian
	head[446+4] = 0xEE
	le.PutUint32(head[446+8:], 1)
	le.PutUint32(head[446+12:], 0xFFFFFFFF)
	head[510], head[511] = 0x55, 0xAA
	ent := head[1024 : 1024+128*128]
	typ := []byte{0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4} // Linux filesystem
	copy(ent[0:16], typ)
	copy(ent[16:32], []byte(fmt.Sprintf("part%011d", size%1e11)))
	le.PutUint64(ent[32:], 2048)
	le.PutUint64(ent[40:], uint64(size/512-34))
	h := head[512:1024]
	copy(h, "EFI PART")
	le.PutUint32(h[8:], 0x00010000)
	le.PutUint32(h[12:], 92)
	le.PutUint64(h[24:], 1)
	le.PutUint64(h[32:], uint64(size/512-1))
	le.PutUint64(h[40:], 34)
	le.PutUint64(h[48:], uint64(size/512-34))
	copy(h[56:72], []byte("disk-guid-000000"))
	le.PutUint64(h[72:], 2)
	le.PutUint32(h[80:], 128)
	le.PutUint32(h[84:], 128)
	le.PutUint32(h[88:], crc32.ChecksumIEEE(ent))
	le.PutUint32(h[16:], crc32.ChecksumIEEE(h[:92]))
	if _, err := f.WriteAt(head, 0); err != nil {
		t.Fatal(err)
	}
}

// jbodTree builds a host tree of benchDisks SAS disks behind one HBA,
// each with a GPT and one partition, their device nodes standing in as
// sparse image files.
func jbodTree(t testing.TB) string {
	root := t.TempDir()
	tr := tree{}
	for i := 0; i < benchDisks; i++ {
		name := fmt.Sprintf("sd%c%c", 'a'+i/26, 'a'+i%26)
		hctl := fmt.Sprintf("0:0:%d:0", i)
		devPath := fmt.Sprintf("devices/pci0000:00/0000:00:03.0/0000:18:00.0/host0/port-0:%d/end_device-0:%d/target0:0:%d/%s/block/%s", i, i, i, hctl, name)
		scsi := fmt.Sprintf("sys/devices/pci0000:00/0000:00:03.0/0000:18:00.0/host0/port-0:%d/end_device-0:%d/target0:0:%d/%s/", i, i, i, hctl)
		tr[scsi+"vendor"] = "SEAGATE \n"
		tr[scsi+"model"] = "ST1800MM0129    \n"
		tr[scsi+"rev"] = "C003\n"
		tr.disk(name, devPath, map[string]string{
			"size": "3515625000\n", "dev": fmt.Sprintf("8:%d\n", 16*i), "removable": "0\n", "ro": "0\n",
			"queue/logical_block_size": "512\n", "queue/physical_block_size": "4096\n", "queue/rotational": "1\n",
			"device":             "->../../../" + hctl,
			name + "1/partition": "1\n",
			name + "1/start":     "2048\n",
			name + "1/size":      "3515620000\n",
			name + "1/dev":       fmt.Sprintf("8:%d\n", 16*i+1),
		})
	}
	testutil.WriteTree(t, root, tr)
	if err := os.MkdirAll(filepath.Join(root, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < benchDisks; i++ {
		name := fmt.Sprintf("sd%c%c", 'a'+i/26, 'a'+i%26)
		gptDisk(t, filepath.Join(root, "dev", name), 3515625000*512)
		if err := os.WriteFile(filepath.Join(root, "dev", name+"1"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Truncate(filepath.Join(root, "dev", name+"1"), 3515620000*512)
	}
	return root
}

// BenchmarkCollect64Disks collects a JBOD of 64 SAS disks, each with a
// GPT and a partition, reading every disk's and partition's first
// sectors (device nodes are sparse files here: the page cache, not the
// disks, answers); ns/disk is the cost of one disk.
func BenchmarkCollect64Disks(b *testing.B) {
	root := jbodTree(b)
	env := collector.NewEnv(hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()), nil, collector.Config{})
	c := New()
	b.ReportAllocs()
	start := time.Now()
	n := 0
	for b.Loop() {
		apply, err := c.Collect(b.Context(), env)
		if err != nil || apply == nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(n*benchDisks), "ns/disk")
}

// TestJBODTree: the benchmark's tree reads as 64 disks in use, each with
// its GPT and partition, and nothing else.
func TestJBODTree(t *testing.T) {
	t.Parallel()
	root := jbodTree(t)
	all, err := collectortest.CollectPaths(t, New(), hostpaths.New(root, nil).WithMachine(hostpaths.Kernel()), collector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	inv := all.Storage
	if len(inv.Disks) != benchDisks {
		t.Fatalf("%d disks", len(inv.Disks))
	}
	for _, d := range inv.Disks {
		if d.PartitionTable != "gpt" || len(d.PartitionList) != 1 || d.PartitionList[0].TypeName != "Linux filesystem" || !d.InUse || d.SignatureError != "" {
			t.Fatalf("%s: %+v", d.Name, d)
		}
	}
}
