package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/internal/termsafe"
	"github.com/hwagent/hwagent/report"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/tpmverify"
)

// machinesFlags configure `hwagent machines`.
type machinesFlags struct {
	adminFlags
	output string
	now    func() time.Time
	logger func() *slog.Logger
}

func newMachinesCmd(g *globalFlags, stdout io.Writer) *cobra.Command {
	f := &machinesFlags{now: time.Now, logger: func() *slog.Logger { return g.logger }}
	cmd := &cobra.Command{
		Use:   "machines",
		Short: "List and manage the machines of a provisioning server (operator API)",
		Long: `machines talks to a hwagent serve's operator API with the admin token:
list machines with filters, show one with its inventory, read the history of
what changed, set the action the next check-in receives, delete a machine.

Output is an aligned table for people, or JSON with -o json for scripts.`,
		Example: `  export HWAGENT_SERVER=https://prov:8443 HWAGENT_ADMIN_TOKEN=...
  hwagent machines list --vendor dell --switch leaf-r012-a
  hwagent machines list --seen-before 1h -o json
  hwagent machines history m-0123456789abcdef01234567
  hwagent machines action m-0123456789abcdef01234567 reboot`,
	}
	fs := cmd.PersistentFlags()
	f.adminFlags.bind(fs, "provisioning server URL, https://host:port (required)", "timeout")
	fs.StringVarP(&f.output, "output", "o", "table", "output: table or json")
	cmd.AddCommand(
		newMachinesListCmd(f, stdout),
		newMachinesShowCmd(f, stdout),
		newMachinesHistoryCmd(f, stdout),
		newMachinesActionCmd(f, stdout),
		newMachinesDeleteCmd(f, stdout),
		newMachinesApproveCmd(f, stdout, true), newMachinesApproveCmd(f, stdout, false),
		newMachinesConflictsCmd(f, stdout),
		newMachinesVerifyBMCCmd(f, stdout),
	)
	return cmd
}

func (f *machinesFlags) client() (*client.Client, error) {
	if f.output != "table" && f.output != "json" {
		return nil, fmt.Errorf("-o %q: want table or json", f.output)
	}
	return f.adminFlags.client(f.logger())
}

// writeJSONOut writes v as indented JSON: the data exact, the characters
// a terminal would obey spelled as \u escapes (termsafe.JSON).
func writeJSONOut(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(termsafe.JSON(b), '\n'))
	return err
}

func newMachinesListCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	var vendor, product, state, sw, since, before string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List machines, optionally filtered",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{api.QueryVendor: vendor, api.QueryProduct: product, api.QueryState: state, api.QuerySwitch: sw} {
				if v != "" {
					q.Set(k, v)
				}
			}
			for k, v := range map[string]string{api.QuerySeenSince: since, api.QuerySeenBefore: before} {
				if v == "" {
					continue
				}
				t, err := pointInTime(v, f.now())
				if err != nil {
					return fmt.Errorf("--%s: %w", strings.ReplaceAll(k, "_", "-"), err)
				}
				q.Set(k, t.Format(time.RFC3339Nano))
			}
			ms, err := c.List(cmd.Context(), q)
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, api.MachineList{Machines: ms})
			}
			termsafe.EscapeAll(&ms) // strings from machines, for a terminal
			return writeMachineTable(stdout, ms, f.now())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&vendor, "vendor", "", "manufacturer contains this (any case)")
	fs.StringVar(&product, "product", "", "product name contains this (any case)")
	fs.StringVar(&state, "state", "", "state is exactly this (registered, released)")
	fs.StringVar(&sw, "switch", "", "a NIC's LLDP/CDP neighbour has this system name or chassis ID")
	fs.StringVar(&since, "seen-since", "", "last seen at or after: RFC 3339 time, or a duration ago (30m)")
	fs.StringVar(&before, "seen-before", "", "last seen before: RFC 3339 time, or a duration ago (1h)")
	return cmd
}

// pointInTime reads an RFC 3339 time or a duration before now.
func pointInTime(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time or a duration (30m, 2h)", s)
	}
	return t, nil
}

