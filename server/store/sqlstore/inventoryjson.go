package sqlstore

import (
	"encoding/json"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/hwagent/hwagent/inventory"
)

// decodeStored decodes a stored inventory document into inv (a fresh
// one). The documents were written by encoding/json, so encoding/json/v2
// (github.com/go-json-experiment/json, the standard library's v2 from Go
// 1.27) reads them to the same value at a third of the cost; anything it
// refuses (nothing the server wrote) is left to encoding/json, which
// always read them.
func decodeStored(raw string, inv *inventory.Inventory) error {
	if jsonv2.Unmarshal([]byte(raw), inv) == nil {
		return nil
	}
	*inv = inventory.Inventory{}
	return json.Unmarshal([]byte(raw), inv)
}
