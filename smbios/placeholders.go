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

// MarkPlaceholders sets the Placeholders of every section of s from the
// values it holds, replacing what was there: System calls it, and so does
// whoever builds a System from elsewhere (/sys/class/dmi/id).
func MarkPlaceholders(s *inventory.System) {
	b := &s.BIOS
	b.Placeholders = placeholders(
		field{"vendor", b.Vendor}, field{"version", b.Version}, field{"release_date", b.ReleaseDate})
	p := &s.Product
	p.Placeholders = placeholders(
		field{"manufacturer", p.Manufacturer}, field{"name", p.Name},
		field{"version", p.Version}, field{"serial", p.Serial})
	if p.UUID != "" && inventory.IsPlaceholderUUID(p.UUID) {
		p.Placeholders = append(p.Placeholders, "uuid")
	}
	p.Placeholders = append(p.Placeholders, placeholders(
		field{"sku", p.SKU}, field{"family", p.Family})...)
	if bb := s.Baseboard; bb != nil {
		bb.Placeholders = placeholders(
			field{"manufacturer", bb.Manufacturer}, field{"product", bb.Product},
			field{"version", bb.Version}, field{"serial", bb.Serial}, field{"asset_tag", bb.AssetTag})
	}
	if c := s.Chassis; c != nil {
		c.Placeholders = placeholders(
			field{"manufacturer", c.Manufacturer}, field{"version", c.Version},
			field{"serial", c.Serial}, field{"asset_tag", c.AssetTag}, field{"sku", c.SKU})
	}
}
