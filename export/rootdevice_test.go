package export

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// hintDisks are disks as the storage collector reports them: the QEMU
// guests' SATA, NVMe and virtio disks, a SAS disk with an NAA 6 WWN and
// its vendor extension, an HDD behind a RAID HBA.
var hintDisks = []inventory.Disk{
	{Name: "sda", Path: "/dev/sda", SizeBytes: 32 << 30, Transport: "sata", Vendor: "ATA", Model: "ACME SSD 32G",
		Serial: "ACME-SATA-0001", WWN: "0x5000c500a1b2c301", WWNWithExtension: "0x5000c500a1b2c301", HCTL: "0:0:0:0",
		ByPath: []string{"/dev/disk/by-path/pci-0000:00:05.0-ata-1", "/dev/disk/by-path/pci-0000:00:05.0-ata-1.0"}},
	{Name: "sdb", Path: "/dev/sdb", SizeBytes: 1800360124416, Rotational: true, Transport: "sas", Vendor: "SEAGATE", Model: "ST1800MM0129",
		Serial: "WBN0ABCD", WWN: "0x600508b1001c4d5e6f7a8b9c0d1e2f30", WWNWithExtension: "0x600508b1001c4d5e6f7a8b9c0d1e2f30",
		WWNVendorExtension: "0x6f7a8b9c0d1e2f30", HCTL: "1:0:3:0", ByPath: []string{"/dev/disk/by-path/pci-0000:18:00.0-sas-phy3-lun-0"}},
	{Name: "sdc", Path: "/dev/sdc", SizeBytes: 240057409536, Transport: "scsi", Vendor: "DELL", Model: "PERC H730P Mini",
		Serial: "0030d8e6c1a2b3c4", HCTL: "0:2:0:0"},
	{Name: "nvme0n1", Path: "/dev/nvme0n1", SizeBytes: 1024209543168, Transport: "nvme", Model: "SAMSUNG MZQL21T9HCJR-00A07",
		Serial: "S64GNE0R123456", WWN: "eui.36344730526001230025384500000001"},
	{Name: "vda", Path: "/dev/vda", SizeBytes: 200 << 30, Rotational: true, Transport: "virtio", Serial: "ACME-VD-0001"},
}

// hintCases are root_device hints as operators write them (Ironic's
// documentation's examples and the shapes of the issue).
var hintCases = []plan.RootDevice{
	{"serial": "ACME-SATA-0001"},
	{"serial": "acme-sata-0001"},
	{"serial": "s== WBN0ABCD"},
	{"serial": "<or> WBN0ABCD <or> S64GNE0R123456"},
	{"wwn": "0x5000c500a1b2c301"},
	{"wwn": "0x600508b1001c4d5e"},
	{"wwn_with_extension": "0x600508b1001c4d5e6f7a8b9c0d1e2f30"},
	{"wwn_vendor_extension": "0x6f7a8b9c0d1e2f30"},
	{"size": ">= 200"},
	{"size": 200},
	{"size": "200"},
	{"size": "< 100"},
	{"size": "= 1000"},
	{"size": "!= 200"},
	{"size": "<= 223"},
	{"rotational": false},
	{"rotational": "true"},
	{"rotational": false, "size": ">= 200"},
	{"model": "<in> SSD"},
	{"model": "PERC H730P Mini"},
	{"model": "s!= ACME SSD 32G"},
	{"vendor": "<in> sea"},
	{"vendor": "s>= dell"},
	{"hctl": "1:0:3:0"},
	{"by_path": "/dev/disk/by-path/pci-0000:18:00.0-sas-phy3-lun-0"},
	{"name": "/dev/nvme0n1"},
	{"name": "s== /dev/sdc"},
	{"serial": "nope"},
}

