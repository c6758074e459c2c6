// Package plan is the language of an export plan: what an operator writes
// (a YAML plan file, hwagent export's flags, --role rules, a BMC
// credentials file) to say what discovery cannot know: the address plan,
// hostnames, roles and labels, disk choice (sizes, Ironic-style root device
// hints), VLANs and BMC logins. It parses and checks the syntax; the
// exporter (package export) compiles a Plan against a fleet.
package plan
