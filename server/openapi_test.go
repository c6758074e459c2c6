package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
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

// The OpenAPI file documents exactly the server's routes, and a whole
// conversation with the real server conforms to it.
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

	// A whole conversation through the fixture, whose server is behind
	// conformant: every request and answer is checked by libopenapi.
	f := newFixture(t, func(c *Config) { w := 5; c.Push = api.AgentConfig{Collectors: []string{"lldp"}, LLDPWaitSeconds: &w} })
	inv := testinv.Machine(1)
	var reg api.RegisterResponse
	f.call("POST", api.PathRegister, enrollToken, api.RegisterRequest{Inventory: inv}, 200, &reg)
	ci := api.CheckinRequest{State: "registered", InventoryDigest: strings.Repeat("0", 64), UptimeSeconds: 1, AgentVersion: "v1"}
	f.call("POST", fmt.Sprintf(api.PathCheckinFmt, reg.MachineID), reg.Credential, ci, 200, nil)
	f.call("PUT", fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), reg.Credential, api.InventoryRequest{Inventory: inv}, 204, nil)
	f.call("PUT", fmt.Sprintf(api.PathActionFmt, reg.MachineID), adminToken, api.ActionRequest{Action: api.ActionReboot}, 200, nil)
	f.call("GET", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 200, nil)
	f.call("GET", api.PathMachines+"?limit=1", adminToken, nil, 200, nil)
	f.call("GET", fmt.Sprintf(api.PathHistoryFmt, reg.MachineID), adminToken, nil, 200, nil)
	f.call("GET", api.PathConflicts, adminToken, nil, 200, nil)
	f.call("GET", api.PathMachines, "", nil, 401, nil)
	f.call("DELETE", fmt.Sprintf(api.PathMachineFmt, reg.MachineID), adminToken, nil, 204, nil)

	// And the library refuses what the document refuses.
	v := openAPIValidator(t)
	req, _ := http.NewRequest("PUT", "https://provisioning.example:8443"+fmt.Sprintf(api.PathActionFmt, reg.MachineID), strings.NewReader(`{"action":"format"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	spec.mu.Lock()
	ok, _ := v.ValidateHttpRequest(req)
	spec.mu.Unlock()
	if ok {
		t.Errorf("docs/openapi.yaml accepts an unknown action")
	}
}
