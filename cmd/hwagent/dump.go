package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/report"
)

// collectFlags configure a collection.
type collectFlags struct {
	host        *hostFlags
	enable      []string
	disable     []string
	pciIDs      string
	lldpWait    time.Duration
	lldpLinkUp  bool
	lldpStopFW  bool
	lldpIfaces  []string
	ipmiTimeout time.Duration
	progressFn  func(remaining time.Duration, heard, waiting int)
}

func newCollectFlags(lldpWait time.Duration, lldpLinkUp bool) *collectFlags {
	return &collectFlags{host: newHostFlags(), lldpWait: lldpWait, lldpLinkUp: lldpLinkUp}
}

func (c *collectFlags) bind(fs *pflag.FlagSet) {
	c.host.bind(fs)
	fs.StringSliceVar(&c.enable, "collectors", nil, "run only these collectors (comma separated; list them with: hwagent collectors)")
	fs.StringSliceVar(&c.disable, "disable", nil, "do not run these collectors (comma separated)")
	fs.StringVar(&c.pciIDs, "pci-ids", "", "pci.ids file for PCI names (default: the host's /usr/share/hwdata or /usr/share/misc, then the agent's own; none: IDs only)")
	fs.DurationVar(&c.lldpWait, "lldp-wait", c.lldpWait, "how long to listen for LLDP/CDP neighbours (0 skips LLDP)")
	fs.BoolVar(&c.lldpLinkUp, "lldp-link-up", c.lldpLinkUp, "bring down interfaces up to hear LLDP, and restore them after")
	fs.BoolVar(&c.lldpStopFW, "lldp-stop-firmware-agent", false, "stop the Intel i40e/ice firmware LLDP agent that hides LLDP frames from the OS")
	fs.DurationVar(&c.ipmiTimeout, "ipmi-timeout", 2*time.Second, "deadline of one IPMI command to the BMC (a hung BMC costs one deadline)")
	fs.StringSliceVar(&c.lldpIfaces, "lldp-interfaces", nil, "listen for LLDP on exactly these interfaces (default: physical NICs and bond members)")
}

func (c *collectFlags) config(paths *hostpaths.Paths) collector.Config {
	var fallback []string
	if paths.Dir(hostpaths.Usr) != "/usr" {
		// In a container the host's /usr is rarely bound: use the image's.
		fallback = []string{"/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids"}
	}
	return collector.Config{
		PCIIDsPath:            c.pciIDs,
		PCIIDsFallback:        fallback,
		LLDPWait:              c.lldpWait,
		LLDPLinkUp:            c.lldpLinkUp,
		LLDPStopFirmwareAgent: c.lldpStopFW,
		LLDPInterfaces:        c.lldpIfaces,
		IPMITimeout:           c.ipmiTimeout,
		LLDPProgress:          c.progressFn,
	}
}

// collect runs the selected collectors against the host and returns the
// inventory. It fails only when the host cannot be found or nothing at all
// could be read.
func (c *collectFlags) collect(ctx context.Context, logger *slog.Logger, mode string, rec bool) (*inventory.Inventory, *hostpaths.Recorder, error) {
	paths := c.host.paths()
	if err := paths.Validate(); err != nil {
		return nil, nil, err
	}
	specs, err := collectors.Select(collectors.All(), c.enable, c.disable)
	if err != nil {
		return nil, nil, err
	}
	var recorder *hostpaths.Recorder
	if rec {
		recorder = paths.Record()
	}
	logger.Debug("collecting", "paths", paths.String(), "detected", paths.Detected, "collectors", collectors.Names(specs))
	env := collector.NewEnv(paths, logger, c.config(paths))
	inv := collectors.Collect(ctx, env, specs, version.String(), mode)
	if err := collectors.Usable(inv); err != nil {
		return inv, recorder, err
	}
	return inv, recorder, nil
}

// dumpLLDPWait is dump's default LLDP listening time.
const dumpLLDPWait = 3 * time.Second

func newDumpCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	// A short LLDP wait: switches configured for fast transmission answer
	// within it; the agent's run mode waits 35 s.
	cf := newCollectFlags(dumpLLDPWait, false)
	var output, planFile string
	var noColor bool
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Collect this machine's inventory once and print it",
		Long: `Collect this machine's hardware inventory once and print it: a report for a
person at a console (-o text, the default), or the inventory document
(-o json or -o yaml) that the agent sends to the provisioning server.

The exit status is 0 when an inventory was produced, even if some collectors
failed (their errors are in the report), and 1 when nothing could be read.`,
		Example: `  hwagent dump
  hwagent dump -o json > inventory.json
  hwagent dump --root /host                          # host mounted at /host
  hwagent dump --proc /host-proc --sys /host-sys     # Hanlon layout
  hwagent dump --lldp-wait 0                         # skip LLDP (by default it listens 3 s)
  hwagent dump --lldp-wait 35s --lldp-link-up        # wait a whole switch interval, bring links up`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := report.ParseFormat(output)
			if err != nil {
				return err
			}
			isTTY := isTerminal(stdout)
			if cf.lldpWait > 0 && isTerminal(stderr) {
				cf.progress(stderr)
			}
			inv, _, err := cf.collect(cmd.Context(), g.logger, "dump", false)
			if err != nil {
				return err
			}
			if format == report.CSV {
				return dumpCSV(stdout, g.logger, planFile, inv)
			}
			return report.Write(stdout, inv, format, report.Options{Color: isTTY && !noColor && os.Getenv("NO_COLOR") == "", LLDPWait: cf.lldpWait})
		},
	}
	fs := cmd.Flags()
	cf.bind(fs)
	fs.StringVarP(&output, "output", "o", "text", "output format: "+strings.Join(report.FormatNames(), ", "))
	fs.BoolVar(&noColor, "no-color", false, "never colour the text report (also NO_COLOR)")
	fs.StringVar(&planFile, "plan", "", "with -o csv: the export plan that gives addresses, hostname and labels (see hwagent export)")
	return cmd
}

// progress makes the LLDP collector show a countdown on a terminal.
func (c *collectFlags) progress(w io.Writer) {
	c.progressFn = func(remaining time.Duration, heard, waiting int) {
		if remaining <= 0 {
			fmt.Fprintf(w, "\r\033[K")
			return
		}
		fmt.Fprintf(w, "\r\033[Klistening for LLDP: %d heard, %d waiting, %ds left", heard, waiting, int(remaining.Seconds()+0.5))
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newVersionCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hwagent's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(stdout, "hwagent %s (inventory schema %s)\n", version.String(), inventory.SchemaVersion)
			return err
		},
	}
}

func newCollectorsCmd(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "collectors",
		Short: "List the collectors, whether they run by default, and their phase",
		Long: `List the collectors, whether they run by default, and their phase: what
hwagent run registers with (identity), sends right after the registration
(first), or sends when it arrives (late: LLDP). Other commands run them all
at once.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, s := range collectors.All() {
				state := "enabled"
				if !s.DefaultEnabled {
					state = "disabled"
				}
				fmt.Fprintf(stdout, "%-14s %-8s %-8s %s\n", s.Name(), state, s.Phase(), s.Description)
			}
			return nil
		},
	}
}
