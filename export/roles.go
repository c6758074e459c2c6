package export

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hwagent/hwagent/export/plan"
)

// compiledRole is a Role with its patterns compiled.
type compiledRole struct {
	plan.Role
	manufacturer, product, serial, sw *regexp.Regexp // nil: any
}

func compileRole(r plan.Role) (compiledRole, error) {
	c := compiledRole{Role: r}
	var err error
	for _, f := range []struct {
		dst     **regexp.Regexp
		pattern string
	}{{&c.manufacturer, r.Match.Manufacturer}, {&c.product, r.Match.Product}, {&c.serial, r.Match.Serial}, {&c.sw, r.Match.Switch}} {
		if *f.dst, err = compileGlob(f.pattern); err != nil {
			return c, err
		}
	}
	return c, nil
}

// compileGlob turns a pattern into a case-insensitive anchored regexp: '*'
// matches any run of characters ('/' included: product names contain it),
// '?' one character, everything else itself. An empty pattern is nil.
func compileGlob(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return re, nil
}

func globMatch(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }

// matches reports whether a machine's facts satisfy the rule's Match.
func (c *compiledRole) matches(f matchFacts) bool {
	m := c.Match
	if !globMatch(c.manufacturer, f.manufacturer) || !globMatch(c.product, f.product) || !globMatch(c.serial, f.serial) {
		return false
	}
	if c.sw != nil {
		ok := false
		for _, s := range f.switches {
			if c.sw.MatchString(s) {
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
	for i := range a.roles {
		r := &a.roles[i]
		if r.Count > 0 && a.used[i] >= r.Count {
			continue
		}
		if r.matches(f) {
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
			var labels []string
			for _, k := range sortedKeys(r.Labels) {
				labels = append(labels, k+"="+r.Labels[k])
			}
			out = append(out, fmt.Sprintf("roles[%d] (%s): %s of %s machines matched",
				i, strings.Join(labels, ","), strconv.Itoa(a.used[i]), strconv.Itoa(r.Count)))
		}
	}
	return out
}
