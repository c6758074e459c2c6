package client

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"599", 599 * time.Second, true},
		{"600", MaxRetryAfter, true},
		{"86400", MaxRetryAfter, true},
		{"99999999999999999999999", MaxRetryAfter, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"5s", 0, false},
		{"soon", 0, false},
		// RFC 9110's three date formats (IMF-fixdate, RFC 850, asctime).
		{"Wed, 01 May 2024 10:00:30 GMT", 30 * time.Second, true},
		{"Wednesday, 01-May-24 10:01:00 GMT", time.Minute, true},
		{"Wed May  1 10:00:05 2024", 5 * time.Second, true},
		{"Wed, 01 May 2024 09:00:00 GMT", 0, true}, // in the past
		{"Thu, 02 May 2024 10:00:00 GMT", MaxRetryAfter, true},
		{"Wed, 01 May 2024 10:00:30 CEST", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, s := range []string{"0", "120", "86400", "-1", "Wed, 01 May 2024 10:00:30 GMT", "Wednesday, 01-May-24 10:01:00 GMT", "Wed May  1 10:00:05 2024", "1e3", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 || d > MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", s, d, MaxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v with ok=false", s, d)
		}
		// A valid date round-trips through the standard formatter.
		if at, err := http.ParseTime(s); err == nil && ok {
			want := at.Sub(now)
			want = min(max(want, 0), MaxRetryAfter)
			if d != want {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %v", s, d, want)
			}
		}
	})
}
