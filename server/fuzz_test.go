package server

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// chainTarget is the whole handler chain (request ID, query check,
// routing, authentication, body intake, slots, decoding, validation, the
// store) on a real store, with one registered machine whose credential the
// fuzzer can use.
type chainTarget struct {
	kind string
	srv  *Server
	mu   sync.Mutex
	id   string
	cred string
}

var (
	chainOnce    sync.Once
	chainTargets []*chainTarget
	chainErr     error
	chainDirs    []string
)

// fuzzing reports whether the test binary runs a fuzz target's mutations
// (go test -fuzz), not only its seed corpus.
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// chain returns the targets, built once per process: SQLite alone while
// fuzzing (speed), SQLite and PostgreSQL when the seed corpus runs as a
// test, so that every seed gets the same answer class on both stores.
func chain(t *testing.T) []*chainTarget {
	t.Helper()
	chainOnce.Do(func() {
		kinds := storeKinds
		if fuzzing() {
			kinds = []string{"sqlite"}
		}
		for _, kind := range kinds {
			var dsn string
			switch kind {
			case "sqlite":
				dir, err := os.MkdirTemp("", "hwagent-fuzz-")
				if err != nil {
					chainErr = err
					return
				}
				chainDirs = append(chainDirs, dir)
				dsn = "sqlite://" + dir + "/hwagent.db"
			case "postgres":
				pgOnce.Do(func() { pg, pgErr = servertest.StartPostgres(false) })
				if pg == nil {
					chainErr = pgErr
					return
				}
				var err error
				if dsn, err = pg.CreateDatabase(fmt.Sprintf("fuzz_%d", os.Getpid())); err != nil {
					chainErr = err
					return
				}
			}
			st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
			if err != nil {
				chainErr = err
				return
			}
			srv, err := New(Config{Store: st, EnrollToken: enrollToken, AdminToken: adminToken, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				chainErr = err
				return
			}
			tg := &chainTarget{kind: kind, srv: srv}
			body, _ := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(1)})
			status, answer := tg.serve(http.MethodPost, api.PathRegister, "", "Bearer "+enrollToken, nil, body)
			if status != 200 {
				chainErr = fmt.Errorf("%s: register the fuzz machine: %d %s", kind, status, answer)
				return
			}
			chainTargets = append(chainTargets, tg)
		}
	})
	if chainErr != nil {
		if pg == nil && pgErr != nil {
			pg.NewDatabase(t, pgErr) // skips or fails as HWAGENT_TEST_REQUIRE says
		}
		t.Fatal(chainErr)
	}
	return chainTargets
}

// serve runs one request through the chain and returns its status and
// body. A registration answered 200 for the fuzz machine rotates its
// credential: the target follows it.
func (tg *chainTarget) serve(method, path, rawQuery, auth string, header http.Header, body []byte) (int, []byte) {
	req := httptest.NewRequest(method, "http://hwagent"+path, bytes.NewReader(body))
	req.URL.RawQuery = rawQuery
	for k, v := range header {
		req.Header[k] = v
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	tg.srv.ServeHTTP(rec, req)
	if path == api.PathRegister && rec.Code == 200 {
		var r api.RegisterResponse
		if json.Unmarshal(rec.Body.Bytes(), &r) == nil && r.MachineID == tg.machine() {
			tg.mu.Lock()
			tg.cred = r.Credential
			tg.mu.Unlock()
		}
		if tg.machine() == "" {
			tg.mu.Lock()
			tg.id, tg.cred = r.MachineID, r.Credential
			tg.mu.Unlock()
		}
	}
	return rec.Code, rec.Body.Bytes()
}

func (tg *chainTarget) machine() string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.id
}

func (tg *chainTarget) credential() string {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.cred
}

// request turns the fuzzer's values into a request: route picks the
// endpoint, auth the bearer token, other is a machine ID, a token or a
// header value as the route needs.
func (tg *chainTarget) request(route, auth uint8, query, hname, other string, body []byte) (method, path, rawQuery, authz string, header http.Header, b []byte) {
	id := tg.machine()
	b = body
	switch route % 11 {
	case 0:
		method, path = http.MethodPost, api.PathRegister
	case 1:
		method, path = http.MethodPost, fmt.Sprintf(api.PathCheckinFmt, id)
	case 2:
		method, path = http.MethodPut, fmt.Sprintf(api.PathInventoryFmt, id)
	case 3:
		method, path = http.MethodPost, fmt.Sprintf(api.PathCheckinFmt, url.PathEscape(other))
	case 4:
		method, path = http.MethodGet, api.PathMachines
	case 5:
		method, path = http.MethodGet, fmt.Sprintf(api.PathHistoryFmt, id)
	case 6:
		method, path = http.MethodPut, fmt.Sprintf(api.PathActionFmt, id)
	case 7:
		// The body is the inventory: the fuzzer works inside it.
		method, path = http.MethodPost, api.PathRegister
		b = append(append([]byte(`{"inventory":`), body...), '}')
	case 8:
		method, path = http.MethodPut, fmt.Sprintf(api.PathInventoryFmt, id)
		b = append(append([]byte(`{"inventory":`), body...), '}')
	case 9:
		// Operator routes read the machine ID from the path: any bytes.
		method, path = http.MethodGet, fmt.Sprintf(api.PathHistoryFmt, url.PathEscape(other))
	case 10:
		method, path = http.MethodPut, fmt.Sprintf(api.PathActionFmt, url.PathEscape(other))
	}
	switch auth % 5 {
	case 1:
		authz = "Bearer " + enrollToken
	case 2:
		authz = "Bearer " + tg.credential()
	case 3:
		authz = "Bearer " + adminToken
	case 4:
		authz = "Bearer " + other
	}
	header = http.Header{}
	if httpguts.ValidHeaderFieldName(hname) && httpguts.ValidHeaderFieldValue(other) {
		header.Set(hname, other)
	}
	return method, path, query, authz, header, b
}

