// Package client is the one client of hwagent's provisioning server
// (protocol: package server/api). The agent's calls: registration with the
// enrollment token, check-ins and inventory updates with the per-machine
// credential. The operator API's (Options.AdminToken): machines listed,
// shown, acted on, approved or deleted, their history and inventories, as
// `hwagent machines` and `hwagent export --server` use them. Every command
// that talks to the server builds its Client from the same Options: one
// TLSOptions, one secret type (internal/secret), the same redirect policy
// and bounds.
//
// A Client makes one attempt per call and returns a *StatusError for every
// non-2xx answer, decoded from the server's api.Error body, with the
// Retry-After the server asked for. Retrying is the caller's business:
// Retrier runs an operation until it succeeds, the context ends or the error
// is not retryable (Retryable), waiting a capped exponential backoff with
// full jitter between attempts, and never less than a server's Retry-After.
//
// Neither the enrollment token nor the machine credential ever appears in an
// error or in anything the package hands to its logger.
package client
