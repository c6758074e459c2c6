package kubetest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/hwagent/hwagent/internal/lab"
)

var shared struct {
	once sync.Once
	srv  *Server
	dir  string
	err  error
}

// Shared returns the test binary's API server, starting it (with the CRDs)
// on first use: about 3 s once the binary is cached. It needs etcd (Debian
// package etcd-server) and the apiextensions-apiserver build; a test on a
// machine without etcd skips (fails where the lab requires it), and one
// whose apiserver cannot be built or started fails.
func Shared(t testing.TB) *Server {
	t.Helper()
	lab.Require(t, "etcd")
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "hwagent-kubetest-")
		if shared.err != nil {
			return
		}
		shared.srv, shared.err = Start(context.Background(), shared.dir, CRDs())
	})
	if shared.err != nil {
		t.Fatalf("kubetest: %v", shared.err)
	}
	return shared.srv
}

// Main runs the tests and then stops the shared server, if one started:
// call it from TestMain as os.Exit(kubetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	if shared.dir != "" && code == 0 {
		os.RemoveAll(shared.dir)
	}
	return code
}
