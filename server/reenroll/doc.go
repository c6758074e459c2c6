// Package reenroll decides what happens when a registration would take over
// a machine the server already knows: the re-enrolment policy of `hwagent
// serve --reenroll allow|approve|tpm`.
//
// Agents in an in-memory OS keep no secret across boots, so every boot
// registers again with the shared enrollment token and the server matches
// the machine by its identity keys. Whoever knows a machine's keys (its UUID,
// serials and MACs are printed on stickers and heard on the wire) could take
// its record over that way. A Policy looks at each registration once the
// server has matched it (docs/protocol.md, "Identity") and before anything is
// written, and decides:
//
//   - Allow: the registration takes the machine; its credential rotates and
//     the history records from which address;
//   - Hold: the registration waits for an operator (`hwagent machines
//     approve`); the machine's current credential stays valid meanwhile;
//   - Refuse: 403, recorded in the machine's history, nothing else changes;
//   - Challenge: the answer carries a challenge the agent must answer with a
//     second registration (the TPM credential activation).
//
// Allow and Approve are complete here. TPM delegates to a Verifier (the tpm
// package's EK/AK credential activation) and falls back to the approve rules
// for machines the verifier has nothing to say about (no TPM pinned, no TPM
// evidence in the request), or for every machine when no verifier is plugged
// in.
package reenroll
