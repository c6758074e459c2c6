package smbios

import "github.com/hwagent/hwagent/inventory"

// field pairs a JSON field name with the value read for it.
type field struct {
	json, value string
}

// placeholders returns the JSON names of the fields that hold a vendor
// placeholder by inventory's rules (inventory.IsPlaceholderField, the one
// authority); absent (empty) fields are not listed. The result is nil when
// there are none.
func placeholders(fields ...field) []string {
	pairs := make([][2]string, len(fields))
	for i, f := range fields {
		pairs[i] = [2]string{f.json, f.value}
	}
	return inventory.PlaceholderFields(pairs...)
}
