package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/hwagent/hwagent/agent"
)

func newRunCmd(g *globalFlags, stderr io.Writer) *cobra.Command {
	cf := newCollectFlags(35*time.Second, true)
	af := &agentFlags{}
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Netboot mode: collect, register with the provisioning server, check in until released",
		Long: `Collect this machine's inventory, register it with the provisioning server,
and check in at the interval the server gives until the server says what to
do: send the inventory again, reboot, power off, or release the machine (the
agent then exits 0 so that workflows can run).

Once a Tinkerbell workflow has started on the machine (tink-worker's
workflow directory under the host's /run/worker, or an action container
running beside tink-worker or tink-agent), the agent carries out no reboot or
power-off: it releases the machine and exits 0.

Registration does not wait for LLDP: every other collector runs first, the
machine registers, and the LLDP neighbours heard within --lldp-wait are sent
afterwards as an inventory update. Requests are retried forever on network
errors, 5xx and 429, with exponential backoff and full jitter; the first
request waits a random delay up to --start-jitter.

Configuration: flags, then HWAGENT_* environment variables, then kernel
parameters hwagent.<flag>= on the host's /proc/cmdline (hwagent.server=,
hwagent.token=, hwagent.interval=, hwagent.lldp-wait=, hwagent.ca=, ...).
See docs/agent.md.`,
		Example: `  hwagent run --server https://prov.example:8443 --token-file /run/secrets/hwagent-token --ca /etc/hwagent/ca.pem
  # kernel command line: hwagent.server=https://10.0.0.2:8443 hwagent.token=... hwagent.ca=/etc/hwagent/ca.pem
  hwagent run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := newAgent(cmd, g, cf, af, "run", interval, stderr)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			outcome, err := a.Run(ctx)
			if err != nil {
				return errContext(ctx, err)
			}
			switch outcome {
			case agent.Released, agent.WorkflowStarted:
				return nil
			case agent.Rebooting, agent.PoweringOff:
				// reboot(2) returned without error: the kernel is going down.
				<-ctx.Done()
				return nil
			}
			return fmt.Errorf("unexpected outcome %q", outcome)
		},
	}
	fs := cmd.Flags()
	cf.bind(fs)
	af.bind(fs)
	fs.DurationVar(&interval, "interval", agent.DefaultInterval, "check-in interval until the server gives one")
	return cmd
}
