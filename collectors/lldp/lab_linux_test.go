//go:build linux

package lldp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	hwlab "github.com/hwagent/hwagent/internal/lab"
)

// lab is a set of network namespaces wired with veth pairs and real lldpd
// daemons playing switches, all removed when the test ends.
type lab struct {
	t      *testing.T
	prefix string
	dir    string
}

var labSeq atomic.Int32

// newLab needs network namespaces and lldpd (lab.Need).
func newLab(t *testing.T) *lab {
	t.Helper()
	hwlab.Need(t, hwlab.NetworkNamespaces, hwlab.LLDPDaemon)
	// lldpd chroots its unprivileged half here; systemd-tmpfiles usually
	// creates it.
	if err := os.MkdirAll("/run/lldpd", 0o755); err != nil {
		t.Fatal(err)
	}
	// A short path (lldpd's socket must fit sun_path), readable by lldpd's
	// unprivileged half, which applies the configuration over the socket.
	dir, err := os.MkdirTemp("", "hwl")
	if err == nil {
		err = os.Chmod(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return &lab{t: t, prefix: fmt.Sprintf("hwl%d-%d", os.Getpid(), labSeq.Add(1)), dir: dir}
}

func (l *lab) run(args ...string) string {
	l.t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// ns creates a network namespace, deleted at cleanup.
func (l *lab) ns(name string) string {
	l.t.Helper()
	full := l.prefix + "-" + name
	l.run("ip", "netns", "add", full)
	l.t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", full).CombinedOutput(); err != nil {
			l.t.Errorf("delete namespace %s: %v %s", full, err, out)
		}
	})
	return full
}

// veth wires if1 in ns1 to if2 in ns2, both up.
func (l *lab) veth(ns1, if1, ns2, if2 string) {
	l.t.Helper()
	l.run("ip", "link", "add", if1, "netns", ns1, "type", "veth", "peer", "name", if2, "netns", ns2)
	l.run("ip", "-n", ns1, "link", "set", if1, "up")
	l.run("ip", "-n", ns2, "link", "set", if2, "up")
}

// lldpd starts lldpd in ns with its own control socket and, when conf is
// not empty, those lldpcli commands; it is stopped at cleanup. It returns
// the control socket.
func (l *lab) lldpd(ns, name, conf string, args ...string) string {
	l.t.Helper()
	sock := filepath.Join(l.dir, name+".sock")
	full := append([]string{"netns", "exec", ns, "lldpd", "-d", "-u", sock}, args...)
	if conf != "" {
		path := filepath.Join(l.dir, name+".conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			l.t.Fatal(err)
		}
		full = append(full, "-O", path)
	}
	logf, err := os.Create(filepath.Join(l.dir, name+".log"))
	if err != nil {
		l.t.Fatal(err)
	}
	cmd := exec.Command("ip", full...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("start lldpd: %v", err)
	}
	l.t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if l.t.Failed() {
			out, _ := os.ReadFile(logf.Name())
			l.t.Logf("lldpd %s log:\n%s", name, out)
		}
	})
	return sock
}

// neighbors asks a receive-only lldpd what it heard, as interface name →
// neighbours (lldpcli's JSON objects), waiting until every interface in
// want has one.
func (l *lab) neighbors(sock string, want ...string) map[string][]map[string]any {
	l.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out := l.lldpcli(sock, "-f", "json", "show", "neighbors", "details")
		var doc struct {
			LLDP struct {
				Interface any `json:"interface"`
			} `json:"lldp"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			l.t.Fatalf("lldpcli output: %v\n%s", err, out)
		}
		got := map[string][]map[string]any{}
		// One interface is an object, several are a list of objects.
		for _, item := range asList(doc.LLDP.Interface) {
			for name, v := range asMap(item) {
				got[name] = append(got[name], asMap(v))
			}
		}
		ok := true
		for _, name := range want {
			ok = ok && len(got[name]) > 0
		}
		if ok {
			return got
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("lldpd heard %v, want neighbours on %v", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// lldpcli runs lldpcli against a daemon's socket, retrying for a while
// when the daemon is not ready yet.
func (l *lab) lldpcli(sock string, args ...string) string {
	l.t.Helper()
	var out []byte
	var err error
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(100 * time.Millisecond) {
		out, err = exec.Command("lldpcli", append([]string{"-u", sock}, args...)...).CombinedOutput()
		if err == nil {
			return string(out)
		}
	}
	l.t.Fatalf("lldpcli %s: %v\n%s", strings.Join(args, " "), err, out)
	return ""
}

// collect runs the collector in ns (the test binary as a helper under ip
// netns exec, so that it sees the namespace's /sys) and returns its result.
func (l *lab) collect(ns string, hc helperConfig) helperResult {
	l.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		l.t.Fatal(err)
	}
	raw, _ := json.Marshal(hc)
	ctx, cancel := context.WithTimeout(context.Background(), hc.Wait+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, exe)
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		l.t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	var res helperResult
	if err := json.Unmarshal(out, &res); err != nil {
		l.t.Fatalf("helper output: %v\n%s", err, out)
	}
	return res
}

// adminUp reports whether an interface in ns is administratively up.
func (l *lab) adminUp(ns, ifname string) bool {
	l.t.Helper()
	var links []struct {
		Flags []string `json:"flags"`
	}
	if err := json.Unmarshal([]byte(l.run("ip", "-n", ns, "-j", "link", "show", ifname)), &links); err != nil || len(links) != 1 {
		l.t.Fatalf("ip link show %s: %v", ifname, err)
	}
	for _, f := range links[0].Flags {
		if f == "UP" {
			return true
		}
	}
	return false
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// field drills into lldpcli's JSON; absent keys give nil.
func field(v any, keys ...string) any {
	for _, k := range keys {
		v = asMap(v)[k]
	}
	return v
}

// scalar renders a JSON scalar as lldpcli printed it.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
