// Package client speaks hwagent's provisioning protocol (package
// server/api) to a provisioning server: registration with the enrollment
// token, check-ins and inventory updates with the per-machine credential.
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
