package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
	"github.com/hwagent/hwagent/server/testinv"
)

// decodeSeeds are bodies where encoding/json's v1 and v2 could part: case,
// duplicate names, invalid UTF-8 and surrogates, numbers, times, base64,
// nulls.
func decodeSeeds() [][]byte {
	inv := testinv.Machine(3)
	full, _ := json.Marshal(api.RegisterRequest{Inventory: inv, TPM: &api.TPMEvidence{EKPublic: []byte{1, 2, 3}, AKPublic: []byte("ak")}})
	small := testinv.Machine(4)
	small.PCI.Devices = small.PCI.Devices[:1]
	small.Memory.Modules = small.Memory.Modules[:1]
	b, _ := json.Marshal(api.RegisterRequest{Inventory: small})
	seeds := [][]byte{full, b}
	for _, r := range [][2]string{
		{`"schema_version"`, `"SCHEMA_VERSION"`},
		{`"inventory":{`, `"inventory":null,"inventory":{`},
		{`"slot_count":18`, `"slot_count":18,"slot_count":1e1`},
		{`"slot_count":18`, `"slot_count":1.8e1`},
		{`"slot_count":18`, `"slot_count":-0`},
		{`"slot_count":18`, `"slot_count":null`},
		{`"channel":1`, `"channel":256`},
		{`"manufacturer":"Dell Inc."`, `"manufacturer":"Dell\u0000 \ud800 \u00e9 \xff\xfe"`},
		{`"manufacturer":"Dell Inc."`, `"manufacturer":"Dell \u2028 <&>"`},
	} {
		seeds = append(seeds, bytes.Replace(b, []byte(r[0]), []byte(r[1]), 1))
	}
	at := regexp.MustCompile(`"collected_at":"[^"]*"`)
	for _, v := range []string{"2024-01-01T00:00:00+00:00", "2024-01-01T00:00:00.5-00:00", "2024-01-01t00:00:00z", "2024-01-01T00:00:00Z07:00", "2024-01-01T24:00:00Z"} {
		seeds = append(seeds, at.ReplaceAll(b, []byte(`"collected_at":"`+v+`"`)))
	}
	seeds = append(seeds,
		[]byte(`{"inventory":{"schema_version":"hwagent.inventory/v1","collected_at":"2024-02-29T23:59:60Z"}}`),
		[]byte(`{"inventory":{"schema_version":"hwagent.inventory/v1","collected_at":"2024-01-01T00:00:00.123456789-07:30"}}`),
		[]byte(`{"inventory":{"collected_at":"2024-1-1T00:00:00Z"}}`),
		[]byte(`{"tpm":{"ek_public":"AQID","ak_public":"YWs=\n"}}`),
		[]byte(`{"tpm":{"ek_public":"AQID","ak_public":"YWs"}}`),
		[]byte(`{"inventory":{"system":null,"network":{}}}`),
		[]byte(`{"Inventory":{}}`),
		[]byte(`{"inventory" :  {"schema_version":"hwagent.inventory/v1"} , "tpm":null}`),
		[]byte(`{"inventory":{"colour":1}}`),
		[]byte(`{"inventory":{"agent":{"version":"\u0000\ufffd"}}}`),
		[]byte(` {"inventory":{}} `),
		// The lists exactLists decodes: empty, null, not a list, null
		// and wrong elements, an element v2 refuses, nested.
		[]byte(`{"inventory":{"pci":{"devices":[]},"collectors":null}}`),
		[]byte(`{"inventory":{"pci":{"devices":null},"collectors":[]}}`),
		[]byte(`{"inventory":{"pci":{"devices":{}}}}`),
		[]byte(`{"inventory":{"pci":{"devices":"[]"}}}`),
		[]byte(`{"inventory":{"pci":{"devices":[null,{},null]}}}`),
		[]byte(`{"inventory":{"pci":{"devices":[1]}}}`),
		[]byte(`{"inventory":{"pci":{"devices":[{"colour":1}]}}}`),
		[]byte(`{"inventory":{"pci":{"devices":[{}],"devices":[{}]}}}`),
		[]byte(`{"inventory":{"memory":{"modules":[{},{}]},"storage":{"disks":[{}]},"network":{"interfaces":[{"neighbors":[{}]}]}}}`),
		[]byte(`{"inventory":{"collectors":[{"name":"a"},{"Name":"b"}]}}`),
		[]byte(`{"inventory":{"collectors":[{"name":"a"},]}}`),
		[]byte(`{"inventory":{"collectors":[{"name":"a"}`),
	)
	return seeds
}

// FuzzDecodeStrictV1V2: whatever the fast path (encoding/json/v2) accepts,
// encoding/json (v1) accepts too, with the same value and the same JSON
// when encoded again (the stored document and the digest); so
// decodeStrictBytes means what v1's strict decoding always meant.
func FuzzDecodeStrictV1V2(f *testing.F) {
	for _, s := range decodeSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkV1V2(t, data, &api.RegisterRequest{}, &api.RegisterRequest{})
		checkV1V2(t, data, &api.CheckinRequest{}, &api.CheckinRequest{})
		checkCaptured(t, data)
	})
}

