package kube

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/kubetest"
)

// TestCoexistWithTinkDiscovery: tink-server's auto-discovery created the
// machine's Hardware first (as its Discover does: discovery-<agent ID>,
// spec.agentID, every disk, every NIC's MAC, the auto-discovered label).
// hwagent's apply joins it: agentID (same value) is shared, hwagent's
// other fields are added, and the disks and interfaces tink-server wrote
// differently are reported as conflicts and left as they were.
func TestCoexistWithTinkDiscovery(t *testing.T) {
	t.Parallel()
	s := kubetest.Shared(t)
	ctx := context.Background()
	const ns = "coexist"
	hw := fleetObjects(t, ns, map[string]string{"site": "lab-a"})[0]
	name := hw["metadata"].(map[string]any)["name"].(string)
	discovered := map[string]any{
		"apiVersion": "tinkerbell.org/v1alpha1", "kind": "Hardware",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": map[string]any{"tinkerbell.org/auto-discovered": "true"}},
		"spec": map[string]any{
			"agentID": "00:1f:f3:af:d3:f1",
			"auto":    map[string]any{"enrollmentEnabled": false},
			"disks":   []any{map[string]any{"device": "/dev/sda"}, map[string]any{"device": "/dev/sdb"}},
			"interfaces": []any{
				map[string]any{"dhcp": map[string]any{"mac": "00:1f:f3:af:d3:f1"}},
				map[string]any{"dhcp": map[string]any{"mac": "00:1f:f3:af:d3:f2"}},
			},
		},
	}
	b, err := json.Marshal(discovered)
	if err != nil {
		t.Fatal(err)
	}
	// A create, as controller-runtime's client.Create does (an Update
	// operation in managedFields).
	if _, err := s.Do(ctx, "POST", "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware?fieldManager=tink-server", "", b); err != nil {
		t.Fatal(err)
	}
	res, err := newClient(t, writeKubeconfig(t, s, kubetest.Admin), false).Apply(ctx, hw)
	if err != nil {
		t.Fatal(err)
	}
	want := []Conflict{{Field: ".spec.disks", Manager: "tink-server"}, {Field: ".spec.interfaces", Manager: "tink-server"}}
	if d := cmp.Diff(want, res.Conflicts); d != "" {
		t.Errorf("conflicts (-want +got):\n%s", d)
	}
	var got struct {
		Metadata struct{ Labels map[string]string }
		Spec     struct {
			AgentID    string `json:"agentID"`
			Disks      []any
			Interfaces []any
			Resources  map[string]string
		}
	}
	if err := s.Get(ctx, hardwarePath(ns, name), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Spec.Disks) != 2 || len(got.Spec.Interfaces) != 2 {
		t.Errorf("tink-server's disks and interfaces were not left: %v %v", got.Spec.Disks, got.Spec.Interfaces)
	}
	if got.Metadata.Labels["site"] != "lab-a" || got.Metadata.Labels["tinkerbell.org/auto-discovered"] != "true" || got.Spec.Resources["cpu"] == "" {
		t.Errorf("hwagent's fields were not added beside tink-server's: labels %v, resources %v", got.Metadata.Labels, got.Spec.Resources)
	}
}
