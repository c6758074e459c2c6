// Package testinv builds realistic inventories of a simulated fleet for the
// server's tests and load benchmark: 30–40 KB documents of Dell PowerEdge
// R610s whose PCI functions and CPU sections come from a real machine, with
// per-machine identity (UUID, service tag, MACs), DIMMs, disks, NICs and LLDP
// neighbours derived from the machine's number. Machine(i) is the same
// machine for the same i and a different one for every other i.
package testinv
