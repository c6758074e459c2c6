package export_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/internal/testutil"
)

// goldenCases export the fleet (testdata/fleet, inventories collected from
// real fixture host trees) under the plans of testdata/plans.
var goldenCases = []struct {
	name   string
	plan   string
	inputs []string
	env    plan.MachineCredentials // what HWAGENT_BMC_USERNAME/PASSWORD would give
}{
	{name: "basic", plan: "basic.yaml", inputs: []string{"testdata/fleet"}},
	{name: "index-vlan", plan: "index-vlan.yaml", inputs: []string{"testdata/fleet"}},
	{
		name: "lldp", plan: "lldp.yaml",
		inputs: []string{"testdata/fleet/srv-x9dbl.json", "testdata/fleet/desk-x399.json", "testdata/fleet/nas-synology.json"},
		env:    plan.MachineCredentials{Username: "root", Password: "from-env"},
	},
}

// exportOnce runs one export of refs under the plan file into the writer
// made by mk.
func exportOnce(t *testing.T, planFile string, env plan.MachineCredentials, refs []source.Ref, mk func(*bytes.Buffer, *plan.Plan) export.Writer) ([]byte, *export.Result, error) {
	t.Helper()
	p, err := plan.LoadPlan(filepath.Join("testdata/plans", planFile))
	if err != nil {
		t.Fatal(err)
	}
	creds := &plan.Credentials{}
	if p.BMCCredentialsFile != "" {
		if creds, err = plan.LoadCredentials(p.BMCCredentialsFile); err != nil {
			t.Fatal(err)
		}
	}
	creds.Default = env
	x, err := export.New(*p, creds)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	res, err := x.Export(context.Background(), refs, mk(&b, p))
	return b.Bytes(), res, err
}

func csvWriter(b *bytes.Buffer, _ *plan.Plan) export.Writer { return hardwarecsv.NewWriter(b) }
func yamlWriter(b *bytes.Buffer, p *plan.Plan) export.Writer {
	return tinkerbell.NewWriter(b, p.Namespace, p.FacilityCode)
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			refs, err := source.FileRefs(tc.inputs)
			if err != nil {
				t.Fatal(err)
			}
			csvOut, res, err := exportOnce(t, tc.plan, tc.env, refs, csvWriter)
			if err != nil {
				t.Fatalf("csv export: %v", err)
			}
			if res.Machines != len(refs) {
				t.Errorf("exported %d machines, want %d", res.Machines, len(refs))
			}
			yamlOut, _, err := exportOnce(t, tc.plan, tc.env, refs, yamlWriter)
			if err != nil {
				t.Fatalf("tinkerbell export: %v", err)
			}
			golden(t, tc.name+".csv", csvOut)
			golden(t, tc.name+".yaml", yamlOut)

			if err := eksaAccepts(csvOut); err != nil {
				t.Errorf("EKS Anywhere would reject the csv: %v", err)
			}
			checkManifests(t, csvOut, yamlOut)

			// Deterministic: the same inventories in another order give
			// the same bytes.
			rev := slices.Clone(refs)
			slices.Reverse(rev)
			again, _, err := exportOnce(t, tc.plan, tc.env, rev, csvWriter)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, csvOut) {
				t.Errorf("csv differs when the inputs come in reverse order:\n%s", cmp.Diff(string(csvOut), string(again)))
			}
			againYAML, _, err := exportOnce(t, tc.plan, tc.env, rev, yamlWriter)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(againYAML, yamlOut) {
				t.Errorf("yaml differs when the inputs come in reverse order")
			}
		})
	}
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata/golden", name), got, *testutil.Update)
}

