package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/testinv"
)

// openAPI loads docs/openapi.yaml as JSON.
func openAPI(t *testing.T) map[string]any {
	t.Helper()
	y, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(y)
	if err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// The OpenAPI file documents exactly the server's routes, and the server's
// real answers validate against its schemas.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	doc := openAPI(t)
	var documented []string
	for path, ops := range doc["paths"].(map[string]any) {
		for method := range ops.(map[string]any) {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	var served []string
	for _, r := range (&Server{}).routes(prometheus.NewRegistry()) {
		served = append(served, r.pattern)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if diff := cmp.Diff(served, documented); diff != "" {
		t.Errorf("routes (-served +documented in docs/openapi.yaml):\n%s", diff)
	}

	c := jsonschema.NewCompiler()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *jsonschema.Schema {
		s, err := c.Compile("openapi.json#/components/schemas/" + name)
		if err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		return s
	}
	validate := func(name string, body []byte) {
		t.Helper()
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := schema(name).Validate(v); err != nil {
			t.Errorf("a real %s does not match docs/openapi.yaml: %v\n%s", name, err, body)
		}
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }

	f := newFixture(t, func(c *Config) { w := 5; c.Push = api.AgentConfig{Collectors: []string{"lldp"}, LLDPWaitSeconds: &w} })
	inv := testinv.Machine(1)
	validate("RegisterRequest", js(api.RegisterRequest{Inventory: inv}))
	_, _, body := f.do("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv})
	validate("RegisterResponse", body)
	var reg api.RegisterResponse
	json.Unmarshal(body, &reg) //nolint:errcheck // validated above
	ci := api.CheckinRequest{State: "registered", InventoryDigest: strings.Repeat("0", 64), UptimeSeconds: 1, AgentVersion: "v1"}
	validate("CheckinRequest", js(ci))
	_, _, body = f.do("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential, ci)
	validate("CheckinResponse", body)
	validate("ActionRequest", js(api.ActionRequest{Action: api.ActionReboot}))
	_, _, body = f.do("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, api.ActionRequest{Action: api.ActionReboot})
	validate("Machine", body)
	_, _, body = f.do("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil)
	validate("Machine", body)
	_, _, body = f.do("GET", api.PathMachines+"?limit=1", adminToken, nil)
	validate("MachineList", body)
	_, _, body = f.do("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil)
	validate("History", body)
	_, _, body = f.do("GET", api.PathMachines, "", nil)
	validate("Error", body)
	// And it refuses what the schemas refuse.
	v, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"action":"format"}`))
	if schema("ActionRequest").Validate(v) == nil {
		t.Errorf("the ActionRequest schema accepts an unknown action")
	}
}

// validator checks real answers against docs/openapi.yaml's schemas.
type validator struct {
	t *testing.T
	c *jsonschema.Compiler
}

func newValidator(t *testing.T) *validator {
	t.Helper()
	c := jsonschema.NewCompiler()
	if err := c.AddResource("openapi.json", openAPI(t)); err != nil {
		t.Fatal(err)
	}
	return &validator{t: t, c: c}
}

func (v *validator) validate(name string, body []byte) {
	v.t.Helper()
	s, err := v.c.Compile("openapi.json#/components/schemas/" + name)
	if err != nil {
		v.t.Fatalf("schema %s: %v", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		v.t.Fatalf("%s: %v", name, err)
	}
	if err := s.Validate(doc); err != nil {
		v.t.Errorf("a real %s does not match docs/openapi.yaml: %v\n%s", name, err, body)
	}
}
