package kube

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/internal/kubetest"
)

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

// fleetObjects builds the objects hwagent serve writes for the fleet's
// srv-x9dbl (a Supermicro X9DBL with a BMC, real SMBIOS): Hardware,
// Machine and Secret, as JSON maps.
func fleetObjects(t *testing.T, ns string, labels map[string]string) []Object {
	t.Helper()
	creds := &plan.Credentials{Username: "ADMIN", Password: "s3cret"}
	x, err := export.New(plan.Plan{
		Namespace: ns, Names: plan.NamesDiscovery, Labels: labels,
		Addresses: map[string]string{"9000116105": "10.10.10.10"}, CIDR: "10.10.10.0/24",
		Gateway: "10.10.10.1", Nameservers: []string{"10.10.10.2"},
	}, creds)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := source.FileRef("../export/testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		t.Fatal(err)
	}
	m, problems, err := x.One(inv, export.OneOptions{})
	if err != nil || len(problems) > 0 {
		t.Fatalf("One: %v %q", err, problems)
	}
	var out []Object
	for _, o := range tinkerbell.NewWriter(nil, ns, "").Objects(m) {
		out = append(out, toObject(t, o))
	}
	if len(out) != 3 {
		t.Fatalf("%d objects, want Hardware, Machine and Secret", len(out))
	}
	return out
}

func toObject(t *testing.T, v any) Object {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var obj Object
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func newClient(t *testing.T, kubeconfig string, force bool) *Client {
	t.Helper()
	c, err := New(Options{Kubeconfig: kubeconfig, Force: force, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeKubeconfig(t *testing.T, s *kubetest.Server, u kubetest.User) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := s.WriteKubeconfig(p, u); err != nil {
		t.Fatal(err)
	}
	return p
}

func hardwarePath(ns, name string) string {
	return "/apis/tinkerbell.org/v1alpha1/namespaces/" + ns + "/hardware/" + name
}

// TestApplyAccepted applies the three objects: the API server's schema
// validation accepts the Hardware and the Machine, and the Secret passes
// the core/v1 checks of kubetest.CheckSecret (the CRD-only server has no
// Secrets). What the server stores is what hwagent sent, owned by the
// field manager hwagent.
func TestApplyAccepted(t *testing.T) {
	t.Parallel()
	s := kubetest.Shared(t)
	p := s.Proxy(t)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := p.WriteKubeconfig(kc); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, kc, false)
	ctx := context.Background()
	objs := fleetObjects(t, "accepted", map[string]string{"type": "cp"})
	var refs []string
	for _, o := range objs {
		res, err := c.Apply(ctx, o)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if len(res.Conflicts) > 0 {
			t.Errorf("%s: conflicts %v on a new object", res.Ref, res.Conflicts)
		}
		refs = append(refs, res.Ref.String())
	}
	want := []string{
		"Hardware accepted/discovery-00-1f-f3-af-d3-f1",
		"Machine accepted/bmc-discovery-00-1f-f3-af-d3-f1",
		"Secret accepted/bmc-discovery-00-1f-f3-af-d3-f1-auth",
	}
	if d := cmp.Diff(want, refs); d != "" {
		t.Errorf("objects (-want +got):\n%s", d)
	}

	var hw struct {
		Metadata struct {
			Labels        map[string]string
			Annotations   map[string]string
			ManagedFields []struct{ Manager, Operation string }
		}
		Spec map[string]any
	}
	if err := s.Get(ctx, hardwarePath("accepted", "discovery-00-1f-f3-af-d3-f1"), &hw); err != nil {
		t.Fatal(err)
	}
	sent := objs[0]["spec"].(map[string]any)
	for _, k := range []string{"agentID", "bmcRef", "disks", "metadata", "resources"} {
		if d := cmp.Diff(sent[k], hw.Spec[k]); d != "" {
			t.Errorf("stored spec.%s differs from the applied one (-sent +stored):\n%s", k, d)
		}
	}
	if got := hw.Spec["agentID"]; got != "00:1f:f3:af:d3:f1" {
		t.Errorf("spec.agentID = %v, want the boot NIC's MAC 00:1f:f3:af:d3:f1", got)
	}
	if d := cmp.Diff([]struct{ Manager, Operation string }{{"hwagent", "Apply"}}, hw.Metadata.ManagedFields); d != "" {
		t.Errorf("managedFields (-want +got):\n%s", d)
	}
	if hw.Metadata.Annotations[tinkerbell.AnnotationSerial] != "9000116105" {
		t.Errorf("annotations %v: no serial 9000116105", hw.Metadata.Annotations)
	}

	var machine struct {
		Spec struct {
			Connection struct {
				Host          string
				AuthSecretRef struct{ Name, Namespace string }
			}
		}
	}
	if err := s.Get(ctx, "/apis/bmc.tinkerbell.org/v1alpha1/namespaces/accepted/machines/bmc-discovery-00-1f-f3-af-d3-f1", &machine); err != nil {
		t.Fatal(err)
	}
	sec, n := p.Secret("accepted", machine.Spec.Connection.AuthSecretRef.Name)
	if sec == nil || n != 1 {
		t.Fatalf("Secret %s named by the Machine: %v (%d applies)", machine.Spec.Connection.AuthSecretRef.Name, sec, n)
	}
	if machine.Spec.Connection.Host != "10.20.0.11" {
		t.Errorf("Machine host %q, want the BMC's LAN address 10.20.0.11", machine.Spec.Connection.Host)
	}
	if string(sec.Data["username"]) != "ADMIN" || string(sec.Data["password"]) != "s3cret" || sec.Type != "kubernetes.io/basic-auth" {
		t.Errorf("Secret: type %s username %q password %q", sec.Type, sec.Data["username"], base64.StdEncoding.EncodeToString(sec.Data["password"]))
	}
}
