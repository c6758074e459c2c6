package kube

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/kubetest"
)

// TestApplyFailures: each way an apply fails against a real server gets
// its Reason, and the client recovers when the cause goes away.
func TestApplyFailures(t *testing.T) {
	t.Parallel()
	s := kubetest.Shared(t)
	ctx := context.Background()
	hw := func(ns string) Object { return fleetObjects(t, ns, nil)[0] }

	t.Run("unreachable", func(t *testing.T) {
		p := s.Proxy(t)
		kc := filepath.Join(t.TempDir(), "kubeconfig")
		if err := p.WriteKubeconfig(kc); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, kc, false)
		p.Down()
		_, err := c.Apply(ctx, hw("fail-unreachable"))
		if got := ReasonOf(err); got != Unreachable {
			t.Fatalf("server down: reason %q (%v), want %q", got, err, Unreachable)
		}
		p.Up()
		if _, err := c.Apply(ctx, hw("fail-unreachable")); err != nil {
			t.Fatalf("server back: %v", err)
		}
	})

	t.Run("expired credentials, then a renewed kubeconfig", func(t *testing.T) {
		kc := writeKubeconfig(t, s, kubetest.User{Name: "hwagent", Groups: []string{"system:masters"}, NotAfter: time.Now().Add(-time.Minute)})
		c := newClient(t, kc, false)
		_, err := c.Apply(ctx, hw("fail-expired"))
		if got := ReasonOf(err); got != Unauthorized {
			t.Fatalf("expired certificate: reason %q (%v), want %q", got, err, Unauthorized)
		}
		// The operator renews the certificate in the same file: the next
		// apply reads it again.
		if err := s.WriteKubeconfig(kc, kubetest.User{Name: "hwagent", Groups: []string{"system:masters"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Apply(ctx, hw("fail-expired")); err != nil {
			t.Fatalf("renewed certificate: %v", err)
		}
	})

	t.Run("authenticated but not allowed", func(t *testing.T) {
		// A valid certificate of a user no rule allows: the API server
		// answers 403 (its SubjectAccessReview denied, see kubetest).
		kc := writeKubeconfig(t, s, kubetest.User{Name: "hwagent", Groups: []string{kubetest.NoRights}})
		c := newClient(t, kc, false)
		_, err := c.Apply(ctx, hw("fail-forbidden"))
		if got := ReasonOf(err); got != Forbidden {
			t.Fatalf("user without rights: reason %q (%v), want %q", got, err, Forbidden)
		}
		// The operator reads who was refused and why.
		if !strings.Contains(err.Error(), `"hwagent"`) || !strings.Contains(err.Error(), "no RBAC rule") {
			t.Errorf("error %q names neither the user nor the reason", err)
		}
	})

	t.Run("rejected by the CRD schema", func(t *testing.T) {
		c := newClient(t, writeKubeconfig(t, s, kubetest.Admin), false)
		o := hw("fail-rejected")
		dhcp := o["spec"].(map[string]any)["interfaces"].([]any)[0].(map[string]any)["dhcp"].(map[string]any)
		dhcp["vlan_id"] = "5000" // the CRD's pattern allows 0-4096
		_, err := c.Apply(ctx, o)
		if got := ReasonOf(err); got != Rejected {
			t.Fatalf("vlan_id 5000: reason %q (%v), want %q", got, err, Rejected)
		}
		if !strings.Contains(err.Error(), "vlan_id") {
			t.Errorf("error %q does not name vlan_id", err)
		}
	})
}

// TestApplyNoCRD: a cluster without Tinkerbell's CRDs, or serving the
// Hardware CRD at another version only (v1alpha2), answers 404, reported
// as NoResource with what to install.
func TestApplyNoCRD(t *testing.T) {
	t.Parallel()
	kubetest.Shared(t) // the same requirements; this test runs its own server
	var other [][]byte
	for _, crd := range kubetest.CRDs() {
		if bytes.Contains(crd, []byte("name: hardware.tinkerbell.org")) {
			other = append(other, bytes.ReplaceAll(crd, []byte("name: v1alpha1"), []byte("name: v1alpha2")))
		}
	}
	if len(other) != 1 {
		t.Fatal("no Hardware CRD among kubetest.CRDs")
	}
	for name, crds := range map[string][][]byte{"no CRD": nil, "Hardware v1alpha2 only": other} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bare, err := kubetest.Start(context.Background(), t.TempDir(), crds)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(bare.Stop)
			c := newClient(t, writeKubeconfig(t, bare, kubetest.Admin), false)
			_, err = c.Apply(context.Background(), fleetObjects(t, "nocrd", nil)[0])
			if got := ReasonOf(err); got != NoResource {
				t.Fatalf("reason %q (%v), want %q", got, err, NoResource)
			}
			if !strings.Contains(err.Error(), "hardware.tinkerbell.org v1alpha1 is not served") {
				t.Errorf("error %q does not say which CRD is missing", err)
			}
		})
	}
}
