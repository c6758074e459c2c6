package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/hostpaths"
)

// TestConfigPrecedence: a flag wins over HWAGENT_*, which wins over the
// kernel command line, which wins over the default.
func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir)
	writeFile(t, dir+"/proc/cmdline", "console=ttyS0 hwagent.server=https://cmdline:8443 hwagent.token=from-cmdline"+
		" hwagent.interval=45s hwagent.lldp_wait=10s hwagent.ca=/cmdline/ca.pem hwagent.root=/elsewhere worker_id=52:54:00:12:34:56\n")

	var server, token, ca, root string
	var interval, wait time.Duration
	cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
	fs := cmd.Flags()
	fs.StringVar(&server, "server", "", "")
	fs.StringVar(&token, "token", "", "")
	fs.StringVar(&ca, "ca", "", "")
	fs.StringVar(&root, "root", "", "")
	fs.DurationVar(&interval, "interval", 30*time.Second, "")
	fs.DurationVar(&wait, "lldp-wait", 35*time.Second, "")
	if err := cmd.ParseFlags([]string{"--server", "https://flag:8443"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HWAGENT_SERVER": "https://env:8443", "HWAGENT_TOKEN": "from-env"}
	if err := bindEnv(cmd, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	set, err := bindCmdline(cmd, hostpaths.New(dir, nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ca", "interval", "lldp-wait"}, set); diff != "" {
		t.Errorf("flags set from the kernel command line (-want +got):\n%s", diff)
	}
	got := []any{server, token, ca, root, interval, wait}
	want := []any{"https://flag:8443", "from-env", "/cmdline/ca.pem", "", 45 * time.Second, 10 * time.Second}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server, token, ca, root, interval, lldp-wait (-want +got):\n%s", diff)
	}
}

func TestCmdlineErrorsHideValues(t *testing.T) {
	t.Parallel()
	var interval time.Duration
	cmd := &cobra.Command{Use: "x"}
	cmd.Flags().DurationVar(&interval, "interval", 0, "")
	_, err := applyCmdline(cmd, map[string]string{"interval": "s3cr3t-looking"})
	if err == nil || !strings.Contains(err.Error(), "hwagent.interval") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("err = %v, want one naming hwagent.interval without its value", err)
	}
}

func TestNoCmdlineIsFine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir) // no proc/cmdline
	cmd := &cobra.Command{Use: "x"}
	cmd.Flags().String("server", "", "")
	set, err := bindCmdline(cmd, hostpaths.New(dir, nil))
	if err != nil || len(set) != 0 {
		t.Errorf("bindCmdline = %v, %v", set, err)
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Issue 11 row 13: a FIFO in place of /proc/cmdline made `register
// --root` hang with no output; it is now a clear error at once.
func TestCmdlineFIFOIsAnError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir)
	if err := syscall.Mkfifo(filepath.Join(dir, "proc", "cmdline"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := &cobra.Command{Use: "x"}
	cmd.Flags().String("server", "", "")
	done := make(chan error, 1)
	go func() {
		_, err := bindCmdline(cmd, hostpaths.New(dir, nil))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, hostpaths.ErrNotRegular) || !strings.Contains(err.Error(), "kernel command line") {
			t.Errorf("bindCmdline = %v, want an error about the kernel command line not being a file", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("bindCmdline still blocked after 20 s")
	}
}
