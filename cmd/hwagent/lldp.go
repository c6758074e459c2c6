package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/collectors/collector"
	lldpcollector "github.com/hwagent/hwagent/collectors/lldp"
	"github.com/hwagent/hwagent/internal/termsafe"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/lldp"
	"github.com/hwagent/hwagent/lldp/pcapfile"
	"github.com/hwagent/hwagent/report"
)

func newLLDPCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lldp",
		Short: "Decode LLDP/CDP captures, or listen for neighbours now (troubleshooting)",
		Long: `Troubleshoot LLDP and CDP: decode frames from a capture file an operator
sent, or listen on this machine's NICs and print what the switches say.`,
	}
	cmd.AddCommand(newLLDPDecodeCmd(stdout), newLLDPListenCmd(g, stdout, stderr))
	return cmd
}

// decodedFrame is one record of `hwagent lldp decode -o json`.
type decodedFrame struct {
	Frame    int                 `json:"frame"`
	Time     time.Time           `json:"time"`
	Neighbor *inventory.Neighbor `json:"neighbor,omitempty"`
	Error    string              `json:"error,omitempty"`
}

func newLLDPDecodeCmd(stdout io.Writer) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "decode FILE.pcap",
		Short: "Decode every LLDP and CDP frame of a pcap capture",
		Long: `Decode every frame of a classic pcap capture (tcpdump -w, Ethernet link
type; not pcapng) and print each LLDP or CDP neighbour, with the problems of
damaged frames. Other frames are listed as skipped. "-" reads standard input.`,
		Example: `  tcpdump -i eth0 -w lldp.pcap 'ether proto 0x88cc or ether dst 01:00:0c:cc:cc:cc'
  hwagent lldp decode lldp.pcap
  hwagent lldp decode -o json lldp.pcap`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("unknown output format %q (want text or json)", output)
			}
			var in io.Reader = os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			frames, err := decodeCapture(bufio.NewReader(in))
			if err != nil && len(frames) == 0 {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if output == "json" {
				if jerr := writeJSONOut(stdout, frames); jerr != nil {
					return jerr
				}
			} else if werr := writeFrames(stdout, frames); werr != nil {
				return werr
			}
			if err != nil {
				return fmt.Errorf("%s: stopped after %d frames: %w", args[0], len(frames), err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// decodeCapture decodes every record of a pcap stream; it returns the
// frames decoded before a read error.
func decodeCapture(r io.Reader) ([]decodedFrame, error) {
	pr, err := pcapfile.NewReader(r)
	if err != nil {
		return nil, err
	}
	if pr.Header.LinkType != pcapfile.LinkTypeEthernet {
		return nil, fmt.Errorf("link type %d: only Ethernet (1) captures are supported", pr.Header.LinkType)
	}
	frames := []decodedFrame{}
	for i := 1; ; i++ {
		rec, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
		f := decodedFrame{Frame: i, Time: rec.Time}
		n, err := lldp.DecodeFrame(rec.Data)
		if n != nil {
			n.ReceivedAt = rec.Time
			f.Neighbor = n
		}
		if err != nil {
			f.Error = err.Error()
		}
		frames = append(frames, f)
	}
}

func writeFrames(w io.Writer, frames []decodedFrame) error {
	// What a switch sent, for a terminal: escaped on a copy.
	frames = append([]decodedFrame(nil), frames...)
	for i := range frames {
		if frames[i].Neighbor != nil {
			n := *frames[i].Neighbor
			frames[i].Neighbor = &n
		}
	}
	termsafe.EscapeAll(&frames)
	var b strings.Builder
	for _, f := range frames {
		if f.Neighbor == nil && f.Error != "" {
			fmt.Fprintf(&b, "frame %d  %s  skipped: %s\n", f.Frame, f.Time.Format(time.RFC3339Nano), f.Error)
			continue
		}
		fmt.Fprintf(&b, "frame %d  %s\n", f.Frame, f.Time.Format(time.RFC3339Nano))
		if f.Neighbor != nil {
			_ = lldp.WriteText(&b, f.Neighbor, "  ")
		}
		if f.Error != "" {
			fmt.Fprintf(&b, "  %-20s  %s\n", "error", f.Error)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func newLLDPListenCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	host := newHostFlags()
	var (
		ifaces []string
		wait   time.Duration
		linkUp bool
		stopFW bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Listen for LLDP/CDP neighbours on this machine's NICs and print them",
		Long: `Listen for LLDP and CDP on every physical NIC (or the ones given), print each
NIC's neighbours, and say why a NIC heard nothing. It stops early once every
NIC with carrier has heard a neighbour. Needs CAP_NET_RAW (and CAP_NET_ADMIN
for --link-up and --stop-firmware-agent).

The exit status is 0 when a neighbour was heard, 1 when none was.`,
		Example: `  hwagent lldp listen
  hwagent lldp listen --interfaces eth0,eth1 --wait 65s
  hwagent lldp listen --link-up -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("unknown output format %q (want text or json)", output)
			}
			cfg := collector.Config{LLDPWait: wait, LLDPLinkUp: linkUp, LLDPStopFirmwareAgent: stopFW, LLDPInterfaces: ifaces}
			if isTerminal(stderr) {
				cf := &collectFlags{}
				cf.progress(stderr)
				cfg.LLDPProgress = cf.progressFn
			}
			env := collector.NewEnv(host.paths(), g.logger, cfg)
			apply, err := lldpcollector.New().Collect(cmd.Context(), env)
			inv := &inventory.Inventory{}
			if apply != nil {
				apply(inv)
			}
			var nics []inventory.NIC
			if inv.Network != nil {
				nics = inv.Network.Interfaces
			}
			if output == "json" {
				heard := map[string][]inventory.Neighbor{}
				for _, n := range nics {
					heard[n.Name] = n.Neighbors
				}
				if jerr := writeJSONOut(stdout, heard); jerr != nil {
					return jerr
				}
			} else {
				termsafe.EscapeAll(&nics) // what switches sent, for a terminal
				for _, n := range nics {
					fmt.Fprintf(stdout, "%s %s\n", n.Name, report.NeighborLine(n))
					for i := range n.Neighbors {
						_ = lldp.WriteText(stdout, &n.Neighbors[i], "    ")
					}
				}
			}
			var partial *collector.PartialError
			switch {
			case err == nil:
				return nil
			case errors.As(err, &partial):
				for _, w := range partial.Warnings {
					fmt.Fprintln(stderr, "hwagent: warning:", w)
				}
				return nil
			case errors.Is(err, collector.ErrNotApplicable):
				fmt.Fprintln(stderr, "hwagent:", strings.TrimPrefix(err.Error(), collector.ErrNotApplicable.Error()+": "))
				return exitError{code: 1}
			}
			return err
		},
	}
	fs := cmd.Flags()
	host.bind(fs)
	fs.StringSliceVar(&ifaces, "interfaces", nil, "listen on exactly these interfaces, virtual ones included (default: every physical NIC)")
	fs.DurationVar(&wait, "wait", 35*time.Second, "how long to listen at most (switches send every 30 s)")
	fs.BoolVar(&linkUp, "link-up", false, "bring down interfaces up to hear LLDP, and restore them after")
	fs.BoolVar(&stopFW, "stop-firmware-agent", false, "stop the Intel i40e/ice firmware LLDP agent that hides LLDP frames from the OS")
	fs.StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
