package export_test

// Validation of exported Hardware objects against the openAPIV3Schema of
// Tinkerbell's CRD (testdata/tinkerbell.org_hardware.v1alpha1.crd.yaml,
// copied from /work/shared/fixtures/tinkerbell), made strict.
//
// A structural schema is a subset of JSON Schema; the API server prunes
// fields the schema does not list instead of rejecting them, which would
// lose data silently. Here every object schema that lists properties and
// says nothing of additionalProperties gets additionalProperties: false, so
// a field the CRD does not know FAILS validation. Kubernetes extensions are
// translated: nullable adds "null" to the type, format int32 becomes
// minimum/maximum, x-kubernetes-validations (CEL) are checked in Go by
// celRules, the other x-kubernetes-* markers are dropped. metadata (an
// ObjectMeta, "type: object" in the CRD) is checked by objectMetaProblems.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

var (
	crdOnce   sync.Once
	crdSchema *jsonschema.Schema
	crdErr    error
)

// hardwareSchema compiles the strict schema once.
func hardwareSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	crdOnce.Do(func() {
		b, err := os.ReadFile("testdata/tinkerbell.org_hardware.v1alpha1.crd.yaml")
		if err != nil {
			crdErr = err
			return
		}
		var crd struct {
			Spec struct {
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if crdErr = yaml.Unmarshal(b, &crd); crdErr != nil {
			return
		}
		var s map[string]any
		for _, v := range crd.Spec.Versions {
			if v.Name == "v1alpha1" {
				s = v.Schema.OpenAPIV3Schema
			}
		}
		if s == nil {
			crdErr = fmt.Errorf("no v1alpha1 schema in the CRD")
			return
		}
		c := jsonschema.NewCompiler()
		if crdErr = c.AddResource("hardware.json", strictSchema(s)); crdErr != nil {
			return
		}
		crdSchema, crdErr = c.Compile("hardware.json")
	})
	if crdErr != nil {
		t.Fatalf("hardware schema: %v", crdErr)
	}
	return crdSchema
}

// strictSchema translates a structural schema node as the package comment
// says.
func strictSchema(n map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range n {
		switch {
		case strings.HasPrefix(k, "x-kubernetes-"), k == "nullable", k == "description":
			continue
		case k == "properties":
			props := map[string]any{}
			for name, p := range v.(map[string]any) {
				props[name] = strictSchema(p.(map[string]any))
			}
			out[k] = props
		case k == "items" || k == "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				out[k] = strictSchema(m)
			} else {
				out[k] = v
			}
		case k == "anyOf" || k == "allOf" || k == "oneOf":
			var list []any
			for _, s := range v.([]any) {
				list = append(list, strictSchema(s.(map[string]any)))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	if _, ok := n["properties"]; ok {
		if _, has := n["additionalProperties"]; !has {
			out["additionalProperties"] = false
		}
	}
	if n["nullable"] == true {
		if t, ok := n["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	if n["format"] == "int32" {
		out["minimum"] = math.MinInt32
		out["maximum"] = math.MaxInt32
	}
	return out
}

// validateHardware checks one Hardware document (YAML) against the strict
// schema, the CRD's CEL rules and ObjectMeta's rules.
func validateHardware(t testing.TB, doc []byte) error {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	if err := hardwareSchema(t).Validate(inst); err != nil {
		return err
	}
	var obj map[string]any
	if err := json.Unmarshal(j, &obj); err != nil {
		return err
	}
	if obj["apiVersion"] != "tinkerbell.org/v1alpha1" || obj["kind"] != "Hardware" {
		return fmt.Errorf("apiVersion/kind %v/%v", obj["apiVersion"], obj["kind"])
	}
	if p := objectMetaProblems(obj["metadata"]); p != "" {
		return fmt.Errorf("metadata: %s", p)
	}
	return celRules(obj)
}

// celRules checks the CRD's x-kubernetes-validations: on every
// interfaces[].dhcp, tftp_server_name and boot_file_name are both set or
// both empty.
func celRules(obj map[string]any) error {
	spec, _ := obj["spec"].(map[string]any)
	ifaces, _ := spec["interfaces"].([]any)
	for i, x := range ifaces {
		dhcp, _ := x.(map[string]any)["dhcp"].(map[string]any)
		tftp, _ := dhcp["tftp_server_name"].(string)
		boot, _ := dhcp["boot_file_name"].(string)
		if (tftp != "") != (boot != "") {
			return fmt.Errorf("interfaces[%d].dhcp: TFTPServerName and BootFileName must both be specified or both be empty", i)
		}
	}
	return nil
}

// objectMetaProblems checks what the API server checks of an object's
// metadata that an export sets: name and namespace, labels, annotations.
func objectMetaProblems(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return "missing"
	}
	name, _ := m["name"].(string)
	ns, _ := m["namespace"].(string)
	if !eksaIsDNS1123Subdomain(name) {
		return fmt.Sprintf("name %q is not a DNS-1123 subdomain", name)
	}
	if ns == "" || len(ns) > 63 || !eksaDNS1123Label.MatchString(ns) {
		return fmt.Sprintf("namespace %q is not a DNS-1123 label", ns)
	}
	for _, f := range []string{"labels", "annotations"} {
		kv, _ := m[f].(map[string]any)
		for k, v := range kv {
			s, ok := v.(string)
			if !eksaIsQualifiedName(k) || !ok {
				return fmt.Sprintf("%s key %q or its value is invalid", f, k)
			}
			if f == "labels" && (len(s) > 63 || !eksaLabelValue.MatchString(s)) {
				return fmt.Sprintf("label %s value %q is invalid", k, s)
			}
		}
	}
	for k := range m {
		switch k {
		case "name", "namespace", "labels", "annotations":
		default:
			return fmt.Sprintf("unexpected metadata field %q", k)
		}
	}
	return ""
}

// splitDocs splits multi-document YAML at "---" lines.
func splitDocs(b []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(b, []byte("---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

// kindOf reads a document's kind.
func kindOf(t testing.TB, doc []byte) string {
	t.Helper()
	var tm struct {
		Kind string `json:"kind"`
	}
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		t.Fatalf("document is not YAML: %v\n%s", err, doc)
	}
	return tm.Kind
}

func TestHardwareSchemaValidatorRejects(t *testing.T) {
	t.Parallel()
	const valid = `apiVersion: tinkerbell.org/v1alpha1
kind: Hardware
metadata:
  name: node-1
  namespace: eksa-system
spec:
  disks:
  - device: /dev/sda
  interfaces:
  - dhcp:
      hostname: node-1
      ip:
        address: 10.0.0.5
        family: 4
        netmask: 255.255.255.0
      lease_time: 4294967294
      mac: 52:54:00:12:34:56
      vlan_id: "100"
    netboot:
      allowPXE: true
      allowWorkflow: true
`
	if err := validateHardware(t, []byte(valid)); err != nil {
		t.Fatalf("the valid document was rejected: %v", err)
	}
	cases := []struct{ name, from, to, want string }{
		{"unknown field is not pruned silently", "      vlan_id: \"100\"", "      vlan_id: \"100\"\n      vlan: 100", "'vlan' not allowed"},
		{"unknown spec field", "spec:\n", "spec:\n  inventory: {}\n", "'inventory' not allowed"},
		{"vlan_id must be a string", `vlan_id: "100"`, `vlan_id: 100`, "want string"},
		{"vlan_id above 4096", `vlan_id: "100"`, `vlan_id: "5000"`, "does not match pattern"},
		{"upper-case mac", "mac: 52:54:00:12:34:56", "mac: 52:54:00:AB:CD:EF", "does not match pattern"},
		{"lease_time is an integer", "lease_time: 4294967294", "lease_time: forever", "want integer"},
		{"bmcRef needs kind and name", "spec:\n", "spec:\n  bmcRef:\n    name: bmc-node-1\n", "missing property 'kind'"},
		{"tftp server without boot file", "      hostname: node-1", "      hostname: node-1\n      tftp_server_name: 10.0.0.1", "TFTPServerName"},
		{"bad label value", "  namespace: eksa-system", "  namespace: eksa-system\n  labels:\n    type: 'control plane'", "label type value"},
		{"bad name", "  name: node-1", "  name: Node_1", "not a DNS-1123 subdomain"},
		{"metadata status field", "  name: node-1", "  name: node-1\n  resourceVersion: \"1\"", "resourceVersion"},
		{"resources quantity", "spec:\n", "spec:\n  resources:\n    memory: lots\n", "does not match pattern"},
		{"postCode is int32", "spec:\n", "status:\n  attributes:\n    outOfBand:\n      bios:\n        status:\n          postCode: 4294967296\nspec:\n", "maximum"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(valid, tc.from, tc.to, 1)
			if doc == valid {
				t.Fatalf("case does not change the document")
			}
			err := validateHardware(t, []byte(doc))
			if err == nil {
				t.Fatalf("accepted:\n%s", doc)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("rejected for another reason than %q: %v", tc.want, err)
			}
		})
	}
}
