package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hwagent/hwagent/server/api"
)

// StatusError is a non-2xx answer from the server.
type StatusError struct {
	// Method and Path of the request ("POST /v1/register").
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Code and Message come from the api.Error body; Code is empty when the
	// body was not an api.Error (a proxy's HTML page), and Message then
	// holds the start of the body or the status text.
	Code, Message string
	// RetryAfter is the server's Retry-After, when it sent a valid one.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

func (e *StatusError) Error() string {
	code := e.Code
	if code == "" {
		code = strings.ToLower(http.StatusText(e.Status))
	}
	return fmt.Sprintf("%s %s: %d %s: %s", e.Method, e.Path, e.Status, code, e.Message)
}

// Temporary reports whether the same request may succeed later: 5xx, 429
// and 408 (the body did not reach the server in time: a slow link). Other
// 4xx mean the request itself is wrong and are never retried.
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

// IsStatus reports whether err is a *StatusError with one of the statuses.
func IsStatus(err error, statuses ...int) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return false
	}
	for _, s := range statuses {
		if se.Status == s {
			return true
		}
	}
	return false
}

// Retryable reports whether an operation that failed with err may be tried
// again: network errors, timeouts of a single request, 5xx and 429 are;
// other 4xx answers, bad configuration and the caller's own context ending
// are not.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.Temporary()
	}
	var pe *PermanentError
	if errors.As(err, &pe) {
		return false
	}
	if errors.Is(err, context.Canceled) || certificateProblem(err) {
		return false
	}
	// Everything else is the network: refused, reset, DNS, TLS handshake
	// against a server still starting, a request's own deadline.
	return true
}

// certificateProblem reports a TLS failure that waiting cannot fix: the
// server's certificate does not verify against --ca, or the server rejected
// (or wanted) our client certificate. The operator must change the
// configuration; retrying would only hide the message.
func certificateProblem(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return true
	}
	// crypto/tls reports the server's alert as a *net.OpError "remote
	// error" around an unexported alert type (tls.AlertError is only for
	// QUIC): bad_certificate, certificate_required, unknown_ca... all name
	// a certificate.
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" && oe.Err != nil && strings.Contains(oe.Err.Error(), "certificate") {
		return true
	}
	return false
}

// PermanentError marks a failure that retrying cannot fix (an unusable
// answer, a request that cannot be encoded).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// maxErrorText bounds how much of a non-JSON error body goes into Message.
const maxErrorText = 200

// decodeError builds the StatusError for a non-2xx answer.
func decodeError(method, path string, status int, header http.Header, body []byte, now time.Time) *StatusError {
	e := &StatusError{Method: method, Path: path, Status: status}
	var ae api.Error
	if err := json.Unmarshal(body, &ae); err == nil && ae.Code != "" {
		e.Code, e.Message = ae.Code, ae.Message
	} else {
		e.Message = strings.TrimSpace(printable(body, maxErrorText))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	e.RetryAfter, e.HasRetryAfter = ParseRetryAfter(header.Get("Retry-After"), now)
	return e
}

// printable returns at most n bytes of b as valid UTF-8 on one line.
func printable(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
}
