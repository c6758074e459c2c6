package termsafe

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"PowerEdge R610":          "PowerEdge R610",
		"Dell\x1b]0;pwned\x07":    `Dell\x1b]0;pwned\x07`,
		"\x1b[2J":                 `\x1b[2J`,
		"a\u009b31mb":             `a\u009b31mb`,
		"abc\u202edef":            `abc\u202edef`,
		"tab\there\nline":         `tab\x09here\x0aline`,
		"nul\x00del\x7f":          `nul\x00del\x7f`,
		"bad\xffbyte":             `bad\xffbyte`,
		"zero\u200bwidth\ufeff":   `zero\u200bwidth\ufeff`,
		"Ünïcödé – 東京 ✓":          "Ünïcödé – 東京 ✓",
		"already \\x1b backslash": "already \\x1b backslash",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

type nested struct {
	Name  string
	List  []string
	Ptr   *nested
	Map   map[string]string
	Iface any
	Bytes []byte
	inner string
}

func TestEscapeAll(t *testing.T) {
	t.Parallel()
	v := &nested{
		Name: "a\x1b", List: []string{"b\x07"}, Ptr: &nested{Name: "c\u202e"},
		Map: map[string]string{"k": "d\x1b"}, Iface: &nested{Name: "e\x9b"}, Bytes: []byte{0x1b}, inner: "\x1b",
	}
	EscapeAll(v)
	want := &nested{
		Name: `a\x1b`, List: []string{`b\x07`}, Ptr: &nested{Name: `c\u202e`},
		Map: map[string]string{"k": `d\x1b`}, Iface: &nested{Name: `e\x9b`}, Bytes: []byte{0x1b}, inner: "\x1b",
	}
	if diff := cmp.Diff(want, v, cmp.AllowUnexported(nested{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	in := map[string]string{"v": "a\u009bb\u202ec\x7fd\x1be ✓"}
	b, _ := json.MarshalIndent(in, "", "  ")
	got := JSON(b)
	if string(got) != "{\n  \"v\": \"a\\u009bb\\u202ec\\u007fd\\u001be ✓\"\n}" {
		t.Errorf("JSON = %s", got)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["v"] != in["v"] {
		t.Errorf("the data changed: %q %v", back["v"], err)
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[2J", "\u202e", "\xff\xfe", "a\u009bb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		for _, r := range e {
			if unsafe(r) || r == '\uFFFD' && !containsRuneError(s) {
				t.Fatalf("Escape(%q) = %q holds %U", s, e, r)
			}
		}
		b, _ := json.Marshal(s)
		var back string
		if err := json.Unmarshal(JSON(b), &back); err != nil || back != string([]rune(s)) {
			t.Fatalf("JSON changed %q to %q (%v)", s, back, err)
		}
	})
}

func containsRuneError(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' {
			return true
		}
	}
	return false
}
