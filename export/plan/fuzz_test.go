package plan

import (
	"os"
	"testing"
)

// FuzzParseCredentials never echoes a value it could not parse.
func FuzzParseCredentials(f *testing.F) {
	b, err := os.ReadFile("../testdata/plans/bmc-credentials.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("username: a\npassword: 123\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCredentials(b)
		if err == nil {
			_ = c.For([]string{"9000116105"})
		}
	})
}

// FuzzParseSize: a parsed size prints as a string that parses back to it.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"16GiB", "500GB", "1.5TiB", "4096", "12 apples", "1e300PiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		back, err := ParseSize(n.String())
		if err != nil || back != n {
			t.Fatalf("%q = %d prints %q which parses to %d, %v", s, uint64(n), n.String(), uint64(back), err)
		}
	})
}
