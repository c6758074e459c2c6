// Package identity decides whether a registration is a machine the server
// already knows: the decision table of docs/protocol.md ("Identity"), as a
// pure function over two inventory.Identity values.
//
// Keys alone cannot decide it. A firmware template UUID, a cloned BIOS
// configuration, a NIC moved from one machine to another or the chassis
// serial that every node of a multi-node chassis reports make two machines
// share a key; what tells them apart is a key they both have and disagree
// on. Compare says Same, Different (they share a key but contradict each
// other: an identity conflict the server records on both and keeps them
// apart for), or Unrelated (no key in common). When the evidence is
// ambiguous it says Different: a machine split in two costs an operator a
// look at `hwagent machines conflicts`; two machines merged into one record
// costs a wiped disk.
package identity
