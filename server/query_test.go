package server

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// Issue 11 row 8: "?vendor=x;y" or a bad %-escape was answered 200 with
// every machine (net/url drops what it cannot parse, so the filter was
// silently gone). Every malformed, unknown or repeated query parameter is
// now 400 naming it.
func TestBadQueryParameters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.register(testinv.Machine(1))
	f.register(testinv.Machine(2))
	machine := fmt.Sprintf(api.PathMachineFmt, a.MachineID)
	tests := []struct {
		method, path, token string
		param               string
	}{
		{"GET", api.PathMachines + "?vendor=x;y", adminToken, "vendor"},
		{"GET", api.PathMachines + "?state=registered;vendor=x", adminToken, "state"},
		{"GET", api.PathMachines + "?vendor=%zz", adminToken, "vendor"},
		{"GET", api.PathMachines + "?vendor=de%2", adminToken, "vendor"},
		{"GET", api.PathMachines + "?ven%zzdor=dell", adminToken, "ven%zzdor"},
		{"GET", api.PathMachines + "?vendor=de%00ll", adminToken, "vendor"},
		{"GET", api.PathMachines + "?switch=%1b%5b2J", adminToken, "switch"},
		{"GET", api.PathMachines + "?vendor=dell&vendor=hp", adminToken, "vendor"},
		{"GET", api.PathMachines + "?colour=red", adminToken, "colour"},
		{"GET", machine + "?verbose=1", adminToken, "verbose"},
		{"DELETE", machine + "?force=yes", adminToken, "force"},
		{"GET", "/v1/conflicts?a;b", adminToken, "a"},
		{"POST", fmt.Sprintf(api.PathCheckinFmt, a.MachineID) + "?x=%zz", a.Credential, "x"},
	}
	for _, tt := range tests {
		e := f.call(tt.method, tt.path, tt.token, nil, 400, nil)
		if e.Code != api.CodeInvalidBody || !strings.HasPrefix(e.Message, "query parameter "+tt.param+":") &&
			!strings.HasPrefix(e.Message, "query parameter "+tt.param+"=") &&
			!strings.HasPrefix(e.Message, "unknown query parameter \""+tt.param+"\"") {
			t.Errorf("%s %s: %s %q, want invalid_body naming %s", tt.method, tt.path, e.Code, e.Message, tt.param)
		}
	}
	// Nothing was deleted, and a good filter still filters.
	var l api.MachineList
	f.call("GET", api.PathMachines+"?vendor=dell&state=registered&&limit=1", adminToken, nil, 200, &l)
	if len(l.Machines) != 1 || l.Next == "" {
		t.Errorf("good filter: %d machines, next %q", len(l.Machines), l.Next)
	}
}

// strictQuery accepts only what url.ParseQuery parses, with the same
// result: handlers that read r.URL.Query() see every accepted parameter.
func FuzzStrictQuery(f *testing.F) {
	for _, s := range []string{"", "vendor=Dell&limit=5", "a=%zz", "x;y", "a=1&&b=2", "%41=%42", "a", "=", "a=b=c", "k=%00", "+=+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := strictQuery(raw)
		if err != nil {
			return
		}
		want, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatalf("strictQuery(%q) accepted what url.ParseQuery refuses: %v", raw, err)
		}
		if !reflect.DeepEqual(map[string][]string(got), map[string][]string(want)) {
			t.Fatalf("strictQuery(%q) = %v, url.ParseQuery = %v", raw, got, want)
		}
	})
}

// A machine ID or a query value that is not UTF-8, or holds NUL, is a
// client's mistake: it was answered 500/503 on PostgreSQL (its text
// cannot hold either, and the store's error looked like an outage), 200
// or 404 on SQLite. Now no machine has such an ID (404) and no query
// takes such a value (400 naming it), on both stores.
func TestBytesNoStoreCanHold(t *testing.T) {
	t.Parallel()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, kind, nil)
			a := f.register(testinv.Machine(1))
			for _, id := range []string{"%ff%fe", "m-%00", "m-%c3%28", a.MachineID + "%00"} {
				for _, r := range []struct{ method, path string }{
					{"GET", api.PathMachineFmt}, {"DELETE", api.PathMachineFmt}, {"GET", api.PathHistoryFmt},
					{"PUT", api.PathActionFmt}, {"POST", "/v1/machines/%s/approve"}, {"POST", "/v1/machines/%s/reject"},
					{"GET", "/v1/machines/%s/bmc-credentials"}, {"POST", "/v1/machines/%s/bmc-credentials/verify"},
				} {
					var body any
					if r.method == "PUT" {
						body = api.ActionRequest{Action: api.ActionReboot}
					}
					if status, _, b := f.do(r.method, fmt.Sprintf(r.path, id), adminToken, body); status != 404 {
						t.Errorf("%s %s: %d %s, want 404 not_found", r.method, fmt.Sprintf(r.path, id), status, b)
					}
				}
			}
			for _, q := range []string{"after=%ff%fe", "vendor=%c3%28", "switch=d%e9ll", "%ff=1"} {
				if status, _, b := f.do("GET", api.PathMachines+"?"+q, adminToken, nil); status != 400 || !strings.Contains(string(b), "not UTF-8") {
					t.Errorf("GET ?%s: %d %s, want 400 invalid_body: not UTF-8", q, status, b)
				}
			}
			var m api.Machine
			f.call("GET", fmt.Sprintf(api.PathMachineFmt, a.MachineID), adminToken, nil, 200, &m)
			if m.PendingAction != "" {
				t.Errorf("an action reached the machine through a mangled ID: %q", m.PendingAction)
			}
		})
	}
}
