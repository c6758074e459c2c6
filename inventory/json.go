package inventory

import (
	"errors"

	"github.com/mailru/easyjson"
	"github.com/mailru/easyjson/jlexer"
	"github.com/mailru/easyjson/jwriter"
)

// The inventory's JSON encoders are generated (inventory_easyjson.go, by
// github.com/mailru/easyjson): encoding/json builds its encoders by
// reflection over the model's eighty types the first time it marshals one,
// some 0.7 ms of CPU and 300 KB of allocations in every fresh process: a
// tenth of what `hwagent dump` spends. The generated code writes the same bytes as encoding/json
// (TestEncodeJSONMatchesEncodingJSON, over every field); encoding/json
// stays the package's interface everywhere else (no MarshalJSON methods
// are generated), and strict decoding on the server is untouched.
//
// After changing a type, run go generate ./inventory.

//go:generate go tool easyjson -all -no_std_marshalers -output_filename inventory_easyjson.go -pkg .
//go:generate go run ./internal/jsonfloats inventory_easyjson.go

// EncodeJSON returns inv's JSON document: what json.Marshal(inv) returns,
// without reflection.
func EncodeJSON(inv *Inventory) ([]byte, error) {
	var w jwriter.Writer
	if err := writeJSON(&w, inv); err != nil {
		return nil, err
	}
	return w.BuildBytes()
}

// writeJSON writes inv's document into w with the generated encoders.
func writeJSON(w *jwriter.Writer, inv *Inventory) error {
	m, ok := any(inv).(easyjson.Marshaler)
	if !ok {
		return errNotGenerated
	}
	m.MarshalEasyJSON(w)
	return w.Error
}

// The generated methods are reached through easyjson's interfaces, so that
// this file builds while easyjson reads the package, before they exist.
var errNotGenerated = errors.New("inventory: the generated JSON code is missing: run go generate ./inventory")

// DecodeJSON decodes a document EncodeJSON wrote into inv. It is for the
// agent's own documents (report's escaped copies), not for documents from
// the network: the server decodes those strictly with encoding/json.
func DecodeJSON(data []byte, inv *Inventory) error {
	u, ok := any(inv).(easyjson.Unmarshaler)
	if !ok {
		return errNotGenerated
	}
	l := jlexer.Lexer{Data: data}
	u.UnmarshalEasyJSON(&l)
	return l.Error()
}
