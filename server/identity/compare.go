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
// (docs/protocol.md has the table):
//
//  1. No key in common: Unrelated.
//  2. The system serials differ: Different, whatever else agrees (a cloned
//     UUID, a reused motherboard).
//  3. The system serial, the UUID or the baseboard serial agrees: Same,
//     unless the UUID or the baseboard serial differs and no NIC is in
//     common (firmware settings cloned onto another board) — Different.
//     A NIC or DIMM swap, a replaced board keeping its NICs, stay Same.
//  4. Only weak keys agree (chassis serial, MACs): Different when the UUID
//     or the baseboard serial differs (a NIC moved to another machine),
//     or when only the chassis serial agrees and the NICs differ (the
//     nodes of one multi-node chassis); else Same.
func Compare(known, incoming inventory.Identity) Verdict {
	shared := sharedKeys(known, incoming)
	if len(shared) == 0 {
		return Verdict{Outcome: Unrelated}
	}
	v := Verdict{Outcome: Same, Shared: shared}
	uuid := compareValue(known.SystemUUID, incoming.SystemUUID)
	serial := compareValue(known.SystemSerial, incoming.SystemSerial)
	board := compareValue(known.BaseboardSerial, incoming.BaseboardSerial)
	chassis := compareValue(known.ChassisSerial, incoming.ChassisSerial)
	macs := compareMACs(known.MACs, incoming.MACs)
	different := func(format string, args ...any) Verdict {
		v.Outcome, v.Reason = Different, fmt.Sprintf(format, args...)
		return v
	}
	// what names the strong key that contradicts.
	what := func() string {
		if uuid == differ {
			return fmt.Sprintf("system UUID %s ≠ %s", known.SystemUUID, incoming.SystemUUID)
		}
		return fmt.Sprintf("baseboard serial %q ≠ %q", known.BaseboardSerial, incoming.BaseboardSerial)
	}
	switch {
	case serial == differ:
		return different("system serial %q ≠ %q", known.SystemSerial, incoming.SystemSerial)
	case serial == agree || uuid == agree || board == agree:
		if (uuid == differ || board == differ) && macs != agree {
			return different("%s and no NIC in common", what())
		}
		return v
	case uuid == differ || board == differ:
		return different("%s; in common only %s", what(), weakNames(chassis, macs))
	case chassis == agree && macs == differ:
		return different("only the chassis serial agrees and no NIC in common (nodes of one multi-node chassis?)")
	}
	return v
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
