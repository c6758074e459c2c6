package export

import (
	"path"
	"strconv"
	"strings"
)

// matches reports whether a machine's facts satisfy m.
func (m Match) matches(f matchFacts) bool {
	if !glob(m.Manufacturer, f.manufacturer) || !glob(m.Product, f.product) || !glob(m.Serial, f.serial) {
		return false
	}
	if m.Switch != "" {
		ok := false
		for _, s := range f.switches {
			if glob(m.Switch, s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if m.MinMemory != 0 && f.memory < uint64(m.MinMemory) || m.MaxMemory != 0 && f.memory > uint64(m.MaxMemory) {
		return false
	}
	if m.MinCPUs != 0 && f.cpus < m.MinCPUs || m.MaxCPUs != 0 && f.cpus > m.MaxCPUs {
		return false
	}
	return true
}

// glob matches s against a case-insensitive shell pattern; an empty
// pattern matches everything.
func glob(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(s))
	return ok && err == nil
}

// roleAssigner hands out role labels in export order.
type roleAssigner struct {
	roles []compiledRole
	used  []int
}

func newRoleAssigner(roles []compiledRole) *roleAssigner {
	return &roleAssigner{roles: roles, used: make([]int, len(roles))}
}

// assign returns the labels of the first rule f matches that has room, or
// nil.
func (a *roleAssigner) assign(f matchFacts) map[string]string {
	for i, r := range a.roles {
		if r.Count > 0 && a.used[i] >= r.Count {
			continue
		}
		if r.Match.matches(f) {
			a.used[i]++
			return r.Labels
		}
	}
	return nil
}

// shortfalls lists the rules that wanted more machines than matched.
func (a *roleAssigner) shortfalls() []string {
	var out []string
	for i, r := range a.roles {
		if r.Count > 0 && a.used[i] < r.Count {
			out = append(out, formatRole(r.Role, a.used[i]))
		}
	}
	return out
}

func formatRole(r Role, got int) string {
	var labels []string
	for _, k := range sortedKeys(r.Labels) {
		labels = append(labels, k+"="+r.Labels[k])
	}
	return "role " + strings.Join(labels, ",") + ": " + strconv.Itoa(got) + " of " + strconv.Itoa(r.Count) + " machines matched"
}
