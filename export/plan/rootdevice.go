package plan

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hwagent/hwagent/inventory"
)

// RootDevice is a set of Ironic root device hints: hint name to
// expression, e.g. {serial: "S3Z1NB0K123456X"}, {size: ">= 200"},
// {rotational: false}, {by_path: "/dev/disk/by-path/pci-0000:18:00.0-sas-phy0-lun-0"}.
// A disk is chosen when it matches every hint, with the semantics of
// ironic-python-agent's device_hints (oslo.utils specs_matcher):
//
//   - string hints (model, vendor, serial, wwn, wwn_with_extension,
//     wwn_vendor_extension, name, hctl, by_path, tran) compare case
//     insensitively, trimmed; without an operator the value must be equal
//     ("s=="); operators: s== s!= s< s<= s> s>= (string order), <in>
//     (substring), <or> (any of: "<or> a <or> b"). A disk without the
//     value compares as the string "none", as in Ironic (so {vendor:
//     "s!= dell"} matches an NVMe disk, which has no vendor).
//   - size is in GiB (the disk's bytes / 2^30, not rounded); without an
//     operator it must be equal; operators: == != < <= > >= and = (which,
//     as in nova and Ironic, means >=).
//   - rotational is a boolean (true/false, yes/no, on/off, 1/0).
//
// name is the device path ("/dev/sda"; "sda" is taken as "/dev/sda").
// wwn matches udev's ID_WWN (without an NAA 6 vendor extension) or the
// WWN as lsblk prints it. by_path matches any of the disk's
// /dev/disk/by-path links.
type RootDevice map[string]any

// hintTypes are the hints Ironic accepts and their types.
var hintTypes = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"size": "int", "rotational": "bool",
		"model": "str", "wwn": "str", "serial": "str", "vendor": "str", "wwn_with_extension": "str",
		"wwn_vendor_extension": "str", "name": "str", "hctl": "str", "by_path": "str", "tran": "str",
	}
})

// hint is one compiled hint.
type hint struct {
	name  string
	expr  string
	match func(d *inventory.Disk) bool
}

// Hints is a RootDevice ready to match, its hints in name order.
type Hints []hint

func (h Hints) String() string {
	parts := make([]string, len(h))
	for i, x := range h {
		parts[i] = x.name + ": " + x.expr
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// Matches reports whether d matches every hint.
func (h Hints) Matches(d *inventory.Disk) bool {
	for _, x := range h {
		if !x.match(d) {
			return false
		}
	}
	return true
}

// CompileHints checks and compiles hints; what refers to them in
// errors ("root_device", "root_devices[KEY]").
func CompileHints(what string, rd RootDevice) (Hints, error) {
	var out Hints
	var errs []string
	names := make([]string, 0, len(rd))
	for k := range rd {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		h, err := compileHint(name, rd[name])
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		out = append(out, h)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %s", what, strings.Join(errs, "; "))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no hints", what)
	}
	return out, nil
}

func compileHint(name string, v any) (hint, error) {
	typ, ok := hintTypes()[name]
	if !ok {
		known := make([]string, 0, len(hintTypes()))
		for k := range hintTypes() {
			known = append(known, k)
		}
		sort.Strings(known)
		return hint{}, fmt.Errorf("unknown hint %q (Ironic's hints: %s)", name, strings.Join(known, ", "))
	}
	switch typ {
	case "bool":
		b, err := hintBool(v)
		if err != nil {
			return hint{}, fmt.Errorf("rotational: %w", err)
		}
		return hint{name: name, expr: strconv.FormatBool(b), match: func(d *inventory.Disk) bool { return d.Rotational == b }}, nil
	case "int":
		return compileSize(v)
	}
	s, ok := v.(string)
	if !ok {
		return hint{}, fmt.Errorf("%s: %v is not a string", name, v)
	}
	m, err := stringMatcher(name, s)
	if err != nil {
		return hint{}, err
	}
	get := diskValues()[name]
	return hint{name: name, expr: s, match: func(d *inventory.Disk) bool {
		seen := false
		for _, dv := range get(d) {
			if dv = strings.ToLower(strings.TrimSpace(dv)); dv != "" {
				seen = true
				if m(dv) {
					return true
				}
			}
		}
		// Ironic compares a value the disk lacks (None) as the string
		// "none": it matches s!= and <in> no, s>= "dell" yes.
		return !seen && m("none")
	}}, nil
}

// hintBool is oslo's strict bool_from_string.
func hintBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "t", "true", "on", "y", "yes":
			return true, nil
		case "0", "f", "false", "off", "n", "no":
			return false, nil
		}
	case float64:
		if x == 1 || x == 0 {
			return x == 1, nil
		}
	}
	return false, fmt.Errorf("%v is not a boolean", v)
}

var numericOps = []string{"==", "!=", "<=", ">=", "<", ">", "="}

