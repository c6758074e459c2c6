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
// on first use: about a second once the binary is cached. It needs the
// lab's kube capability: etcd (Debian package etcd-server) and an
// apiextensions-apiserver built from the module proxy. Missing either, the
// test fails where HWAGENT_TEST_REQUIRE asks for kube (CI: all) and skips
// elsewhere, saying why.
func Shared(t testing.TB) *Server {
	t.Helper()
	lab.Need(t, lab.KubeAPIServer)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "hwagent-kubetest-")
		if shared.err != nil {
			return
		}
		shared.srv, shared.err = Start(context.Background(), shared.dir, CRDs())
	})
	if shared.err != nil {
		lab.Unavailable(t, lab.KubeAPIServer, shared.err)
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
