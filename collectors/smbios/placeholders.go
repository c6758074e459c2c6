package smbios

import "github.com/hwagent/hwagent/inventory"

// field pairs a JSON field name with the value read for it.
type field struct {
	json, value string
}

// placeholders returns the JSON names of the fields that hold a vendor
// placeholder (inventory.IsPlaceholder); absent (empty) fields are not
// listed. The result is nil when there are none.
func placeholders(fields ...field) []string {
	var out []string
	for _, f := range fields {
		if f.value != "" && inventory.IsPlaceholder(f.value) {
			out = append(out, f.json)
		}
	}
	return out
}
