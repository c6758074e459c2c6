package kube

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/internal/kubetest"
)

type storedHardware struct {
	Metadata struct {
		Labels map[string]string
	}
	Spec struct {
		Interfaces []struct {
			DHCP    struct{ MAC string }
			Netboot struct{ AllowPXE, AllowWorkflow bool } `json:"netboot"`
		}
		Metadata struct {
			State    string
			Instance struct {
				OperatingSystem map[string]any `json:"operating_system"`
			}
		}
	}
}

// TestOwnership: hwagent owns only what it sets. An operator's label, a
// netboot edit and an operating system set by kubectl survive the next
// apply (a re-registration); fields both set are reported as conflicts
// and left to the operator, while hwagent's other changes still land;
// Force takes them back.
func TestOwnership(t *testing.T) {
	t.Parallel()
	s := kubetest.Shared(t)
	ctx := context.Background()
	const ns = "ownership"
	kc := writeKubeconfig(t, s, kubetest.Admin)
	c := newClient(t, kc, false)
	apply := func(c *Client, labels map[string]string) Result {
		t.Helper()
		res, err := c.Apply(ctx, fleetObjects(t, ns, labels)[0])
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := apply(c, map[string]string{"type": "cp"})
	path := hardwarePath(ns, first.Ref.Name)
	read := func() storedHardware {
		t.Helper()
		var hw storedHardware
		if err := s.Get(ctx, path, &hw); err != nil {
			t.Fatal(err)
		}
		return hw
	}
	hw := read()

	// The operator: kubectl label (a new label), kubectl edit (netboot off
	// on the provisioning NIC, an operating system for the workflow).
	if err := s.Edit(ctx, path, "kubectl-label", map[string]any{"metadata": map[string]any{"labels": map[string]any{"rack": "r12"}}}); err != nil {
		t.Fatal(err)
	}
	ifaces := []map[string]any{{"dhcp": map[string]any{"mac": hw.Spec.Interfaces[0].DHCP.MAC}}}
	var raw map[string]any
	if err := s.Get(ctx, path, &raw); err != nil {
		t.Fatal(err)
	}
	ifaces[0] = raw["spec"].(map[string]any)["interfaces"].([]any)[0].(map[string]any)
	ifaces[0]["netboot"] = map[string]any{"allowPXE": false, "allowWorkflow": true}
	if err := s.Edit(ctx, path, "kubectl-edit", map[string]any{"spec": map[string]any{
		"interfaces": ifaces,
		"metadata":   map[string]any{"instance": map[string]any{"operating_system": map[string]any{"distro": "ubuntu", "version": "24.04"}}},
	}}); err != nil {
		t.Fatal(err)
	}

	// Re-registration: the same objects again, plus a label the plan now gives.
	res := apply(c, map[string]string{"type": "cp", "site": "lab-a"})
	want := []Conflict{{Field: ".spec.interfaces", Manager: "kubectl-edit"}}
	if d := cmp.Diff(want, res.Conflicts); d != "" {
		t.Errorf("conflicts (-want +got):\n%s", d)
	}
	hw = read()
	if d := cmp.Diff(map[string]string{"type": "cp", "site": "lab-a", "rack": "r12"}, hw.Metadata.Labels); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}
	if nb := hw.Spec.Interfaces[0].Netboot; nb.AllowPXE || !nb.AllowWorkflow {
		t.Errorf("netboot %+v: the operator's allowPXE: false did not survive", nb)
	}
	if d := cmp.Diff(map[string]any{"distro": "ubuntu", "version": "24.04"}, hw.Spec.Metadata.Instance.OperatingSystem); d != "" {
		t.Errorf("operating_system (-want +got):\n%s", d)
	}

	// A label both set: the operator's value stays, and it is reported.
	if err := s.Edit(ctx, path, "kubectl-label", map[string]any{"metadata": map[string]any{"labels": map[string]any{"type": "worker"}}}); err != nil {
		t.Fatal(err)
	}
	res = apply(c, map[string]string{"type": "cp", "site": "lab-b"})
	want = []Conflict{{Field: ".spec.interfaces", Manager: "kubectl-edit"}, {Field: ".metadata.labels.type", Manager: "kubectl-label"}}
	if d := cmp.Diff(want, res.Conflicts, sortConflicts); d != "" {
		t.Errorf("conflicts (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"type": "worker", "site": "lab-b", "rack": "r12"}, read().Metadata.Labels); d != "" {
		t.Errorf("labels (-want +got):\n%s", d)
	}

	// --force-conflicts: hwagent takes its fields back; the operator's own
	// fields (rack, the operating system) are still theirs.
	res = apply(newClient(t, kc, true), map[string]string{"type": "cp", "site": "lab-b"})
	if len(res.Conflicts) > 0 {
		t.Errorf("forced apply reported conflicts %v", res.Conflicts)
	}
	hw = read()
	if d := cmp.Diff(map[string]string{"type": "cp", "site": "lab-b", "rack": "r12"}, hw.Metadata.Labels); d != "" {
		t.Errorf("labels after a forced apply (-want +got):\n%s", d)
	}
	if nb := hw.Spec.Interfaces[0].Netboot; !nb.AllowPXE {
		t.Errorf("netboot %+v after a forced apply: want hwagent's allowPXE: true", nb)
	}
	if hw.Spec.Metadata.Instance.OperatingSystem["distro"] != "ubuntu" {
		t.Errorf("operating_system %v: the operator's distro is gone", hw.Spec.Metadata.Instance.OperatingSystem)
	}
}

var sortConflicts = cmp.Transformer("sort", func(in []Conflict) map[string]string {
	m := map[string]string{}
	for _, c := range in {
		m[c.Field] = c.Manager
	}
	return m
})
