package ipmi_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/ipmi/ipmitest"
)

// transcript loads what ipmi_sim answered (testdata/ipmi_sim/transcript.txt).
func transcript(t testing.TB) map[string][]byte {
	t.Helper()
	m, err := ipmitest.LoadTranscript(filepath.Join(simDir, "transcript.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// answer is the transcript's response to a request written as Key does.
func answer(t testing.TB, key string) []byte {
	t.Helper()
	r, ok := transcript(t)[key]
	if !ok {
		t.Fatalf("no %q in the transcript", key)
	}
	return r
}

// ipmitoolFields reads "Name : value" lines of an ipmitool output file in
// testdata/ipmi_sim; the first value of a repeated name wins.
func ipmitoolFields(t testing.TB, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(simDir, name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if _, seen := out[k]; !seen {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// unhex turns "00 c1" into bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
