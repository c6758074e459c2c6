package export

import (
	"testing"

	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/inventory"
)

func TestSanitizeHostname(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"node-9000116105", "node-9000116105"},
		{"VMware-56 4d e2 c3", "vmware-56-4d-e2-c3"},
		{"To Be Filled By O.E.M.", "to-be-filled-by-o.e.m"},
		{"Thomas-Krenn.AG X9DBL-3F/X9DBL-iF", "thomas-krenn.ag-x9dbl-3f-x9dbl-if"},
		{"--a__b--", "a-b"},
		{"a..b", "a.b"},
		{".leading.and.trailing.", "leading.and.trailing"},
		{"ÄÖÜ-straße", "stra-e"},
		{"~~~", ""},
		{"", ""},
		{"rack 1 . node 2", "rack-1.node-2"},
	}
	for _, tc := range cases {
		if got := SanitizeHostname(tc.in); got != tc.want {
			t.Errorf("SanitizeHostname(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHostnameTemplates(t *testing.T) {
	t.Parallel()
	srv := fleetInventory(t, "srv-x9dbl")
	cases := []struct {
		tmpl, want, wantErr string
	}{
		{tmpl: plan.DefaultHostnameTemplate, want: "node-9000116105"},
		{tmpl: "node-{{.System.Product.Serial}}", want: "node-9000116105"},
		{tmpl: "{{.System.Baseboard.Manufacturer | lower}}-{{serial}}", want: "supermicro-9000116105"},
		{tmpl: "{{mac | replace \":\" \"\"}}", want: "001ff3afd3f1"},
		{tmpl: "n{{octet 3 .IP}}-{{octet 4 .IP}}", want: "n10-100"},
		{tmpl: "{{.Host.Hostname}}-{{printf \"%03d\" .Index}}", want: "hook-007"},
		{tmpl: "{{.System.Product.Name | trunc 5}}{{.System.Product.Name | trunc -3}}", want: "x9dbl-if"},
		{tmpl: "{{.System.Chassis.Serial | default \"nochassis\"}}", want: "nochassis"},
		{tmpl: "{{id}}.rack-a.example.com", want: "9000116105.rack-a.example.com"},
		{tmpl: "{{.NoSuchField}}", wantErr: `hostname_template: template: hostname_template:1:2: executing "hostname_template" at <.NoSuchField>: can't evaluate field NoSuchField in type *export.TemplateData`},
		{tmpl: "{{octet 5 .IP}}", wantErr: `hostname_template: template: hostname_template:1:2: executing "hostname_template" at <octet 5 .IP>: error calling octet: octet 5 of "10.10.10.100": want 1-4 of an IPv4 address`},
		// A placeholder never makes a hostname: every unit of the model has it.
		{tmpl: "{{.System.Product.Family}}", wantErr: `hostname_template reads a vendor placeholder of this machine (system.product.family "To be filled by O.E.M."), which every unit of its model carries: use serial, id or mac, or give a fallback with | default`},
		{tmpl: "node-{{.System.Chassis.Serial}}", wantErr: `hostname_template reads a vendor placeholder of this machine (system.chassis.serial "0123456789"), which every unit of its model carries: use serial, id or mac, or give a fallback with | default`},
		{tmpl: "{{.System.Chassis.Serial | trunc 3}}-{{serial}}", wantErr: `hostname_template reads a vendor placeholder of this machine (system.chassis.serial "0123456789"), which every unit of its model carries: use serial, id or mac, or give a fallback with | default`},
		// Dots in hostnames come from the template's text, never from a
		// value: "Thomas-Krenn.AG" is one label.
		{tmpl: "{{.System.Product.Manufacturer}}-{{serial}}", want: "thomas-krenn-ag-9000116105"},
		{tmpl: "{{.System.Product.Manufacturer | lower}}.{{serial}}", want: "thomas-krenn-ag.9000116105"},
		{tmpl: "{{range .Network.Interfaces}}{{.Name}}.{{end}}x", want: "bond0.bond0-100.br100.eno1.enp17s0f0.enp17s0f1.x"},
		{tmpl: "{{$m := .System.Product.Manufacturer}}{{if $m}}{{$m}}-{{end}}{{id}}", want: "thomas-krenn-ag-9000116105"},
		{tmpl: "{{.System.Product.Family | default .Host.Hostname}}", want: "hook"},
		{tmpl: "{{.Host.WorkerID}}", wantErr: `hostname_template gave "", which has no DNS-safe characters`},
	}
	for _, tc := range cases {
		t.Run(tc.tmpl, func(t *testing.T) {
			t.Parallel()
			d := &TemplateData{}
			tm, err := parseHostnameTemplate(tc.tmpl, d)
			if err != nil {
				t.Fatal(err)
			}
			*d = TemplateData{Inventory: srv, Index: 7, IP: "10.10.10.100", Serial: "9000116105", MAC: "00:1f:f3:af:d3:f1", ID: "9000116105"}
			got, err := renderHostname(tm, d)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := parseHostnameTemplate("{{.Broken", &TemplateData{}); err == nil {
		t.Errorf("a broken template parsed")
	}
	// A nil section is an execution error, not a panic.
	d := &TemplateData{}
	tm, _ := parseHostnameTemplate("{{.Chassis}}{{.System.Chassis.Serial}}", d)
	*d = TemplateData{Inventory: &inventory.Inventory{}}
	if _, err := renderHostname(tm, d); err == nil {
		t.Errorf("no error for a missing System section")
	}
}

func TestNeedsAssignment(t *testing.T) {
	t.Parallel()
	for tmpl, want := range map[string]bool{
		plan.DefaultHostnameTemplate:                         false,
		"node-{{.System.Product.Serial | lower}}":            false,
		"{{if .Host}}{{.Host.Hostname}}{{end}}":              false,
		"n{{octet 4 .IP}}":                                   true,
		"node-{{printf \"%02d\" .Index}}":                    true,
		"{{with .System}}{{$.IP}}{{end}}":                    true,
		"{{range .Network.Interfaces}}{{end}}{{.Index}}":     true,
		"{{define \"x\"}}{{.IP}}{{end}}{{template \"x\" .}}": true,
	} {
		tm, err := parseHostnameTemplate(tmpl, &TemplateData{})
		if err != nil {
			t.Fatal(err)
		}
		if got := needsAssignment(tm); got != want {
			t.Errorf("%s: needsAssignment = %v, want %v", tmpl, got, want)
		}
	}
}

func TestTemplateFieldsCheckedUpFront(t *testing.T) {
	t.Parallel()
	_, err := compile(plan.Plan{HostnameTemplate: "node-{{.System.Serial}}"})
	want := `plan: hostname_template: template: hostname_template:1:14: executing "hostname_template" at <.System.Serial>: can't evaluate field Serial in type *inventory.System (the inventory's fields are those of hwagent dump -o json, in Go names: .System.Product.Serial, .Host.Hostname; or use serial, mac, id)`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	for _, ok := range []string{
		"{{(index .Network.Interfaces 0).Name}}", // fails only on a machine without NICs
		"{{.System.Baseboard.Serial}}-{{.BMC.Redfish.ServiceIP}}-{{.Network.Boot.MAC}}",
		"{{octet 4 .IP}}",
	} {
		if _, err := compile(plan.Plan{HostnameTemplate: ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}
