package disk

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

// q35Disks is the storage section the storage collector produced from a
// QEMU q35 guest with one disk of every transport (copied from
// collectors/storage/testdata/golden): mmcblk0 64 MiB (mmc), nvme0n1 and
// nvme1n1 (NVMe), sda (SATA), sdb (virtio-scsi), sdc (SAS), sdd (megasas),
// sde (USB, removable), vda (virtio-blk), all 256 MiB and, but for mmc and
// NVMe, rotational.
func q35Disks(t *testing.T) *inventory.Storage {
	t.Helper()
	b, err := os.ReadFile("../testdata/disks/q35-all-transports.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Storage inventory.Storage `json:"storage"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc.Storage
}

// mustCompile compiles a plan's disk fields, its per-machine disks keyed
// as the exporter keys them.
func mustCompile(t *testing.T, p plan.Plan) *Policy {
	t.Helper()
	disks := map[string]string{}
	for k, v := range p.Disks {
		disks[plan.Key(k)] = strings.TrimSpace(v)
	}
	pol, err := Compile(p, disks)
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestChooseDisk(t *testing.T) {
	t.Parallel()
	st := q35Disks(t)
	cases := []struct {
		name    string
		plan    plan.Plan
		keys    []string
		want    string
		wantErr string
	}{
		{name: "every disk below the default floor", plan: plan.Plan{},
			wantErr: "no install disk: mmcblk0 (64.0 MiB, below the 16.0 GiB floor), nvme0n1 (256.0 MiB, below the 16.0 GiB floor), nvme1n1 (256.0 MiB, below the 16.0 GiB floor), sda (256.0 MiB, below the 16.0 GiB floor), sdb (256.0 MiB, below the 16.0 GiB floor), sdc (256.0 MiB, below the 16.0 GiB floor), sdd (256.0 MiB, below the 16.0 GiB floor), sde (removable), vda (256.0 MiB, below the 16.0 GiB floor)"},
		{name: "NVMe first, first by name among equal sizes", plan: plan.Plan{DiskMinSize: 128 << 20}, want: "/dev/nvme0n1"},
		{name: "SSD class: mmc is non-rotational but below the floor", plan: plan.Plan{DiskMinSize: 128 << 20, DiskPrefer: []string{"ssd", "hdd"}}, want: "/dev/sda"},
		{name: "small floor lets the SD card in as an SSD", plan: plan.Plan{DiskMinSize: 1 << 20, DiskPrefer: []string{"ssd", "nvme"}}, want: "/dev/mmcblk0"},
		{name: "HDD only, excluding sata and virtio", plan: plan.Plan{DiskMinSize: 128 << 20, DiskPrefer: []string{"hdd"}, DiskExcludeTransports: []string{"usb", "sata", "virtio"}}, want: "/dev/sdc"},
		{name: "removable USB disk allowed when asked and USB not excluded", plan: plan.Plan{DiskMinSize: 128 << 20, DiskPrefer: []string{"hdd"}, DiskAllowRemovable: true, DiskExcludeTransports: []string{"sata", "virtio", "sas", "scsi"}}, want: "/dev/sde"},
		{name: "fixed disk present", plan: plan.Plan{Disk: "/dev/sdd"}, want: "/dev/sdd"},
		{name: "fixed disk absent", plan: plan.Plan{Disk: "/dev/sdz"}, wantErr: "disk /dev/sdz: no such disk (have /dev/mmcblk0, /dev/nvme0n1, /dev/nvme1n1, /dev/sda, /dev/sdb, /dev/sdc, /dev/sdd, /dev/sde, /dev/vda)"},
		{name: "per-machine override wins", plan: plan.Plan{Disk: "/dev/sdd", Disks: map[string]string{"S1": "/dev/vda"}}, keys: []string{"s1"}, want: "/dev/vda"},
		{name: "two keys of one machine disagree", plan: plan.Plan{Disks: map[string]string{"S1": "/dev/vda", "aa:bb:cc:dd:ee:ff": "/dev/sda"}}, keys: []string{"s1", "aa:bb:cc:dd:ee:ff"}, wantErr: "disks: entries s1 and aa:bb:cc:dd:ee:ff both match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := mustCompile(t, tc.plan).Choose(&inventory.Inventory{Storage: st}, tc.keys)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestChooseDiskReadOnlyAndNoStorage(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, plan.Plan{})
	inv := &inventory.Inventory{Storage: &inventory.Storage{Disks: []inventory.Disk{
		{Name: "sda", SizeBytes: 100 << 30, ReadOnly: true},
		{Name: "sdb", SizeBytes: 100 << 30, Rotational: true, Transport: "sas"},
	}}}
	if got, err := c.Choose(inv, nil); err != nil || got != "/dev/sdb" {
		t.Errorf("got %q, %v; want /dev/sdb (sda is read-only)", got, err)
	}
	if _, err := c.Choose(&inventory.Inventory{}, nil); err == nil || err.Error() != "no install disk: the inventory lists no disks; set disk or disks" {
		t.Errorf("no storage section: %v", err)
	}
	if got, err := mustCompile(t, plan.Plan{Disk: "/dev/sda"}).Choose(&inventory.Inventory{}, nil); err != nil || got != "/dev/sda" {
		t.Errorf("fixed disk without a storage section: %q, %v", got, err)
	}
}
