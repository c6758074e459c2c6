//go:build noserver

package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"
)

// The agent build (-tags noserver) leaves the reference server out: it is
// what the container image ships to every machine, and the server's SQLite,
// PostgreSQL and Prometheus code would more than double its size and its
// start-up time under emulation. `serve` then explains itself.
func newServeCmd(_ *globalFlags, _ io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:                "serve",
		Short:              "Run the reference provisioning server (not in this agent-only build)",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("this hwagent was built with -tags noserver (the agent image's build) and has no server: build without the tag, go build ./cmd/hwagent")
		},
	}
}
