package cmdline

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	keys := []string{"hwagent.token"}
	tests := []struct{ in, want string }{
		{"", ""},
		{"console=ttyS0 quiet", "console=ttyS0 quiet"},
		{"hwagent.server=https://10.0.2.2:8443 hwagent.token=s3cr3t quiet\n", "hwagent.server=https://10.0.2.2:8443 hwagent.token=[redacted] quiet\n"},
		{"hwagent.token=a hwagent.token=b", "hwagent.token=[redacted] hwagent.token=[redacted]"},
		{`msg="a b" hwagent.token="with space" x`, `msg="a b" hwagent.token=[redacted] x`},
		{`"hwagent.token=quoted whole"`, `hwagent.token=[redacted]`},
		{"hwagent.token", "hwagent.token"}, // bare flag: no value to hide
		{"hwagent.tokens=x xhwagent.token=y", "hwagent.tokens=x xhwagent.token=y"},
		{"a  \t hwagent.token=x", "a  \t hwagent.token=[redacted]"},
		{`hwagent.token="unterminated value`, `hwagent.token=[redacted]`},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, keys); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"hwagent.token=s3cr3t quiet", `msg="a b" hwagent.token="x y"`, `"unterminated`,
		"mitigations=auto,no_guest_host,no_guest_guest console=ttyS0 quiet reboot=k panic=1 nomodule",
	} {
		f.Add(s, "s3cr3t")
	}
	f.Fuzz(func(t *testing.T, prefix, secret string) {
		if strings.ContainsAny(secret, " \t\n\"") || secret == "" {
			return
		}
		line := prefix + " hwagent.token=" + secret + " "
		got := Redact(line, SecretParams)
		if !strings.Contains(got, "hwagent.token=[redacted]") && !strings.Contains(prefix, `"`) {
			t.Fatalf("Redact(%q) = %q: the token is not redacted", line, got)
		}
		if again := Redact(got, SecretParams); again != got {
			t.Fatalf("not idempotent: %q then %q", got, again)
		}
		if plain := Redact(prefix, nil); plain != prefix {
			t.Fatalf("no keys changed %q into %q", prefix, plain)
		}
	})
}
