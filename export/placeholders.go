package export

import (
	"fmt"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// placeholderField is a System field holding a vendor placeholder.
type placeholderField struct {
	path, value string
}

// withoutPlaceholders returns inv with every System string that is a
// vendor placeholder (inventory's rules, not the document's possibly older
// Placeholders lists) blanked, and which fields those were; inv itself is
// not modified. A hostname template that prints such a value would give
// every unit of a model the same name.
func withoutPlaceholders(inv *inventory.Inventory) (*inventory.Inventory, []placeholderField) {
	return blankPlaceholders(inv, "")
}

// blankPlaceholders is withoutPlaceholders for the one field at path (all
// of them when path is empty).
func blankPlaceholders(inv *inventory.Inventory, path string) (*inventory.Inventory, []placeholderField) {
	if inv == nil || inv.System == nil {
		return inv, nil
	}
	sys := *inv.System
	var found []placeholderField
	blank := func(at, field string, v *string) {
		if (path == "" || path == at) && *v != "" && inventory.IsPlaceholderField(field, *v) {
			found = append(found, placeholderField{at, *v})
			*v = ""
		}
	}
	blank("system.bios.vendor", "vendor", &sys.BIOS.Vendor)
	blank("system.bios.version", "version", &sys.BIOS.Version)
	p := &sys.Product
	for _, f := range []struct {
		name string
		v    *string
	}{{"manufacturer", &p.Manufacturer}, {"name", &p.Name}, {"version", &p.Version}, {"serial", &p.Serial},
		{"uuid", &p.UUID}, {"sku", &p.SKU}, {"family", &p.Family}} {
		blank("system.product."+f.name, f.name, f.v)
	}
	if inv.System.Baseboard != nil {
		b := *inv.System.Baseboard
		sys.Baseboard = &b
		for _, f := range []struct {
			name string
			v    *string
		}{{"manufacturer", &b.Manufacturer}, {"product", &b.Product}, {"version", &b.Version}, {"serial", &b.Serial}, {"asset_tag", &b.AssetTag}} {
			blank("system.baseboard."+f.name, f.name, f.v)
		}
	}
	if inv.System.Chassis != nil {
		c := *inv.System.Chassis
		sys.Chassis = &c
		for _, f := range []struct {
			name string
			v    *string
		}{{"manufacturer", &c.Manufacturer}, {"version", &c.Version}, {"serial", &c.Serial}, {"asset_tag", &c.AssetTag}, {"sku", &c.SKU}} {
			blank("system.chassis."+f.name, f.name, f.v)
		}
	}
	if len(found) == 0 {
		return inv, nil
	}
	out := *inv
	out.System = &sys
	return &out, found
}

// placeholderError names the placeholders the template read: those whose
// blanking alone changes the name (render renders with an inventory).
func placeholderError(found []placeholderField, inv *inventory.Inventory, render func(*inventory.Inventory) string) error {
	want := render(inv)
	var named []string
	for _, f := range found {
		one, _ := blankPlaceholders(inv, f.path)
		if render(one) != want {
			named = append(named, fmt.Sprintf("%s %q", f.path, f.value))
		}
	}
	if len(named) == 0 { // only their combination shows
		for _, f := range found {
			named = append(named, fmt.Sprintf("%s %q", f.path, f.value))
		}
	}
	return fmt.Errorf("hostname_template reads a vendor placeholder of this machine (%s), which every unit of its model carries: "+
		"use serial, id or mac, or give a fallback with | default", strings.Join(named, ", "))
}
