package blockid

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/lab"
)

// image makes a sparse file of size bytes in a test directory.
func image(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.img")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, stdin string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// blkidExport is `blkid -p -o export FILE` as a map (low-level probing,
// no cache: what the on-disk bytes say).
func blkidExport(t *testing.T, file string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command("blkid", append([]string{"-p", "-o", "export"}, append(args, file)...)...)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
			return map[string]string{} // nothing found
		}
		t.Fatalf("blkid %s: %v", file, err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && k != "DEVNAME" {
			m[k] = unescape(v)
		}
	}
	return m
}

// probeFile runs Probe over a file through a Budget reader.
func probeFile(t *testing.T, file string, partition bool) Result {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return Probe(Device{R: Budget(f, 256<<10), Size: fi.Size(), SectorSize: 512, Partition: partition})
}

// asBlkid renders what Probe found with blkid's export keys, for the keys
// blkid printed.
func asBlkid(res Result, keys map[string]string) map[string]string {
	m := map[string]string{}
	if t := res.Table; t != nil {
		m["PTTYPE"], m["PTUUID"] = t.Type, t.UUID
	}
	if len(res.Signatures) > 0 {
		s := res.Signatures[0]
		m["TYPE"], m["USAGE"], m["UUID"], m["LABEL"], m["VERSION"], m["UUID_SUB"] = s.Type, s.Usage, s.UUID, s.Label, s.Version, s.SubUUID
	}
	out := map[string]string{}
	for k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	for k, v := range m {
		if _, ok := keys[k]; !ok && v != "" {
			out[k+" (blkid has none)"] = v
		}
	}
	return out
}

// ignoredBlkidKeys are blkid values Probe does not produce.
var ignoredBlkidKeys = []string{"BLOCK_SIZE", "LABEL_FATBOOT", "SEC_TYPE", "PART_ENTRY_SCHEME"}

// TestProbeAgainstBlkid makes real filesystems, swap and partition tables
// with the tools that make them on a server (mkfs.*, mkswap, sfdisk) in
// image files and checks that Probe reads what blkid reads from the same
// bytes.
func TestProbeAgainstBlkid(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.DiskTools)
	for _, tc := range []struct {
		name string
		size int64
		make func(t *testing.T, img string)
	}{
		{"ext4", 64 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.ext4", "-q", "-F", "-L", "data-ext4", img) }},
		{"ext3", 64 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.ext3", "-q", "-F", "-L", "old3", img) }},
		{"ext2", 16 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.ext2", "-q", "-F", img) }},
		{"xfs", 320 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.xfs", "-q", "-f", "-L", "xfsdata", img) }},
		{"vfat32", 64 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.vfat", "-F", "32", "-n", "EFI", img) }},
		{"vfat16", 32 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.vfat", "-F", "16", "-n", "BOOT16", img) }},
		{"vfat12 no label", 4 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.vfat", "-F", "12", img) }},
		{"swap", 32 << 20, func(t *testing.T, img string) {
			os.Chmod(img, 0o600)
			run(t, "", "mkswap", "-L", "swap0", img)
		}},
		{"gpt", 64 << 20, func(t *testing.T, img string) {
			run(t, "label: gpt\nsize=8M, type=U, name=\"EFI system\"\nsize=8M, type=S, name=swap\ntype=R\n", "sfdisk", "-q", img)
		}},
		{"gpt of 300 partitions in a 512-entry array (64 KiB, the most read)", 400 << 20, func(t *testing.T, img string) {
			script := "label: gpt\ntable-length: 512\n" + strings.Repeat("size=1MiB, type=L\n", 300)
			run(t, script, "sfdisk", "-q", img)
		}},
		{"dos with logical partitions", 64 << 20, func(t *testing.T, img string) {
			run(t, "label: dos\nsize=8M, type=83, bootable\nsize=8M, type=82\ntype=5\nsize=4M, type=83\nsize=4M, type=8e\ntype=fd\n", "sfdisk", "-q", img)
		}},
		{"luks2", 32 << 20, func(t *testing.T, img string) {
			run(t, "secret", "cryptsetup", "luksFormat", "--type", "luks2", "--batch-mode", "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000", "--label", "vault", img, "-")
		}},
		{"luks1", 32 << 20, func(t *testing.T, img string) {
			run(t, "secret", "cryptsetup", "luksFormat", "--type", "luks1", "--batch-mode", "--pbkdf-force-iterations", "1000", img, "-")
		}},
		{"btrfs", 128 << 20, func(t *testing.T, img string) { run(t, "", "mkfs.btrfs", "-q", "-f", "-L", "bdata", img) }},
		{"blank", 8 << 20, func(t *testing.T, img string) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			img := image(t, tc.size)
			tc.make(t, img)
			want := blkidExport(t, img)
			for _, k := range ignoredBlkidKeys {
				delete(want, k)
			}
			res := probeFile(t, img, false)
			if diff := cmp.Diff(want, asBlkid(res, want)); diff != "" {
				t.Errorf("Probe vs blkid -p (-blkid +Probe):\n%s", diff)
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems on a sound image: %q", res.Problems)
			}
			if res.Table != nil {
				if diff := cmp.Diff(sfdiskEntries(t, img), entries(res.Table)); diff != "" {
					t.Errorf("partition entries vs sfdisk --json (-sfdisk +Probe):\n%s", diff)
				}
			}
		})
	}
}

// sfdiskEntries lists the partitions `sfdisk --json` reads from img as
// "N start size type uuid name" (sectors; GUIDs lower case; MBR types as
// blkid writes them, "0x83").
func sfdiskEntries(t *testing.T, img string) []string {
	t.Helper()
	var doc struct {
		PartitionTable struct {
			Partitions []struct {
				Node        string `json:"node"`
				Start, Size int64
				Type, UUID  string
				Name        string
			} `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal([]byte(run(t, "", "sfdisk", "--json", img)), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range doc.PartitionTable.Partitions {
		n := strings.TrimPrefix(p.Node, img)
		typ := strings.ToLower(p.Type)
		if len(typ) <= 2 {
			typ = "0x" + typ
		}
		out = append(out, fmt.Sprintf("%s %d %d %s %s %s", n, p.Start, p.Size, typ, strings.ToLower(p.UUID), p.Name))
	}
	return out
}

func entries(t *Table) []string {
	var out []string
	for _, e := range t.Entries {
		uuid := e.UUID
		if t.Type == "dos" {
			uuid = "" // sfdisk prints no per-partition ID for MBR
		}
		out = append(out, fmt.Sprintf("%d %d %d %s %s %s", e.Number, e.Start/512, e.Size/512, e.Type, uuid, e.Name))
	}
	return out
}

// unescape undoes the shell quoting of blkid -o export ("LVM2\\ 001").
func unescape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
