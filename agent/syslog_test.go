package agent

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/server/api"
)

// TestCLISyslogHost: with Tinkerbell's syslog_host= on the kernel command
// line, hwagent run sends its log to that receiver, as Hook's containers
// do, besides stderr: a real rsyslogd parses each record as RFC 5424,
// from the start line to the release.
func TestCLISyslogHost(t *testing.T) {
	t.Parallel()
	rs := lab.StartRsyslog(t, "127.0.0.1")
	srv := startServe(t, database(t, "sqlite"), "127.0.0.1:0")
	root := cliTree(t, "console=ttyS0 syslog_host="+rs.Addr+" worker_id=0c:c4:7a:13:38:78\n")
	p := startAgent(t, []string{"HWAGENT_TOKEN=" + enrollToken},
		"run", "--root", root, "--server", srv.URL, "--start-jitter", "0", "--lldp-wait", "0", "--backoff-base", "50ms")
	var m api.Machine
	waitFor(t, "a check-in", func() bool {
		ms := srv.machines(t)
		if len(ms) == 1 {
			m = ms[0]
		}
		return len(ms) == 1 && m.AgentVersion != ""
	})
	srv.setAction(t, m.ID, api.ActionRelease)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := p.wait(t, ctx); code != 0 {
		t.Fatalf("hwagent run exited %d:\n%s", code, p.stderr.String())
	}
	// The agent sent every record before it exited (one datagram each,
	// written synchronously); rsyslog writes them to its file when it has
	// handled them: read until the last one is there, for a while.
	hostname, _ := os.Hostname()
	pid := strconv.Itoa(p.cmd.Process.Pid)
	var msgs []lab.SyslogMessage
	seen := map[string]bool{}
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		if msgs, err = rs.Messages(); err != nil {
			t.Fatal(err)
		}
		clear(seen)
		for _, msg := range msgs {
			for _, want := range []string{`msg="hwagent starting"`, "msg=registered", `msg="released; exiting so that workflows can run"`} {
				if len(msg.Msg) >= len(want) && msg.Msg[:len(want)] == want {
					seen[want] = true
				}
			}
		}
		if len(seen) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, msg := range msgs {
		if msg.Version != "1" || msg.Facility != "3" || msg.AppName != "hwagent" || msg.ProcID != pid || msg.Hostname != hostname {
			t.Errorf("not an RFC 5424 message from this hwagent (version 1, daemon, hwagent, pid %s, %s): %+v", pid, hostname, msg)
		}
	}
	if len(seen) != 3 {
		t.Errorf("rsyslog got %d messages, lacking some of the start, registration and release: %+v\nstderr:\n%s", len(msgs), msgs, p.stderr.String())
	}
}
