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
	"testing"

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

// BenchmarkRegister is the server's side of registering a new machine
// (a 47 KB inventory) on SQLite: decoding, digest, storing, group commit.
func BenchmarkRegister(b *testing.B) {
	s := benchServer(b)
	const n = 2000
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i], _ = json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(i)})
	}
	var next atomic.Int64
	b.SetBytes(int64(len(bodies[0])))
	// Many agents at once, as in a burst: the group commit shares fsyncs.
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			rec := serve(s, "POST", api.PathRegister, enrollToken, bodies[i%n])
			if rec.Code != http.StatusOK {
				b.Errorf("register: %d %s", rec.Code, rec.Body)
			}
		}
	})
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

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
