package export

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/hwagent/hwagent/inventory"
)

// TemplateData is what a hostname template sees: the inventory's fields
// (`{{.System.Product.Serial}}`, `{{.Host.Hostname}}`) and the export's
// choices for the machine.
type TemplateData struct {
	*inventory.Inventory
	// Index is the machine's position in export order, from 0.
	Index int
	// IP is the address assigned to the machine.
	IP string
	// Serial is the best serial (see the serial function).
	Serial string
	// MAC is the provisioning MAC.
	MAC string
	// ID is the serial, else the MAC without colons.
	ID string
}

// templateFuncs are the hostname template's helpers. serial, mac and id
// read the machine d holds when the template runs.
func templateFuncs(d *TemplateData) template.FuncMap {
	return template.FuncMap{
		hostnameLabelFunc: hostnameLabel,
		"serial":          func() string { return d.Serial },
		"mac":             func() string { return d.MAC },
		"id":              func() string { return d.ID },
		"lower":           strings.ToLower,
		"upper":           strings.ToUpper,
		"trim":            strings.TrimSpace,
		// replace OLD NEW S, for pipelines: {{mac | replace ":" ""}}.
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		// trunc N S keeps the first N bytes; a negative N keeps the last -N.
		"trunc": func(n int, s string) string {
			switch {
			case n >= 0 && n < len(s):
				return s[:n]
			case n < 0 && -n < len(s):
				return s[len(s)+n:]
			}
			return s
		},
		// default D S is S, or D when S is empty or a vendor placeholder.
		"default": func(d, s string) string {
			if inventory.IsPlaceholder(s) {
				return d
			}
			return s
		},
		// octet N IP is the Nth (1-4) octet of an IPv4 address.
		"octet": func(n int, ip string) (string, error) {
			a, err := netip.ParseAddr(ip)
			if err != nil || !a.Is4() || n < 1 || n > 4 {
				return "", fmt.Errorf("octet %d of %q: want 1-4 of an IPv4 address", n, ip)
			}
			return fmt.Sprint(a.As4()[n-1]), nil
		},
	}
}

// parseHostnameTemplate parses the template once, its machine-specific
// functions bound to d: renderHostname fills d before each execution.
// Every value the template prints goes through hostnameLabel, so that dots
// in hostnames come only from the template's own text: a vendor name such
// as "Dell Inc." must not turn "{{.System.Manufacturer}}-{{serial}}" into
// the FQDN-like "dell-inc.-abc123" (short name "dell-inc", shared by every
// Dell).
func parseHostnameTemplate(text string, d *TemplateData) (*template.Template, error) {
	t, err := template.New("hostname_template").Option("missingkey=error").Funcs(templateFuncs(d)).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("hostname_template: %w", err)
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			escapeValues(tt.Tree, tt.Tree.Root)
		}
	}
	return t, nil
}

// hostnameLabelFunc is the function escapeValues appends to every printing
// pipeline.
const hostnameLabelFunc = "_hostnameLabel"

// escapeValues appends hostnameLabel to every action that prints a value,
// as html/template appends its escapers.
func escapeValues(tree *parse.Tree, n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			escapeValues(tree, c)
		}
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return // {{$x := ...}} prints nothing
		}
		id := parse.NewIdentifier(hostnameLabelFunc).SetTree(tree).SetPos(n.Pos)
		n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{id}})
	case *parse.IfNode:
		escapeValues(tree, n.List)
		escapeValues(tree, n.ElseList)
	case *parse.RangeNode:
		escapeValues(tree, n.List)
		escapeValues(tree, n.ElseList)
	case *parse.WithNode:
		escapeValues(tree, n.List)
		escapeValues(tree, n.ElseList)
	}
}

// hostnameLabel turns one printed value into hostname characters without
// dots: lower case, every run of characters other than a-z and 0-9 one '-'
// ("Dell Inc." → "dell-inc-"; SanitizeHostname then drops the dash at the
// end of a label and merges it with the template's own "-").
func hostnameLabel(v any) string {
	s := strings.ToLower(fmt.Sprint(v))
	var b strings.Builder
	b.Grow(len(s))
	inRun := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
			inRun = false
			continue
		}
		if !inRun {
			b.WriteByte('-')
			inRun = true
		}
	}
	return b.String()
}

