package server

import (
	"bytes"
	"fmt"
	"net/http"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
)

// A registration or an upload carries a 20–50 KB inventory that the
// server stores as the agent sent it. Encoding it again to store it cost a
// tenth of a registration's CPU; so when the fast path (encoding/json/v2)
// decodes the body, the inventory's JSON is taken from the body itself:
// valid (v2 checked it), valid UTF-8, without duplicate or unknown names,
// and decoded by encoding/json to the same value as the one the server
// checked (FuzzDecodeStrictV1V2). Bodies only v1 accepts are encoded again
// as before.

// capturedInventory decodes an inventory and remembers where its JSON is
// in the body.
type capturedInventory struct {
	inv        *inventory.Inventory
	start, end int64
}

// UnmarshalJSONFrom implements encoding/json/v2's UnmarshalerFrom, with
// the decoder's options (unknown names refused).
func (c *capturedInventory) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	c.start = dec.InputOffset()
	c.inv = new(inventory.Inventory)
	if err := jsonv2.UnmarshalDecode(dec, c.inv); err != nil {
		return err
	}
	c.end = dec.InputOffset()
	return nil
}

// raw returns the inventory's JSON in data (from the end of the member
// name, so past the colon and white space).
func (c *capturedInventory) raw(data []byte) []byte {
	if c == nil || c.start < 0 || c.end > int64(len(data)) || c.start >= c.end {
		return nil
	}
	return bytes.TrimLeft(data[c.start:c.end], " \t\r\n:")
}

// registerWire and uploadWire are api.RegisterRequest and
// api.InventoryRequest with the inventory captured (TestWireTypesMatchAPI
// keeps their members the same).
type registerWire struct {
	Inventory *capturedInventory `json:"inventory"`
	TPM       *api.TPMEvidence   `json:"tpm,omitempty"`
}

type uploadWire struct {
	Inventory *capturedInventory `json:"inventory"`
}

// decodeRegister decodes a registration body as decodeStrictBytes does,
// and returns the inventory's JSON as sent when the fast path decoded it
// (nil: encode the inventory to store it).
func decodeRegister(data []byte, limit int64) (api.RegisterRequest, []byte, error) {
	var req api.RegisterRequest
	if int64(len(data)) > limit {
		return req, nil, &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", limit)}
	}
	var w registerWire
	if jsonv2.Unmarshal(data, &w, strictV2) == nil {
		req.TPM = w.TPM
		if w.Inventory != nil {
			req.Inventory = w.Inventory.inv
		}
		return req, w.Inventory.raw(data), nil
	}
	return req, nil, decodeStrictV1(data, &req)
}

// decodeUpload is decodeRegister for an inventory upload.
func decodeUpload(data []byte, limit int64) (api.InventoryRequest, []byte, error) {
	var req api.InventoryRequest
	if int64(len(data)) > limit {
		return req, nil, &bodyError{http.StatusRequestEntityTooLarge, api.CodeTooLarge, fmt.Sprintf("body larger than %d bytes", limit)}
	}
	var w uploadWire
	if jsonv2.Unmarshal(data, &w, strictV2) == nil {
		if w.Inventory != nil {
			req.Inventory = w.Inventory.inv
		}
		return req, w.Inventory.raw(data), nil
	}
	return req, nil, decodeStrictV1(data, &req)
}