// checkManifests validates every Hardware against the CRD and checks that
// the manifests say what EKS Anywhere would generate from the csv: one
// Hardware per row named after the hostname with the row's MAC, address,
// gateway, netmask, nameservers, VLAN, disk and labels, and for rows with a
// BMC a Rufio Machine bmc-<hostname> at bmc_ip and a basic-auth Secret
// bmc-<hostname>-auth holding the row's credentials.
func checkManifests(t *testing.T, csvOut, yamlOut []byte) {
	t.Helper()
	rows, err := eksaReadCSV(csvOut)
	if err != nil {
		t.Fatal(err)
	}
	type hwView struct {
		Metadata struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			BMCRef *struct {
				APIGroup, Kind, Name string
			} `json:"bmcRef"`
			Disks []struct {
				Device string `json:"device"`
			} `json:"disks"`
			Interfaces []struct {
				DHCP struct {
					Hostname    string   `json:"hostname"`
					MAC         string   `json:"mac"`
					NameServers []string `json:"name_servers"`
					VLANID      string   `json:"vlan_id"`
					IP          struct {
						Address, Gateway, Netmask string
						Family                    int
					} `json:"ip"`
				} `json:"dhcp"`
			} `json:"interfaces"`
		} `json:"spec"`
	}
	type other struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Connection struct {
				Host          string `json:"host"`
				AuthSecretRef struct {
					Name string `json:"name"`
				} `json:"authSecretRef"`
			} `json:"connection"`
		} `json:"spec"`
		Type string            `json:"type"`
		Data map[string][]byte `json:"data"`
	}
	hws := map[string]hwView{}
	others := map[string]other{}
	var order []string
	for _, doc := range splitDocs(yamlOut) {
		switch kind := kindOf(t, doc); kind {
		case "Hardware":
			if err := validateHardware(t, doc); err != nil {
				t.Errorf("Hardware does not validate against the CRD: %v\n%s", err, doc)
			}
			var h hwView
			if err := yaml.Unmarshal(doc, &h); err != nil {
				t.Fatal(err)
			}
			hws[h.Metadata.Name] = h
			order = append(order, h.Metadata.Name)
		case "Machine", "Secret":
			var o other
			if err := yaml.Unmarshal(doc, &o); err != nil {
				t.Fatal(err)
			}
			others[kind+"/"+o.Metadata.Name] = o
		default:
			t.Errorf("unexpected kind %q", kind)
		}
	}
	var rowOrder []string
	for _, r := range rows {
		rowOrder = append(rowOrder, r.Hostname)
		h, ok := hws[r.Hostname]
		if !ok {
			t.Errorf("no Hardware %s", r.Hostname)
			continue
		}
		d := h.Spec.Interfaces[0].DHCP
		if len(h.Spec.Interfaces) != 1 || d.MAC != r.MACAddress || d.Hostname != r.Hostname ||
			d.IP.Address != r.IPAddress || d.IP.Gateway != r.Gateway || d.IP.Netmask != r.Netmask || d.IP.Family != 4 ||
			d.VLANID != r.VLANID || !slices.Equal(d.NameServers, r.Nameservers) {
			t.Errorf("Hardware %s interface %+v disagrees with the csv row %+v", r.Hostname, d, r)
		}
		if len(h.Spec.Disks) != 1 || h.Spec.Disks[0].Device != r.Disk {
			t.Errorf("Hardware %s disks %+v, csv disk %s", r.Hostname, h.Spec.Disks, r.Disk)
		}
		if len(r.Labels) > 0 || len(h.Metadata.Labels) > 0 {
			if diff := cmp.Diff(r.Labels, h.Metadata.Labels); diff != "" {
				t.Errorf("Hardware %s labels (-csv +yaml):\n%s", r.Hostname, diff)
			}
		}
		m, hasMachine := others["Machine/bmc-"+r.Hostname]
		s, hasSecret := others["Secret/bmc-"+r.Hostname+"-auth"]
		if r.hasBMC() != hasMachine || r.hasBMC() != hasSecret || r.hasBMC() != (h.Spec.BMCRef != nil) {
			t.Errorf("%s: csv BMC %v, Machine %v, Secret %v, bmcRef %v", r.Hostname, r.hasBMC(), hasMachine, hasSecret, h.Spec.BMCRef != nil)
			continue
		}
		if !r.hasBMC() {
			continue
		}
		if b := h.Spec.BMCRef; b.Name != "bmc-"+r.Hostname || b.Kind != "Machine" || b.APIGroup != "bmc.tinkerbell.org" {
			t.Errorf("%s: bmcRef %+v", r.Hostname, b)
		}
		if m.Spec.Connection.Host != r.BMCIPAddress || m.Spec.Connection.AuthSecretRef.Name != "bmc-"+r.Hostname+"-auth" {
			t.Errorf("%s: Machine %+v", r.Hostname, m.Spec)
		}
		if s.Type != "kubernetes.io/basic-auth" || string(s.Data["username"]) != r.BMCUsername || string(s.Data["password"]) != r.BMCPassword {
			t.Errorf("%s: Secret type %s does not hold the row's credentials", r.Hostname, s.Type)
		}
	}
	if diff := cmp.Diff(rowOrder, order); diff != "" {
		t.Errorf("Hardware order differs from the csv (-csv +yaml):\n%s", diff)
	}
	if strings.Count(string(yamlOut), "kind: Hardware") != len(rows) {
		t.Errorf("%d Hardware documents for %d rows", strings.Count(string(yamlOut), "kind: Hardware"), len(rows))
	}
}
