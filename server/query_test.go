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
