// Package bmcuser creates or updates one BMC user over the in-band IPMI
// system interface (/dev/ipmi0), the way `hwagent bmc credentials` and the
// agent's server-requested provisioning do, so that provisioning systems
// (Tinkerbell's Rufio, EKS Anywhere) get per-machine BMC credentials
// without a hand-typed factory password.
//
// Ensure follows the rules operators trust it with:
//   - the slot is the one already named after the user, else the first
//     free one (empty name, not enabled, no access on any LAN channel);
//     slots 1 (anonymous) and 2 (the factory administrator) are never
//     touched, and neither is an enabled user with another name unless the
//     request names its slot;
//   - the password is set in the IPMI 2.0 20-byte form when the BMC takes
//     it, else the 16-byte form; when the user already exists the password
//     is first tested and left alone when it matches;
//   - the user gets IPMI messaging at the requested privilege on every LAN
//     channel, is enabled, and IPMI over LAN is made available on the
//     target channel (its privilege limit raised to the user's if lower);
//   - every write happens only when a read shows it is needed, so a second
//     run changes nothing. BMCs that cannot report a state (ipmi_sim and
//     others leave the enable status unspecified and accept any password in
//     a test) get that write again, reported apart as a rewrite.
//
// The Result lists what was done in words; neither it nor any error ever
// holds the password. Failures are *Error values with a Reason an agent
// can report (refused, no free slot, no LAN channel...).
package bmcuser
