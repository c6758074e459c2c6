package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/bmcverify"
	"github.com/hwagent/hwagent/server/reenroll"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
	"github.com/hwagent/hwagent/server/tpmverify"
)

// chainTarget is the whole handler chain (request ID, query check,
// routing, authentication, body intake, slots, decoding, validation, the
// store) on a real store, with one registered machine whose credential the
// fuzzer can use.
type chainTarget struct {
	kind string
	srv  *Server
	key  *bmcseal.Key
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

// chain returns the targets, built once per process: SQLite and
// PostgreSQL when the seed corpus runs as a test, so that every seed gets
// the same answer class on both stores; while fuzzing, the stores
// HWAGENT_FUZZ_STORES lists (comma-separated; default sqlite, the faster).
func chain(t *testing.T) []*chainTarget {
	t.Helper()
	chainOnce.Do(func() {
		kinds := storeKinds
		if fuzzing() {
			kinds = strings.Split(cmp.Or(os.Getenv("HWAGENT_FUZZ_STORES"), "sqlite"), ",")
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
			default:
				chainErr = fmt.Errorf("HWAGENT_FUZZ_STORES: store %q: want sqlite or postgres", kind)
				return
			}
			// Every table a request can reach: the Kubernetes outbox,
			// held registrations, TPM pins and challenges (--reenroll
			// tpm), BMC credentials and their checks.
			st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{KubeOutbox: true})
			if err != nil {
				chainErr = err
				return
			}
			dir, err := os.MkdirTemp("", "hwagent-fuzz-key-")
			if err != nil {
				chainErr = err
				return
			}
			chainDirs = append(chainDirs, dir)
			key, err := bmcseal.WriteKeyFile(filepath.Join(dir, "seal.key"))
			if err != nil {
				chainErr = err
				return
			}
			srv, err := New(Config{Store: st, EnrollToken: enrollToken, AdminToken: adminToken, Logger: slog.New(slog.DiscardHandler),
				Reenroll: reenroll.TPM{Verifier: &tpmverify.Verifier{Store: st}},
				BMC:      &BMCPolicy{User: "hwagent", Privilege: "administrator", Key: key, Verify: chainVerify}})
			if err != nil {
				chainErr = err
				return
			}
			tg := &chainTarget{kind: kind, srv: srv, key: key}
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

// chainVerify stands for a BMC whose answer the check quotes: a user
// name field is NUL-padded, and a BMC's bytes need not be UTF-8.
func chainVerify(_ context.Context, tg bmcverify.Target) bmcverify.Result {
	return bmcverify.Result{Class: bmcverify.WrongPassword, Address: tg.Address,
		Err: fmt.Errorf("RAKP 2: user %s\x00\x00 \xff unknown", tg.User)}
}

// sealedReport returns body with a password sealed to the server for the
// fuzz machine and the report's user when body is a report (the fuzzer
// cannot make one), body itself otherwise.
func (tg *chainTarget) sealedReport(id string, body []byte) []byte {
	var rep api.BMCCredentialsReport
	if json.Unmarshal(body, &rep) != nil {
		return body
	}
	sec, _ := json.Marshal(api.BMCSecret{MachineID: id, User: rep.User, Password: "Pw0123456789abcd"})
	box, err := bmcseal.Seal(tg.key.Public(), sec)
	if err != nil {
		return body
	}
	rep.SealedPassword = box
	b, _ := json.Marshal(rep)
	return b
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
	switch route % 16 {
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
	case 11:
		method, path = http.MethodPut, fmt.Sprintf(api.PathBMCCredentialsFmt, id)
	case 12:
		// A BMC report with a password sealed for the machine.
		method, path = http.MethodPut, fmt.Sprintf(api.PathBMCCredentialsFmt, id)
		b = tg.sealedReport(id, body)
	case 13:
		method, path = http.MethodPost, fmt.Sprintf(api.PathBMCVerifyFmt, id)
	case 14:
		method, path = http.MethodGet, api.PathConflicts
	case 15:
		method, path = http.MethodPost, fmt.Sprintf(api.PathRejectFmt, id)
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
	// The fuzz machine (testinv.Machine(1)) again with NUL in what
	// becomes columns: held for approval (--reenroll tpm, no TPM), its
	// inventory in machine_pending.
	held := testinv.Machine(1)
	held.Host.Hostname = "hook\x00"
	held.Network.Interfaces[0].Neighbors[0].SystemName = "leaf\x00"
	// Its UUID and NICs with another serial: an identity conflict whose
	// reason quotes both serials.
	clash := testinv.Machine(1)
	clash.System.Product.Serial = "SN\x00\x00"
	clash.Identity = inventory.DeriveIdentity(clash)
	// A machine with a TPM: pinned at its first registration, challenged
	// at the next; an answer that says the TPM failed is refused and kept
	// for approval, the error quoted.
	ev := fieldTPMEvidence(f)
	withTPM := testinv.Machine(5)
	failed := *ev
	failed.ChallengeID, failed.Error = "c-0123456789abcdef", "TPM_RC_FAILURE\x00 from /dev/tpmrm0"
	bmcFailed := []byte(`{"status":"failed","user":"hwagent","privilege":"administrator\u0000","error":"bad\u0000thing","changes":["slot 3 \"old\u0000\u0000\""]}`)
	bmcOK := js(api.BMCCredentialsReport{Status: "ok", User: "hwagent", Privilege: "administrator", Slot: 3, Channel: 1,
		Error: "renamed \x00", Changes: []string{"name of slot 3 \"\x00\x00\" → \"hwagent\""}})
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
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: held})},
		{15, 3, "", "", "", nil},
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: clash})},
		{14, 3, "", "", "", nil},
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: withTPM, TPM: ev})},
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: withTPM, TPM: ev})},
		{0, 1, "", "", "", js(api.RegisterRequest{Inventory: withTPM, TPM: &failed})},
		{11, 2, "", "", "", bmcFailed},
		{11, 2, "", "", "", []byte("{\"status\":\"failed\",\"user\":\"hwagent\",\"error\":\"\xff\xfe\"}")},
		{12, 2, "", "", "", bmcOK},
		{13, 3, "", "", "", nil},
		{5, 3, "limit=50", "", "", nil},
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
