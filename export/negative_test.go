package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/inventory"
)

// recordingWriter remembers what an export did to it.
type recordingWriter struct {
	hardwarecsv.Writer
	writes int
	ended  bool
}

func (r *recordingWriter) Write(m *export.Machine) error { r.writes++; return r.Writer.Write(m) }
func (r *recordingWriter) End() error                    { r.ended = true; return r.Writer.End() }

const (
	srv    = "testdata/fleet/srv-x9dbl.json (serial 9000116105)"
	arm    = "testdata/fleet/arm-n1.json (serial FCN0CJ03468352B)"
	laptop = "testdata/fleet/laptop-t480.json (serial PC131TBF)"
	vmw    = "testdata/fleet/vm-vmware.json (serial VMware-56 4d e2 c3 c3 c0 e1 e2-46 22 55 4d c5 eb 6b a1)"
	desk   = "testdata/fleet/desk-x399.json (m-41997c555ef296d4288536b1)"
	nas    = "testdata/fleet/nas-synology.json (m-ecc741e03635d0421f6473cb)"
	r220   = "testdata/fleet/qemu-acme-r220.json (serial ACME-R220-0001)"
	r440   = "testdata/fleet/qemu-acme-r440.json (serial ACME-R440-0002)"
)

// TestExportFailures: a plan that cannot give some machine a valid row
// fails the whole export, naming every offending machine with every reason,
// and the writer is never told to finish.
func TestExportFailures(t *testing.T) {
	t.Parallel()
	const base = "cidr: 10.10.10.0/24\npool_start: 10.10.10.100\npool_end: 10.10.10.199\ngateway: 10.10.10.1\nnameservers: [10.10.10.2]\ndisks: {FCN0CJ03468352B: /dev/nvme0n1}\n"
	full := plan.MachineCredentials{Username: "ADMIN", Password: "pw"}
	cases := []struct {
		name  string
		plan  string
		creds plan.MachineCredentials
		refs  []string
		want  []export.Problem
	}{
		{
			name:  "duplicate IP from the explicit map",
			plan:  "addresses: {\"9000116105\": 10.10.10.50, \"8C:16:45:AA:10:01\": 10.10.10.50}\n",
			creds: full,
			want: []export.Problem{
				{srv, []string{"duplicate ip_address 10.10.10.50: also " + laptop}},
				{laptop, []string{"duplicate ip_address 10.10.10.50: also " + srv}},
			},
		},
		{
			name:  "hostname template gives nothing for placeholder serials",
			plan:  "hostname_template: '{{serial}}'\n",
			creds: full,
			want: []export.Problem{
				{desk, []string{`hostname_template gave "", which has no DNS-safe characters`}},
				{nas, []string{`hostname_template gave "", which has no DNS-safe characters`}},
			},
		},
		{
			name:  "hostname label too long",
			plan:  "hostname_template: '{{.System.Product.Manufacturer}}-{{.System.Product.UUID}}-{{.System.Product.UUID}}'\n",
			creds: full,
			refs:  []string{"testdata/fleet/srv-x9dbl.json"},
			want: []export.Problem{
				{srv, []string{`hostname_template: hostname "thomas-krenn-ag-00000000-0000-0000-00"...: label "thomas-krenn-ag-00000000-0000-0000-00"... is longer than 63 characters (89)`}},
			},
		},
		{
			name:  "pool exhausted",
			plan:  "pool_start: 10.10.10.100\npool_end: 10.10.10.103\n",
			creds: full,
			want: []export.Problem{
				{laptop, []string{"address pool 10.10.10.100-10.10.10.103 is exhausted: 8 machines need a pool address, 4 were free"}},
				{vmw, []string{"address pool 10.10.10.100-10.10.10.103 is exhausted: 8 machines need a pool address, 4 were free"}},
				{desk, []string{"address pool 10.10.10.100-10.10.10.103 is exhausted: 8 machines need a pool address, 4 were free"}},
				{nas, []string{"address pool 10.10.10.100-10.10.10.103 is exhausted: 8 machines need a pool address, 4 were free"}},
			},
		},
		{
			name:  "missing BMC password",
			creds: plan.MachineCredentials{Username: "ADMIN"},
			want: []export.Problem{
				{srv, []string{"missing BMC password for bmc_ip 10.20.0.11 (credentials file or HWAGENT_BMC_PASSWORD)"}},
				{nas, []string{"missing BMC password for bmc_ip 10.20.0.15 (credentials file or HWAGENT_BMC_PASSWORD)"}},
			},
		},
		{
			name:  "VLAN out of range",
			plan:  "vlan: 5000\n",
			creds: full,
			refs:  []string{"testdata/fleet/laptop-t480.json", "testdata/fleet/nas-synology.json"},
			want: []export.Problem{
				{laptop, []string{"vlan_id 5000 is out of range 1-4094"}},
				{nas, []string{"vlan_id 5000 is out of range 1-4094"}},
			},
		},
		{
			name:  "VLAN from LLDP with no neighbour",
			plan:  "vlan: lldp\n",
			creds: full,
			want: []export.Problem{
				{r220, []string{"vlan from lldp: no LLDP/CDP port VLAN heard on eth0"}},
				{r440, []string{"vlan from lldp: no LLDP/CDP port VLAN heard on eth1"}},
				{arm, []string{"vlan from lldp: no LLDP/CDP port VLAN heard on eth0"}},
				{laptop, []string{"vlan from lldp: no LLDP/CDP port VLAN heard on eth0"}},
				{vmw, []string{"vlan from lldp: no LLDP/CDP port VLAN heard on eth0"}},
			},
		},
		{
			name:  "no disk above the floor",
			plan:  "disk_min_size: 600GB\n",
			creds: full,
			want: []export.Problem{
				{srv, []string{"no install disk: sda (465.2 GiB, below the 558.8 GiB floor)"}},
				{r220, []string{"no install disk: nvme0n1 (16.0 GiB, below the 558.8 GiB floor), sda (32.0 GiB, below the 558.8 GiB floor), vda (8.0 GiB, below the 558.8 GiB floor)"}},
				{r440, []string{"no install disk: nvme0n1 (64.0 GiB, below the 558.8 GiB floor), sda (128.0 GiB, below the 558.8 GiB floor), vda (4.0 GiB, below the 558.8 GiB floor)"}},
				{vmw, []string{"no install disk: vda (256.0 GiB, below the 558.8 GiB floor)"}},
				{nas, []string{"no install disk: sda (46.6 GiB, below the 558.8 GiB floor)"}},
			},
		},
		{
			name:  "the arm64 machine's 8 GiB disk without its override",
			plan:  "disks: {}\n",
			creds: full,
			refs:  []string{"testdata/fleet/arm-n1.json"},
			want:  []export.Problem{{arm, []string{"no install disk: nvme0n1 (8.0 GiB, below the 16.0 GiB floor)"}}},
		},
		{
			name:  "fixed disk the machine lacks",
			plan:  "disk: /dev/sda\n",
			creds: full,
			refs:  []string{"testdata/fleet/laptop-t480.json", "testdata/fleet/desk-x399.json"},
			want:  []export.Problem{{laptop, []string{"disk /dev/sda: no such disk (have /dev/nvme0n1)"}}},
		},
		{
			name:  "bmc required",
			plan:  "bmc: required\n",
			creds: full,
			refs:  []string{"testdata/fleet/srv-x9dbl.json", "testdata/fleet/vm-vmware.json"},
			want:  []export.Problem{{vmw, []string{`bmc required but no BMC address is known: this machine has no BMC ("no BMC: no SMBIOS type 38 or 42 record and no /dev/ipmi0"); set bmc_addresses`}}},
		},
		{
			name:  "the same machine twice",
			creds: full,
			refs:  []string{"testdata/fleet/laptop-t480.json", "testdata/fleet/../fleet/laptop-t480.json"},
			want: []export.Problem{
				{"testdata/fleet/../fleet/laptop-t480.json (serial PC131TBF)", []string{"duplicate mac 8c:16:45:aa:10:01: also " + laptop, "duplicate hostname node-pc131tbf: also " + laptop}},
				{laptop, []string{"duplicate mac 8c:16:45:aa:10:01: also testdata/fleet/../fleet/laptop-t480.json (serial PC131TBF)", "duplicate hostname node-pc131tbf: also testdata/fleet/../fleet/laptop-t480.json (serial PC131TBF)"}},
			},
		},
		{
			name:  "boot interface missing",
			plan:  "boot_interface: eno1\n",
			creds: full,
			refs:  []string{"testdata/fleet/srv-x9dbl.json", "testdata/fleet/laptop-t480.json"},
			want:  []export.Problem{{laptop, []string{"boot_interface eno1: no such interface (have eth0, ifb0, ifb1)"}}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := plan.ParsePlan([]byte(withBase(tc.plan, base)))
			if err != nil {
				t.Fatal(err)
			}
			x, err := export.New(*p, &plan.Credentials{Default: tc.creds})
			if err != nil {
				t.Fatal(err)
			}
			inputs := tc.refs
			if inputs == nil {
				inputs = []string{"testdata/fleet"}
			}
			refs, err := source.FileRefs(inputs)
			if err != nil {
				t.Fatal(err)
			}
			var w recordingWriter
			w.Writer = *hardwarecsv.NewWriter(&bytes.Buffer{})
			_, err = x.Export(context.Background(), refs, &w)
			var e *export.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if diff := cmp.Diff(tc.want, e.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if e.Total != len(refs) {
				t.Errorf("Total %d, want %d", e.Total, len(refs))
			}
			if w.ended {
				t.Errorf("the writer was told to finish a failed export")
			}
		})
	}
}

// withBase adds the lines of base whose key plan does not set.
func withBase(plan, base string) string {
	out := plan
	for _, line := range strings.SplitAfter(base, "\n") {
		key, _, ok := strings.Cut(line, ":")
		if ok && !strings.HasPrefix(plan, key+":") && !strings.Contains(plan, "\n"+key+":") {
			out += line
		}
	}
	return out
}

func TestUnreadableInventories(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good, err := os.ReadFile("testdata/fleet/laptop-t480.json")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"a-not-json.json":   "hello",
		"b-old-schema.json": `{"schema_version": "hwagent.inventory/v0"}`,
		"c-good.json":       string(good),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := plan.ParsePlan([]byte("cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.1]\n"))
	x, err := export.New(*p, nil)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := source.FileRefs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.Export(context.Background(), refs, hardwarecsv.NewWriter(&bytes.Buffer{}))
	var e *export.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	want := []export.Problem{
		{filepath.Join(dir, "a-not-json.json"), []string{"not an inventory document: invalid character 'h' looking for beginning of value"}},
		{filepath.Join(dir, "b-old-schema.json"), []string{`not an hwagent inventory: schema_version "hwagent.inventory/v0", want "hwagent.inventory/v1"`}},
	}
	if diff := cmp.Diff(want, e.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestExportRefusesPendingCollectors: a machine whose stored inventory is
// a registration sent before some collectors finished (its agent sends
// them right after) is refused with that reason, not exported from half a
// machine.
func TestExportRefusesPendingCollectors(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/fleet/vm-vmware.json")
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	inv.Storage, inv.BMC, inv.PCI = nil, nil, nil
	for i, c := range inv.Collectors {
		switch c.Name {
		case "storage", "bmc", "pci":
			inv.Collectors[i] = inventory.CollectorStatus{Name: c.Name, Status: inventory.StatusPending}
		}
	}
	path := filepath.Join(t.TempDir(), "vm-vmware.json")
	if b, err = json.Marshal(&inv); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := plan.ParsePlan([]byte("cidr: 10.10.10.0/24\npool_start: 10.10.10.100\npool_end: 10.10.10.199\ngateway: 10.10.10.1\nnameservers: [10.10.10.2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := export.New(*p, &plan.Credentials{Default: plan.MachineCredentials{Username: "ADMIN", Password: "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := source.FileRefs([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.Export(context.Background(), refs, hardwarecsv.NewWriter(&bytes.Buffer{}))
	var e *export.Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || len(e.Problems[0].Reasons) == 0 {
		t.Fatalf("got %v, want one refused machine", err)
	}
	if got, want := e.Problems[0].Reasons[0], "the inventory is not complete yet: bmc, pci, storage pending (the agent sends them right after registering; export again)"; got != want {
		t.Errorf("first reason %q, want %q (all: %q)", got, want, e.Problems[0].Reasons)
	}
}