// FuzzHandlerChain sends random bodies, query strings and headers through
// the whole register/check-in/upload chain (and the operator routes that
// read queries and bodies) and checks that the server never answers 5xx to
// a client's mistake: whatever a client sends, the answer is 2xx or 4xx.
// CI runs it for a bounded time (.ci/run); its seed corpus runs with every
// go test, on SQLite and PostgreSQL.
func FuzzHandlerChain(f *testing.F) {
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	inv := testinv.Machine(2)
	nul := testinv.Machine(3)
	nul.System.Product.Serial += "\x00"
	nul.Identity = inventory.DeriveIdentity(nul)
	many := testinv.Machine(4)
	many.Identity.MACs = macs(1500)
	invJSON := js(inv)
	for _, s := range []struct {
		route, auth  uint8
		query, hname string
		other        string
		body         []byte
	}{
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: inv})},
		{0, 1, "", "X-Request-Id", "req-1", js(api.RegisterRequest{Inventory: nul})},
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: many})},
		{0, 1, "", "Content-Type", "text/plain", []byte(`{"inventory":null}`)},
		{0, 0, "", "", "", invJSON},
		{1, 2, "", "", "", js(api.CheckinRequest{State: "registered", AcksActions: true, AckActionID: "a-0123456789abcdef"})},
		{1, 2, "x=%zz", "", "", js(api.CheckinRequest{State: "registered"})},
		{1, 2, "", "", "", []byte(`{"agent_version":"v\u0000","uptime_seconds":1e309}`)},
		{2, 2, "", "", "", js(api.InventoryRequest{Inventory: inv})},
		{2, 2, "", "", "", []byte(`{"inventory":{"schema_version":"hwagent.inventory/v1","identity":{"macs":["\u0000"]}}}`)},
		{3, 2, "", "", "m-../../register", js(api.CheckinRequest{})},
		{4, 3, "vendor=x;y&limit=5", "", "", nil},
		{4, 3, "switch=%00&seen_since=2025-01-01T00:00:00Z&after=m-", "", "", nil},
		{5, 3, "limit=2&after=99999999999999999999", "", "", nil},
		{6, 3, "", "", "", js(api.ActionRequest{Action: api.ActionReboot})},
		{7, 1, "", "", "", invJSON},
		{7, 1, "", "", "", []byte(`{"schema_version":"hwagent.inventory/v1","identity":{"system_uuid":"\ud800"},"pci":{"devices":[{}]}}`)},
		{8, 2, "", "", "", invJSON},
		{0, 4, "", "Authorization", "Bearer " + strings.Repeat("x", 100), invJSON},
		{4, 3, "after=%ff%fe", "", "", nil},
		{9, 3, "", "", "\xff\xfe", nil},
		{10, 3, "", "", "m-\x00", js(api.ActionRequest{Action: api.ActionReboot})},
	} {
		f.Add(s.route, s.auth, s.query, s.hname, s.other, s.body)
	}
	f.Fuzz(func(t *testing.T, route, auth uint8, query, hname, other string, body []byte) {
		// A request that never ends is a failure too; the fuzzer has no
		// time limit of its own, so the stacks say where it hangs.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("a request took more than 30 s:\n%s", buf[:runtime.Stack(buf, true)]))
			}
		}()
		for _, tg := range chain(t) {
			method, path, rawQuery, authz, header, b := tg.request(route, auth, query, hname, other, body)
			status, answer := tg.serve(method, path, rawQuery, authz, header, b)
			if status >= 500 {
				t.Fatalf("%s: %s %s?%s (auth %d, header %q: %q, %d-byte body %.200q): %d %s",
					tg.kind, method, path, rawQuery, auth%5, hname, other, len(b), b, status, answer)
			}
		}
	})
}
