package export

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/internal/secret"
)

func TestParsePlan(t *testing.T) {
	t.Parallel()
	p, err := plan.LoadPlan("testdata/plans/basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := &plan.Plan{
		CIDR: "10.10.10.0/24", PoolStart: "10.10.10.100", PoolEnd: "10.10.10.199",
		Gateway: "10.10.10.1", Nameservers: []string{"10.10.10.2", "1.1.1.1"},
		Labels: map[string]string{"site": "lab-a"},
		Roles: []plan.Role{
			{Match: plan.Match{Product: "X9DBL*"}, Count: 1, Labels: map[string]string{"type": "cp"}},
			{Labels: map[string]string{"type": "worker"}},
		},
		BMCCredentialsFile: "testdata/plans/bmc-credentials.yaml",
		Disks:              map[string]string{"FCN0CJ03468352B": "/dev/nvme0n1"},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func TestParsePlanRejects(t *testing.T) {
	t.Parallel()
	cases := []struct{ yaml, want string }{
		{"cidr: 10.0.0.0/24\ngatway: 10.0.0.1\n", `unknown field "gatway"`},
		{"roles:\n- match: {prodct: X}\n  labels: {a: b}\n", `unknown field "prodct"`},
		{"cidr: a\ncidr: b\n", `key "cidr" already set in map`},
		{"vlan: {id: 5, from: lldp}\n", "vlan: give id or from, not both"},
		{"vlan: {from: cdp}\n", `vlan: from "cdp": only "lldp" is known`},
		{"vlan: {vid: 5}\n", "vlan: want an ID"},
		{"vlan: tagged\n", `vlan "tagged": want a VLAN ID or "lldp"`},
		{"disk_min_size: lots\n", `size "lots": want bytes or a number with a unit`},
		{"nameservers: 1.1.1.1\n", "cannot unmarshal string"},
	}
	for _, tc := range cases {
		_, err := plan.ParsePlan([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParsePlan(%q) = %v, want an error containing %q", tc.yaml, err, tc.want)
		}
	}
}

func TestVLANForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]plan.VLAN{
		"vlan: 120":          {ID: 120},
		`vlan: "120"`:        {ID: 120},
		"vlan: lldp":         {FromLLDP: true},
		"vlan: LLDP":         {FromLLDP: true},
		"vlan: {id: 7}":      {ID: 7},
		"vlan: {from: lldp}": {FromLLDP: true},
		"vlan: 5000":         {ID: 5000}, // range is checked per machine
		"cidr: 10.0.0.0/8":   {},
	} {
		p, err := plan.ParsePlan([]byte(in))
		if err != nil || p.VLAN != want {
			t.Errorf("%s: got %+v, %v; want %+v", in, p.VLAN, err, want)
		}
	}
	var v plan.VLAN
	if err := v.Set("lldp"); err != nil || v.String() != "lldp" {
		t.Errorf("Set(lldp): %+v %v", v, err)
	}
	if err := v.Set("42"); err != nil || v.String() != "42" {
		t.Errorf("Set(42): %+v %v", v, err)
	}
}

func TestCompileRejects(t *testing.T) {
	t.Parallel()
	_, err := compile(plan.Plan{
		CIDR: "10.0.0.0/33", Netmask: "255.0.255.0", Gateway: "fe80::1", Nameservers: []string{"dns.example"},
		PoolStart: "10.0.0.9", Addresses: map[string]string{"s1": "10.0.0.300"},
		BMCAddresses: map[string]string{"s1": "nope"}, BootMACs: map[string]string{"s1": "zz"},
		HostnameTemplate: "{{", Labels: map[string]string{"bad key": "v", "k": "bad value"},
		Roles: []plan.Role{{Count: -1}}, BMC: "sometimes", DiskPrefer: []string{"tape"}, Disk: "/dev/disk/by-id/x:y",
	})
	if err == nil {
		t.Fatal("compiled")
	}
	for _, want := range []string{
		`cidr "10.0.0.0/33": want an IPv4 prefix`,
		`netmask "255.0.255.0": want a dotted-quad netmask`,
		`gateway "fe80::1" is not an IPv4 address`,
		`nameserver "dns.example" is not an IP address`,
		"pool_start and pool_end go together",
		`addresses[s1]: "10.0.0.300" is not an IPv4 address`,
		`bmc_addresses[s1]: "nope" is not an IP address`,
		`boot_macs[s1]: "zz" is not a MAC address`,
		"hostname_template: template: hostname_template:1: unclosed action",
		`labels: label key "bad key": name must be alphanumerics`,
		`labels: label k: value "bad value" must be empty or alphanumerics`,
		"roles[0]: no labels",
		"roles[0]: count -1 is negative",
		`bmc "sometimes": want auto, required or omit`,
		`disk_prefer "tape": want nvme, ssd or hdd`,
		`disk "/dev/disk/by-id/x:y" does not match ^(/dev/[\w-]+)+$`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, tc := range []struct {
		p    plan.Plan
		want string
	}{
		{plan.Plan{CIDR: "10.0.0.0/24", Gateway: "10.0.1.1"}, "gateway 10.0.1.1 is outside cidr 10.0.0.0/24"},
		{plan.Plan{CIDR: "10.0.0.0/24", Netmask: "255.255.0.0"}, "netmask 255.255.0.0 disagrees with cidr 10.0.0.0/24"},
		{plan.Plan{CIDR: "10.0.0.0/24", PoolStart: "10.0.0.200", PoolEnd: "10.0.0.100"}, "pool_end 10.0.0.100 is before pool_start 10.0.0.200"},
		{plan.Plan{CIDR: "10.0.0.0/24", PoolStart: "10.0.0.200", PoolEnd: "10.0.1.10"}, "pool 10.0.0.200-10.0.1.10 is not inside cidr 10.0.0.0/24"},
		{plan.Plan{CIDR: "10.0.0.0/24", Addresses: map[string]string{"s": "10.9.0.1"}}, "addresses[s]: 10.9.0.1 is outside cidr 10.0.0.0/24"},
		{plan.Plan{KernelParams: []string{"hwagent.server=https://10.0.0.5:8443 hwagent.token=x"}}, `kernel_params[0]: "hwagent.server=https://10.0.0.5:8443 "...: only printable ASCII without spaces or quotes (one parameter per entry)`},
		{plan.Plan{KernelParams: []string{"quiet", ""}}, "kernel_params[1]: empty"},
		{plan.Plan{KernelParams: []string{"hwagent.token=\"x\""}}, "kernel_params[0]: "},
		{plan.Plan{KernelParams: []string{strings.Repeat("a", 600)}}, "kernel_params[0]: 600 bytes, more than 512"},
	} {
		if _, err := compile(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("compile(%+v) = %v, want %q", tc.p, err, tc.want)
		}
	}
}

func TestCompileDefaults(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, plan.Plan{CIDR: "192.168.7.130/25"})
	got := fmt.Sprint(c.prefix, " ", c.netmask, " ", c.poolStart, "-", c.poolEnd, " ", c.bmcMode, " ", c.disk.MinSize, " ", c.disk.Prefer, " ", c.plan.Namespace, " ", c.plan.FacilityCode)
	if want := "192.168.7.128/25 255.255.255.128 192.168.7.129-192.168.7.254 auto 16GiB [nvme ssd hdd] eksa-system onprem"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	c = mustCompile(t, plan.Plan{CIDR: "10.1.2.3/32"})
	if c.poolStart.String() != "10.1.2.3" || c.poolEnd.String() != "10.1.2.3" {
		t.Errorf("/32 pool %s-%s", c.poolStart, c.poolEnd)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]plan.Size{
		"16GiB": 16 << 30, "16gib": 16 << 30, "500GB": 500e9, "1.5TiB": 3 << 39, "512M": 512 << 20,
		"4096": 4096, " 2 KiB ": 2048, "1e3B": 1000, "0": 0,
	} {
		if got, err := plan.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1G", "1..2G", "NaN", "Inf", "99999999999PiB", "12 apples"} {
		if got, err := plan.ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
	for s, want := range map[plan.Size]string{16 << 30: "16GiB", 1000: "1000", 3 << 39: "1536GiB", 0: "0"} {
		if s.String() != want {
			t.Errorf("Size(%d).String() = %q, want %q", uint64(s), s.String(), want)
		}
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	t.Parallel()
	s := secret.Value("hunter2")
	row := Row{Hostname: "n1", BMCPassword: s}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("row", "password", s, "row", row)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("row", "password", s, "row", row)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %+v %#v %q", s, s, row, row, s), logged.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("the password leaked: %s", out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
	if secret.Value("").String() != "" {
		t.Errorf("an empty secret should print empty")
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	c, err := plan.LoadCredentials("testdata/plans/bmc-credentials.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.Default = plan.MachineCredentials{Username: "envuser", Password: "envpass"}
	for _, tc := range []struct {
		keys []string
		want plan.MachineCredentials
	}{
		{[]string{"9000116105"}, plan.MachineCredentials{Username: "ADMIN", Password: "x9dbl only"}},
		{[]string{"aa:bb:cc:dd:ee:ff"}, plan.MachineCredentials{Username: "ADMIN", Password: "fleet-Pa55,word"}},
	} {
		if got := c.For(tc.keys); got != tc.want {
			t.Errorf("For(%v) = %+v, want %+v", tc.keys, got.Username, tc.want.Username)
		}
	}
	env := &plan.Credentials{Default: plan.MachineCredentials{Username: "envuser"}}
	if got := env.For(nil); got.Username != "envuser" || got.Password != "" {
		t.Errorf("env only: %+v", got)
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "creds.yaml")
	if err := os.WriteFile(bad, []byte("username: a\npasword: topsecret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = plan.LoadCredentials(bad)
	if err == nil || !strings.Contains(err.Error(), `unknown field "pasword"`) || strings.Contains(err.Error(), "topsecret-value") {
		t.Errorf("bad credentials file: %v", err)
	}
}
