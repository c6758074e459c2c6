// Package disk chooses a machine's install disk from its inventory and a
// plan's disk fields: a per-machine or fleet-wide disk, Ironic-style root
// device hints, or the rule (size floor, class preference, transports),
// never a disk in use unless the plan allows it.
package disk