// compileSize compiles the size hint: an integer number of GiB, alone or
// after a numeric operator.
func compileSize(v any) (hint, error) {
	var expr string
	switch x := v.(type) {
	case float64:
		expr = strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		expr = strconv.Itoa(x)
	case string:
		expr = strings.TrimSpace(x)
	default:
		return hint{}, fmt.Errorf("size: %v is not a number of GiB", v)
	}
	op, val := "==", expr
	for _, o := range numericOps {
		if rest, ok := strings.CutPrefix(expr, o); ok && (rest == "" || rest[0] == ' ') {
			op, val = o, strings.TrimSpace(rest)
			break
		}
	}
	n, err := strconv.Atoi(val)
	if err != nil || n <= 0 {
		return hint{}, fmt.Errorf("size: %q: want a positive integer of GiB, optionally after one of %s", expr, strings.Join(numericOps, " "))
	}
	want := float64(n)
	cmp := map[string]func(a float64) bool{
		"==": func(a float64) bool { return a == want }, "!=": func(a float64) bool { return a != want },
		"<": func(a float64) bool { return a < want }, "<=": func(a float64) bool { return a <= want },
		">": func(a float64) bool { return a > want }, ">=": func(a float64) bool { return a >= want },
		"=": func(a float64) bool { return a >= want },
	}[op]
	return hint{name: "size", expr: expr, match: func(d *inventory.Disk) bool {
		return d.SizeBytes > 0 && cmp(float64(d.SizeBytes)/math.Exp2(30))
	}}, nil
}

var stringOps = []string{"s==", "s!=", "s<=", "s>=", "s<", "s>", "<in>"}

// stringMatcher compiles a string expression, lower-cased as Ironic does.
func stringMatcher(name, expr string) (func(string) bool, error) {
	e := strings.ToLower(strings.TrimSpace(expr))
	if e == "" {
		return nil, fmt.Errorf("%s: empty expression", name)
	}
	if strings.HasPrefix(e, "<or>") {
		var vals []string
		for _, v := range strings.Split(e, "<or>") {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, normName(name, v))
			}
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("%s: %q: <or> without values", name, expr)
		}
		return func(dv string) bool { return slices.Contains(vals, dv) }, nil
	}
	if strings.HasPrefix(e, "<all-in>") || strings.HasPrefix(e, "<range-in>") {
		return nil, fmt.Errorf("%s: %q: Ironic cannot match this operator on a disk's %s", name, expr, name)
	}
	for _, o := range numericOps {
		if rest, ok := strings.CutPrefix(e, o); ok && (rest == "" || rest[0] == ' ') {
			return nil, fmt.Errorf("%s: %q: %s compares numbers; use s%s for strings", name, expr, o, strings.TrimPrefix(o, "="))
		}
	}
	op, val := "s==", e
	for _, o := range stringOps {
		if rest, ok := strings.CutPrefix(e, o); ok && (rest == "" || rest[0] == ' ') {
			op, val = o, strings.TrimSpace(rest)
			break
		}
	}
	if val == "" {
		return nil, fmt.Errorf("%s: %q: operator without a value", name, expr)
	}
	val = normName(name, val)
	switch op {
	case "s==":
		return func(dv string) bool { return dv == val }, nil
	case "s!=":
		return func(dv string) bool { return dv != val }, nil
	case "s<":
		return func(dv string) bool { return dv < val }, nil
	case "s<=":
		return func(dv string) bool { return dv <= val }, nil
	case "s>":
		return func(dv string) bool { return dv > val }, nil
	case "s>=":
		return func(dv string) bool { return dv >= val }, nil
	}
	return func(dv string) bool { return strings.Contains(dv, val) }, nil // <in>
}

// normName makes "sda" of a name hint "/dev/sda".
func normName(name, v string) string {
	if name == "name" && !strings.HasPrefix(v, "/dev/") {
		return "/dev/" + v
	}
	return v
}

// IronicWWN is udev's ID_WWN: the NAA identifier without the vendor
// extension of an NAA 6 WWN.
func IronicWWN(d *inventory.Disk) string {
	if d.WWNVendorExtension != "" && len(d.WWNWithExtension) == 34 {
		return d.WWNWithExtension[:18]
	}
	return d.WWN
}

// diskValues are the disk's values each string hint compares with.
var diskValues = sync.OnceValue(func() map[string]func(d *inventory.Disk) []string {
	return map[string]func(d *inventory.Disk) []string{
		"model":                func(d *inventory.Disk) []string { return []string{d.Model} },
		"vendor":               func(d *inventory.Disk) []string { return []string{d.Vendor} },
		"serial":               func(d *inventory.Disk) []string { return []string{d.Serial} },
		"wwn":                  func(d *inventory.Disk) []string { return []string{IronicWWN(d), d.WWN} },
		"wwn_with_extension":   func(d *inventory.Disk) []string { return []string{d.WWNWithExtension} },
		"wwn_vendor_extension": func(d *inventory.Disk) []string { return []string{d.WWNVendorExtension} },
		"name":                 func(d *inventory.Disk) []string { return []string{d.Path} },
		"hctl":                 func(d *inventory.Disk) []string { return []string{d.HCTL} },
		"by_path":              func(d *inventory.Disk) []string { return d.ByPath },
		"tran":                 func(d *inventory.Disk) []string { return []string{d.Transport} },
	}
})
