package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// benchServer is a Server on SQLite called in-process (no network).
func benchServer(b *testing.B) *Server {
	b.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s, err := New(Config{Store: st, EnrollToken: enrollToken, AdminToken: adminToken})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func serve(s *Server, method, path, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// registerBodies returns n registration bodies of distinct machines
// (47 KB inventories), starting at machine first.
func registerBodies(first, n int, opts testinv.Options) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = must(json.Marshal(api.RegisterRequest{Inventory: testinv.MachineWith(first+i, opts)}))
	}
	return bodies
}

// registerAll sends every body in parallel (32 at once, as in a burst:
// the group commit shares fsyncs) and checks the answers are 200.
func registerAll(b *testing.B, s *Server, bodies [][]byte, next func() int) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := serve(s, "POST", api.PathRegister, enrollToken, bodies[next()])
			if rec.Code != http.StatusOK {
				b.Errorf("register: %d %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkRegister is the server's side of a registration (a 47 KB
// inventory) on SQLite: decoding, limits, digest, identity, storing,
// group commit. First: a machine the server has never seen (every
// iteration a new one). Again: a machine registering again with the same
// inventory (a reboot). Changed: registering again after a BIOS update
// and a DIMM removal (the history records the differences).
func BenchmarkRegister(b *testing.B) {
	b.Run("First", func(b *testing.B) {
		s := benchServer(b)
		bodies := registerBodies(0, b.N, testinv.Options{})
		var next atomic.Int64
		b.SetBytes(int64(len(bodies[0])))
		b.SetParallelism(32)
		b.ResetTimer()
		defer reportCPU(b)()
		registerAll(b, s, bodies, func() int { return int(next.Add(1)-1) % len(bodies) })
	})
	const fleet = 512
	// again registers the fleet, then registers it again and again,
	// alternating between the original inventories and opts's, so that
	// with opts every registration changes the stored inventory.
	again := func(b *testing.B, opts testinv.Options) {
		s := benchServer(b)
		sets := [2][][]byte{registerBodies(0, fleet, testinv.Options{}), registerBodies(0, fleet, opts)}
		var next atomic.Int64
		b.SetParallelism(32)
		registerAll(b, s, sets[0], func() int { return int(next.Add(1)-1) % fleet })
		b.SetBytes(int64(len(sets[1][0])))
		next.Store(0)
		b.ResetTimer()
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1) - 1)
				rec := serve(s, "POST", api.PathRegister, enrollToken, sets[1-i/fleet%2][i%fleet])
				if rec.Code != http.StatusOK {
					b.Errorf("register: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	b.Run("Again", func(b *testing.B) { again(b, testinv.Options{}) })
	b.Run("Changed", func(b *testing.B) { again(b, testinv.Options{BIOSVersion: "6.6.1", RemoveDIMM: "DIMM_A3"}) })
}

// BenchmarkCheckin is one check-in of a registered machine on SQLite.
func BenchmarkCheckin(b *testing.B) {
	s := benchServer(b)
	type machine struct{ path, cred string }
	var ms []machine
	var bodies [][]byte
	for i := range 64 {
		inv := testinv.Machine(i)
		rec := serve(s, "POST", api.PathRegister, enrollToken, must(json.Marshal(api.RegisterRequest{Inventory: inv})))
		var r api.RegisterResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		ms = append(ms, machine{fmt.Sprintf(api.PathCheckinFmt, r.MachineID), r.Credential})
		bodies = append(bodies, must(json.Marshal(api.CheckinRequest{State: "registered", InventoryDigest: inventory.Digest(inv), AgentVersion: "bench"})))
	}
	var next atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	defer reportCPU(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) % int64(len(ms))
			rec := serve(s, "POST", ms[i].path, ms[i].cred, bodies[i])
			if rec.Code != http.StatusOK {
				b.Errorf("check-in: %d %s", rec.Code, rec.Body)
			}
		}
	})
}

// reportCPU starts measuring the process's CPU time (user and system);
// the function it returns reports it per operation (defer it): on a machine shared with other
// work the wall time per operation says more about the neighbours than about
// the server, the CPU time much less.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