func writeMachineTable(w io.Writer, ms []api.Machine, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	bmcAuth := false
	for _, m := range ms {
		bmcAuth = bmcAuth || m.BMCCredentials != nil
	}
	head := "ID\tSTATE\tACTION\tVENDOR\tPRODUCT\tSERIAL\tBMC\tLAST SEEN\tSWITCHES\tIDENTITY"
	if bmcAuth {
		head += "\tBMC CREDENTIALS"
	}
	fmt.Fprintln(tw, head)
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", m.ID, m.State, dash(m.PendingAction),
			dash(m.Manufacturer), dash(m.Product), dash(serialText(m)), dash(m.BMCIP), ago(now, m.LastSeen),
			dash(strings.Join(m.Switches, ", ")), dash(identityText(m)))
		if bmcAuth {
			fmt.Fprintf(tw, "\t%s", dash(bmcCredentialsText(m.BMCCredentials, now)))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ago renders how long ago t was, kubectl style ("45s", "12m", "3h", "9d").
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "-"
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func newMachinesShowCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show a machine and its latest inventory",
		Long: `show prints a machine, the state of its BMC credentials and its latest
inventory. --reveal-bmc-password also prints the BMC password the server holds
(the server logs every reveal); never use it where the terminal is recorded.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			m, err := c.Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			var revealed *api.BMCCredentials
			if reveal {
				b, err := c.BMCCredentials(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("reveal BMC password: %w", err)
				}
				revealed = &b
			}
			if f.output == "json" {
				if revealed != nil {
					return writeJSONOut(stdout, struct {
						api.Machine
						Revealed *api.BMCCredentials `json:"revealed_bmc_credentials"`
					}{m, revealed})
				}
				return writeJSONOut(stdout, m)
			}
			// Strings from the machine, for a terminal; the inventory is
			// escaped by report.WriteText.
			inv := m.Inventory
			m.Inventory = nil
			termsafe.EscapeAll(&m)
			m.Inventory = inv
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			for _, row := range [][2]string{
				{"ID", m.ID}, {"State", m.State}, {"Pending action", dash(strings.TrimSpace(m.PendingAction + " " + m.PendingActionID))},
				{"First seen", m.FirstSeen.Format(time.RFC3339)},
				{"Last seen", m.LastSeen.Format(time.RFC3339) + " (" + ago(f.now(), m.LastSeen) + " ago)"},
				{"Manufacturer", dash(m.Manufacturer)}, {"Product", dash(m.Product)}, {"Serial", dash(serialText(m))},
				{"BMC", dash(m.BMCIP)}, {"Hostname", dash(m.Hostname)},
				{"Worker ID", dash(m.WorkerID)}, {"HW addr", dash(m.HWAddr)},
				{"Agent", dash(m.AgentVersion)}, {"Switches", dash(strings.Join(m.Switches, ", "))},
				{"Identity", dash(strings.Join(m.IdentityKeys, "\n\t"))},
				{"Conflicts", dash(strings.Join(m.Conflicts, ", "))},
				{"Held requests", dash(pendingText(m.Pending))},
				{"TPM pinned", dash(tpmPinText(m.Pins))},
				{"Inventory digest", dash(m.InventoryDigest)},
				{"Kubernetes", kubeText(m.Kube, f.now())},
			} {
				fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
			}
			for _, row := range bmcCredentialsRows(m.BMCCredentials, revealed, f.now()) {
				fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if m.Inventory == nil {
				return nil
			}
			if m.Inventory.System != nil {
				// By this hwagent's rules: the agent that sent it may be older.
				m.Inventory.System.MarkPlaceholders()
			}
			fmt.Fprintln(stdout)
			return report.WriteText(stdout, m.Inventory, report.Options{})
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal-bmc-password", false, "also print the BMC password the server holds (logged by the server)")
	return cmd
}

func newMachinesHistoryCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	var limit int
	var after string
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "Show what changed on a machine: registrations, inventory differences, actions",
		Long: `history shows a machine's changes, oldest first, one page at a time
(--limit changes, default 1000). When there are more, the last line says
how to ask for the next page (--after CURSOR); with -o json the cursor is
the answer's "next".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			h, err := c.HistoryPage(cmd.Context(), args[0], limit, after)
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, h)
			}
			termsafe.EscapeAll(&h) // the details quote the machine's strings
			defer func() {
				if h.Next != "" {
					fmt.Fprintf(stdout, "(more: hwagent machines history %s --limit %d --after %s)\n", args[0], max(limit, len(h.Changes)), h.Next)
				}
			}()
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TIME\tKIND\tDETAILS")
			for _, ch := range h.Changes {
				details := ch.Details
				if len(details) == 0 {
					details = []string{"-"}
				}
				for i, d := range details {
					if i == 0 {
						fmt.Fprintf(tw, "%s\t%s\t%s\n", ch.At.Format(time.RFC3339), ch.Kind, d)
					} else {
						fmt.Fprintf(tw, "\t\t%s\n", d)
					}
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 0, "changes per page, 1-10000 (default: the server's, 1000)")
	cmd.Flags().StringVar(&after, "after", "", "the cursor of the page to show (printed at the end of the previous one)")
	return cmd
}

func newMachinesActionCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "action ID ACTION",
		Short: "Set the action the machine's next check-in receives: reboot, poweroff, release, send-inventory, rotate-bmc-password, or none to clear",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			args[1] = strings.ReplaceAll(args[1], "-", "_") // rotate-bmc-password = rotate_bmc_password
			if !api.ValidAction(args[1]) {
				return fmt.Errorf("action %q: want reboot, poweroff, release, send-inventory, rotate-bmc-password or none", args[1])
			}
			c, err := f.client()
			if err != nil {
				return err
			}
			m, err := c.SetAction(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if f.output == "json" {
				return writeJSONOut(stdout, m)
			}
			fmt.Fprintf(stdout, "%s: pending action %s\n", args[0], dash(m.PendingAction))
			return nil
		},
	}
}

func newMachinesDeleteCmd(f *machinesFlags, stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID...",
		Short: "Forget machines, their identity keys and their history",
		Long: `delete forgets machines: their records, identity keys, history and held
registrations. A machine that boots again registers as a new machine. Its ID
is not handed to another machine (plans and Hardware annotations may still
name it): the machine itself gets it back, another machine with the same
UUID gets an ID of its own.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client()
			if err != nil {
				return err
			}
			for _, id := range args {
				if err := c.Delete(cmd.Context(), id); err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				if f.output == "table" {
					fmt.Fprintf(stdout, "%s: deleted\n", id)
				}
			}
			return nil
		},
	}
}

// kubeText is where the machine's Tinkerbell objects stand in Kubernetes
// (serve --kubeconfig), for machines show.
func kubeText(k *api.KubeSync, now time.Time) string {
	if k == nil {
		return "-"
	}
	var b strings.Builder
	b.WriteString(k.State)
	switch {
	case k.State == api.KubeFailed && k.NextAttempt != nil:
		fmt.Fprintf(&b, " (%d attempts; next in %s)", k.Attempts, ago(*k.NextAttempt, now))
	case k.AppliedAt != nil:
		fmt.Fprintf(&b, " (applied %s ago)", ago(now, *k.AppliedAt))
	}
	for _, o := range k.Objects {
		b.WriteString("\n\t" + printableText(o))
	}
	for _, line := range strings.Split(k.Message, "\n") {
		if line != "" {
			b.WriteString("\n\t" + printableText(line))
		}
	}
	return b.String()
}

// printableText replaces control characters (the API server's messages
// quote what operators and machines wrote) so they cannot drive the
// terminal.
func printableText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// tpmPinText is the TPM endorsement key pinned on a machine
// (--reenroll tpm), with its certificate's issuer.
func tpmPinText(pins map[string]string) string {
	ek := pins[tpmverify.PinEK]
	if ek == "" {
		return ""
	}
	if issuer := pins[tpmverify.PinEKIssuer]; issuer != "" {
		return "sha256:" + ek + " (issuer " + issuer + ")"
	}
	return "sha256:" + ek
}
