package client

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter bounds the wait a Retry-After header can impose, so that a
// misconfigured server (Retry-After: 86400) cannot park a booting machine
// for a day.
const MaxRetryAfter = 10 * time.Minute

// ParseRetryAfter decodes an HTTP Retry-After value (RFC 9110 10.2.3): either
// a number of seconds or an HTTP date, relative to now. A date in the past is
// a zero wait. ok is false for an empty or malformed value. The result is
// capped at MaxRetryAfter.
func ParseRetryAfter(value string, now time.Time) (wait time.Duration, ok bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if value[0] >= '0' && value[0] <= '9' {
		secs, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange {
				return MaxRetryAfter, true
			}
			return 0, false
		}
		if secs >= uint64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter, true
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	wait = at.Sub(now)
	switch {
	case wait < 0:
		return 0, true
	case wait > MaxRetryAfter:
		return MaxRetryAfter, true
	}
	return wait, true
}
