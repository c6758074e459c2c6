package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/internal/termsafe"
	"github.com/hwagent/hwagent/server/api"
)

// serialText is the serial as listings show it: a vendor placeholder is
// marked, so nobody mistakes "To Be Filled By O.E.M." for a serial.
func serialText(m api.Machine) string {
	if m.SerialPlaceholder {
		return m.Serial + " (placeholder)"
	}
	return m.Serial
}

// identityText is the IDENTITY column of `machines list`: identity
// conflicts and held registrations, or "" when there is nothing to see.
func identityText(m api.Machine) string {
	var parts []string
	if len(m.Conflicts) > 0 {
		parts = append(parts, "conflict "+strings.Join(m.Conflicts, ","))
	}
	if m.PendingRegistrations > 0 {
		parts = append(parts, fmt.Sprintf("%d held", m.PendingRegistrations))
	}
	return strings.Join(parts, "; ")
}

// pendingText renders held registrations for `machines show`.
func pendingText(ps []api.PendingRegistration) string {
	var lines []string
	for _, p := range ps {
		line := p.ID + " from " + dash(p.Peer) + " at " + p.RequestedAt.Format(time.RFC3339)
		if p.Reason != "" {
			line += ": " + p.Reason
		}
		lines = append(lines, line)
		for _, d := range p.Differences {
			lines = append(lines, "  "+d)
		}
	}
	return strings.Join(lines, "\n\t")
}

func newMachinesApproveCmd(f *machinesFlags, stdout io.Writer, approve bool) *cobra.Command {
	var pending string
	use, short := "approve ID", "Let a held registration take the machine over (--reenroll approve|tpm): its credential rotates"
	if !approve {
		use, short = "reject ID", "Drop a held registration; the machine keeps its current credential"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

Under --reenroll approve (and tpm, for machines without a TPM) a
registration that matches a known machine waits until an operator decides.
'hwagent machines show ID' lists the held registrations with the address
they came from and what differs from the machine's inventory. With several,
name one with --pending.

Under --reenroll tpm a registration whose TPM is not the machine's pinned one
(or that brings no TPM evidence) is refused, and kept here too: when the
machine's TPM was replaced (a new motherboard), approving it keeps the
machine's record and history, drops the old TPM's pins, and the new TPM is
challenged and pinned when the machine registers again (reboot it).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			var m api.Machine
			if approve {
				m, err = c.Approve(cmd.Context(), args[0], pending)
			} else {
				m, err = c.Reject(cmd.Context(), args[0], pending)
			}
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, m)
			}
			if approve {
				fmt.Fprintf(stdout, "%s: held registration approved; the machine's credential rotated\n", args[0])
			} else {
				fmt.Fprintf(stdout, "%s: held registration rejected\n", args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pending, "pending", "", "the held registration (p-...) when the machine has several")
	return cmd
}

func newMachinesConflictsCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "conflicts",
		Short: "List identity conflicts: machines that share an identity key and contradict each other on another",
		Long: `conflicts lists pairs of machines the server keeps apart although they share
an identity key (a cloned UUID, a NIC moved from one to the other): their
registrations contradicted each other on another key (docs/protocol.md,
"Identity"): REASON is the first contradiction, the lines under it the
later ones. A shared key stays with the machine that had it first. Check
the machines, then delete the record that is stale ('hwagent machines
delete ID'); deleting either machine clears the conflict.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			cs, err := c.Conflicts(cmd.Context())
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, api.ConflictList{Conflicts: cs})
			}
			termsafe.EscapeAll(&cs) // identity keys come from machines
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "MACHINE\tMACHINE\tREASON\tSHARED KEYS\tCOUNT\tLAST SEEN")
			for _, c := range cs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", c.Machines[0], c.Machines[1], c.Reason,
					dash(strings.Join(c.Keys, ", ")), c.Count, ago(f.now(), c.LastSeen))
				// The later reasons, each on a line of its own under the
				// first: the first is what kept the machines apart.
				for _, r := range c.Reasons {
					if r != c.Reason {
						fmt.Fprintf(tw, "\t\t%s\t\t\t\n", r)
					}
				}
			}
			return tw.Flush()
		},
	}
}
