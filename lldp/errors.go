package lldp

import (
	"errors"
	"strings"
)

// Errors the decoders wrap; test them with errors.Is.
var (
	// ErrNotDiscovery means the frame is neither LLDP nor CDP.
	ErrNotDiscovery = errors.New("not an LLDP or CDP frame")
	// ErrTruncated means a length field points past the end of the data.
	ErrTruncated = errors.New("truncated")
	// ErrMalformed means a field is shorter than its type requires, or a
	// mandatory TLV is missing or duplicated.
	ErrMalformed = errors.New("malformed")
)

// frameError is every problem found in one frame; errors.Is and errors.As
// see each of them.
type frameError []error

func (e frameError) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e frameError) Unwrap() []error { return e }

// joinErrors returns nil for no errors, else a frameError.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return frameError(errs)
}
