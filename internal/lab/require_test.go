package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequired: HWAGENT_TEST_REQUIRE lists capabilities, "all" names every
// one, and an unknown name is an error rather than a silent skip.
func TestRequired(t *testing.T) {
	tests := []struct {
		env     string
		c       Capability
		want    bool
		wantErr string
	}{
		{"", QEMU, false, ""},
		{"all", QEMU, true, ""},
		{"all", PostgreSQL, true, ""},
		{"qemu", QEMU, true, ""},
		{"qemu", PostgreSQL, false, ""},
		{"postgres,lldpd", LLDPDaemon, true, ""},
		{"postgres lldpd", PostgreSQL, true, ""},
		{" , qemu ,", QEMU, true, ""},
		{"qmeu", QEMU, false, `unknown capability "qmeu"`},
		{"all,qmeu", QEMU, false, `unknown capability "qmeu"`},
	}
	for _, tt := range tests {
		t.Run(tt.env+"/"+string(tt.c), func(t *testing.T) {
			t.Setenv(RequireEnv, tt.env)
			got, err := Required(tt.c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Required(%s) with %q: error %v, want one containing %q", tt.c, tt.env, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Required(%s) with %s=%q = %v, %v; want %v", tt.c, RequireEnv, tt.env, got, err, tt.want)
			}
		})
	}
}

// recorder is a testing.TB that records how a test ended instead of ending
// the real one.
type recorder struct {
	testing.TB
	skipped, failed string
}

type stop struct{}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmtf(format, args...)
	panic(stop{})
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmtf(format, args...)
	panic(stop{})
}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmtf("%v", args...)
	panic(stop{})
}

func outcome(t *testing.T, fn func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(stop); !ok {
					panic(v)
				}
			}
		}()
		fn(r)
	}()
	return r
}

// TestUnavailable: a missing capability skips with the Debian packages to
// install, and fails when HWAGENT_TEST_REQUIRE names it.
func TestUnavailable(t *testing.T) {
	why := errors.New("qemu-system-x86_64 not installed")

	t.Setenv(RequireEnv, "")
	r := outcome(t, func(tb testing.TB) { Unavailable(tb, QEMU, why) })
	if r.failed != "" || !strings.Contains(r.skipped, "qemu-system-x86 busybox-static") || !strings.Contains(r.skipped, "HWAGENT_TEST_REQUIRE=qemu") {
		t.Errorf("unset: skipped %q, failed %q; want a skip naming the packages and the variable", r.skipped, r.failed)
	}

	for _, env := range []string{"all", "qemu", "postgres,qemu"} {
		t.Setenv(RequireEnv, env)
		r := outcome(t, func(tb testing.TB) { Unavailable(tb, QEMU, why) })
		if r.skipped != "" || !strings.Contains(r.failed, "qemu-system-x86_64 not installed") {
			t.Errorf("%s=%s: skipped %q, failed %q; want a failure", RequireEnv, env, r.skipped, r.failed)
		}
	}

	t.Setenv(RequireEnv, "postgres")
	r = outcome(t, func(tb testing.TB) { Unavailable(tb, QEMU, why) })
	if r.failed != "" || r.skipped == "" {
		t.Errorf("%s=postgres: skipped %q, failed %q; want a skip for qemu", RequireEnv, r.skipped, r.failed)
	}

	t.Setenv(RequireEnv, "qmeu")
	r = outcome(t, func(tb testing.TB) { Unavailable(tb, QEMU, why) })
	if !strings.Contains(r.failed, "unknown capability") {
		t.Errorf("%s=qmeu: failed %q; want the unknown name reported", RequireEnv, r.failed)
	}
}

// TestHaveUnknown: a capability the lab does not know is an error, never
// "present".
func TestHaveUnknown(t *testing.T) {
	if err := Have("teleporter"); err == nil {
		t.Error("Have(teleporter) = nil")
	}
	for _, c := range Capabilities() {
		if capabilities[c].check == nil {
			t.Errorf("%s has no check", c)
		}
	}
}

// TestHaveRoot checks one capability against the truth it stands for.
func TestHaveRoot(t *testing.T) {
	err := Have(Root)
	if isRoot := geteuid() == 0; isRoot != (err == nil) {
		t.Errorf("Have(Root) = %v as euid %d", err, geteuid())
	}
}

func fmtf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func geteuid() int { return os.Geteuid() }

// TestEveryCapability needs them all: with HWAGENT_TEST_REQUIRE=all (CI) it
// fails when .ci/run stops installing what a capability needs.
func TestEveryCapability(t *testing.T) {
	Need(t, Capabilities()...)
}

// TestKubeNeedsTheAPIServer: the kube capability is what internal/kubetest
// runs, etcd AND an apiextensions-apiserver (cached in the lab cache, or
// built now from the module proxy), not etcd alone. On a machine whose etcd
// is there but which cannot build the API server (no go on PATH, nothing
// cached), kube is missing: a failure where HWAGENT_TEST_REQUIRE names it.
func TestKubeNeedsTheAPIServer(t *testing.T) {
	bin := t.TempDir()
	if etcd, err := exec.LookPath("etcd"); err == nil {
		if err := os.Symlink(etcd, filepath.Join(bin, "etcd")); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin) // etcd, if installed, and no go
	t.Setenv("HWAGENT_LAB_CACHE", t.TempDir())
	err := Have(KubeAPIServer)
	if err == nil || !strings.Contains(err.Error(), "apiextensions-apiserver") {
		t.Fatalf("Have(kube) without go and without a cached API server = %v; want an error naming apiextensions-apiserver", err)
	}
	t.Setenv(RequireEnv, "kube")
	r := outcome(t, func(tb testing.TB) { Need(tb, KubeAPIServer) })
	if r.skipped != "" || !strings.Contains(r.failed, "apiextensions-apiserver") {
		t.Errorf("%s=kube: skipped %q, failed %q; want a failure naming the API server", RequireEnv, r.skipped, r.failed)
	}
}
