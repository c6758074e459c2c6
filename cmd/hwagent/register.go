package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
)

func newRegisterCmd(g *globalFlags, stdout, stderr io.Writer) *cobra.Command {
	cf := newCollectFlags(0, false)
	af := &agentFlags{}
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register this machine with the provisioning server once, print its ID, exit",
		Long: `Collect this machine's inventory, register it with the provisioning server,
print the machine ID the server gave, and exit 0 once the server has
acknowledged: a one-shot step for a LinuxKit onboot container.

Network errors, 5xx and 429 are retried with exponential backoff and full
jitter until --register-timeout; then, or on any other 4xx, the command exits
1. LLDP is off unless --lldp-wait is set (it then runs before registering).

Configuration as for hwagent run: flags, HWAGENT_* environment, then kernel
parameters hwagent.<flag>= on the host's /proc/cmdline.`,
		Example: `  hwagent register --server https://prov.example:8443 --token-file /run/secrets/hwagent-token --ca /etc/hwagent/ca.pem`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := newAgent(cmd, g, cf, af, "register", 0, stderr)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			reg, err := a.Register(ctx)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) && cmd.Context().Err() == nil {
					return fmt.Errorf("no acknowledgement within --register-timeout %s: %w", timeout, err)
				}
				return err
			}
			_, err = fmt.Fprintln(stdout, reg.Machine.ID)
			return err
		},
	}
	fs := cmd.Flags()
	cf.bind(fs)
	af.bind(fs)
	fs.DurationVar(&timeout, "register-timeout", 10*time.Minute, "give up (exit 1) when the server has not acknowledged within this")
	return cmd
}
