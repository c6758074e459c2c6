//go:build linux

package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

func sh(t *testing.T, stdin, name string, args ...string) string {
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

// loopDisk attaches a new sparse image of size bytes as a loop device
// with partition scanning, writes the sfdisk script (when given) and
// returns the loop device's kernel name. The device is detached when the
// test ends, whatever happens; losetup --find picks a free device, so
// tests running at the same time on the machine get their own.
func loopDisk(t *testing.T, size int64, table string) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "disk.img")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	dev := strings.TrimSpace(sh(t, "", "losetup", "--find", "--show", "--partscan", img))
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v: %s", dev, err, out)
		}
	})
	if table != "" {
		sh(t, table, "sfdisk", "--quiet", "--wipe", "always", dev)
		// The kernel's rescan after sfdisk does not always add the
		// partitions of a loop device: add them explicitly.
		exec.Command("partx", "--add", dev).Run()
		for _, p := range partitionNames(hostpaths.New("/", nil), filepath.Base(dev)) {
			waitNode(t, "/dev/"+p)
		}
	}
	return filepath.Base(dev)
}

func waitNode(t *testing.T, node string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(node); err == nil {
			return
		}
		exec.Command("sleep", "0.05").Run()
	}
	t.Fatalf("%s did not appear", node)
}

// blkidOf is `blkid -p -o export DEV` without DEVNAME, values unescaped.
func blkidOf(t *testing.T, dev string) map[string]string {
	t.Helper()
	out, err := exec.Command("blkid", "-p", "-o", "export", dev).Output()
	m := map[string]string{}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
			return m
		}
		t.Fatalf("blkid %s: %v", dev, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		if k != "DEVNAME" {
			m[k] = strings.ReplaceAll(v, `\ `, " ")
		}
	}
	return m
}

// lsblkNode is one device of `lsblk --json --bytes`.
type lsblkNode struct {
	Name        string      `json:"name"`
	Size        uint64      `json:"size"`
	MountPoints []*string   `json:"mountpoints"`
	Children    []lsblkNode `json:"children"`
}

