package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDropField(t *testing.T) {
	obj := func() Object {
		return Object{
			"metadata": map[string]any{
				"name":   "n",
				"labels": map[string]any{"type": "cp", "clusterctl.cluster.x-k8s.io/move": "true"},
			},
			"spec": map[string]any{
				"interfaces": []any{map[string]any{"dhcp": map[string]any{"mac": "00:11:22:33:44:55"}}},
				"metadata":   map[string]any{"instance": map[string]any{"operating_system": map[string]any{}, "hostname": "h"}},
			},
		}
	}
	for _, tc := range []struct {
		path  string
		found bool
		want  Object
	}{
		{".metadata.labels.type", true, Object{
			"metadata": map[string]any{"name": "n", "labels": map[string]any{"clusterctl.cluster.x-k8s.io/move": "true"}},
			"spec":     obj()["spec"],
		}},
		{".metadata.labels.clusterctl.cluster.x-k8s.io/move", true, Object{
			"metadata": map[string]any{"name": "n", "labels": map[string]any{"type": "cp"}},
			"spec":     obj()["spec"],
		}},
		// An atomic list goes whole; the map it leaves empty goes too.
		{".spec.interfaces", true, Object{
			"metadata": obj()["metadata"],
			"spec":     map[string]any{"metadata": map[string]any{"instance": map[string]any{"operating_system": map[string]any{}, "hostname": "h"}}},
		}},
		// Maps hwagent writes empty on purpose stay when a sibling goes.
		{".spec.metadata.instance.hostname", true, Object{
			"metadata": obj()["metadata"],
			"spec": map[string]any{
				"interfaces": obj()["spec"].(map[string]any)["interfaces"],
				"metadata":   map[string]any{"instance": map[string]any{"operating_system": map[string]any{}}},
			},
		}},
		{".spec.interfaces[0].dhcp", false, obj()},
		{".spec.nothing", false, obj()},
	} {
		got := obj()
		if found := dropField(got, tc.path); found != tc.found {
			t.Errorf("%s: found %v, want %v", tc.path, found, tc.found)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, d)
		}
	}
}

func TestManagerOf(t *testing.T) {
	for msg, want := range map[string]string{
		`conflict with "kubectl-edit" using tinkerbell.org/v1alpha1`:                        "kubectl-edit",
		`conflict with "tink-server" using tinkerbell.org/v1alpha1 at 2026-12-06T06:05:40Z`: "tink-server",
		`conflict with "hwagent"`:                    "hwagent",
		`conflict with "a \"quoted\" name" using v1`: `a "quoted" name`,
		`something else`:                             "something else",
	} {
		if got := managerOf(msg); got != want {
			t.Errorf("managerOf(%q) = %q, want %q", msg, got, want)
		}
	}
}

// FuzzConflictCause: whatever an API server (or a proxy in front of it)
// says in a conflict cause, reading the manager and giving up the field
// never panics, and a field is only given up when the path names it whole.
func FuzzConflictCause(f *testing.F) {
	f.Add(`conflict with "kubectl-edit" using tinkerbell.org/v1alpha1`, ".spec.interfaces")
	f.Add(`conflict with "a`, ".metadata.labels.clusterctl.cluster.x-k8s.io/move")
	f.Add("", "")
	f.Add("conflict with ", ".")
	f.Fuzz(func(t *testing.T, msg, path string) {
		managerOf(msg)
		obj := Object{"metadata": map[string]any{"labels": map[string]any{"clusterctl.cluster.x-k8s.io/move": "true", "type": "cp"}},
			"spec": map[string]any{"interfaces": []any{}, "metadata": map[string]any{"instance": map[string]any{}}}}
		if dropField(obj, path) {
			switch path {
			case ".metadata", ".metadata.labels", ".metadata.labels.clusterctl.cluster.x-k8s.io/move", ".metadata.labels.type",
				".spec", ".spec.interfaces", ".spec.metadata", ".spec.metadata.instance":
			default:
				t.Errorf("dropped %q", path)
			}
		}
	})
}
