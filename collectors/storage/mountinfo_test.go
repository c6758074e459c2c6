package storage

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMountInfo(t *testing.T) {
	t.Parallel()
	// Lines from a real /proc/self/mountinfo (this project's build VM),
	// plus a mount point with a space as the kernel escapes it.
	data := "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334760k,nr_inodes=3083690,mode=755\n" +
		"1014 1001 253:0 /docker/containers/abc/hostname /etc/hostname rw,relatime - ext4 /dev/vda rw\n" +
		"1020 27 8:2 / /mnt/my\\040disk rw,relatime shared:1 master:2 - xfs /dev/sda2 rw,attr2\n"
	got, err := ParseMountInfo([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []Mount{
		{Dev: "0:6", MountPoint: "/dev", FSType: "devtmpfs", Source: "devtmpfs"},
		{Dev: "253:0", MountPoint: "/etc/hostname", FSType: "ext4", Source: "/dev/vda"},
		{Dev: "8:2", MountPoint: "/mnt/my disk", FSType: "xfs", Source: "/dev/sda2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseMountInfo([]byte("24 27 0:6 / /dev rw\n")); !errors.Is(err, ErrMountInfo) {
		t.Errorf("line without separator: %v", err)
	}
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add([]byte("24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw\n"))
	f.Add([]byte("1 2 8:1 / /a\\134b\\0 rw - ext4 /dev/sda1 rw\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, _ := ParseMountInfo(data)
		if len(ms) > maxMounts {
			t.Fatalf("%d mounts", len(ms))
		}
	})
}
