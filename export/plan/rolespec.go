package plan

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRole reads a role rule written on one line, as `hwagent export
// --role` takes it: "MATCH:LABELS", where MATCH is comma-separated
// key=value pairs of manufacturer, product, serial, switch, min_memory,
// max_memory (sizes: 256GiB), min_cpus, max_cpus and count, and LABELS is
// comma-separated key=value pairs. ":type=worker" matches every machine.
// The Role is the same a plan's roles entry gives; the errors quote the
// rule.
func ParseRole(spec string) (Role, error) {
	var r Role
	match, labels, ok := strings.Cut(spec, ":")
	if !ok {
		return r, fmt.Errorf("%q: want MATCH:LABELS", spec)
	}
	bad := func(format string, args ...any) (Role, error) {
		return Role{}, fmt.Errorf("%q: %s", spec, fmt.Sprintf(format, args...))
	}
	for _, kv := range splitNonEmpty(match) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("%q is not key=value", kv)
		}
		var err error
		switch k {
		case "manufacturer":
			r.Match.Manufacturer = v
		case "product":
			r.Match.Product = v
		case "serial":
			r.Match.Serial = v
		case "switch":
			r.Match.Switch = v
		case "min_memory":
			r.Match.MinMemory, err = ParseSize(v)
		case "max_memory":
			r.Match.MaxMemory, err = ParseSize(v)
		case "min_cpus":
			r.Match.MinCPUs, err = strconv.Atoi(v)
		case "max_cpus":
			r.Match.MaxCPUs, err = strconv.Atoi(v)
		case "count":
			r.Count, err = strconv.Atoi(v)
		default:
			return bad("unknown match key %q", k)
		}
		if err != nil {
			return bad("%s: %v", k, err)
		}
	}
	r.Labels = map[string]string{}
	for _, kv := range splitNonEmpty(labels) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("label %q is not key=value", kv)
		}
		r.Labels[k] = v
	}
	return r, nil
}

// splitNonEmpty splits a comma-separated list, dropping empty items.
func splitNonEmpty(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
