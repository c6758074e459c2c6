package export

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
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
	b, err := os.ReadFile("testdata/disks/q35-all-transports.json")
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

func mustCompile(t *testing.T, p plan.Plan) *compiled {
	t.Helper()
	c, err := compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
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
			got, err := mustCompile(t, tc.plan).disk.Choose(&inventory.Inventory{Storage: st}, tc.keys)
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
	if got, err := c.disk.Choose(inv, nil); err != nil || got != "/dev/sdb" {
		t.Errorf("got %q, %v; want /dev/sdb (sda is read-only)", got, err)
	}
	if _, err := c.disk.Choose(&inventory.Inventory{}, nil); err == nil || err.Error() != "no install disk: the inventory lists no disks; set disk or disks" {
		t.Errorf("no storage section: %v", err)
	}
	if got, err := mustCompile(t, plan.Plan{Disk: "/dev/sda"}).disk.Choose(&inventory.Inventory{}, nil); err != nil || got != "/dev/sda" {
		t.Errorf("fixed disk without a storage section: %q, %v", got, err)
	}
}

// fleetInventory reads one of the fleet's documents.
func fleetInventory(t *testing.T, name string) *inventory.Inventory {
	t.Helper()
	inv, err := source.FileRef("testdata/fleet/" + name + ".json").Load()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestChooseBootNIC(t *testing.T) {
	t.Parallel()
	srv := fleetInventory(t, "srv-x9dbl")      // BOOTIF=01-00-1f-f3-af-d3-f1: the bond's backup port
	desk := fleetInventory(t, "desk-x399")     // enp3s0 and enp6s0f0 up, LLDP on enp6s0f0
	laptop := fleetInventory(t, "laptop-t480") // eth0 up, no neighbour; ifb0/1 virtual
	noLink := fleetInventory(t, "laptop-t480")
	for i := range noLink.Network.Interfaces {
		noLink.Network.Interfaces[i].Carrier = false
	}
	cases := []struct {
		name    string
		plan    plan.Plan
		inv     *inventory.Inventory
		keys    []string
		mac     string
		nic     string
		wantErr string
	}{
		{name: "netbooted NIC from BOOTIF", inv: srv, mac: "00:1f:f3:af:d3:f1", nic: "enp17s0f1"},
		{name: "link and an LLDP neighbour before link alone", inv: desk, mac: "a0:36:9f:5c:20:40", nic: "enp6s0f0"},
		{name: "first physical NIC with link", inv: laptop, mac: "8c:16:45:aa:10:01", nic: "eth0"},
		{name: "boot_interface by name uses the permanent MAC", plan: plan.Plan{BootInterface: "enp17s0f0"}, inv: srv, mac: "00:1f:f3:af:d3:f0", nic: "enp17s0f0"},
		{name: "boot_macs override", plan: plan.Plan{BootMACs: map[string]string{"9000116105": "A0:36:9F:12:34:56"}}, inv: srv, keys: []string{"9000116105"}, mac: "a0:36:9f:12:34:56", nic: "eno1"},
		{name: "no link anywhere", inv: noLink, wantErr: "no boot NIC: none netbooted and no physical NIC has link (have eth0, ifb0, ifb1); set boot_macs or boot_interface"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := chooseBootNIC(mustCompile(t, tc.plan), tc.inv, tc.keys)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %+v, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			if got.nic != nil {
				name = got.nic.Name
			}
			if got.mac != tc.mac || name != tc.nic {
				t.Errorf("got %s on %q (%s), want %s on %q", got.mac, name, got.why, tc.mac, tc.nic)
			}
		})
	}
}
