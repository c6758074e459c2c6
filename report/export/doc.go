// Package export turns inventories into what bare-metal provisioners read:
// the EKS Anywhere hardware.csv and Tinkerbell Hardware manifests (with the
// Rufio BMC Machine and Secret that EKS Anywhere generates beside them).
//
// Discovery knows a machine's NICs, disks, BMC address and LLDP neighbours;
// it cannot know the operator's address plan, hostnames, roles or BMC
// credentials. A Plan supplies those. Choices made from the inventory (the
// boot NIC, the install disk, the BMC address, the VLAN) follow documented
// rules that the Plan can override per machine.
//
// An export reads its inputs twice, one inventory at a time, so memory
// follows one machine and not the fleet: the first pass keeps only a small
// key per machine (serial, identity, MACs, the facts role rules match on);
// machines are then ordered (by serial, then hwagent machine ID, then source
// name), addresses and roles are assigned in that order, and the second pass
// renders, validates and writes each machine. Every row is checked against
// the rules EKS Anywhere enforces (see Validate); when any machine fails,
// the export fails listing every offending machine and why, and the caller
// discards the partial output.
package export
