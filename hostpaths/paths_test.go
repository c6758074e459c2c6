package hostpaths

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/testutil"
)

type fakeInfo struct{ fs.FileInfo }

func statOf(existing ...string) Stat {
	return func(name string) (fs.FileInfo, error) {
		for _, e := range existing {
			if e == name {
				return fakeInfo{}, nil
			}
		}
		return nil, fs.ErrNotExist
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		stat     Stat
		wantProc string
		wantSys  string
		wantDev  string
	}{
		{"hwagent's /host", statOf("/host/proc/cpuinfo"), "/host/proc", "/host/sys", "/host/dev"},
		{"hook's /host_root", statOf("/host_root/proc/cpuinfo"), "/host_root/proc", "/host_root/sys", "/host_root/dev"},
		{"/host wins over /host_root", statOf("/host/proc/cpuinfo", "/host_root/proc/cpuinfo"), "/host/proc", "/host/sys", "/host/dev"},
		{"hanlon", statOf("/host-proc/cpuinfo", "/host-sys", "/host-dev"), "/host-proc", "/host-sys", "/host-dev"},
		{"hanlon without sys", statOf("/host-proc/cpuinfo"), "/host-proc", "/sys", "/dev"},
		{"own root", statOf(), "/proc", "/sys", "/dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Detect(tc.stat)
			got := []string{p.Dir(Proc), p.Dir(Sys), p.Dir(Dev)}
			if diff := cmp.Diff([]string{tc.wantProc, tc.wantSys, tc.wantDev}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocateAndHostPath(t *testing.T) {
	t.Parallel()
	p := New("/host", Overrides{Proc: "/host-proc"})
	for _, tc := range []struct{ in, want string }{
		{"/host/sys/class/net/eth0", "/sys/class/net/eth0"},
		{"/host-proc/cpuinfo", "/proc/cpuinfo"},
		{"/host/dev", "/dev"},
		{"/elsewhere/x", "/elsewhere/x"},
	} {
		if got := p.HostPath(tc.in); got != tc.want {
			t.Errorf("HostPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := p.String(); got != "root=/host proc=/host-proc" {
		t.Errorf("String() = %q", got)
	}
	own := New("/", nil)
	if got := own.HostPath("/sys/block/sda"); got != "/sys/block/sda" {
		t.Errorf("own root HostPath = %q", got)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := New(dir, nil).Validate()
	if !errors.Is(err, ErrNoHost) || !strings.Contains(err.Error(), "no "+dir+"/proc/cpuinfo") {
		t.Fatalf("Validate on empty dir = %v", err)
	}
	testutil.WriteTree(t, dir, map[string]string{"proc/cpuinfo": "processor\t: 0\n", "sys/devices/": ""})
	if err := New(dir, nil).Validate(); err != nil {
		t.Fatalf("Validate on a host tree = %v", err)
	}
}

func TestReadHelpers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := New(dir, nil)
	testutil.WriteTree(t, dir, map[string]string{
		"sys/block/sda/size":              "937703088\n",
		"sys/block/sda/queue/rotational":  "0\n",
		"sys/bus/pci/devices/x/class":     "0x020000\n",
		"sys/bus/pci/devices/x/numa_node": "-1\n",
	})
	if v, err := p.ReadUint(p.Sys("block/sda/size")); err != nil || v != 937703088 {
		t.Errorf("ReadUint = %d, %v", v, err)
	}
	if v, err := p.ReadUint(p.Sys("bus/pci/devices/x/class")); err != nil || v != 0x020000 {
		t.Errorf("ReadUint hex = %#x, %v", v, err)
	}
	if v, err := p.ReadInt(p.Sys("bus/pci/devices/x/numa_node")); err != nil || v != -1 {
		t.Errorf("ReadInt = %d, %v", v, err)
	}
	_, err := p.ReadString(p.Sys("block/sda/missing"))
	if !Ignorable(err) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing attribute error %v should be ignorable", err)
	}
	if _, err := p.ReadUint(p.Sys("block/sda/queue")); err == nil {
		t.Error("reading a directory as a number succeeded")
	}
}

// TestSnapshotRoundTrip records reads through a sysfs-like tree full of
// symlinks and checks that the snapshot, unpacked, answers the same reads.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := New(dir, nil)
	dev := "devices/pci0000:00/0000:00:03.0/virtio0/net/eth0"
	testutil.WriteTree(t, dir, map[string]string{
		"sys/" + dev + "/address":                    "52:54:00:12:34:56\n",
		"sys/" + dev + "/mtu":                        "1500\n",
		"sys/devices/pci0000:00/0000:00:03.0/vendor": "0x1af4\n",
		"sys/class/net/eth0":                         "->../../" + dev,
		"sys/" + dev + "/device":                     "->../../../virtio0",
		"proc/cpuinfo":                               "processor\t: 0\n",
		"sys/unread":                                 "x",
	})

	rec := p.Record()
	if _, err := p.ReadDir(p.Sys("class/net")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ReadString(p.Sys("class/net/eth0/address")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Readlink(p.Sys("class/net/eth0/device")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ReadFile(p.Proc("cpuinfo")); err != nil {
		t.Fatal(err)
	}
	tree, err := p.Snapshot(rec)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tree.WriteTarGz(&buf, map[string][]byte{"hwagent-inventory.json": []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	testutil.UntarGz(t, &buf, out)

	q := New(out, nil)
	if got, err := q.ReadString(q.Sys("class/net/eth0/address")); err != nil || got != "52:54:00:12:34:56" {
		t.Errorf("replayed address = %q, %v", got, err)
	}
	if got, err := q.Readlink(q.Sys("class/net/eth0")); err != nil || got != "../../"+dev {
		t.Errorf("replayed class/net/eth0 link = %q, %v", got, err)
	}
	if got, err := q.Readlink(q.Sys("class/net/eth0/device")); err != nil || got != "../../../virtio0" {
		t.Errorf("replayed device link = %q, %v", got, err)
	}
	if _, err := os.Stat(q.Sys("unread")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file nobody read was captured: %v", err)
	}
	if _, err := os.Stat(q.Sys(dev, "mtu")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an unread attribute was captured: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "hwagent-inventory.json")); err != nil {
		t.Errorf("inventory missing from snapshot: %v", err)
	}
}

// TestReadDirSkipsDotNames: a .gitkeep that keeps an empty sysfs directory
// in git must not become a network interface or a disk.
func TestReadDirSkipsDotNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := New(dir, nil)
	testutil.WriteTree(t, dir, map[string]string{"sys/class/net/.gitkeep": "", "sys/class/net/eth0/": ""})
	ents, err := p.ReadDir(p.Sys("class/net"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "eth0" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("ReadDir = %v, want [eth0]", names)
	}
}
