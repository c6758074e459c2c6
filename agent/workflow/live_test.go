package workflow

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
)

// helperEnv selects what the test binary plays when started by
// TestDetectLiveProcesses: "root" (PID 1 of a new PID namespace), "shim"
// (a containerd shim starting one child) or "sleep".
const helperEnv = "HWAGENT_WORKFLOW_HELPER"

// TestDetectLiveProcesses runs real processes named as Hook runs them
// (containerd-shim-runc-v2 with containerd's arguments, tink-agent under
// its shim, an action under another shim of the same Docker) in a PID
// namespace of their own, and detects the action from that namespace's
// /proc, then no action once its shim is gone.
func TestDetectLiveProcesses(t *testing.T) {
	lab.Need(t, lab.Root)
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"containerd-shim-runc-v2", "tink-agent", "image2disk"} {
		if err := os.Symlink(exe, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", exe)
	cmd.Env = append(os.Environ(), helperEnv+"=root", "HELPER_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	want := "with action: an action container (Docker container action-51c0f, shim PID ACTION) runs beside tink-agent (PID WORKER)\nwithout action: \n"
	if got := string(out); !strings.Contains(got, want) {
		t.Errorf("helper printed:\n%s\nwant:\n%s", got, want)
	}
}

// TestMain plays the helper process when TestDetectLiveProcesses starts
// the test binary as one (helperEnv set), and runs the tests otherwise.
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		helperProcess(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperProcess is one of TestDetectLiveProcesses's processes; it never
// returns. Its arguments are those Hook's processes have (the test binary
// parses no flags before TestMain calls m.Run).
func helperProcess(mode string) {
	dir := os.Getenv("HELPER_DIR")
	start := func(name string, env []string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(dir, name), args...)
		c.Env = append(os.Environ(), env...)
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			fmt.Println("start:", err)
			os.Exit(2)
		}
		return c
	}
	switch mode {
	case "sleep":
		time.Sleep(time.Minute)
		os.Exit(0)
	case "shim":
		start(os.Getenv("HELPER_CHILD"), []string{helperEnv + "=sleep"})
		time.Sleep(time.Minute)
		os.Exit(0)
	case "root":
		shimArgs := func(id string) []string {
			return []string{"-namespace", "moby", "-id", id, "-address", "/var/run/docker/containerd/containerd.sock"}
		}
		// This process is PID 1; the worker's shim and tink-agent, then the
		// action's shim and image2disk: 5 processes. PIDs are not
		// predictable (Go's threads take some): the output names them.
		start("containerd-shim-runc-v2", []string{helperEnv + "=shim", "HELPER_CHILD=tink-agent"}, shimArgs("worker-9d3c1e2b")...)
		run, err := os.MkdirTemp("", "workflow-run")
		if err != nil {
			fmt.Println("temp dir:", err)
			os.Exit(2)
		}
		p := hostpaths.New("/", hostpaths.Overrides{hostpaths.Run: run})
		waitFor(p, 3, 0, "tink-agent")
		action := start("containerd-shim-runc-v2", []string{helperEnv + "=shim", "HELPER_CHILD=image2disk"}, shimArgs("action-51c0ffee")...)
		procs := waitFor(p, 5, 0, "image2disk")
		ev, err := Detect(p)
		for pid, pr := range procs {
			if pr.comm == "tink-agent" {
				ev = Evidence(strings.ReplaceAll(string(ev), fmt.Sprintf("(PID %d)", pid), "(PID WORKER)"))
			}
		}
		ev = Evidence(strings.ReplaceAll(string(ev), fmt.Sprintf("shim PID %d", action.Process.Pid), "shim PID ACTION"))
		fmt.Printf("with action: %s%v\n", ev, errOrNil(err))
		action.Process.Kill()
		action.Wait()
		waitFor(p, 0, action.Process.Pid, "")
		ev, err = Detect(p)
		fmt.Printf("without action: %s%v\n", ev, errOrNil(err))
		os.RemoveAll(run)
		os.Exit(0)
	}
}

// waitFor polls /proc until n processes exist (n > 0), one of them named
// comm (a child between fork and exec still has its parent's name), or
// process gone (gone > 0) has left, for at most 10 s.
func waitFor(p *hostpaths.Paths, n, gone int, comm string) map[int]*process {
	for i := 0; i < 1000; i++ {
		procs, err := processes(p)
		if err == nil && (n > 0 && len(procs) >= n && named(procs) && hasComm(procs, comm) || gone > 0 && procs[gone] == nil) {
			return procs
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Println("timed out waiting for the process tree")
	os.Exit(2)
	return nil
}

// named: every process but this one (PID 1) has exec-ed its final name
// (not the test binary's).
func named(procs map[int]*process) bool {
	for pid, p := range procs {
		if pid != 1 && strings.HasSuffix(p.comm, ".test") {
			return false
		}
	}
	return true
}

func hasComm(procs map[int]*process, comm string) bool {
	for _, p := range procs {
		if p.comm == comm {
			return true
		}
	}
	return false
}

func errOrNil(err error) string {
	if err != nil {
		return " error " + err.Error()
	}
	return ""
}
