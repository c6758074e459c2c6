package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/server/api"
)

func TestPointInTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"30m":                  now.Add(-30 * time.Minute),
		"2h":                   now.Add(-2 * time.Hour),
		"2025-05-31T08:00:00Z": time.Date(2025, 5, 31, 8, 0, 0, 0, time.UTC),
	} {
		got, err := pointInTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("pointInTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := pointInTime("yesterday", now); err == nil {
		t.Error("pointInTime(yesterday): no error")
	}
}

func TestMachineTable(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	err := writeMachineTable(&b, []api.Machine{
		{ID: "m-000000000000000000000001", State: "registered", Manufacturer: "Dell Inc.", Product: "PowerEdge R610",
			Serial: "BZ982FM", BMCIP: "10.30.1.12", LastSeen: now.Add(-42 * time.Second),
			Switches: []string{"leaf-a Ethernet12", "leaf-b Ethernet12"}},
		{ID: "m-000000000000000000000002", State: "released", PendingAction: "reboot", LastSeen: now.Add(-50 * time.Hour)},
		{ID: "m-000000000000000000000003", State: "registered", Manufacturer: "Supermicro", Serial: "0123456789", SerialPlaceholder: true,
			LastSeen: now.Add(-time.Minute), Conflicts: []string{"m-000000000000000000000004"}, PendingRegistrations: 2},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `ID                          STATE       ACTION  VENDOR      PRODUCT         SERIAL                    BMC         LAST SEEN  SWITCHES                              IDENTITY
m-000000000000000000000001  registered  -       Dell Inc.   PowerEdge R610  BZ982FM                   10.30.1.12  42s        leaf-a Ethernet12, leaf-b Ethernet12  -
m-000000000000000000000002  released    reboot  -           -               -                         -           2d         -                                     -
m-000000000000000000000003  registered  -       Supermicro  -               0123456789 (placeholder)  -           1m         -                                     conflict m-000000000000000000000004; 2 held
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

func TestAgo(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 59 * time.Second: "59s", 61 * time.Minute: "1h", 47 * time.Hour: "47h", 72 * time.Hour: "3d", 5 * time.Minute: "5m",
	} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
	if got := ago(now, time.Time{}); got != "-" {
		t.Errorf("ago(zero) = %q", got)
	}
}

func TestSecretFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  s3cret-token-0123456789  \nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := readSecret("", path, "admin-token"); err != nil || got != "s3cret-token-0123456789" {
		t.Errorf("readSecret(file) = %q, %v", got.Reveal(), err)
	}
	if _, err := readSecret("x", path, "admin-token"); err == nil {
		t.Error("flag and file both given: no error")
	}
	if got, err := readSecret("direct", "", "admin-token"); err != nil || got != "direct" {
		t.Errorf("readSecret(flag) = %q, %v", got.Reveal(), err)
	}
}
