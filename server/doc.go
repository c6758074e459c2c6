// Package server is hwagent's reference provisioning server (`hwagent
// serve`): the HTTP handlers of the agent protocol and the operator API
// described in docs/protocol.md, over a store.Store.
//
// Agents register with the enrollment token and then use the per-machine
// credential the registration returns; operators use the admin token. Every
// request body is decoded strictly (one JSON value, no unknown fields, a size
// limit) before anything is stored. Heavy requests (registrations, inventory
// uploads) and check-ins each go through a bounded number of slots: a request
// that waits too long for one is answered 429 with Retry-After, which agents
// honour, so a rack powering on is absorbed instead of exhausting memory.
package server
