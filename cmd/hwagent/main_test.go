package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestDumpWrongRootIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, _, err := runCLI(t, "dump", "--root", dir)
	if err == nil || !strings.Contains(err.Error(), "no "+dir+"/proc/cpuinfo") {
		t.Fatalf("dump --root EMPTY = %v, want an error naming the missing /proc/cpuinfo", err)
	}
}

func TestUnknownOutputFormat(t *testing.T) {
	t.Parallel()
	_, _, err := runCLI(t, "dump", "-o", "xml")
	if err == nil || !strings.Contains(err.Error(), `unknown output format "xml"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownCollector(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir)
	_, _, err := runCLI(t, "dump", "--root", dir, "--collectors", "nosuch")
	if err == nil || !strings.Contains(err.Error(), "unknown collector nosuch") {
		t.Fatalf("err = %v", err)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "hwagent ") || !strings.Contains(out, "hwagent.inventory/v1") {
		t.Fatalf("version = %q, %v", out, err)
	}
}

// TestBindEnv checks precedence: a flag given on the command line wins over
// HWAGENT_*, which wins over the default.
func TestBindEnv(t *testing.T) {
	t.Parallel()
	var wait time.Duration
	var root, output string
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	cmd.Flags().DurationVar(&wait, "lldp-wait", 0, "")
	cmd.Flags().StringVar(&root, "root", "", "")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "")
	if err := cmd.ParseFlags([]string{"--root", "/from-flag"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HWAGENT_LLDP_WAIT": "35s", "HWAGENT_ROOT": "/from-env"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if err := bindEnv(cmd, lookup); err != nil {
		t.Fatal(err)
	}
	if wait != 35*time.Second || root != "/from-flag" || output != "text" {
		t.Errorf("wait=%v root=%q output=%q", wait, root, output)
	}
	env["HWAGENT_OUTPUT"] = "xml?"
	env["HWAGENT_LLDP_WAIT"] = "soon"
	cmd.Flags().Lookup("lldp-wait").Changed = false
	err := bindEnv(cmd, lookup)
	if err == nil || !strings.Contains(err.Error(), `HWAGENT_LLDP_WAIT="soon"`) {
		t.Errorf("bad env value error = %v", err)
	}
}

// TestCommandTreeFor: a command line naming a command builds that one
// alone, and every command's tree has exactly the name it is listed
// under (else a command line naming it would build the wrong one).
func TestCommandTreeFor(t *testing.T) {
	t.Parallel()
	all := newRootCmdEnv(io.Discard, io.Discard, noEnv)
	var names []string
	for _, c := range all.Commands() {
		if c.Name() == "completion" || c.Name() == "help" {
			continue
		}
		names = append(names, c.Name())
		one := newRootCmdFor([]string{c.Name(), "--help"}, io.Discard, io.Discard, noEnv)
		if got := one.Commands(); len(got) != 1 || got[0].Name() != c.Name() {
			t.Errorf("%s: built %d commands (first %q)", c.Name(), len(got), got[0].Name())
		}
	}
	if len(names) < 10 {
		t.Errorf("the whole tree has %d commands: %v", len(names), names)
	}
	for _, args := range [][]string{nil, {"--log-level", "debug", "dump"}, {"help"}, {"completion", "bash"}, {"dmup"}} {
		if got := len(newRootCmdFor(args, io.Discard, io.Discard, noEnv).Commands()); got != len(names) {
			t.Errorf("%q: %d commands, want all %d", args, got, len(names))
		}
	}
}
