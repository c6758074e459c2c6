// Package bmcverify proves BMC credentials from outside the machine: it
// logs in to the BMC's LAN address over RMCP+ (IPMI v2.0, what ipmitool
// -I lanplus, Rufio and EKS Anywhere use) with github.com/bougou/go-ipmi,
// asks Get Device ID, and closes the session.
//
// The session setup is driven step by step (Open Session, RAKP 1/2,
// RAKP 3/4, Set Session Privilege Level) rather than with go-ipmi's
// Connect, for two reasons: Connect folds every failure into one string,
// and the verdict must name the failing step; and Connect first asks Get
// Channel Cipher Suites, which many BMCs (ipmi_sim among them) never
// answer, costing a timeout per check. Cipher suites 17 (HMAC-SHA256,
// AES-128) then 3 (HMAC-SHA1, AES-128) are tried: the suites ipmitool
// and Rufio use.
//
// Results: Verified, or the class of failure: Unreachable (no answer),
// WrongPassword (RAKP authentication code mismatch, or an unknown user
// name), PrivilegeTooLow (the BMC refuses the role or the session
// privilege), CipherSuiteRefused (no suite accepted), Error (anything
// else).
package bmcverify
