package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hwagent/hwagent/agent"
	"github.com/hwagent/hwagent/agent/workflow"
	"github.com/hwagent/hwagent/bmcseal"
	"github.com/hwagent/hwagent/collectors"
	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/privileges"
	"github.com/hwagent/hwagent/internal/version"
	"github.com/hwagent/hwagent/server/client"
)

// agentFlags configure the conversation with the provisioning server
// (hwagent run and hwagent register).
type agentFlags struct {
	server         string
	token          string
	tokenFile      string
	tls            tlsFlags
	requestTimeout time.Duration
	startJitter    time.Duration
	backoffBase    time.Duration
	backoffCap     time.Duration
	syslog         string
	bmcSealPubkey  string
}

func (a *agentFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&a.server, "server", "", "provisioning server URL, https://host:port (required); several, comma-separated, for replicas of one server: one is used while it answers, the next after a failure")
	fs.StringVar(&a.token, "token", "", "enrollment token (prefer --token-file or HWAGENT_TOKEN: arguments are visible in ps)")
	fs.StringVar(&a.tokenFile, "token-file", "", "file holding the enrollment token")
	a.tls.bind(fs)
	fs.DurationVar(&a.requestTimeout, "request-timeout", client.DefaultTimeout, "bound on one request to the server")
	fs.DurationVar(&a.startJitter, "start-jitter", 10*time.Second, "wait a random delay up to this before the first request, so a rack powering on is spread out")
	fs.DurationVar(&a.backoffBase, "backoff-base", client.DefaultBase, "first retry window (full jitter: a random wait in [0, window])")
	fs.DurationVar(&a.backoffCap, "backoff-cap", client.DefaultCap, "largest retry window; the window doubles per failure up to this")
	fs.StringVar(&a.bmcSealPubkey, "bmc-seal-pubkey", "", "the server's BMC seal public key (base64; hwagent bmc seal-key --public FILE prints it): BMC passwords are sealed to it only. Without it the agent provisions a BMC user only over https with a verified server certificate (docs/bmc.md)")
	fs.StringVar(&a.syslog, "syslog", "", `also send the logs to this syslog receiver, HOST[:PORT] (RFC 5424 over UDP, port 514); default: Tinkerbell's syslog_host= kernel parameter, as Hook's own containers do; "off" sends none`)
}

// newClient checks the configuration and returns the server client.
func (a *agentFlags) newClient(logger *slog.Logger) (*client.Client, error) {
	if a.server == "" {
		return nil, errors.New("no provisioning server: give --server, HWAGENT_SERVER or hwagent.server= on the kernel command line")
	}
	token, err := readSecret(a.token, a.tokenFile, "token")
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, errors.New("no enrollment token: give --token-file, HWAGENT_TOKEN or hwagent.token= on the kernel command line")
	}
	a.tls.warn(logger, a.server, "the enrollment token, the machine credential and the inventory")
	return client.New(client.Options{
		Server:          a.server,
		EnrollmentToken: token,
		TLS:             a.tls.TLSOptions,
		Timeout:         a.requestTimeout,
		UserAgent:       "hwagent/" + version.String(),
		Logger:          logger,
	})
}

// newAgent resolves the configuration (flags, then HWAGENT_* set by the
// root command, then the kernel command line) and builds the agent.
func newAgent(cmd *cobra.Command, g *globalFlags, cf *collectFlags, af *agentFlags, mode string, interval time.Duration, stderr io.Writer) (*agent.Agent, error) {
	paths := cf.host.paths()
	if err := paths.Validate(); err != nil {
		return nil, err
	}
	fromCmdline, err := bindCmdline(cmd, paths)
	if err != nil {
		return nil, err
	}
	if len(fromCmdline) > 0 {
		// --log-level may have come from the kernel command line.
		if err := g.setup(stderr); err != nil {
			return nil, err
		}
	}
	syslogTo, err := g.teeSyslog(cmd.Context(), af.syslog, paths)
	if err != nil {
		g.logger.Warn("logs not sent to syslog", "err", err)
	}
	logger := g.logger
	logger.Info("hwagent starting", "mode", mode, "version", version.String(), "host", paths.String(), "detected", paths.Detected, "from_kernel_cmdline", fromCmdline, "syslog", syslogTo)
	warnPrivileges(logger, mode)
	if mode == "run" {
		warnPIDNamespace(logger, paths)
	}
	c, err := af.newClient(logger)
	if err != nil {
		return nil, err
	}
	if af.bmcSealPubkey != "" {
		if _, err := bmcseal.ParsePublicKey(af.bmcSealPubkey); err != nil {
			return nil, errors.New("--bmc-seal-pubkey: not a seal public key (32 bytes in standard base64, as hwagent bmc seal-key --public FILE prints it)")
		}
	}
	all := collectors.All()
	specs, err := collectors.Select(all, cf.enable, cf.disable)
	if err != nil {
		return nil, err
	}
	var workflowStarted func() (string, error)
	if mode == "run" {
		workflowStarted = func() (string, error) {
			ev, err := workflow.Detect(paths)
			return string(ev), err
		}
	}
	return agent.New(agent.Options{
		WorkflowStarted: workflowStarted,
		Server:          c,
		Env:             collector.NewEnv(paths, logger, cf.config(paths)),
		Specs:           specs,
		All:             all,
		Version:         version.String(),
		Mode:            mode,
		Interval:        interval,
		Backoff:         client.Backoff{Base: af.backoffBase, Cap: af.backoffCap},
		StartJitter:     af.startJitter,
		BMCSealKey:      af.bmcSealPubkey,
		Logger:          logger,
	})
}

// warnPrivileges logs the capabilities mode needs that the process lacks.
func warnPrivileges(logger *slog.Logger, mode string) {
	// The agent's own status, not the host's: capabilities are the
	// container's.
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	eff, err := privileges.Effective(status)
	if err != nil {
		return
	}
	for _, c := range privileges.Missing(eff, mode) {
		logger.Warn("missing capability", "capability", c.Name, "needed_for", c.Why)
	}
}

// warnPIDNamespace warns when the agent is not in the host's PID namespace:
// reboot(2) there only ends the namespace (its init gets SIGHUP or SIGINT),
// so the reboot and poweroff actions would stop the container, not the
// machine. Unreadable links (no permission to inspect the host's PID 1) say
// nothing.
func warnPIDNamespace(logger *slog.Logger, paths *hostpaths.Paths) {
	own, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return
	}
	host, err := paths.Readlink(paths.Proc("1", "ns", "pid"))
	if err != nil || host == own {
		return
	}
	logger.Warn("not in the host's PID namespace: reboot and poweroff would only stop this container (LinuxKit: pid: host)", "own", own, "host", host)
}

// errContext maps the end of the command's context (SIGTERM) to a clean
// exit for a service, and keeps other errors.
func errContext(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}
