package syslog

import (
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 6, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		h    Header
		msg  string
		want string
	}{
		{"info", Header{Severity: 6, Time: at, Hostname: "srv01", AppName: "hwagent", ProcID: "1234"}, `msg=registered machine=m-1`,
			`<30>1 2026-12-06T07:08:09.123456Z srv01 hwagent 1234 - - msg=registered machine=m-1`},
		{"error, offset", Header{Severity: 3, Time: at.In(time.FixedZone("", -5*3600)), Hostname: "srv01", AppName: "hwagent", ProcID: "1"}, "x",
			`<27>1 2026-12-06T02:08:09.123456-05:00 srv01 hwagent 1 - - x`},
		{"empty fields are nil", Header{Severity: 7}, "", `<31>1 - - - - - - `},
		{"header fields keep printable ASCII only", Header{Severity: 4, Time: at, Hostname: "sr v\x1b[31m01é", AppName: "hw agent", MsgID: "\n"}, "m",
			`<28>1 2026-12-06T07:08:09.123456Z srv[31m01 hwagent - - - m`},
		{"long header fields are cut", Header{Severity: 6, Time: at, AppName: strings.Repeat("a", 60), MsgID: strings.Repeat("m", 40)}, "m",
			`<30>1 2026-12-06T07:08:09.123456Z - ` + strings.Repeat("a", 48) + ` - ` + strings.Repeat("m", 32) + ` - m`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Append(nil, tc.h, tc.msg)); got != tc.want {
				t.Errorf("Append =\n  %q\nwant\n  %q", got, tc.want)
			}
		})
	}
}

// A message longer than a datagram may carry is cut to MaxMessage bytes,
// never in the middle of a character.
func TestAppendCutsLongMessages(t *testing.T) {
	t.Parallel()
	h := Header{Severity: 6, Time: time.Unix(0, 0).UTC(), Hostname: "h", AppName: "hwagent", ProcID: "1"}
	for _, msg := range []string{strings.Repeat("x", 5000), strings.Repeat("é", 3000), strings.Repeat("€", 3000)} {
		b := Append(nil, h, msg)
		if len(b) > MaxMessage || len(b) < MaxMessage-3 {
			t.Errorf("%d bytes, want at most %d and no fewer than 3 below", len(b), MaxMessage)
		}
		if !utf8.Valid(b) {
			t.Errorf("cut in a character: %q", b[len(b)-8:])
		}
	}
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	for l, want := range map[slog.Level]int{slog.LevelDebug: 7, slog.LevelInfo: 6, slog.LevelInfo + 2: 6, slog.LevelWarn: 4, slog.LevelError: 3, slog.LevelError + 4: 3} {
		if got := Severity(l); got != want {
			t.Errorf("Severity(%v) = %d, want %d", l, got, want)
		}
	}
}

func TestTarget(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"10.0.0.5":        "10.0.0.5:514",
		"10.0.0.5:5140":   "10.0.0.5:5140",
		"fd00::5":         "[fd00::5]:514",
		"[fd00::5]:514":   "[fd00::5]:514",
		"smee.example":    "smee.example:514",
		"10.0.0.5:99999":  "",
		"10.0.0.5;reboot": "",
		":514":            "",
		"":                "",
	} {
		got, err := Target(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("Target(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func FuzzAppend(f *testing.F) {
	f.Add(6, "srv01", "hwagent", "msg=x", int64(0))
	f.Add(3, "\x00\xff", "", strings.Repeat("é", 2000), int64(1e18))
	f.Fuzz(func(t *testing.T, sev int, host, app, msg string, ns int64) {
		b := Append(nil, Header{Severity: sev, Time: time.Unix(0, ns), Hostname: host, AppName: app}, msg)
		if len(b) > MaxMessage {
			t.Fatalf("%d bytes", len(b))
		}
		if !strings.HasPrefix(string(b), "<") || !strings.Contains(string(b), ">1 ") {
			t.Fatalf("no PRI and version: %q", b)
		}
		// Six header fields then "-" (no structured data): each field is
		// free of spaces, so the seventh space-separated token is "-".
		f := strings.SplitN(string(b), " ", 8)
		if len(f) < 7 || f[6] != "-" {
			t.Fatalf("header not 7 fields: %q", b)
		}
	})
}
