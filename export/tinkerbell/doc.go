// Package tinkerbell is the exporter of Tinkerbell manifests: an
// export.Writer that writes, for every machine, a Tinkerbell Hardware and,
// with BMC credentials, the Rufio Machine and its Secret, as EKS Anywhere
// generates them from hardware.csv (YAML byte for byte as kubectl writes
// it, through go.yaml.in/yaml/v2: see marshal). Objects gives the same
// objects to code that applies them to a cluster.
package tinkerbell
