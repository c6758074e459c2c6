package source

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSplitDocuments: any stream splits or fails; every piece is one
// valid JSON value, and decoding it as an inventory fails or succeeds
// without panicking.
//
// Seeded with small streams: with the fleet's documents as seeds the
// fuzzer made no progress here (it does for FuzzPreview, which takes them).
func FuzzSplitDocuments(f *testing.F) {
	f.Add([]byte(`{"schema_version":"hwagent.inventory/v1","identity":{"machine_id":"m-1"}}` + "\n" + `{"schema_version":"hwagent.inventory/v1"}`))
	f.Add([]byte(`[{"schema_version":"hwagent.inventory/v1"},{}]`))
	f.Add([]byte(`{}{}[`))
	f.Add([]byte(` [ ] `))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = SplitDocuments(bytes.NewReader(b), func(doc []byte) error {
			if !json.Valid(doc) {
				t.Fatalf("piece %q is not one JSON value", doc)
			}
			_, _ = DecodeInventory(doc)
			return nil
		})
	})
}
