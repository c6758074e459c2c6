package lab

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Rsyslog is a running rsyslogd receiving syslog over UDP: the reference
// receiver for what hwagent sends to Tinkerbell's syslog_host.
type Rsyslog struct {
	// Addr is the host:port it receives on.
	Addr string

	dir string
	cmd *exec.Cmd
}

// SyslogMessage is one message as rsyslog parsed it. Version is "1" for a
// message rsyslog read as RFC 5424 (its pmrfc5424 parser), "0" for the
// older BSD format.
type SyslogMessage struct {
	Version        string `json:"version"`
	Facility       string `json:"facility"`
	Severity       string `json:"severity"`
	Timestamp      string `json:"timestamp"`
	Hostname       string `json:"hostname"`
	AppName        string `json:"app_name"`
	ProcID         string `json:"procid"`
	MsgID          string `json:"msgid"`
	StructuredData string `json:"structured_data"`
	Msg            string `json:"msg"`
	// Raw is the message as received.
	Raw string `json:"raw"`
}

// rsyslogTemplate writes every message as one JSON object with the fields
// rsyslog parsed.
const rsyslogTemplate = `template(name="hwagentjson" type="list") {
  constant(value="{\"version\":\"") property(name="protocol-version" format="json")
  constant(value="\",\"facility\":\"") property(name="syslogfacility" format="json")
  constant(value="\",\"severity\":\"") property(name="syslogseverity" format="json")
  constant(value="\",\"timestamp\":\"") property(name="timereported" dateFormat="rfc3339" format="json")
  constant(value="\",\"hostname\":\"") property(name="hostname" format="json")
  constant(value="\",\"app_name\":\"") property(name="app-name" format="json")
  constant(value="\",\"procid\":\"") property(name="procid" format="json")
  constant(value="\",\"msgid\":\"") property(name="msgid" format="json")
  constant(value="\",\"structured_data\":\"") property(name="structured-data" format="json")
  constant(value="\",\"msg\":\"") property(name="msg" format="json")
  constant(value="\",\"raw\":\"") property(name="rawmsg" format="json")
  constant(value="\"}\n")
}
`

// StartRsyslog starts rsyslogd in the calling thread's network namespace,
// receiving UDP on bindIP at a port the kernel picks, and stops it when the
// test ends. It needs the RsyslogD capability (Need).
func StartRsyslog(t testing.TB, bindIP string) *Rsyslog {
	t.Helper()
	Need(t, RsyslogD)
	dir := t.TempDir()
	conf := fmt.Sprintf(`global(workDirectory=%q)
module(load="imudp")
input(type="imudp" address=%q port="0")
%s
action(type="omfile" file=%q template="hwagentjson")
`, dir, bindIP, rsyslogTemplate, filepath.Join(dir, "messages.json"))
	if err := os.WriteFile(filepath.Join(dir, "rsyslog.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command("rsyslogd", "-n", "-f", filepath.Join(dir, "rsyslog.conf"), "-i", filepath.Join(dir, "rsyslogd.pid"))
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start rsyslogd: %v", err)
	}
	r := &Rsyslog{dir: dir, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		port, err := udpPort(cmd.Process.Pid)
		if err == nil {
			r.Addr = bindIP + ":" + strconv.Itoa(port)
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd bound no UDP port within 10 s: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// udpPort finds the local port of the UDP socket process pid holds, from
// its socket inodes and its network namespace's /proc/PID/net/udp.
func udpPort(pid int) (int, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, err
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	for _, table := range []string{"udp", "udp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, table))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Scan() // header
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			// sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
			if len(f) < 10 || !inodes[f[9]] {
				continue
			}
			_, hexPort, ok := strings.Cut(f[1], ":")
			if !ok {
				continue
			}
			port, err := strconv.ParseUint(hexPort, 16, 16)
			if err == nil && port != 0 {
				return int(port), nil
			}
		}
	}
	return 0, fmt.Errorf("no bound UDP socket yet")
}

// Messages returns what rsyslog wrote so far.
func (r *Rsyslog) Messages() ([]SyslogMessage, error) {
	b, err := os.ReadFile(filepath.Join(r.dir, "messages.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []SyslogMessage
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m SyslogMessage
		if err := json.Unmarshal(l, &m); err != nil {
			return out, fmt.Errorf("rsyslog output %q: %w", l, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// WaitMessages polls until n messages arrived or the timeout passes.
func (r *Rsyslog) WaitMessages(n int, timeout time.Duration) ([]SyslogMessage, error) {
	deadline := time.Now().Add(timeout)
	for {
		ms, err := r.Messages()
		if err != nil || len(ms) >= n {
			return ms, err
		}
		if time.Now().After(deadline) {
			return ms, fmt.Errorf("rsyslog received %d messages within %s, want %d", len(ms), timeout, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
