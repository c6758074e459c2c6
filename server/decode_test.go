package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

func TestDecodeStrict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		limit  int64
		status int // 0: accepted
		msg    string
	}{
		{name: "checkin", body: `{"state":"registered","inventory_digest":"","uptime_seconds":1.5,"agent_version":"v1"}`},
		{name: "trailing white space", body: "{\"state\":\"registered\"}\n\t "},
		{name: "exactly the limit", body: `{"state":"registered"}`, limit: 22},
		{name: "one byte over", body: `{"state":"registered"}`, limit: 21, status: 413, msg: "body larger than 21 bytes"},
		{name: "empty", body: "", status: 400, msg: "empty body: want a JSON object"},
		{name: "white space only", body: "  \n", status: 400, msg: "empty body: want a JSON object"},
		{name: "malformed", body: `{"state":}`, status: 400, msg: "malformed JSON at byte 10: invalid character '}' looking for beginning of value"},
		{name: "truncated", body: `{"state":"regis`, status: 400, msg: "truncated JSON"},
		{name: "unknown field", body: `{"state":"registered","admin":true}`, status: 400, msg: `unknown field "admin"`},
		{name: "wrong type", body: `{"uptime_seconds":"long"}`, status: 400, msg: "field uptime_seconds: got JSON string, want float64"},
		{name: "array instead of object", body: `[1]`, status: 400, msg: "field (top level): got JSON array, want api.CheckinRequest"},
		{name: "two values", body: `{"state":"a"}{"state":"b"}`, status: 400, msg: "body holds more than one JSON value"},
		{name: "garbage after the value", body: `{"state":"a"} x`, status: 400, msg: "malformed JSON at byte 15: invalid character 'x' looking for beginning of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 20
			}
			var req api.CheckinRequest
			err := decodeStrict(strings.NewReader(tt.body), limit, &req)
			if tt.status == 0 {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				return
			}
			var be *bodyError
			if !errors.As(err, &be) {
				t.Fatalf("decode: %v, want a *bodyError", err)
			}
			if diff := cmp.Diff(struct {
				Status int
				Msg    string
			}{tt.status, tt.msg}, struct {
				Status int
				Msg    string
			}{be.Status, be.Msg}); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// Unknown fields are refused however deep they are.
func TestDecodeStrictNested(t *testing.T) {
	t.Parallel()
	b, _ := json.Marshal(api.RegisterRequest{Inventory: testinv.Machine(1)})
	nested := bytes.Replace(b, []byte(`"locator":"DIMM_A1"`), []byte(`"locator":"DIMM_A1","colour":"green"`), 1)
	var req api.RegisterRequest
	err := decodeStrict(bytes.NewReader(nested), 1<<20, &req)
	var be *bodyError
	if !errors.As(err, &be) || be.Msg != `unknown field "colour"` {
		t.Errorf("nested unknown field: %v", err)
	}
	if err := decodeStrict(bytes.NewReader(b), 1<<20, &req); err != nil {
		t.Errorf("the real inventory: %v", err)
	}
}

// FuzzDecodeRegister: any body is either accepted or refused with 400/413,
// never a panic; an accepted body re-encodes and decodes strictly again.
func FuzzDecodeRegister(f *testing.F) {
	inv := testinv.Machine(1)
	inv.PCI.Devices = inv.PCI.Devices[:2]
	inv.Memory.Modules = inv.Memory.Modules[:2]
	b, _ := json.Marshal(api.RegisterRequest{Inventory: inv})
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte(`{"inventory":{"schema_version":5}}`))
	f.Add([]byte(`{"inventory":null}{}`))
	f.Add([]byte(`{"inventory":{"identity":{"macs":["\ud800"]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var req api.RegisterRequest
		err := decodeStrict(bytes.NewReader(data), 1<<16, &req)
		if err != nil {
			var be *bodyError
			if !errors.As(err, &be) || (be.Status != 400 && be.Status != 413) || be.Code == "" {
				t.Fatalf("error %v is not a 400/413 bodyError", err)
			}
			return
		}
		again, err := json.Marshal(&req)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var req2 api.RegisterRequest
		if err := decodeStrict(bytes.NewReader(again), 1<<30, &req2); err != nil {
			t.Fatalf("re-encoded body refused: %v", err)
		}
	})
}
