//go:build noserver

package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/plan"
)

// The agent build has no Kubernetes client (client-go would double its
// size): export tinkerbell --apply says so.
type applyFlags struct{ apply bool }

func (a *applyFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&a.apply, "apply", false, "not in this agent-only build (-tags noserver): build without the tag")
}

func (a *applyFlags) check(string) error {
	if a.apply {
		return errors.New("this hwagent was built with -tags noserver (the agent image's build) and has no Kubernetes client: export YAML and kubectl apply it, or build without the tag")
	}
	return nil
}

func newApplyWriter(io.Writer, *plan.Plan) export.Writer { return nil }

func (a *applyFlags) applyObjects(context.Context, *slog.Logger, io.Reader, io.Writer) error {
	return a.check("")
}
