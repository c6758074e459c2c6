package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const exportTestdata = "../../export/testdata"

func TestExportHardwareCSVToFile(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "hardware.csv")
	_, stderr, err := runCLI(t, "export", "hardware-csv", "--plan", exportTestdata+"/plans/basic.yaml", exportTestdata+"/fleet", "-o", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(exportTestdata + "/golden/basic.csv")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("(-golden +got):\n%s", diff)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600 (the file holds BMC passwords)", fi.Mode(), err)
	}
	if !strings.Contains(stderr, "exported") || strings.Contains(stderr, "x9dbl only") || strings.Contains(stderr, "Pa55") {
		t.Errorf("stderr: %s", stderr)
	}
}

// A failing export names every failing machine and leaves an existing
// output file as it was.
func TestExportFailureWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "hardware.csv")
	if err := os.WriteFile(out, []byte("previous\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCLI(t, "export", "tinkerbell", "--plan", exportTestdata+"/plans/basic.yaml",
		"--pool-start", "10.10.10.100", "--pool-end", "10.10.10.101", exportTestdata+"/fleet", "-o", out)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"6 of 8 machines cannot be exported; nothing was written:",
		"testdata/fleet/laptop-t480.json (serial PC131TBF):\n    - address pool 10.10.10.100-10.10.10.101 is exhausted: 8 machines need a pool address, 2 were free",
		"testdata/fleet/desk-x399.json (m-41997c555ef296d4288536b1):",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if b, _ := os.ReadFile(out); string(b) != "previous\n" {
		t.Errorf("the output file changed: %q", b)
	}
	if stdout != "" {
		t.Errorf("stdout: %q", stdout)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// Every plan field is a flag: an export from flags alone, inventories on
// stdin, credentials from --bmc-username and HWAGENT_BMC_PASSWORD.
func TestExportFromFlagsAndStdin(t *testing.T) {
	t.Setenv("HWAGENT_BMC_PASSWORD", "env-secret")
	var stdin bytes.Buffer
	for _, f := range []string{"srv-x9dbl", "desk-x399", "nas-synology"} {
		b, err := os.ReadFile(exportTestdata + "/fleet/" + f + ".json")
		if err != nil {
			t.Fatal(err)
		}
		stdin.Write(b)
	}
	var stdout, stderr bytes.Buffer
	root := newRootCmd(&stdout, &stderr)
	root.SetIn(&stdin)
	root.SetArgs([]string{"export", "hardware-csv", "-",
		"--cidr", "172.16.20.0/24", "--pool-start", "172.16.20.20", "--pool-end", "172.16.20.29",
		"--gateway", "172.16.20.1", "--nameservers", "172.16.20.1", "--vlan", "lldp",
		"--hostname-template", "{{.Host.Hostname}}-{{octet 4 .IP}}",
		"--bmc-address", "a0:36:9f:5c:20:40=10.20.0.12", "--bmc-username", "root",
		"--role", "switch=leaf-01.*:type=cp,rack=a1", "--role", "switch=leaf-02.*:type=worker,rack=a2",
	})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	want, err := os.ReadFile(exportTestdata + "/golden/lldp.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(stdout.String(), "env-secret", "from-env")
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("flags give another csv than the lldp plan (-golden +got):\n%s", diff)
	}
	if strings.Contains(stderr.String(), "env-secret") {
		t.Errorf("the password reached the log: %s", stderr.String())
	}
}

func TestExportBadArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "hardware-csv"}, "no inventories: give files, directories, - for stdin, or --server"},
		{[]string{"export", "hardware-csv", "--role", "type=cp", "x.json"}, `--role "type=cp": want MATCH:LABELS`},
		{[]string{"export", "hardware-csv", "--role", "colour=red:type=cp", "x.json"}, `unknown match key "colour"`},
		{[]string{"export", "hardware-csv", "--vlan", "tagged", "x.json"}, `vlan "tagged": want a VLAN ID or "lldp"`},
		{[]string{"export", "hardware-csv", "--cidr", "10.0.0.0/24", "--gateway", "10.1.0.1", "x.json"}, "gateway 10.1.0.1 is outside cidr 10.0.0.0/24"},
		{[]string{"export", "hardware-csv", "--plan", "/no/such/plan.yaml", "x.json"}, "plan: open /no/such/plan.yaml"},
		{[]string{"export", "hardware-csv", "no-such.json"}, "stat no-such.json: no such file or directory"},
	} {
		_, _, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// dump -o csv prints this machine's row under the plan; a row EKS
// Anywhere would reject (no plan: no address, netmask, gateway,
// nameservers) is refused with every reason, as hwagent export does.
func TestDumpCSV(t *testing.T) {
	t.Parallel()
	plan := filepath.Join(t.TempDir(), "plan.yaml")
	// vda holds the build VM's running root (its mount table says so), so
	// only a plan that allows a disk in use may install over it.
	if err := os.WriteFile(plan, []byte("cidr: 10.9.0.0/24\ngateway: 10.9.0.1\nnameservers: [10.9.0.1]\nhostname_template: 'vm-{{octet 4 .IP}}'\ndisk_allow_in_use: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, "dump", "--root", "../../testdata/hosts/build-vm", "-o", "csv", "--plan", plan)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	// The build VM's 275 GB virtio disk is the install disk, its one NIC
	// the boot NIC.
	want := "hostname,mac,ip_address,netmask,gateway,nameservers,labels,disk\nvm-2,02:fc:00:00:00:01,10.9.0.2,255.255.255.0,10.9.0.1,10.9.0.1,,/dev/vda\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}

	stdout, _, err = runCLI(t, "dump", "--root", "../../testdata/hosts/build-vm", "--collectors", "cpu,storage", "-o", "csv")
	wantErr := `this machine's hardware.csv row would be rejected; nothing was printed:
  - no ip address: set cidr or pool_start/pool_end, or an addresses entry
  - no boot NIC: none netbooted and no physical NIC has link (have no interfaces); set boot_macs or boot_interface
  - no install disk: vda (in use: holds the running root filesystem, mounted (/, /run/netns))
  - netmask is empty (set netmask or cidr)
  - gateway is empty
  - nameservers is empty
(discovery cannot know the address plan: give --plan FILE with cidr, gateway and nameservers; see docs/export.md)`
	if err == nil || err.Error() != wantErr {
		t.Errorf("dump -o csv without a plan: %v\nwant error:\n%s", err, wantErr)
	}
	if stdout != "" {
		t.Errorf("dump -o csv printed a row it refused:\n%s", stdout)
	}
}