func lsblk(t *testing.T, dev string) lsblkNode {
	t.Helper()
	var doc struct{ BlockDevices []lsblkNode }
	if err := json.Unmarshal([]byte(sh(t, "", "lsblk", "--json", "--bytes", "--output", "NAME,SIZE,MOUNTPOINTS", "/dev/"+dev)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.BlockDevices) != 1 {
		t.Fatalf("lsblk %s: %d devices", dev, len(doc.BlockDevices))
	}
	return doc.BlockDevices[0]
}

func mounts(n lsblkNode) []string {
	var out []string
	for _, m := range n.MountPoints {
		if m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// view is what the test compares: per device, blkid's keys and lsblk's
// size and mount points, in the same shape for both sides.
type view struct {
	Size   uint64
	Mounts []string
	Blkid  map[string]string
}

func sigKeys(m map[string]string, s []inventory.Signature) {
	if len(s) == 0 {
		return
	}
	m["TYPE"], m["USAGE"], m["UUID"], m["LABEL"], m["VERSION"] = s[0].Type, s[0].Usage, s[0].UUID, s[0].Label, s[0].Version
}

func prune(m map[string]string, keep map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if _, ok := keep[k]; ok || v != "" {
			out[k] = v
		}
	}
	return out
}

// TestLoopDisksAgainstLsblkAndBlkid builds disks the way an operator's
// installer leaves them — GPT with an EFI system partition, a mounted
// ext4 root, swap and an LVM PV; MBR with xfs and a logical ext4; ext4 on
// the bare disk; an empty disk — on loop devices, reads them as the
// storage collector does, and checks each fact against lsblk (sizes,
// partitions, mount points) and blkid -p (partition table, partition
// entries, signatures). Only the empty disk may be chosen as an install
// disk.
func TestLoopDisksAgainstLsblkAndBlkid(t *testing.T) {
	lab.Need(t, lab.LoopDevices)
	gpt := loopDisk(t, 128<<20, "label: gpt\nsize=16M, type=U, name=\"EFI System Partition\"\nsize=40M, type=L, name=root\nsize=16M, type=S\ntype=E6D6D379-F507-44C2-A23C-238F2A3DF928, name=pv\n")
	dos := loopDisk(t, 400<<20, "label: dos\nsize=330M, type=83\ntype=5\nsize=16M, type=83\n")
	bare := loopDisk(t, 32<<20, "")
	empty := loopDisk(t, 32<<20, "")
	p := func(disk string, n int) string { return fmt.Sprintf("/dev/%sp%d", disk, n) }
	sh(t, "", "mkfs.vfat", "-F", "32", "-n", "ESP", p(gpt, 1))
	sh(t, "", "mkfs.ext4", "-q", "-L", "root", p(gpt, 2))
	sh(t, "", "mkswap", "-L", "swap0", p(gpt, 3))
	sh(t, "", "pvcreate", "--config", "devices { obtain_device_list_from_udev=0 use_devicesfile=0 }", "-ff", "-y", p(gpt, 4))
	sh(t, "", "mkfs.xfs", "-q", "-f", "-L", "data", p(dos, 1))
	sh(t, "", "mkfs.ext4", "-q", "-L", "logical5", p(dos, 5))
	sh(t, "", "mkfs.ext4", "-q", "-F", "-L", "wholedisk", "/dev/"+bare)
	mnt := t.TempDir()
	sh(t, "", "mount", p(gpt, 2), mnt)
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	// The collector reads PID 1's mount table; give it this process's,
	// which is where the mount above is.
	procDir := t.TempDir()
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(procDir, "1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(procDir, "1", "mountinfo"), mi, 0o644); err != nil {
		t.Fatal(err)
	}
	paths := hostpaths.New("/", hostpaths.Overrides{hostpaths.Proc: procDir}).WithMachine(hostpaths.Kernel())
	var w collector.Warnings
	r := reader{p: paths, w: &w}
	names := []string{gpt, dos, bare, empty}
	out := &inventory.Storage{}
	for _, n := range names {
		size, _ := r.uint(paths.Sys("block", n, "size"))
		out.Disks = append(out.Disks, inventory.Disk{Name: n, Path: "/dev/" + n, SizeBytes: size * 512, LogicalSectorBytes: 512})
	}
	ents, err := paths.ReadDir(paths.Sys("block"))
	if err != nil {
		t.Fatal(err)
	}
	readUsage(context.Background(), r, ents, out, nil)
	if err := w.Err(); err != nil {
		t.Logf("warnings: %v", err)
	}

	for _, d := range out.Disks {
		t.Run(d.Name, func(t *testing.T) {
			if d.SignatureError != "" {
				t.Errorf("signature error: %s", d.SignatureError)
			}
			tree := lsblk(t, d.Name)
			bk := blkidOf(t, "/dev/"+d.Name)
			delete(bk, "BLOCK_SIZE")
			want := map[string]view{d.Name: {Size: tree.Size, Mounts: mounts(tree), Blkid: bk}}
			m := map[string]string{"PTTYPE": d.PartitionTable, "PTUUID": d.PartitionTableUUID}
			sigKeys(m, d.Signatures)
			got := map[string]view{d.Name: {Size: d.SizeBytes, Mounts: d.Mountpoints, Blkid: prune(m, bk)}}
			for _, c := range tree.Children {
				cb := blkidOf(t, "/dev/"+c.Name)
				for _, k := range []string{"BLOCK_SIZE", "LABEL_FATBOOT", "SEC_TYPE", "PART_ENTRY_SCHEME", "PART_ENTRY_DISK", "PART_ENTRY_FLAGS"} {
					delete(cb, k)
				}
				want[c.Name] = view{Size: c.Size, Mounts: mounts(c), Blkid: cb}
			}
			for _, pt := range d.PartitionList {
				m := map[string]string{
					"PART_ENTRY_TYPE": pt.Type, "PART_ENTRY_UUID": pt.UUID, "PART_ENTRY_NAME": pt.Label,
					"PART_ENTRY_NUMBER": fmt.Sprint(pt.Number), "PART_ENTRY_OFFSET": fmt.Sprint(pt.StartBytes / 512),
					"PART_ENTRY_SIZE": fmt.Sprint(pt.SizeBytes / 512),
				}
				sigKeys(m, pt.Signatures)
				if isExtended(pt.Type) {
					// The kernel gives an extended partition 2 sectors
					// (lsblk agrees); blkid reads its size from the table
					// and the chain of EBRs in it as a "dos" table.
					delete(want[pt.Name].Blkid, "PTTYPE")
					want[pt.Name].Blkid["PART_ENTRY_SIZE"] = m["PART_ENTRY_SIZE"]
				}
				got[pt.Name] = view{Size: pt.SizeBytes, Mounts: pt.Mountpoints, Blkid: prune(m, want[pt.Name].Blkid)}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lsblk and blkid vs the collector (-peers +hwagent):\n%s", diff)
			}
			wantUse := d.Name != empty
			if d.InUse != wantUse {
				t.Errorf("in use = %v (%q), want %v", d.InUse, d.InUseReasons, wantUse)
			}
			if d.Name == gpt && !slices.Contains(d.InUseReasons, "mounted ("+d.Name+"p2 at "+mnt+")") {
				t.Errorf("the mounted root is not a reason: %q", d.InUseReasons)
			}
		})
	}
}

func isExtended(typ string) bool { return typ == "0x5" || typ == "0xf" || typ == "0x85" }
