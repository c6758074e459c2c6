package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hwagent/hwagent/server"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store/sqlstore"
	"github.com/hwagent/hwagent/server/testinv"
)

// Strings a hostile machine, BMC or switch can put in an inventory: set
// the terminal's title, clear the screen, an 8-bit CSI, a right-to-left
// override that reorders what follows, DEL, a NUL, a lone byte.
const (
	setTitle    = "\x1b]0;pwned\x07"
	clearScreen = "\x1b[2J"
	c1CSI       = "\u009b31m"
	rlo         = "\u202e"
)

// rawControls lists the characters of out that must never reach a
// terminal from a machine: C0 controls but newline, DEL, C1 controls,
// bidirectional and invisible format characters, invalid UTF-8.
func rawControls(out string) []string {
	var bad []string
	for i, r := range out {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(out[i:]); n == 1 {
				bad = append(bad, fmt.Sprintf("%q at %d", out[i], i))
			}
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			bad = append(bad, fmt.Sprintf("%U at %d", r, i))
		}
	}
	return bad
}

// Issue 11 row 7: inventory strings with terminal escapes were printed raw
// by `machines show/list` and `dump`. Every string from a machine is now
// escaped before it reaches a terminal, by one sanitizer.
func TestTerminalEscapesInMachineStrings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// dump, on a host whose hostname, kernel and command line are hostile.
	dir := t.TempDir()
	mkHost(t, dir)
	for name, content := range map[string]string{
		"proc/sys/kernel/hostname":  "hook" + setTitle + "\x00x",
		"proc/sys/kernel/osrelease": "6.6.39" + clearScreen,
		"proc/sys/kernel/version":   "#1 SMP " + c1CSI + rlo + "\x7f\xff",
		"proc/cmdline":              "console=ttyS1 worker_id=" + rlo + "evil",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, format := range []string{"text", "yaml", "json"} {
		var out, errb bytes.Buffer
		if err := runEnv(ctx, []string{"dump", "--root", dir, "--lldp-wait", "0", "--collectors", "host", "-o", format},
			noEnv, &out, &errb); err != nil {
			t.Fatalf("dump -o %s: %v\n%s", format, err, errb.String())
		}
		if bad := rawControls(out.String()); len(bad) > 0 {
			t.Errorf("dump -o %s prints raw %v:\n%s", format, bad, out.String())
		}
		if !strings.Contains(out.String(), `]0;pwned`) {
			t.Errorf("dump -o %s lost the hostname:\n%s", format, out.String())
		}
	}

	// machines list/show/history, on a machine registered with hostile strings.
	st, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "hwagent.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const enroll, admin = "enroll-0123456789abcdef", "admin-0123456789abcdef"
	srv, err := server.New(server.Config{Store: st, EnrollToken: enroll, AdminToken: admin, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	inv := testinv.Machine(3)
	inv.System.Product.Manufacturer = "Dell" + setTitle
	inv.System.Product.Name = "R610" + clearScreen
	inv.Host.Hostname = "hook" + c1CSI + rlo
	inv.Network.Interfaces[0].Neighbors[0].SystemName = "leaf" + clearScreen
	inv.Memory.Modules[0].Locator = "DIMM" + setTitle
	body, _ := json.Marshal(api.RegisterRequest{Inventory: inv})
	req, _ := http.NewRequest("POST", hs.URL+api.PathRegister, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+enroll)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("register: %v %v", resp, err)
	}
	var reg api.RegisterResponse
	json.NewDecoder(resp.Body).Decode(&reg) //nolint:errcheck // checked below
	resp.Body.Close()
	// A second upload puts the hostile strings into the history's details.
	inv.Memory.Modules[0].Serial = "S" + clearScreen
	body, _ = json.Marshal(api.InventoryRequest{Inventory: inv})
	req, _ = http.NewRequest("PUT", hs.URL+fmt.Sprintf(api.PathInventoryFmt, reg.MachineID), bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+reg.Credential)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("upload: %v %v", resp, err)
	}
	for _, args := range [][]string{
		{"machines", "list"}, {"machines", "show", reg.MachineID}, {"machines", "history", reg.MachineID},
		{"machines", "list", "-o", "json"}, {"machines", "show", reg.MachineID, "-o", "json"},
	} {
		var out, errb bytes.Buffer
		args = append(args, "--server", hs.URL, "--admin-token", admin)
		if err := runEnv(ctx, args, noEnv, &out, &errb); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		if bad := rawControls(out.String()); len(bad) > 0 {
			t.Errorf("%v prints raw %v:\n%s", args[:2], bad, out.String())
		}
		if !strings.Contains(out.String(), "[2J") {
			t.Errorf("%v lost the hostile strings:\n%s", args[:2], out.String())
		}
	}
}

func noEnv(string) (string, bool) { return "", false }

// The error that ends a command quotes machines' strings: an export that
// refuses machines names each by its serial. It reached the terminal raw
// (an ESC[2J serial cleared the operator's screen); it is escaped line by
// line, and its lines stay lines.
func TestCommandErrorEscapesMachineStrings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inv := testinv.Machine(7)
	inv.System.Product.Serial = "SRV" + clearScreen + setTitle + rlo
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "hostile.json")
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCLI(t, "export", "hardware-csv", "--gateway", "10.10.10.1", in, "-o", filepath.Join(dir, "out.csv"))
	if err == nil || !strings.Contains(err.Error(), "cannot be exported") {
		t.Fatalf("export of a machine without addresses: %v", err)
	}
	var out bytes.Buffer
	printError(&out, err)
	if bad := rawControls(out.String()); len(bad) != 0 {
		t.Errorf("the error printed %s raw:\n%q", strings.Join(bad, ", "), out.String())
	}
	if want := `(serial SRV\x1b[2J\x1b]0;pwned\x07\u202e):`; !strings.Contains(out.String(), want) || strings.Count(out.String(), "\n") < 3 {
		t.Errorf("printed %q, want the serial as %s and one line per problem", out.String(), want)
	}
}
