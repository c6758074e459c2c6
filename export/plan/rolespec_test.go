package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseRole: a rule on one line gives the Role the same rule gives as
// a plan's roles entry.
func TestParseRole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ rule, plan string }{
		{"product=X9DBL*,count=3:type=cp", `{match: {product: 'X9DBL*'}, count: 3, labels: {type: cp}}`},
		{":type=worker", `{labels: {type: worker}}`},
		{"manufacturer=Dell*, switch=leaf-01.*, min_memory=256GiB, max_memory=1TiB, min_cpus=16, max_cpus=128:type=cp,rack=a1",
			`{match: {manufacturer: 'Dell*', switch: 'leaf-01.*', min_memory: 256GiB, max_memory: 1TiB, min_cpus: 16, max_cpus: 128}, labels: {type: cp, rack: a1}}`},
		{"serial=9000116105:", `{match: {serial: '9000116105'}, labels: {}}`},
	} {
		got, err := ParseRole(tc.rule)
		if err != nil {
			t.Errorf("%q: %v", tc.rule, err)
			continue
		}
		p, err := ParsePlan([]byte("roles: [" + tc.plan + "]\n"))
		if err != nil {
			t.Fatalf("plan %s: %v", tc.plan, err)
		}
		if diff := cmp.Diff(p.Roles[0], got); diff != "" {
			t.Errorf("%q (-plan +rule):\n%s", tc.rule, diff)
		}
	}
}

func TestParseRoleErrors(t *testing.T) {
	t.Parallel()
	for rule, want := range map[string]string{
		"type=cp":             `"type=cp": want MATCH:LABELS`,
		"colour=red:type=cp":  `unknown match key "colour"`,
		"product:type=cp":     `"product" is not key=value`,
		"count=three:type=cp": `count: strconv.Atoi: parsing "three"`,
		"min_memory=lots:x=y": "min_memory:",
		"product=X:type":      `label "type" is not key=value`,
	} {
		_, err := ParseRole(rule)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), `"`+rule+`"`) {
			t.Errorf("%q: %v, want an error quoting the rule with %q", rule, err, want)
		}
	}
}
