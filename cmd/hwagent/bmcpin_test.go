package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/hostpaths"
)

// TestBMCSealPubkeyFromCmdline: the server's seal key pinned on the kernel
// command line (hwagent.bmc_seal_pubkey=, base64 with its '=' padding)
// reaches the agent's flag intact; `bmc seal-key --public` prints the key
// of an existing file; a value that is no key stops the agent.
func TestBMCSealPubkeyFromCmdline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mkHost(t, dir)
	keyFile := filepath.Join(t.TempDir(), "seal.key")
	out, _, err := runCLI(t, "bmc", "seal-key", keyFile)
	if err != nil {
		t.Fatal(err)
	}
	k, err := bmcseal.LoadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, k.Public()) {
		t.Errorf("seal-key printed %q, want the public key %s", out, k.Public())
	}
	public, _, err := runCLI(t, "bmc", "seal-key", "--public", keyFile)
	if err != nil || strings.TrimSpace(public) != k.Public() {
		t.Errorf("seal-key --public: %q, %v; want %s", public, err, k.Public())
	}
	writeFile(t, dir+"/proc/cmdline", "console=ttyS0 hwagent.server=http://10.0.0.2:8080 hwagent.bmc_seal_pubkey="+k.Public()+"\n")
	af := &agentFlags{}
	cmd := &cobra.Command{Use: "x"}
	af.bind(cmd.Flags())
	if _, err := bindCmdline(cmd, hostpaths.New(dir, nil)); err != nil {
		t.Fatal(err)
	}
	if af.bmcSealPubkey != k.Public() {
		t.Errorf("--bmc-seal-pubkey from the kernel command line: %q, want %q", af.bmcSealPubkey, k.Public())
	}
	_, _, err = runCLI(t, "run", "--root", dir, "--server", "http://127.0.0.1:9", "--token", "t", "--bmc-seal-pubkey", "c2hvcnQ=")
	if err == nil || !strings.Contains(err.Error(), "--bmc-seal-pubkey: not a seal public key") {
		t.Errorf("run with a bad pinned key: %v", err)
	}
}
