package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

func exportCSV(t *testing.T, planYAML string, creds *plan.Credentials, inputs ...string) (string, *export.Result) {
	t.Helper()
	p, err := plan.ParsePlan([]byte(planYAML))
	if err != nil {
		t.Fatal(err)
	}
	x, err := export.New(*p, creds)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := source.FileRefs(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	res, err := x.Export(context.Background(), refs, hardwarecsv.NewWriter(&b))
	if err != nil {
		t.Fatal(err)
	}
	if err := eksaAccepts(b.Bytes()); err != nil {
		t.Errorf("EKS Anywhere would reject:\n%s\n%v", b.String(), err)
	}
	return b.String(), res
}

func TestPoolSkipsReservedAddresses(t *testing.T) {
	t.Parallel()
	got, _ := exportCSV(t, `cidr: 10.20.0.0/28
pool_start: 10.20.0.9
pool_end: 10.20.0.14
gateway: 10.20.0.9
nameservers: [10.20.0.10]
bmc_addresses: {"a0:36:9f:5c:20:40": 10.20.0.12}
hostname_template: "n{{octet 4 .IP}}"
`, &plan.Credentials{Username: "u", Password: "p"},
		"testdata/fleet/desk-x399.json", "testdata/fleet/vm-vmware.json", "testdata/fleet/laptop-t480.json")
	want := `hostname,bmc_ip,bmc_username,bmc_password,mac,ip_address,netmask,gateway,nameservers,labels,disk
n11,,,,8c:16:45:aa:10:01,10.20.0.11,255.255.255.240,10.20.0.9,10.20.0.10,,/dev/nvme0n1
n13,,,,00:50:56:aa:10:02,10.20.0.13,255.255.255.240,10.20.0.9,10.20.0.10,,/dev/vda
n14,10.20.0.12,u,p,a0:36:9f:5c:20:40,10.20.0.14,255.255.255.240,10.20.0.9,10.20.0.10,,/dev/sda
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRoleShortfallIsAWarning(t *testing.T) {
	t.Parallel()
	_, res := exportCSV(t, `cidr: 10.0.0.0/24
gateway: 10.0.0.1
nameservers: [10.0.0.1]
bmc: omit
roles:
  - match: {manufacturer: "lenovo", min_memory: 16GiB}
    count: 3
    labels: {type: cp}
  - labels: {type: worker}
`, nil, "testdata/fleet/laptop-t480.json", "testdata/fleet/vm-vmware.json")
	want := []string{
		"roles[0] (type=cp): 1 of 3 machines matched",
		"1 of 2 machines booted in legacy BIOS mode; EKS Anywhere provisions in UEFI mode (every hardware.csv row becomes uefi: true, and so does this export): switch their firmware to UEFI boot before provisioning: testdata/fleet/vm-vmware.json (serial VMware-56 4d e2 c3 c3 c0 e1 e2-46 22 55 4d c5 eb 6b a1)",
	}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// A fleet where some machines have a BMC address and others none exports
// under bmc: auto, with empty BMC columns for the latter, and says so,
// with why each has none.
func TestBMCAutoMixedFleetWarns(t *testing.T) {
	t.Parallel()
	_, res := exportCSV(t, `cidr: 10.0.0.0/24
gateway: 10.0.0.1
nameservers: [10.0.0.1]
`, &plan.Credentials{Username: "u", Password: "p"}, "testdata/fleet/laptop-t480.json", "testdata/fleet/srv-x9dbl.json")
	want := []string{`bmc auto: 1 of 2 machines have a BMC address, 1 have none and get empty BMC columns (EKS Anywhere will not control their power; bmc: required refuses such a fleet): testdata/fleet/laptop-t480.json (serial PC131TBF): this machine has no BMC ("no BMC: no SMBIOS type 38 or 42 record and no /dev/ipmi0")`}
	if diff := cmp.Diff(want, res.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// The header follows EKS Anywhere's own examples, and those examples pass
// the test's consumer validator.
func TestHeaderMatchesEKSAExamples(t *testing.T) {
	t.Parallel()
	for file, cols := range map[string]export.Columns{
		"testdata/eksa/hardware.example.csv":        {BMC: true},
		"testdata/eksa/hardware_no_bmc.example.csv": {},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(b), "\n")
		if got := strings.Join(hardwarecsv.Header(cols), ","); got != header {
			t.Errorf("%s: header %s, want %s", file, got, header)
		}
		if err := eksaAccepts(b); err != nil {
			t.Errorf("%s: the consumer validator rejects EKS Anywhere's own example: %v", file, err)
		}
	}
	if got := strings.Join(hardwarecsv.Header(export.Columns{BMC: true, VLAN: true}), ","); !strings.HasSuffix(got, ",disk,vlan_id") {
		t.Errorf("vlan_id is not last: %s", got)
	}
}

// The consumer validator itself rejects what EKS Anywhere rejects.
func TestConsumerValidatorRejects(t *testing.T) {
	t.Parallel()
	const head = "hostname,bmc_ip,bmc_username,bmc_password,mac,ip_address,netmask,gateway,nameservers,labels,disk,vlan_id\n"
	const ok = "n1,10.0.1.1,u,p,00:00:00:00:00:01,10.0.0.1,255.255.255.0,10.0.0.254,1.1.1.1,type=cp,/dev/sda,10\n"
	if err := eksaAccepts([]byte(head + ok)); err != nil {
		t.Fatalf("the valid row is rejected: %v", err)
	}
	cases := map[string]string{
		"missing column":   "hostname,mac,ip_address,netmask,gateway,nameservers,disk\nn1,00:00:00:00:00:01,10.0.0.1,255.255.255.0,10.0.0.254,1.1.1.1,/dev/sda\n",
		"bad ip":           head + strings.Replace(ok, "10.0.0.1,", "10.0.0.300,", 1),
		"empty nameserver": head + strings.Replace(ok, "1.1.1.1", "1.1.1.1|", 1),
		"bad mac":          head + strings.Replace(ok, "00:00:00:00:00:01", "00:00:00:00:01", 1),
		"bad hostname":     head + strings.Replace(ok, "n1,", "N_1,", 1),
		"disk by-id":       head + strings.Replace(ok, "/dev/sda", "/dev/disk/by-id/wwn-0x5000c500a1b2c3d4", 1),
		"label pair":       head + strings.Replace(ok, "type=cp", "type=cp=1", 1),
		"label value":      head + strings.Replace(ok, "type=cp", "type=c p", 1),
		"bmc partial":      head + strings.Replace(ok, ",p,", ",,", 1),
		"vlan range":       head + strings.Replace(ok, ",10\n", ",4095\n", 1),
		"vlan not integer": head + strings.Replace(ok, ",10\n", ",ten\n", 1),
		"duplicate mac":    head + ok + strings.Replace(strings.Replace(strings.Replace(ok, "n1,", "n2,", 1), "10.0.0.1,", "10.0.0.2,", 1), "10.0.1.1", "10.0.1.2", 1),
		"duplicate bmc ip": head + ok + strings.Replace(strings.Replace(strings.Replace(ok, "n1,", "n2,", 1), "10.0.0.1,", "10.0.0.2,", 1), ":01,", ":02,", 1),
	}
	for name, csv := range cases {
		if err := eksaAccepts([]byte(csv)); err == nil {
			t.Errorf("%s: accepted\n%s", name, csv)
		}
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	p, _ := plan.ParsePlan([]byte("gateway: 10.0.0.1\nnameservers: [10.0.0.1]\nvlan: lldp\n"))
	x, err := export.New(*p, nil)
	if err != nil {
		t.Fatal(err)
	}
	row, cols, reasons := x.Preview(mustLoad(t, "testdata/fleet/srv-x9dbl.json"))
	got := strings.Join(hardwarecsv.Record(row, cols), ",")
	if want := "node-9000116105,10.20.0.11,,,00:1f:f3:af:d3:f1,,,10.0.0.1,10.0.0.1,,/dev/sda,120"; got != want {
		t.Errorf("row %s\nwant %s", got, want)
	}
	want := []string{
		"no ip address: set cidr or pool_start/pool_end, or an addresses entry",
		"netmask is empty (set netmask or cidr)",
		"missing BMC username for bmc_ip 10.20.0.11 (credentials file or HWAGENT_BMC_USERNAME)",
		"missing BMC password for bmc_ip 10.20.0.11 (credentials file or HWAGENT_BMC_PASSWORD)",
	}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
}

// The second read (a template reading .Index) keeps its order and never
// stalls, whatever mix of machines needs it: fixed hostnames and
// unreadable documents in between.
func TestSecondReadMixedFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFleet(t, dir, 24)
	hostnames := "hostnames:\n"
	for i := 0; i < 24; i += 2 {
		hostnames += fmt.Sprintf("  SN%07d: fixed-%d\n", i, i)
	}
	text := "cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.2]\ndisk_min_size: 4GiB\nhostname_template: 'n{{.Index}}-{{octet 4 .IP}}'\n" + hostnames
	got, _ := exportCSV(t, text, &plan.Credentials{Username: "u", Password: "p"}, dir)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != 25 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	for i, l := range lines[1:] {
		host := strings.SplitN(l, ",", 2)[0]
		want := fmt.Sprintf("n%d-%d", i, i+3) // .1 gateway, .2 nameserver
		if i%2 == 0 {
			want = fmt.Sprintf("fixed-%d", i)
		}
		if host != want {
			t.Errorf("row %d: hostname %s, want %s", i, host, want)
		}
	}

	for i := 0; i < 12; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("broken%02d.json", i)), []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := plan.ParsePlan([]byte(text))
	x, _ := export.New(*p, &plan.Credentials{Username: "u", Password: "p"})
	refs, _ := source.FileRefs([]string{dir})
	_, err := x.Export(context.Background(), refs, hardwarecsv.NewWriter(&bytes.Buffer{}))
	var e *export.Error
	if !errors.As(err, &e) || len(e.Problems) != 12 {
		t.Fatalf("got %v", err)
	}
}

// mustLoad loads an inventory document for an external test.
func mustLoad(t *testing.T, path string) *inventory.Inventory {
	t.Helper()
	inv, err := source.FileRef(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestTemplateNamingSkippedFieldsExports: a hostname template that names
// fields a lean decode skips reads them (the whole document is decoded).
func TestTemplateNamingSkippedFieldsExports(t *testing.T) {
	t.Parallel()
	refs, err := source.FileRefs([]string{"testdata/fleet/srv-x9dbl.json"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := exportCSV(t, "cidr: 10.0.0.0/24\ngateway: 10.0.0.1\nnameservers: [10.0.0.2]\nbmc: omit\nhostname_template: 'flags-{{len .CPU.Flags}}-dimms-{{len .Memory.Modules}}'\n", nil, refs[0].Name)
	// 77 flags in /proc/cpuinfo, 6 type 17 records in the X9DBL table.
	if want := "\nflags-77-dimms-6,"; !strings.Contains(got, want) {
		t.Errorf("csv:\n%s\nwant a row starting %s", got, want)
	}
}
