package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/cmdline"
	"github.com/hwagent/hwagent/internal/syslog"
)

// syslogDialTimeout bounds resolving a syslog host given by name.
const syslogDialTimeout = 2 * time.Second

// teeSyslog makes g.logger also send every record to a syslog receiver:
// --syslog (HWAGENT_SYSLOG, hwagent.syslog=), else Tinkerbell's
// syslog_host= on the host's kernel command line, the receiver Hook sends
// its containers' logs to (Smee's). It returns the receiver's host:port,
// "" when there is none, and an error when one was configured but cannot
// be used (the logs then go to stderr only).
func (g *globalFlags) teeSyslog(ctx context.Context, flag string, paths *hostpaths.Paths) (string, error) {
	host := flag
	if host == "" {
		line, err := paths.ReadString(paths.Proc("cmdline"))
		if err != nil {
			return "", nil
		}
		host, _ = cmdline.Parse(line).Get("syslog_host")
	}
	if host == "" || host == "off" {
		return "", nil
	}
	addr, err := syslog.Target(host)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, syslogDialTimeout)
	defer cancel()
	conn, err := syslog.Dial(ctx, addr)
	if err != nil {
		return "", err
	}
	level, err := g.level()
	if err != nil {
		conn.Close()
		return "", err
	}
	// With uts: host (images/linuxkit/hwagent.yml) this is the machine's
	// hostname; the connection lives as long as the process.
	hostname, _ := os.Hostname()
	h := syslog.NewHandler(conn, syslog.Options{Level: level, Hostname: hostname, AppName: "hwagent"})
	g.logger = slog.New(slog.NewMultiHandler(g.logger.Handler(), h))
	return addr, nil
}
