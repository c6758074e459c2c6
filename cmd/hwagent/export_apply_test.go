//go:build !noserver

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/kubetest"
)

// TestExportApply: export tinkerbell --apply writes the fleet (eight
// machines from files, the golden "basic" plan) to a real API server whose
// CRD schemas accept every object; an operator's label value is left to
// the operator and reported (exit status 1) until --force-conflicts.
func TestExportApply(t *testing.T) {
	t.Parallel()
	ks := kubetest.Shared(t)
	p := ks.Proxy(t)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	if err := p.WriteKubeconfig(kc); err != nil {
		t.Fatal(err)
	}
	const ns = "export-apply"
	exportApply := func(extra ...string) (string, error) {
		args := append([]string{"export", "tinkerbell", "--apply", "--kubeconfig", kc, "--namespace", ns,
			"--names", "discovery", "--plan", "../../export/testdata/plans/basic.yaml",
			"--kernel-param", "hwagent.server=https://10.0.0.5:8443"}, extra...)
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append(args, "../../export/testdata/fleet"), &stdout, &stderr)
		return stdout.String(), err
	}
	out, err := exportApply()
	if err != nil {
		t.Fatalf("export --apply: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	kinds := map[string]int{}
	for _, l := range lines {
		if !strings.HasSuffix(l, " applied") {
			t.Errorf("line %q: not applied", l)
		}
		kinds[strings.Fields(l)[0]]++
	}
	var hw struct {
		Items []struct {
			Metadata struct{ Name string }
			Spec     struct {
				AgentID    string `json:"agentID"`
				Interfaces []struct {
					Netboot struct {
						OSIE struct {
							KernelParams []string `json:"kernelParams"`
						} `json:"osie"`
					} `json:"netboot"`
				}
			}
		}
	}
	ctx := context.Background()
	if err := ks.Get(ctx, "/apis/tinkerbell.org/v1alpha1/namespaces/"+ns+"/hardware", &hw); err != nil {
		t.Fatal(err)
	}
	if len(hw.Items) != 8 || kinds["Hardware"] != 8 {
		t.Fatalf("%d Hardware stored, %d reported, want 8: %s", len(hw.Items), kinds["Hardware"], out)
	}
	var bmcs struct{ Items []any }
	if err := ks.Get(ctx, "/apis/bmc.tinkerbell.org/v1alpha1/namespaces/"+ns+"/machines", &bmcs); err != nil {
		t.Fatal(err)
	}
	if len(bmcs.Items) == 0 || kinds["Machine"] != len(bmcs.Items) || kinds["Secret"] != len(bmcs.Items) {
		t.Errorf("%d Rufio Machines stored; reported %v", len(bmcs.Items), kinds)
	}
	for _, h := range hw.Items {
		if h.Spec.AgentID == "" || !strings.HasPrefix(h.Metadata.Name, "discovery-") {
			t.Errorf("Hardware %s: agentID %q", h.Metadata.Name, h.Spec.AgentID)
		}
		if len(h.Spec.Interfaces) != 1 || strings.Join(h.Spec.Interfaces[0].Netboot.OSIE.KernelParams, " ") != "hwagent.server=https://10.0.0.5:8443" {
			t.Errorf("Hardware %s: interfaces %+v, want the kernel parameter in netboot.osie.kernelParams", h.Metadata.Name, h.Spec.Interfaces)
		}
	}

	// An operator moves one machine to another site.
	name := hw.Items[0].Metadata.Name
	path := "/apis/tinkerbell.org/v1alpha1/namespaces/" + ns + "/hardware/" + name
	if err := ks.Edit(ctx, path, "kubectl-label", map[string]any{"metadata": map[string]any{"labels": map[string]any{"site": "lab-b"}}}); err != nil {
		t.Fatal(err)
	}
	out, err = exportApply()
	if err == nil || !strings.Contains(err.Error(), "1 applied with conflicts") {
		t.Errorf("export --apply after the operator's edit: %v, want a conflict", err)
	}
	if want := "Hardware " + ns + "/" + name + " applied, except fields other managers hold (left to them): .metadata.labels.site (held by kubectl-label)"; !strings.Contains(out, want) {
		t.Errorf("output does not report the conflict %q:\n%s", want, out)
	}
	site := func() string {
		var obj struct {
			Metadata struct{ Labels map[string]string }
		}
		if err := ks.Get(ctx, path, &obj); err != nil {
			t.Fatal(err)
		}
		return obj.Metadata.Labels["site"]
	}
	if got := site(); got != "lab-b" {
		t.Errorf("site = %q after a conflicting apply: the operator's value was overwritten", got)
	}
	if out, err := exportApply("--force-conflicts"); err != nil {
		t.Fatalf("export --apply --force-conflicts: %v\n%s", err, out)
	}
	if got := site(); got != "lab-a" {
		t.Errorf("site = %q after --force-conflicts, want the plan's lab-a", got)
	}
}

func TestExportApplyFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--apply"}, "--apply needs --kubeconfig"},
		{[]string{"--kubeconfig", "kc"}, "go with --apply"},
		{[]string{"--apply", "--kubeconfig", "kc", "-o", "out.yaml"}, "not to -o"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), append([]string{"export", "tinkerbell"}, append(tc.args, "../../export/testdata/fleet")...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
