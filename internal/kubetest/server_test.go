package kubetest

import (
	"context"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestServer checks the shared server: both CRDs are served, and a
// Hardware is validated against the CRD's schema (a vlan_id outside its
// pattern is refused with 422).
func TestServer(t *testing.T) {
	s := Shared(t)
	ctx := context.Background()
	var list struct{ Items []any }
	if err := s.Get(ctx, "/apis/tinkerbell.org/v1alpha1/namespaces/kubetest/hardware", &list); err != nil {
		t.Fatal(err)
	}
	if err := s.Get(ctx, "/apis/bmc.tinkerbell.org/v1alpha1/namespaces/kubetest/machines", &list); err != nil {
		t.Fatal(err)
	}
	bad := `{"apiVersion":"tinkerbell.org/v1alpha1","kind":"Hardware","metadata":{"name":"bad"},
		"spec":{"interfaces":[{"dhcp":{"mac":"00:11:22:33:44:55","vlan_id":"5000"}}]}}`
	_, err := s.Do(ctx, "PATCH", "/apis/tinkerbell.org/v1alpha1/namespaces/kubetest/hardware/bad?fieldManager=test",
		"application/apply-patch+yaml", []byte(bad))
	se, ok := err.(*StatusError)
	if !ok || se.Code != 422 {
		t.Fatalf("Hardware with vlan_id 5000: got %v, want HTTP 422", err)
	}
}
