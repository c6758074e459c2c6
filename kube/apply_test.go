package kube

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/internal/kubetest"
)

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m)) }

// fleetObjects exports the fleet's srv-x9dbl (a Supermicro X9DBL with a
// BMC) under a plan and returns its objects as JSON maps: Hardware,
// Machine, Secret.
func fleetObjects(t *testing.T, ns string, labels map[string]string) []Object {
	t.Helper()
	creds := &export.Credentials{Username: "ADMIN", Password: "s3cret"}
	x, err := export.New(export.Plan{
		Namespace: ns, Names: export.NamesDiscovery, Labels: labels,
		Addresses: map[string]string{"9000116105": "10.10.10.10"}, CIDR: "10.10.10.0/24",
		Gateway: "10.10.10.1", Nameservers: []string{"10.10.10.2"},
	}, creds)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := export.FileRef("../export/testdata/fleet/srv-x9dbl.json").Load()
	if err != nil {
		t.Fatal(err)
	}
	m, problems, err := x.One(inv)
	if err != nil || len(problems) > 0 {
		t.Fatalf("One: %v %q", err, problems)
	}
	var out []Object
	for _, o := range export.NewTinkerbellWriter(nil, ns, "").Objects(m) {
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var obj Object
		if err := json.Unmarshal(b, &obj); err != nil {
			t.Fatal(err)
		}
		out = append(out, obj)
	}
	if len(out) != 3 {
		t.Fatalf("%d objects, want Hardware, Machine and Secret", len(out))
	}
	return out
}

func newClient(t *testing.T, kubeconfig string, force bool) *Client {
	t.Helper()
	c, err := New(Options{Kubeconfig: kubeconfig, Force: force, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func adminKubeconfig(t *testing.T, s *kubetest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := s.WriteKubeconfig(p, kubetest.Admin); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestApplyConflictSmoke(t *testing.T) {
	s := kubetest.Shared(t)
	ctx := context.Background()
	objs := fleetObjects(t, "smoke", map[string]string{"type": "cp"})
	c := newClient(t, adminKubeconfig(t, s), false)
	hw := objs[0]
	res, err := c.Apply(ctx, hw)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	path := "/apis/tinkerbell.org/v1alpha1/namespaces/smoke/hardware/" + res.Ref.Name
	if err := s.Edit(ctx, path, "kubectl-edit", map[string]any{"metadata": map[string]any{"labels": map[string]any{"type": "worker", "rack": "r1"}}}); err != nil {
		t.Fatal(err)
	}
	hw = fleetObjects(t, "smoke", map[string]string{"type": "cp"})[0]
	res, err = c.Apply(ctx, hw)
	if err != nil {
		var ke *Error
		errors.As(err, &ke)
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	var got map[string]any
	s.Get(ctx, path, &got)
	t.Log(cmp.Diff(nil, got["metadata"]))
}
