package tinkerbell

import (
	"bytes"
	"encoding/json"
	"reflect"

	"go.yaml.in/yaml/v2"
)

// marshal writes one object as YAML, byte for byte as kubectl and EKS
// Anywhere write it with sigs.k8s.io/yaml (JSON first, then YAML with the
// keys sorted), but straight from the struct with go.yaml.in/yaml/v2, the
// emitter sigs.k8s.io/yaml itself ends in: its JSON round trip (marshal,
// decode into maps, marshal the maps) took 2.6 to 4 times as long and
// allocated 2.5 times as much (BenchmarkYAML). The structs declare their fields
// in sorted key order for it (types.go).
//
// go.yaml.in/yaml/v2 writes a string that is not UTF-8 as !!binary
// (base64): such an object goes through encoding/json first, which
// replaces the invalid bytes with U+FFFD, as in kubectl's YAML and in the
// JSON applied to a cluster. A valid string that merely contains the text
// "!!binary" takes that way too, and comes out the same.
func marshal(obj any) ([]byte, error) {
	b, err := yaml.Marshal(obj)
	if err != nil || !bytes.Contains(b, []byte("!!binary")) {
		return b, err
	}
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	valid := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
	if err := json.Unmarshal(j, valid); err != nil {
		return nil, err
	}
	return yaml.Marshal(valid)
}
