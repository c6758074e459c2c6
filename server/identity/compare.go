package identity

import (
	"fmt"
	"strings"

	"github.com/hwagent/hwagent/inventory"
)

// Outcome is what Compare decides.
type Outcome int

// Outcomes.
const (
	// Unrelated: no identity key in common.
	Unrelated Outcome = iota
	// Same: one machine (perhaps with a NIC, a DIMM or a motherboard
	// replaced).
	Same
	// Different: they share a key but contradict each other on another:
	// two machines, in identity conflict.
	Different
)

func (o Outcome) String() string {
	switch o {
	case Same:
		return "same"
	case Different:
		return "different"
	}
	return "unrelated"
}

// Verdict is Compare's answer.
type Verdict struct {
	Outcome Outcome
	// Shared are the identity keys both have ("system_uuid:…"), strongest
	// first.
	Shared []string
	// Reason says, for Different, what contradicts what.
	Reason string
	// Rule is the row of docs/protocol.md's decision table that decided
	// (1-8; 0 for a verdict Compare did not give).
	Rule int
}

// match is how two values of one kind compare.
type match int

const (
	absent match = iota // one side or both do not have it
	agree
	differ
)

func compareValue(a, b string) match {
	switch {
	case a == "" || b == "":
		return absent
	case a == b:
		return agree
	}
	return differ
}

// compareMACs: agree when they share a MAC, differ when both have MACs and
// none in common.
func compareMACs(a, b []string) match {
	if len(a) == 0 || len(b) == 0 {
		return absent
	}
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return agree
			}
		}
	}
	return differ
}

// Compare decides whether incoming (a registration or an upload) is the
// machine known was last seen as. Both identities must hold no
// placeholder (inventory.DeriveIdentity removes them). The rules, in order
// (docs/protocol.md has the table; Verdict.Rule is its row):
//
//  1. No key in common: Unrelated.
//  2. The system serials differ: Different, whatever else agrees (a cloned
//     UUID, a reused motherboard).
//  3. The system serial, the UUID or the baseboard serial agrees, and none
//     of the UUID, the baseboard serial and the chassis serial differs:
//     Same (a NIC or DIMM swap).
//  4. As 3, but one of them differs, and a NIC is in common: Same (a
//     replaced board keeping its add-in NICs, a blade moved to another
//     enclosure with its NICs).
//  5. As 3, but one of them differs, and no NIC is in common: Different
//     (firmware settings cloned onto another board, or onto a node of
//     another enclosure).
//  6. Only weak keys agree (chassis serial, MACs), and the UUID, the
//     baseboard serial or the chassis serial differs: Different (a NIC
//     moved to another machine).
//  7. Only the chassis serial agrees and the NICs differ: Different (the
//     nodes of one multi-node chassis).
//  8. Otherwise: Same.
//
// A chassis serial is the machine's own on rack servers and laptops (most
// often its system serial again) and the enclosure's on blades and
// multi-node servers (every node of one enclosure reports it, a node moved
// to another enclosure reports the new one's): agreeing, it is weak;
// differing, it says another machine or another enclosure, which only
// NICs in common explain away.
func Compare(known, incoming inventory.Identity) Verdict {
	shared := sharedKeys(known, incoming)
	if len(shared) == 0 {
		return Verdict{Outcome: Unrelated, Rule: 1}
	}
	v := Verdict{Outcome: Same, Shared: shared}
	uuid := compareValue(known.SystemUUID, incoming.SystemUUID)
	serial := compareValue(known.SystemSerial, incoming.SystemSerial)
	board := compareValue(known.BaseboardSerial, incoming.BaseboardSerial)
	chassis := compareValue(known.ChassisSerial, incoming.ChassisSerial)
	macs := compareMACs(known.MACs, incoming.MACs)
	decided := func(rule int) Verdict {
		v.Rule = rule
		return v
	}
	different := func(rule int, format string, args ...any) Verdict {
		v.Outcome, v.Reason = Different, fmt.Sprintf(format, args...)
		return decided(rule)
	}
	// what names the key that contradicts, strongest first.
	what := func() string {
		switch {
		case uuid == differ:
			return fmt.Sprintf("system UUID %s ≠ %s", known.SystemUUID, incoming.SystemUUID)
		case board == differ:
			return fmt.Sprintf("baseboard serial %q ≠ %q", known.BaseboardSerial, incoming.BaseboardSerial)
		}
		return fmt.Sprintf("chassis serial %q ≠ %q", known.ChassisSerial, incoming.ChassisSerial)
	}
	contradicted := uuid == differ || board == differ || chassis == differ
	switch {
	case serial == differ:
		return different(2, "system serial %q ≠ %q", known.SystemSerial, incoming.SystemSerial)
	case serial == agree || uuid == agree || board == agree:
		switch {
		case !contradicted:
			return decided(3)
		case macs == agree:
			return decided(4)
		}
		return different(5, "%s and no NIC in common", what())
	case contradicted:
		return different(6, "%s; in common only %s", what(), weakNames(chassis, macs))
	case chassis == agree && macs == differ:
		return different(7, "only the chassis serial agrees and no NIC in common (nodes of one multi-node chassis?)")
	}
	return decided(8)
}

// weakNames names the weak keys that agree.
func weakNames(chassis, macs match) string {
	var n []string
	if chassis == agree {
		n = append(n, "the chassis serial")
	}
	if macs == agree {
		n = append(n, "NICs")
	}
	return strings.Join(n, " and ")
}

// sharedKeys lists the keys both identities have, strongest first.
func sharedKeys(a, b inventory.Identity) []string {
	have := map[string]bool{}
	for _, k := range a.Keys() {
		have[k] = true
	}
	var out []string
	for _, k := range b.Keys() {
		if have[k] {
			out = append(out, k)
		}
	}
	return out
}