// checkCaptured: decodeRegister and decodeUpload mean what v1's strict
// decoding means, and the inventory JSON they take from the body is valid
// UTF-8 and decodes (v1) to the inventory they return.
func checkCaptured(t *testing.T, data []byte) {
	t.Helper()
	var v1 api.RegisterRequest
	v1err := decodeStrictV1(data, &v1)
	req, raw, err := decodeRegister(data, 1<<30)
	if (err == nil) != (v1err == nil) || err != nil && err.Error() != v1err.Error() {
		t.Fatalf("decodeRegister(%q): %v, v1: %v", data, err, v1err)
	}
	if diff := cmp.Diff(v1, req); diff != "" {
		t.Fatalf("decodeRegister(%q) (-v1 +got):\n%s", data, diff)
	}
	up, upRaw, uerr := decodeUpload(data, 1<<30)
	var v1up api.InventoryRequest
	if v1uerr := decodeStrictV1(data, &v1up); (uerr == nil) != (v1uerr == nil) || cmp.Diff(v1up, up) != "" {
		t.Fatalf("decodeUpload(%q): %v, v1: %v", data, uerr, v1uerr)
	}
	for _, c := range []struct {
		raw []byte
		inv *inventory.Inventory
	}{{raw, req.Inventory}, {upRaw, up.Inventory}} {
		if c.raw == nil {
			continue
		}
		if c.inv == nil || !utf8.Valid(c.raw) {
			t.Fatalf("%q: captured %q for inventory %v", data, c.raw, c.inv)
		}
		var again inventory.Inventory
		if err := json.Unmarshal(c.raw, &again); err != nil {
			t.Fatalf("%q: the captured inventory %q: %v", data, c.raw, err)
		}
		if diff := cmp.Diff(*c.inv, again); diff != "" {
			t.Fatalf("%q: the captured inventory decodes to another (-decoded +captured):\n%s", data, diff)
		}
	}
}

// The wire types of the fast path have api's members.
func TestWireTypesMatchAPI(t *testing.T) {
	t.Parallel()
	names := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out = append(out, rt.Field(i).Tag.Get("json"))
		}
		return out
	}
	if diff := cmp.Diff(names(api.RegisterRequest{}), names(registerWire{})); diff != "" {
		t.Errorf("registerWire and api.RegisterRequest (-api +wire):\n%s", diff)
	}
	if diff := cmp.Diff(names(api.InventoryRequest{}), names(uploadWire{})); diff != "" {
		t.Errorf("uploadWire and api.InventoryRequest (-api +wire):\n%s", diff)
	}
}

// A registration's inventory is stored as the agent sent it when the
// fast path decoded it; encoded again when the server filled in the
// identity the agent left empty.
func TestRegistrationStoresInventoryAsSent(t *testing.T) {
	t.Parallel()
	inv := testinv.Machine(5)
	body, _ := json.Marshal(api.RegisterRequest{Inventory: inv})
	spaced := bytes.Replace(body, []byte(`"inventory":`), []byte("\"inventory\" :\n "), 1)
	_, raw, err := decodeRegister(spaced, 1<<20)
	want, _ := json.Marshal(inv)
	if err != nil || !bytes.Equal(raw, want) {
		t.Fatalf("captured %.60q… (%v), want the inventory's JSON", raw, err)
	}
	req, raw, _ := decodeRegister(spaced, 1<<20)
	doc, err := store.NewDocumentJSON(req.Inventory, raw)
	if err != nil || !bytes.Equal(doc.JSON, want) {
		t.Errorf("stored %.60q… (%v)", doc.JSON, err)
	}
	noID := testinv.Machine(6)
	noID.Identity = inventory.Identity{}
	body, _ = json.Marshal(api.RegisterRequest{Inventory: noID})
	req, raw, _ = decodeRegister(body, 1<<20)
	doc, err = store.NewDocumentJSON(req.Inventory, raw)
	if err != nil || bytes.Equal(doc.JSON, raw) || !bytes.Contains(doc.JSON, []byte(`"basis":"system_uuid"`)) {
		t.Errorf("an inventory without identity is stored with the server's: %.200s (%v)", doc.JSON, err)
	}
}

func checkV1V2(t *testing.T, data []byte, v2, v1 any) {
	t.Helper()
	if jsonv2.Unmarshal(data, v2, strictV2) != nil {
		return
	}
	if err := decodeStrictV1(data, v1); err != nil {
		t.Fatalf("v2 accepted what v1 refuses (%v): %q", err, data)
	}
	if diff := cmp.Diff(v1, v2); diff != "" {
		t.Fatalf("v1 and v2 decode %q differently (-v1 +v2):\n%s", data, diff)
	}
	a, err1 := json.Marshal(v1)
	b, err2 := json.Marshal(v2)
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Fatalf("v1 and v2 values of %q encode differently (%v, %v):\n%s\n%s", data, err1, err2, a, b)
	}
}

// What only v1 tolerates is decided by v1, exactly as before the fast
// path: accepted with v1's value, or refused with v1's words.
func TestDecodeStrictFallsBackToV1(t *testing.T) {
	t.Parallel()
	for _, s := range decodeSeeds() {
		var got, want api.RegisterRequest
		err := decodeStrictBytes(s, 1<<20, &got)
		werr := decodeStrictV1(s, &want)
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Errorf("%.80q: %v, want v1's %v", s, err, werr)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%.80q: value (-v1 +got):\n%s", s, diff)
		}
	}
	// Some of the seeds are accepted only by v1: the fallback is tested.
	var req api.RegisterRequest
	if jsonv2.Unmarshal([]byte(`{"Inventory":{}}`), &req, strictV2) == nil {
		t.Fatal("v2 matched a name in another case")
	}
	if err := decodeStrictBytes([]byte(`{"Inventory":{"schema_version":"x"}}`), 1<<20, &req); err != nil || req.Inventory == nil || req.Inventory.SchemaVersion != "x" {
		t.Errorf("a name in another case, as v1 always took it: %v %+v", err, req.Inventory)
	}
	var be *bodyError
	if err := decodeStrictBytes([]byte(`{"inventory":{"colour":1}}`), 1<<20, &req); !errors.As(err, &be) || be.Msg != `unknown field "colour"` {
		t.Errorf("unknown field: %v", err)
	}
}
