package server

import (
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/store"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		want  store.Filter
		err   string
	}{
		{"", store.Filter{Limit: 1000}, ""},
		{"vendor=Dell&product=R610&state=released&switch=leaf-1&after=m-01&limit=50",
			store.Filter{Vendor: "Dell", Product: "R610", State: "released", Switch: "leaf-1", After: "m-01", Limit: 50}, ""},
		{"seen_since=2025-06-01T12:00:00Z&seen_before=2025-06-01T13:00:00.5%2B02:00",
			store.Filter{Limit: 1000, SeenSince: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
				SeenBefore: time.Date(2025, 6, 1, 11, 0, 0, 5e8, time.UTC)}, ""},
		{"limit=0", store.Filter{}, `query parameter limit="0": want 1-10000`},
		{"limit=10001", store.Filter{}, `query parameter limit="10001": want 1-10000`},
		{"seen_since=1h", store.Filter{}, `query parameter seen_since="1h": parsing time "1h" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "1h" as "2006"`},
		{"state=a&state=b", store.Filter{}, "query parameter state: given 2 times"},
		{"colour=red", store.Filter{}, `unknown query parameter "colour"`},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseFilter(q)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseFilter(%q) error %v, want %q", tt.query, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFilter(%q): %v", tt.query, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("parseFilter(%q) (-want +got):\n%s", tt.query, diff)
		}
	}
}

// FuzzParseFilter: any query string either parses into a filter with a
// page size in range or is refused, never a panic.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"", "vendor=Dell&limit=5", "seen_since=2025-06-01T12:00:00Z", "limit=-1", "a=%zz", "state=a&state=b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		got, err := parseFilter(q)
		if err == nil && (got.Limit < 1 || got.Limit > maxPage) {
			t.Fatalf("parseFilter(%q): limit %d out of range", raw, got.Limit)
		}
	})
}