// checkFields executes the template once over an inventory whose every
// section is present but empty, to report a field that does not exist
// (`.System.Serial` for `.System.Product.Serial`) before any machine is
// read. Other execution errors (an index out of range on the empty lists)
// are left to the machines.
func checkFields(base *template.Template) error {
	inv := &inventory.Inventory{
		Host: &inventory.Host{}, CPU: &inventory.CPU{}, Memory: &inventory.Memory{},
		Storage: &inventory.Storage{}, PCI: &inventory.PCI{},
		System:   &inventory.System{Baseboard: &inventory.Baseboard{}, Chassis: &inventory.Chassis{}},
		Network:  &inventory.Network{Boot: &inventory.BootInterface{}},
		Firmware: &inventory.Firmware{TPM: &inventory.TPM{}},
		BMC:      &inventory.BMC{Interface: &inventory.IPMIInterface{}, Redfish: &inventory.RedfishHostInterface{}},
	}
	r := newRenderer(base)
	*r.d = TemplateData{Inventory: inv, IP: "192.0.2.1", Serial: "s", MAC: "02:00:00:00:00:01", ID: "s"}
	err := r.t.Execute(io.Discard, r.d)
	if err != nil && strings.Contains(err.Error(), "can't evaluate field") {
		return fmt.Errorf("hostname_template: %w (the inventory's fields are those of hwagent dump -o json, in Go names: .System.Product.Serial, .Host.Hostname; or use serial, mac, id)", err)
	}
	return nil
}

// renderHostname executes the template for the machine in d (the value
// the template was parsed with) and makes the result DNS-safe. It is not
// safe for concurrent use.
func renderHostname(t *template.Template, d *TemplateData) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("hostname_template: %w", err)
	}
	raw := b.String()
	h := SanitizeHostname(raw)
	// A placeholder never names a machine: the template must give the same
	// name with every placeholder blanked.
	if clean, found := withoutPlaceholders(d.Inventory); len(found) > 0 {
		orig := d.Inventory
		render := func(inv *inventory.Inventory) string {
			d.Inventory = inv
			defer func() { d.Inventory = orig }()
			var c bytes.Buffer
			if err := t.Execute(&c, d); err != nil {
				return "\x00" + err.Error()
			}
			return SanitizeHostname(c.String())
		}
		if render(clean) != h {
			return "", placeholderError(found, orig, render)
		}
	}
	if p := hostnameProblem(h); p != "" {
		if h == "" {
			return "", fmt.Errorf("hostname_template gave %s, which has no DNS-safe characters", clip(raw))
		}
		return "", fmt.Errorf("hostname_template: %s", p)
	}
	return h, nil
}

// SanitizeHostname lower-cases s and makes it a DNS-1123 subdomain where it
// can: every run of characters other than a-z, 0-9 and '.' becomes one '-'
// ("a--b" too), and each dot-separated label loses leading and trailing
// '-' (empty labels are dropped). Length limits are not enforced by truncation: a
// label over 63 characters stays and fails validation, so two machines
// never end up with the same truncated name silently.
func SanitizeHostname(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	b.Grow(len(s))
	inRun := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' {
			b.WriteByte(c)
			inRun = false
			continue
		}
		if !inRun {
			b.WriteByte('-')
			inRun = true
		}
	}
	labels := strings.Split(b.String(), ".")
	out := labels[:0]
	for _, l := range labels {
		if l = strings.Trim(l, "-"); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, ".")
}

// renderer executes the hostname template for one goroutine: a clone of
// the parsed template whose machine-specific functions read its own data.
type renderer struct {
	t *template.Template
	d *TemplateData
}

func newRenderer(base *template.Template) *renderer {
	d := &TemplateData{}
	t := template.Must(base.Clone())
	t.Funcs(templateFuncs(d))
	return &renderer{t: t, d: d}
}

func (r *renderer) render(d *TemplateData) (string, error) {
	*r.d = *d
	defer func() { *r.d = TemplateData{} }()
	return renderHostname(r.t, r.d)
}

// needsAssignment reports whether a template reads .IP or .Index (or $.IP,
// $.Index), which are known only once the fleet is ordered and addresses
// are handed out. Over-approximating is harmless: it costs reading the
// inventories a second time.
func needsAssignment(t *template.Template) bool {
	ids := templateIdents(t)
	return ids["IP"] || ids["Index"] || ids[anyTemplate]
}

// anyTemplate stands for "the template calls another template": assume it
// reads everything.
const anyTemplate = "{{template}}"

// templateIdents lists every field and method name a template names
// (.A.B, $x.A, (pipeline).A), and anyTemplate when it calls a template.
func templateIdents(t *template.Template) map[string]bool {
	ids := map[string]bool{}
	var walk func(n parse.Node)
	add := func(idents []string) {
		for _, id := range idents {
			ids[id] = true
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			add(n.Ident)
		case *parse.VariableNode:
			add(n.Ident[1:])
		case *parse.ChainNode:
			add(n.Field)
			walk(n.Node)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			ids[anyTemplate] = true
			walk(n.Pipe)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
	return ids
}
