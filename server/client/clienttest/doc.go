// Package clienttest is an in-memory provisioning server that implements
// the agent side of the protocol in server/api faithfully (bearer tokens,
// idempotent registration by identity, per-machine credentials, strict JSON,
// api.Error bodies, digest comparison), with hooks to inject faults. It is
// for unit tests of the client and the agent; integration tests run the
// real `hwagent serve`.
package clienttest
