package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/internal/kubetest"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
)

// fleet loads one of the export fleet's inventories (real SMBIOS tables
// and ghw snapshots of real machines; export/testdata/fleet/README.md).
func fleet(t *testing.T, name string) *inventory.Inventory {
	t.Helper()
	inv, err := source.FileRef(filepath.Join("..", "..", "export", "testdata", "fleet", name+".json")).Load()
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// kubeSetup writes a kubeconfig through a proxy to the shared API server, a
// plan and a BMC credentials file, and returns serve's flags.
func kubeSetup(t *testing.T, ns string) (*kubetest.Server, *kubetest.Proxy, []string) {
	t.Helper()
	ks := kubetest.Shared(t)
	p := ks.Proxy(t)
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := p.WriteKubeconfig(kc); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"creds.yaml": "username: ADMIN\npassword: \"s3cret\"\n",
		"plan.yaml": `cidr: 10.10.10.0/24
gateway: 10.10.10.1
nameservers: [10.10.10.2]
addresses: {"9000116105": 10.10.10.10}
labels: {site: lab-a}
bmc_credentials_file: creds.yaml
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return ks, p, []string{"--kubeconfig", kc, "--kube-namespace", ns, "--plan", filepath.Join(dir, "plan.yaml")}
}

// eventually polls cond every 100 ms for up to 30 s.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ok bool
		if ok, last = cond(); ok {
			return
		}
	}
	t.Fatalf("%s: not within 30 s; last: %s", what, last)
}

func kubeState(t *testing.T, s *servertest.Serve, id string) *api.KubeSync {
	t.Helper()
	var m api.Machine
	must(t, s, "GET", "/v1/machines/"+id, adminToken, nil, 200, &m)
	return m.Kube
}

// metric reads one sample of serve's /metrics ("name{labels}").
func metric(t *testing.T, s *servertest.Serve, sample string) float64 {
	t.Helper()
	_, _, b, err := call(s.URL, "GET", "/metrics", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return 0
}

type hardwareObject struct {
	Metadata struct{ Labels map[string]string }
	Spec     struct {
		AgentID    string                 `json:"agentID"`
		BMCRef     *struct{ Name string } `json:"bmcRef"`
		Interfaces []struct {
			DHCP struct {
				MAC string
				IP  *struct{ Address string }
			}
			Netboot struct{ AllowPXE bool } `json:"netboot"`
		}
	}
}

func getHardware(ks *kubetest.Server, ns, name string) (*hardwareObject, error) {
	var hw hardwareObject
	err := ks.Get(context.Background(), "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware/"+name, &hw)
	return &hw, err
}

// TestKubeServe: hwagent serve --kubeconfig writes every registered machine
// to a real API server; an operator's edits survive a re-registration and
// the fields both set are reported in machines show; with the API server
// unreachable registration still succeeds, the failure is visible (machines
// show, metric), and the machine is applied once the server is back, even
// across a restart of serve.
func TestKubeServe(t *testing.T) {
	t.Parallel()
	const ns = "e2e-serve"
	ks, p, args := kubeSetup(t, ns)
	dsn := "sqlite://" + filepath.Join(t.TempDir(), "hwagent.db")
	s := serve(t, dsn, args...)

	x9 := fleet(t, "srv-x9dbl")
	reg, err := register(s.URL, x9)
	if err != nil {
		t.Fatal(err)
	}
	const name = "discovery-00-1f-f3-af-d3-f1" // Tinkerbell's name for agent ID 00:1f:f3:af:d3:f1
	eventually(t, "Hardware applied", func() (bool, string) {
		k := kubeState(t, s, reg.MachineID)
		return k != nil && k.State == api.KubeApplied, fmt.Sprintf("%+v", k)
	})
	hw, err := getHardware(ks, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if hw.Spec.AgentID != "00:1f:f3:af:d3:f1" || hw.Spec.Interfaces[0].DHCP.IP.Address != "10.10.10.10" ||
		hw.Metadata.Labels["site"] != "lab-a" || hw.Spec.BMCRef == nil || hw.Spec.BMCRef.Name != "bmc-"+name {
		t.Errorf("Hardware %s: %+v", name, hw)
	}
	if sec, _ := p.Secret(ns, "bmc-"+name+"-auth"); sec == nil || string(sec.Data["password"]) != "s3cret" {
		t.Errorf("BMC Secret: %+v", sec)
	}
	want := []string{"Secret " + ns + "/bmc-" + name + "-auth", "Machine " + ns + "/bmc-" + name, "Hardware " + ns + "/" + name}
	if k := kubeState(t, s, reg.MachineID); strings.Join(k.Objects, ",") != strings.Join(want, ",") {
		t.Errorf("objects %q, want %q", k.Objects, want)
	}

	// The operator labels the machine and turns PXE off on its NIC.
	path := "/apis/tinkerbell.org/v1alpha1/namespaces/" + ns + "/hardware/" + name
	ctx := context.Background()
	if err := ks.Edit(ctx, path, "kubectl-label", map[string]any{"metadata": map[string]any{"labels": map[string]any{"rack": "r12"}}}); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := ks.Get(ctx, path, &raw); err != nil {
		t.Fatal(err)
	}
	iface := raw["spec"].(map[string]any)["interfaces"].([]any)[0].(map[string]any)
	iface["netboot"] = map[string]any{"allowPXE": false, "allowWorkflow": true}
	if err := ks.Edit(ctx, path, "kubectl-edit", map[string]any{"spec": map[string]any{"interfaces": []any{iface}}}); err != nil {
		t.Fatal(err)
	}
	// The machine boots into discovery again.
	if _, err := register(s.URL, fleet(t, "srv-x9dbl")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "re-registration applied with a conflict", func() (bool, string) {
		k := kubeState(t, s, reg.MachineID)
		return k.State == api.KubeConflict, fmt.Sprintf("%+v", k)
	})
	hw, err = getHardware(ks, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	if hw.Metadata.Labels["rack"] != "r12" || hw.Metadata.Labels["site"] != "lab-a" || hw.Spec.Interfaces[0].Netboot.AllowPXE {
		t.Errorf("after re-registration: labels %v, allowPXE %v: the operator's edits did not survive", hw.Metadata.Labels, hw.Spec.Interfaces[0].Netboot.AllowPXE)
	}
	out := machines(t, s, nil, "show", reg.MachineID, "-o", "table")
	if !strings.Contains(out, "Kubernetes:") || !strings.Contains(out, "conflict (applied") ||
		!strings.Contains(out, "Hardware "+ns+"/"+name+" .spec.interfaces (held by kubectl-edit)") {
		t.Errorf("machines show does not report the conflict:\n%s", out)
	}

	// The inventory changes (a DIMM pulled): the agent uploads it, and the
	// Hardware's resources follow.
	again, err := register(s.URL, fleet(t, "srv-x9dbl"))
	if err != nil {
		t.Fatal(err)
	}
	smaller := fleet(t, "srv-x9dbl")
	smaller.Memory.TotalBytes -= 16 << 30
	must(t, s, "PUT", fmt.Sprintf(api.PathInventoryFmt, again.MachineID), again.Credential, api.InventoryRequest{Inventory: smaller}, 204, nil)
	eventually(t, "the changed inventory applied", func() (bool, string) {
		var obj struct {
			Spec struct{ Resources map[string]string }
		}
		if err := ks.Get(ctx, path, &obj); err != nil {
			return false, err.Error()
		}
		want := export.FactsOf(smaller).Resources["memory"]
		return obj.Spec.Resources["memory"] == want, fmt.Sprintf("memory %q, want %q", obj.Spec.Resources["memory"], want)
	})

	// The API server becomes unreachable: a new machine still registers.
	p.Down()
	reg2, err := register(s.URL, fleet(t, "qemu-acme-r440"))
	if err != nil {
		t.Fatalf("registration with the API server down: %v", err)
	}
	eventually(t, "failure recorded", func() (bool, string) {
		k := kubeState(t, s, reg2.MachineID)
		return k.State == api.KubeFailed && k.Attempts >= 1 && strings.Contains(k.Message, "unreachable") && k.NextAttempt != nil, fmt.Sprintf("%+v", k)
	})
	if got := metric(t, s, `hwagent_server_kube_machines{state="failed"}`); got != 1 {
		t.Errorf(`hwagent_server_kube_machines{state="failed"} = %v, want 1`, got)
	}
	if got := metric(t, s, `hwagent_server_kube_applies_total{kind="Hardware",result="unreachable"}`); got < 1 {
		t.Errorf(`hwagent_server_kube_applies_total{kind="Hardware",result="unreachable"} = %v`, got)
	}
	// serve restarts while the API server is still down; nothing is lost.
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	s = serve(t, dsn, args...)
	p.Up()
	eventually(t, "applied after the outage", func() (bool, string) {
		k := kubeState(t, s, reg2.MachineID)
		return k.State == api.KubeApplied, fmt.Sprintf("%+v", k)
	})
	// Its netbooted NIC (BOOTIF) is the second one: its MAC is the agent ID.
	k := kubeState(t, s, reg2.MachineID)
	if want := []string{"Hardware " + ns + "/discovery-52-54-00-c3-d4-02"}; strings.Join(k.Objects, ",") != strings.Join(want, ",") {
		t.Errorf("objects %q, want %q", k.Objects, want)
	}
	// The first pool address: .1 is the gateway, .2 the nameserver, .10
	// the X9DBL's fixed address.
	if hw, err := getHardware(ks, ns, "discovery-52-54-00-c3-d4-02"); err != nil {
		t.Errorf("Hardware after the outage: %v", err)
	} else if hw.Spec.AgentID != "52:54:00:c3:d4:02" || hw.Spec.Interfaces[0].DHCP.IP == nil || hw.Spec.Interfaces[0].DHCP.IP.Address != "10.10.10.3" {
		t.Errorf("Hardware after the outage: %+v, want agentID 52:54:00:c3:d4:02 and IP 10.10.10.3", hw.Spec)
	}
}

// TestKubeReplicas: two serve replicas on one PostgreSQL apply the fleet's
// eight machines, registered alternately with each, each machine exactly
// once (the outbox's leases), and every Hardware passes the CRD schema.
func TestKubeReplicas(t *testing.T) {
	t.Parallel()
	const ns = "e2e-replicas"
	ks, _, args := kubeSetup(t, ns)
	dsn := pg.NewDatabase(t, pgErr)
	replicas := []*servertest.Serve{serve(t, dsn, args...), serve(t, dsn, args...)}
	names := []string{"arm-n1", "desk-x399", "laptop-t480", "nas-synology", "qemu-acme-r220", "qemu-acme-r440", "srv-x9dbl", "vm-vmware"}
	ids := map[string]string{}
	for i, n := range names {
		res, err := register(replicas[i%2].URL, fleet(t, n))
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		ids[n] = res.MachineID
	}
	for n, id := range ids {
		eventually(t, n+" applied", func() (bool, string) {
			k := kubeState(t, replicas[0], id)
			return k != nil && k.State == api.KubeApplied, fmt.Sprintf("%+v", k)
		})
	}
	var list struct{ Items []hardwareObject }
	if err := ks.Get(context.Background(), "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware", &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != len(names) {
		t.Errorf("%d Hardware objects, want %d", len(list.Items), len(names))
	}
	// Pool addresses: one per machine, none twice, whichever replica
	// handed it out.
	ips := map[string]string{}
	for _, hw := range list.Items {
		if len(hw.Spec.Interfaces) == 0 || hw.Spec.Interfaces[0].DHCP.IP == nil {
			t.Errorf("Hardware of agent %s: no IP", hw.Spec.AgentID)
			continue
		}
		ip := hw.Spec.Interfaces[0].DHCP.IP.Address
		if other, dup := ips[ip]; dup {
			t.Errorf("%s given to %s and %s", ip, other, hw.Spec.AgentID)
		}
		ips[ip] = hw.Spec.AgentID
	}
	applies := 0.0
	for _, r := range replicas {
		applies += metric(t, r, `hwagent_server_kube_applies_total{kind="Hardware",result="applied"}`)
	}
	if applies != float64(len(names)) {
		t.Errorf("Hardware applied %v times by the replicas together, want %d (once per machine)", applies, len(names))
	}
}
