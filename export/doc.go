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
// An export reads each inventory once, one per CPU at a time, and keeps
// only a small entry per machine (its keys, the row's fleet-independent
// fields and, for Tinkerbell, the facts); the inventories themselves are
// never all in memory. Machines are then ordered (by serial, then hwagent
// machine ID, then source name), addresses and roles are assigned in that
// order (assign.go: fixed addresses, then the pool, never the gateway, a
// nameserver, a fixed address or a BMC's), and each row is completed,
// validated and written. One machine at a time (One, for serve
// --kubeconfig) takes its pool address from the server's store instead,
// which keeps it across runs: Pool and NeedsAddress tell the store what
// the plan reserves. A hostname
// template that reads .IP or .Index is rendered after the assignment, which
// reads each inventory a second time. Every row is checked against the
// rules EKS Anywhere enforces; when any machine fails, the export fails
// listing every offending machine and why, and the caller discards the
// partial output.
package export
