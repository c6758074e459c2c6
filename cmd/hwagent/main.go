// Command hwagent discovers a bare-metal machine's hardware, registers it
// with a provisioning server, and turns fleets of inventories into EKS
// Anywhere hardware.csv files and Tinkerbell Hardware manifests.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/internal/termsafe"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		printError(os.Stderr, err)
		os.Exit(1)
	}
}

// printError prints the error that ends the command. Its text quotes
// machines' strings (an export's list of machines it refuses names each by
// its serial; a server's answer names keys and serials): every line is
// escaped before it reaches the terminal, as every other output of a
// machine's strings is (internal/termsafe), and the lines stay lines.
func printError(w io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = termsafe.Escape(l)
	}
	fmt.Fprintln(w, "hwagent:", strings.Join(lines, "\n"))
}

// exitError ends the program with a code after the command printed its own
// message.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run builds the command tree and executes it; it is main without os.Exit,
// so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, os.LookupEnv, stdout, stderr)
}

// runEnv is run with the environment's HWAGENT_* variables read through
// lookupEnv, so that a test can run with none.
func runEnv(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	root := newRootCmdFor(args, stdout, stderr, lookupEnv)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	return newRootCmdEnv(stdout, stderr, os.LookupEnv)
}

// newRootCmdEnv builds the whole command tree.
func newRootCmdEnv(stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) *cobra.Command {
	return newRootCmdFor(nil, stdout, stderr, lookupEnv)
}

// newRootCmdFor builds the command tree for args: when args start with a
// command's name, that command alone (building every command's flags was
// a fifth of the instructions of a start, on the netboot agent's path
// too); else (no command, a flag first, help, completion, a typo) all of
// them.
func newRootCmdFor(args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "hwagent",
		Short: "Hardware discovery agent for bare-metal provisioning",
		Long: `hwagent collects a machine's hardware facts (SMBIOS, CPU, memory, disks,
NICs, PCI, firmware, LLDP neighbours, BMC) without any external tool, registers
the machine with a provisioning server, and exports fleets to EKS Anywhere
hardware.csv and Tinkerbell Hardware manifests.

Every flag can also be set through the environment as HWAGENT_<FLAG>, with
dashes as underscores (--lldp-wait → HWAGENT_LLDP_WAIT).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd, lookupEnv); err != nil {
				return err
			}
			return g.setup(stderr)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	g.bind(root)
	commands := []struct {
		name  string
		build func() *cobra.Command
	}{
		{"version", func() *cobra.Command { return newVersionCmd(stdout) }},
		{"dump", func() *cobra.Command { return newDumpCmd(g, stdout, stderr) }},
		{"snapshot", func() *cobra.Command { return newSnapshotCmd(g, stdout) }},
		{"collectors", func() *cobra.Command { return newCollectorsCmd(stdout) }},
		{"run", func() *cobra.Command { return newRunCmd(g, stderr) }},
		{"register", func() *cobra.Command { return newRegisterCmd(g, stdout, stderr) }},
		{"lldp", func() *cobra.Command { return newLLDPCmd(g, stdout, stderr) }},
		{"serve", func() *cobra.Command { return newServeCmd(g, stderr) }},
		{"machines", func() *cobra.Command { return newMachinesCmd(g, stdout) }},
		{"export", func() *cobra.Command { return newExportCmd(g, stdout, stderr) }},
		{"bmc", func() *cobra.Command { return newBMCCmd(g, stdout, stderr) }},
	}
	for _, c := range commands {
		if len(args) > 0 && args[0] == c.name {
			root.AddCommand(c.build())
			// Nothing else is reachable: no completion command either.
			root.CompletionOptions.DisableDefaultCmd = true
			return root
		}
	}
	for _, c := range commands {
		root.AddCommand(c.build())
	}
	return root
}
