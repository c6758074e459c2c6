package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/cmdline"
)

// cmdlinePrefix starts the kernel parameters that configure hwagent:
// hwagent.server=https://prov:8443 sets --server.
const cmdlinePrefix = "hwagent."

// notFromCmdline reports the flags the kernel command line cannot set:
// where the host's trees are must be known before /proc/cmdline can be read.
func notFromCmdline(flag string) bool {
	if flag == "root" || flag == "help" {
		return true
	}
	for _, t := range hostpaths.Trees {
		if flag == string(t) {
			return true
		}
	}
	return false
}

// bindCmdline sets every flag that neither the command line nor the
// environment set from the kernel parameter hwagent.<flag>= (dashes or
// underscores), read from the host's /proc/cmdline. It returns the names
// of the flags it set; never their values, which may be secrets.
func bindCmdline(cmd *cobra.Command, paths *hostpaths.Paths) ([]string, error) {
	line, err := paths.ReadString(paths.Proc("cmdline"))
	if err != nil {
		if hostpaths.Ignorable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("kernel command line: %w", err)
	}
	return applyCmdline(cmd, cmdline.Parse(line).WithPrefix(cmdlinePrefix))
}

// applyCmdline sets the flags of cmd that are not Changed from params
// (keys without the "hwagent." prefix).
func applyCmdline(cmd *cobra.Command, params map[string]string) ([]string, error) {
	byFlag := map[string]string{}
	for k, v := range params {
		byFlag[strings.ReplaceAll(k, "_", "-")] = v
	}
	var set, errs []string
	visit := func(f *pflag.Flag) {
		v, ok := byFlag[f.Name]
		if !ok || f.Changed || notFromCmdline(f.Name) || slices.Contains(set, f.Name) {
			return
		}
		if err := f.Value.Set(v); err != nil {
			// The value may be a secret: name the parameter only.
			errs = append(errs, fmt.Sprintf("%s%s: %v", cmdlinePrefix, f.Name, redactErr(err, v)))
			return
		}
		f.Changed = true
		set = append(set, f.Name)
	}
	cmd.Flags().VisitAll(visit)
	cmd.InheritedFlags().VisitAll(visit)
	sort.Strings(set)
	if len(errs) > 0 {
		return set, fmt.Errorf("bad kernel command line: %s", strings.Join(errs, "; "))
	}
	return set, nil
}

// redactErr removes value from a flag parsing error.
func redactErr(err error, value string) string {
	if value == "" {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), value, "…")
}
