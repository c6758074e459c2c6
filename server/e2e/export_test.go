package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// TestExportMachineIDs: `hwagent export --server` names each machine by
// the ID the server knows it by. Two machines sharing a UUID (firmware
// settings cloned onto another board) derive one ID in their agents'
// identity.machine_id; the server keeps them apart under two IDs. The
// export's hwagent.io/machine-id annotation and plan maps keyed by
// machine ID followed the documents: both Hardware named the first machine
// (an operator acting on that ID reached the other machine), and a
// hostname given for the second machine's ID went to both or neither.
func TestExportMachineIDs(t *testing.T) {
	each(t, func(t *testing.T, dsn string) {
		s := serve(t, dsn)
		first := testinv.Machine(90)
		second := testinv.WithUUID(testinv.Machine(91), first.System.Product.UUID)
		if first.Identity.MachineID != second.Identity.MachineID {
			t.Fatalf("the agents derive %s and %s: want one ID from the shared UUID", first.Identity.MachineID, second.Identity.MachineID)
		}
		ids := map[string]string{} // boot MAC → server's machine ID
		for _, inv := range []*inventory.Inventory{first, second} {
			var r api.RegisterResponse
			must(t, s, "POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv}, 200, &r)
			ids[inv.Network.Boot.MAC] = r.MachineID
		}
		a, b := ids[first.Network.Boot.MAC], ids[second.Network.Boot.MAC]
		if a == b {
			t.Fatalf("one machine %s for two machines sharing a UUID", a)
		}

		dir := t.TempDir()
		planFile := filepath.Join(dir, "plan.yaml")
		plan := "cidr: 10.10.10.0/24\npool_start: 10.10.10.100\npool_end: 10.10.10.199\ngateway: 10.10.10.1\nnameservers: [10.10.10.2]\nbmc: omit\n" +
			"disk_allow_in_use: true\nhostnames: {" + a + ": node-first, " + b + ": node-second}\n"
		if err := os.WriteFile(planFile, []byte(plan), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "export", "tinkerbell", "--plan", planFile, "--server", s.URL)
		cmd.Env = append(os.Environ(), "HWAGENT_ADMIN_TOKEN="+adminToken)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("hwagent export tinkerbell --server: %v\n%s", err, stderr.Bytes())
		}
		got := map[string][2]string{} // boot MAC → hostname, machine-id annotation
		for _, doc := range strings.Split(stdout.String(), "\n---\n") {
			var obj struct {
				Kind     string
				Metadata struct {
					Annotations map[string]string
				}
				Spec struct {
					Interfaces []struct {
						DHCP struct {
							MAC      string
							Hostname string
						}
					}
				}
			}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				t.Fatalf("%v in\n%s", err, doc)
			}
			if obj.Kind != "Hardware" || len(obj.Spec.Interfaces) == 0 {
				continue
			}
			d := obj.Spec.Interfaces[0].DHCP
			got[d.MAC] = [2]string{d.Hostname, obj.Metadata.Annotations["hwagent.io/machine-id"]}
		}
		want := map[string][2]string{
			first.Network.Boot.MAC:  {"node-first", a},
			second.Network.Boot.MAC: {"node-second", b},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Hardware by boot MAC: [hostname, hwagent.io/machine-id] (-want +got):\n%s\n%s", diff, stderr.Bytes())
		}
	})
}
