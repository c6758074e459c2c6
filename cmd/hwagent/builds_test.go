package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAgentBuildHasNoKubernetes: the agent build (-tags noserver, what the
// image ships to every machine) links no Kubernetes client: client-go and
// hwagent's kube package are for serve and export --apply only.
func TestAgentBuildHasNoKubernetes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tags string
		want bool // whether the build links the Kubernetes client
	}{{"noserver", false}, {"", true}} {
		out, err := exec.Command("go", "list", "-deps", "-tags", tc.tags, ".").Output()
		if err != nil {
			t.Fatalf("go list -deps -tags %q: %v", tc.tags, err)
		}
		var kube []string
		for _, p := range strings.Fields(string(out)) {
			if strings.HasPrefix(p, "k8s.io/") || p == "github.com/hwagent/hwagent/kube" || strings.HasPrefix(p, "sigs.k8s.io/structured-merge-diff") {
				kube = append(kube, p)
			}
		}
		if got := len(kube) > 0; got != tc.want {
			t.Errorf("-tags %q: links the Kubernetes client = %v, want %v (%d packages: %.300s)", tc.tags, got, tc.want, len(kube), strings.Join(kube, " "))
		}
	}
}
