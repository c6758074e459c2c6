// Package secret holds the project's one type for a value that must never be
// printed: enrollment tokens, machine credentials, admin tokens, BMC
// passwords.
package secret

import (
	"fmt"
	"log/slog"
)

// Value is a secret. Formatted with any fmt verb, logged with slog or
// marshalled (JSON, YAML: MarshalText) it shows Redacted, or nothing when it
// is empty; Reveal returns the value for the one place that must carry it
// (an Authorization header, a BMC Secret object).
type Value string

// Redacted is what a non-empty Value prints as.
const Redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Value) Reveal() string { return string(s) }

// String hides the value.
func (s Value) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString hides the value from %#v.
func (s Value) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format hides the value from every fmt verb (%x and %q included).
func (s Value) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	fmt.Fprint(f, s.String())
}

// LogValue hides the value from log/slog.
func (s Value) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText hides the value from encoding/json and YAML encoders.
func (s Value) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
