package workflow

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"

	"github.com/hwagent/hwagent/hostpaths"
)

// Evidence is a trace of a started workflow, for logs.
type Evidence string

// WorkerDataDir is tink-worker's workflow data directory on the host (Hook:
// /var/run/worker, /var/run being a link to /run).
var WorkerDataDir = []string{"worker"}

// maxProcesses bounds the process table read: an in-memory OS runs a few
// hundred.
const maxProcesses = 65536

// Detect returns the first trace of a started workflow on the host, "" when
// there is none. Unreadable files say nothing (a process that exited while
// it was read); only an unreadable /proc is an error.
func Detect(p *hostpaths.Paths) (Evidence, error) {
	if ev := workerDirs(p); ev != "" {
		return ev, nil
	}
	procs, err := processes(p)
	if err != nil {
		return "", err
	}
	return actionContainers(procs), nil
}

// workerDirs looks for tink-worker's per-workflow directories.
func workerDirs(p *hostpaths.Paths) Evidence {
	dir := p.Run(WorkerDataDir...)
	entries, err := p.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if e.IsDir() {
			return Evidence(fmt.Sprintf("tink-worker's workflow data directory %s/%s", p.HostPath(dir), printable(e.Name())))
		}
	}
	return ""
}

// process is what Detect needs of one host process.
type process struct {
	pid, ppid int
	comm      string
	shim      *shimArgs // for containerd shims
}

// processes reads the host's process table: name and parent from
// /proc/PID/stat, and the arguments of containerd shims.
func processes(p *hostpaths.Paths) (map[int]*process, error) {
	entries, err := p.ReadDir(p.Proc())
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	procs := map[int]*process{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		if len(procs) >= maxProcesses {
			break
		}
		stat, err := p.ReadFile(p.Proc(e.Name(), "stat"))
		if err != nil {
			continue // exited meanwhile
		}
		comm, ppid, err := ParseStat(stat)
		if err != nil {
			continue
		}
		pr := &process{pid: pid, ppid: ppid, comm: comm}
		if IsShim(comm) {
			if cl, err := p.ReadFile(p.Proc(e.Name(), "cmdline")); err == nil {
				if a, ok := ParseShimArgs(cl); ok {
					pr.shim = &a
				}
			} else if !errors.Is(err, fs.ErrNotExist) {
				continue
			}
		}
		procs[pid] = pr
	}
	return procs, nil
}

// workerNames are the comm of Tinkerbell's workflow runners.
var workerNames = map[string]bool{"tink-worker": true, "tink-agent": true}

// TinkerbellNamespace is the containerd namespace tink-agent's containerd
// runtime runs actions in.
const TinkerbellNamespace = "tinkerbell"

// DockerNamespace is the containerd namespace of Docker's containers.
const DockerNamespace = "moby"

// actionContainers finds a running action container.
func actionContainers(procs map[int]*process) Evidence {
	pids := make([]int, 0, len(procs))
	for pid := range procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	for _, pid := range pids {
		if s := procs[pid].shim; s != nil && s.Namespace == TinkerbellNamespace {
			return Evidence(fmt.Sprintf("an action container runs in tink-agent's containerd namespace %q (task %s, shim PID %d)", TinkerbellNamespace, printable(clip(s.ID, 64)), pid))
		}
	}
	for _, pid := range pids {
		w := procs[pid]
		if !workerNames[w.comm] {
			continue
		}
		own := shimOf(procs, w)
		if own == nil || own.shim.Namespace != DockerNamespace {
			continue
		}
		for _, spid := range pids {
			s := procs[spid].shim
			if s != nil && s.Namespace == DockerNamespace && s.Address == own.shim.Address && s.ID != own.shim.ID {
				return Evidence(fmt.Sprintf("an action container (Docker container %s, shim PID %d) runs beside %s (PID %d)", short(s.ID), spid, w.comm, w.pid))
			}
		}
	}
	return ""
}

// shimOf walks w's parents up to its containerd shim.
func shimOf(procs map[int]*process, w *process) *process {
	for i, pid := 0, w.ppid; i < 64 && pid > 1; i++ {
		p := procs[pid]
		if p == nil {
			return nil
		}
		if p.shim != nil {
			return p
		}
		pid = p.ppid
	}
	return nil
}

// printable quotes s when it holds anything a terminal would act on.
func printable(s string) string {
	q := strconv.QuoteToGraphic(s)
	if q[1:len(q)-1] == s {
		return s
	}
	return q
}

// clip cuts s to at most n bytes.
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// short is a container ID as Docker prints it: 12 characters, quoted when
// odd.
func short(id string) string {
	return printable(clip(id, 12))
}
