package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestNeverPrinted formats, logs and marshals a secret, alone and inside a
// struct, every way the project does.
func TestNeverPrinted(t *testing.T) {
	t.Parallel()
	type row struct {
		Host     string
		Password Value `json:"password"`
	}
	s := Value("hunter2-5d41402abc")
	r := row{Host: "n1", Password: s}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("row", "password", s, "row", r)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("row", "password", s, "row", r)
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join([]string{
		fmt.Sprint(s), fmt.Sprintf("%v %s %+v %#v %q %x %d", s, s, r, r, s, s, s), string(j), logged.String(),
	}, "\n")
	if strings.Contains(out, "hunter2") || strings.Contains(out, "5d41402abc") {
		t.Errorf("the secret leaked:\n%s", out)
	}
	if !strings.Contains(string(j), `"password":"[redacted]"`) || !strings.Contains(out, `"[redacted]"`) {
		t.Errorf("the secret is not shown as %s:\n%s", Redacted, out)
	}
	if s.Reveal() != "hunter2-5d41402abc" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
	if Value("").String() != "" || fmt.Sprint(Value("")) != "" {
		t.Error("an empty secret should print empty")
	}
}