// ironicMatches runs Ironic's own matcher (Debian's python3-ironic-lib,
// ironic_lib.utils.find_devices_by_hints) over the disks, as ironic
// sees them: name, size in bytes, model, vendor, serial, wwn (udev's
// ID_WWN), wwn_with_extension, wwn_vendor_extension, rotational, hctl and
// one by_path link.
func ironicMatches(t *testing.T, disks []inventory.Disk, cases []plan.RootDevice) [][]string {
	t.Helper()
	var devs []map[string]any
	for i := range disks {
		d := &disks[i]
		dev := map[string]any{"name": d.Path, "size": d.SizeBytes, "model": d.Model, "vendor": d.Vendor, "serial": d.Serial,
			"wwn": plan.IronicWWN(d), "wwn_with_extension": d.WWNWithExtension, "wwn_vendor_extension": d.WWNVendorExtension,
			"rotational": d.Rotational, "hctl": d.HCTL, "by_path": nil}
		if len(d.ByPath) > 0 {
			dev["by_path"] = d.ByPath[0]
		}
		for k, v := range dev {
			if v == "" {
				dev[k] = nil
			}
		}
		devs = append(devs, dev)
	}
	in, err := json.Marshal(map[string]any{"devices": devs, "cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	const script = `
import json, sys, logging
logging.disable(logging.CRITICAL)
from ironic_lib import utils
doc = json.load(sys.stdin)
out = []
for hints in doc["cases"]:
    out.append([d["name"] for d in utils.find_devices_by_hints(doc["devices"], hints)])
json.dump(out, sys.stdout)
`
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("ironic_lib: %v\n%s", err, stderr.String())
	}
	var out [][]string
	if err := json.Unmarshal(outb, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRootDeviceHintsAgainstIronic: for every hint set, the disks the
// export's root_device matches are the disks Ironic matches.
func TestRootDeviceHintsAgainstIronic(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.IronicLib)
	want := ironicMatches(t, hintDisks, hintCases)
	for i, rd := range hintCases {
		h, err := plan.CompileHints("root_device", rd)
		if err != nil {
			t.Errorf("%v: %v", rd, err)
			continue
		}
		got := []string{}
		for j := range hintDisks {
			if h.Matches(&hintDisks[j]) {
				got = append(got, hintDisks[j].Path)
			}
		}
		if want[i] == nil {
			want[i] = []string{}
		}
		if diff := cmp.Diff(want[i], got); diff != "" {
			t.Errorf("%v: (-ironic +hwagent):\n%s", rd, diff)
		}
	}
	// Every case must select something somewhere except the last: the
	// table exercises matches, not only misses.
	for i, w := range want[:len(want)-1] {
		if len(w) == 0 {
			t.Errorf("%v matches no disk in Ironic either: a useless case", hintCases[i])
		}
	}
}

func TestRootDeviceHintErrors(t *testing.T) {
	t.Parallel()
	for _, rd := range []plan.RootDevice{
		{"size": "-5"}, {"size": "big"}, {"size": "<or> 100 <or> 200"}, {"rotational": "maybe"},
		{"colour": "red"}, {"serial": ""}, {"serial": 5}, {"model": ">= 3"}, {},
	} {
		if _, err := plan.CompileHints("root_device", rd); err == nil {
			t.Errorf("%v: accepted", rd)
		}
	}
}

// TestChooseDiskInUse: the rule and the hints never pick a disk in use or
// of unknown contents unless disk_allow_in_use; an explicit disk in use is
// refused with the reasons.
func TestChooseDiskInUse(t *testing.T) {
	t.Parallel()
	disks := []inventory.Disk{
		{Name: "nvme0n1", Path: "/dev/nvme0n1", SizeBytes: 512 << 30, Transport: "nvme", Serial: "N1",
			InUse: true, InUseReasons: []string{"holds the running root filesystem", "gpt partition table"}},
		{Name: "nvme1n1", Path: "/dev/nvme1n1", SizeBytes: 960 << 30, Transport: "nvme", Serial: "N2"},
		{Name: "sda", Path: "/dev/sda", SizeBytes: 256 << 30, Transport: "sata", Serial: "S1", SignatureError: "open /dev/sda: input/output error"},
	}
	inv := &inventory.Inventory{Storage: &inventory.Storage{Disks: disks}}
	for _, tc := range []struct {
		name string
		plan plan.Plan
		want string
		err  string
	}{
		{"rule skips the root disk", plan.Plan{}, "/dev/nvme1n1", ""},
		{"rule may take it when allowed", plan.Plan{DiskAllowInUse: true}, "/dev/nvme0n1", ""},
		{"hints skip it", plan.Plan{RootDevice: plan.RootDevice{"size": ">= 100"}}, "/dev/nvme1n1", ""},
		{"hints naming only it", plan.Plan{RootDevice: plan.RootDevice{"serial": "N1"}}, "", "only disks in use match: nvme0n1 (holds the running root filesystem, gpt partition table)"},
		{"explicit disk in use", plan.Plan{Disk: "/dev/nvme0n1"}, "", "disk /dev/nvme0n1 is in use (holds the running root filesystem"},
		{"unknown contents", plan.Plan{RootDevice: plan.RootDevice{"serial": "S1"}}, "", "contents unknown: open /dev/sda: input/output error"},
		{"per machine hints", plan.Plan{RootDevice: plan.RootDevice{"serial": "N1"}, RootDevices: map[string]plan.RootDevice{"m-1": {"serial": "N2"}}}, "/dev/nvme1n1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := compile(tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.disk.Choose(inv, []string{"m-1"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to say %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Choose = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
