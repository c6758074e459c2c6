package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/hostpaths"
)

// globalFlags are flags every command has.
type globalFlags struct {
	logLevel  string
	logFormat string
	logger    *slog.Logger
}

func (g *globalFlags) bind(cmd *cobra.Command) {
	fs := cmd.PersistentFlags()
	fs.StringVar(&g.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&g.logFormat, "log-format", "text", "log format: text or json (logs go to stderr)")
}

func (g *globalFlags) setup(stderr io.Writer) error {
	level, err := g.level()
	if err != nil {
		return err
	}
	opts := &slog.HandlerOptions{Level: level}
	switch g.logFormat {
	case "text":
		g.logger = slog.New(slog.NewTextHandler(stderr, opts))
	case "json":
		g.logger = slog.New(slog.NewJSONHandler(stderr, opts))
	default:
		return fmt.Errorf("--log-format %q: want text or json", g.logFormat)
	}
	return nil
}

// level is --log-level.
func (g *globalFlags) level() (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	return level, nil
}

// hostFlags locate the host's trees.
type hostFlags struct {
	root      string
	overrides map[hostpaths.Tree]*string
}

func newHostFlags() *hostFlags {
	h := &hostFlags{overrides: map[hostpaths.Tree]*string{}}
	for _, t := range hostpaths.Trees {
		h.overrides[t] = new(string)
	}
	return h
}

func (h *hostFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&h.root, "root", "", "where the host's root is mounted (default: autodetect /host, Hook's /host_root, Hanlon's /host-proc, else /)")
	for _, t := range hostpaths.Trees {
		fs.StringVar(h.overrides[t], string(t), "", fmt.Sprintf("where the host's /%s is (overrides --root for that tree)", t))
	}
}

// paths returns the host layout: explicit flags win, else autodetection.
func (h *hostFlags) paths() *hostpaths.Paths {
	o := hostpaths.Overrides{}
	explicit := h.root != ""
	for t, v := range h.overrides {
		if *v != "" {
			o[t] = *v
			explicit = true
		}
	}
	if !explicit {
		return hostpaths.Detect(nil)
	}
	return hostpaths.New(h.root, o)
}

// envName is the environment variable for a flag: --lldp-wait → HWAGENT_LLDP_WAIT.
func envName(flag string) string {
	return "HWAGENT_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv sets every flag the user did not give from its HWAGENT_*
// environment variable, so that flags win over the environment.
func bindEnv(cmd *cobra.Command, lookup func(string) (string, bool)) error {
	var errs []string
	set := func(f *pflag.Flag) {
		if f.Changed {
			return
		}
		if v, ok := lookup(envName(f.Name)); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", envName(f.Name), v, err))
				return
			}
			f.Changed = true
		}
	}
	cmd.Flags().VisitAll(set)
	cmd.InheritedFlags().VisitAll(set)
	if len(errs) > 0 {
		return fmt.Errorf("bad environment: %s", strings.Join(errs, "; "))
	}
	return nil
}
