package kube

import (
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

type dynInterface = dynamic.Interface

// Reason says why an apply failed, for retry decisions, metrics and
// people.
type Reason string

// Reasons.
const (
	// Unreachable: no answer (connection refused, timeout, TLS failure)
	// or the server is unavailable (5xx, 429 after client-go's retries).
	Unreachable Reason = "unreachable"
	// Unauthorized: the server refused the credentials (401): expired
	// client certificate or token.
	Unauthorized Reason = "unauthorized"
	// Forbidden: authenticated, but RBAC does not allow the apply (403).
	Forbidden Reason = "forbidden"
	// NoResource: the server does not serve the kind at this version (404:
	// the CRD is missing, or installed at another version only).
	NoResource Reason = "no_resource"
	// Rejected: the server refused the object itself (422 schema
	// validation, 400).
	Rejected Reason = "rejected"
	// Conflicted: a conflict that could not be resolved by giving up fields.
	Conflicted Reason = "conflict"
	// Failed: anything else.
	Failed Reason = "error"
)

// Error is a failed apply.
type Error struct {
	Ref    Ref
	Reason Reason
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("apply %s: %s: %v", e.Ref, e.Reason, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf is err's Reason (Failed for errors that are not *Error).
func ReasonOf(err error) Reason {
	var ke *Error
	if errors.As(err, &ke) {
		return ke.Reason
	}
	return Failed
}

// classify turns a client-go error into an *Error with a message that says
// what to do.
func classify(ref Ref, gvr schema.GroupVersionResource, host string, err error) *Error {
	e := &Error{Ref: ref, Err: err}
	switch {
	case apierrors.IsUnauthorized(err):
		e.Reason = Unauthorized
		e.Err = fmt.Errorf("%s refused the kubeconfig's credentials (expired certificate or token?); the kubeconfig is read again before the next attempt: %w", host, err)
	case apierrors.IsForbidden(err):
		e.Reason = Forbidden
		e.Err = fmt.Errorf("not allowed to apply %s (RBAC: the kubeconfig's user needs get, create and patch on it): %w", gvr.GroupResource(), err)
	case apierrors.IsNotFound(err):
		// An apply creates missing objects: a 404 means the resource type
		// itself is not served.
		e.Reason = NoResource
		e.Err = fmt.Errorf("%s %s is not served by %s: install the CRD at version %s (missing, or another version only): %w",
			gvr.GroupResource(), gvr.Version, host, gvr.Version, err)
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err), apierrors.IsUnsupportedMediaType(err), apierrors.IsRequestEntityTooLargeError(err):
		e.Reason = Rejected
	case apierrors.IsConflict(err):
		e.Reason = Conflicted
	case apierrors.IsServerTimeout(err), apierrors.IsTimeout(err), apierrors.IsTooManyRequests(err),
		apierrors.IsServiceUnavailable(err), apierrors.IsInternalError(err), apierrors.IsUnexpectedServerError(err):
		e.Reason = Unreachable
	default:
		var se apierrors.APIStatus
		if errors.As(err, &se) {
			e.Reason = Failed
		} else {
			// No API answer at all: connection refused, DNS, TLS, timeout.
			e.Reason = Unreachable
		}
	}
	return e
}
