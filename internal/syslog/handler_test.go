package syslog

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hwagent/hwagent/internal/lab"
)

// The agent's log records reach a real syslog receiver (rsyslogd) as RFC
// 5424 messages it parses field by field: version 1, facility daemon, the
// severity of the level, hostname, app-name, procid, and slog's text
// format (attributes and groups included) as the message.
func TestRsyslogReceivesRFC5424(t *testing.T) {
	t.Parallel()
	r := lab.StartRsyslog(t, "127.0.0.1")
	conn, err := Dial(context.Background(), r.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	logger := slog.New(NewHandler(conn, Options{Level: slog.LevelDebug, Hostname: "srv01", AppName: "hwagent", ProcID: "4242"}))
	logger.Info("registered", "machine", "m-6f1c", "checkin_interval", 30*time.Second)
	logger.With("collector", "bmc").WithGroup("ipmi").Warn("partial", "err", "timeout after 5s")
	logger.Error("kernel refused", "action", "reboot")
	logger.Debug("debug line", "n", 3)

	got, err := r.WaitMessages(4, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := []lab.SyslogMessage{
		{Version: "1", Facility: "3", Severity: "6", Hostname: "srv01", AppName: "hwagent", ProcID: "4242", MsgID: "-", StructuredData: "-", Msg: "msg=registered machine=m-6f1c checkin_interval=30s"},
		{Version: "1", Facility: "3", Severity: "4", Hostname: "srv01", AppName: "hwagent", ProcID: "4242", MsgID: "-", StructuredData: "-", Msg: "msg=partial collector=bmc ipmi.err=\"timeout after 5s\""},
		{Version: "1", Facility: "3", Severity: "3", Hostname: "srv01", AppName: "hwagent", ProcID: "4242", MsgID: "-", StructuredData: "-", Msg: "msg=\"kernel refused\" action=reboot"},
		{Version: "1", Facility: "3", Severity: "7", Hostname: "srv01", AppName: "hwagent", ProcID: "4242", MsgID: "-", StructuredData: "-", Msg: "msg=\"debug line\" n=3"},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(lab.SyslogMessage{}, "Timestamp", "Raw")); diff != "" {
		t.Errorf("rsyslog parsed (-want +got):\n%s", diff)
	}
	for _, m := range got {
		ts, err := time.Parse(time.RFC3339Nano, m.Timestamp)
		if err != nil || time.Since(ts) > time.Minute || time.Since(ts) < 0 {
			t.Errorf("timestamp %q (%v): want now", m.Timestamp, err)
		}
		if !strings.HasPrefix(m.Raw, "<") {
			t.Errorf("raw %q", m.Raw)
		}
	}
}

// A receiver that is not there costs nothing: every log call returns, and
// the next messages still go out once it is.
func TestNoReceiver(t *testing.T) {
	t.Parallel()
	conn, err := Dial(context.Background(), "127.0.0.1:9") // discard port, nothing listens
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	h := NewHandler(conn, Options{Hostname: "h", AppName: "hwagent"})
	logger := slog.New(h)
	start := time.Now()
	for i := 0; i < 50; i++ {
		logger.Info("nobody listens", "i", i)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("50 records took %s", d)
	}
}
