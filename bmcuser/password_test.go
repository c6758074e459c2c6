package bmcuser_test

import (
	"testing"

	"github.com/hwagent/hwagent/bmcuser"
	"github.com/hwagent/hwagent/ipmi"
)

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	counts := map[byte]int{}
	for range 2000 {
		pw, err := bmcuser.GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != bmcuser.GeneratedPasswordLength || ipmi.ValidPassword(pw, ipmi.PasswordLength16) != nil {
			t.Fatalf("password of %d characters does not fit the 16-byte form", len(pw))
		}
		if seen[pw] {
			t.Fatal("the same password twice")
		}
		seen[pw] = true
		for i := range len(pw) {
			counts[pw[i]]++
		}
	}
	// 32000 characters over 62 symbols: about 516 each; a symbol never
	// drawn or drawn twice as often means a broken generator.
	if len(counts) != 62 {
		t.Errorf("%d distinct characters, want 62", len(counts))
	}
	for c, n := range counts {
		if n < 300 || n > 800 {
			t.Errorf("character %q drawn %d times of 32000", c, n)
		}
	}
}
