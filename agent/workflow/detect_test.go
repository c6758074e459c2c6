package workflow

import (
	"fmt"
	"testing"

	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
)

// proc is one process of a Hook host tree.
type proc struct {
	pid, ppid int
	comm      string
	argv      []string
}

// Hook's process tree as LinuxKit runs it, with the Docker-in-Docker of
// hook-docker and the worker it runs (hook-bootkit starts it as a Docker
// container). Shim arguments are those containerd gives every runc v2 shim.
var (
	hookBase = []proc{
		{1, 0, "init", []string{"/sbin/init"}},
		{310, 1, "containerd", []string{"/usr/bin/containerd"}},
		{402, 1, "containerd-shim", []string{"/usr/bin/containerd-shim-runc-v2", "-namespace", "services.linuxkit", "-id", "hook-docker", "-address", "/run/containerd/containerd.sock"}},
		{415, 402, "dockerd", []string{"dockerd", "--host=unix:///var/run/docker.sock"}},
		{430, 415, "containerd", []string{"containerd", "--config", "/var/run/docker/containerd/containerd.toml"}},
		{460, 1, "containerd-shim", []string{"/usr/bin/containerd-shim-runc-v2", "-namespace", "services.linuxkit", "-id", "hwagent", "-address", "/run/containerd/containerd.sock"}},
		{471, 460, "hwagent", []string{"/hwagent", "run"}},
		{601, 402, "containerd-shim", []string{"/usr/local/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", "9d3c1e2b4a5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", "-address", "/var/run/docker/containerd/containerd.sock"}},
	}
	tinkWorker = proc{612, 601, "tink-worker", []string{"/usr/bin/tink-worker"}}
	tinkAgent  = proc{612, 601, "tink-agent", []string{"/tink-agent", "--runtime", "docker"}}
	// An action container in the same Docker (image2disk writing the disk).
	dockerAction = []proc{
		{700, 402, "containerd-shim", []string{"/usr/local/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", "51c0ffee00aa11bb22cc33dd44ee55ff66778899aabbccddeeff001122334455", "-address", "/var/run/docker/containerd/containerd.sock"}},
		{711, 700, "image2disk", []string{"/usr/bin/image2disk"}},
	}
	// tink-agent's containerd runtime: actions in the host containerd's
	// namespace "tinkerbell".
	containerdAction = []proc{
		{800, 1, "containerd-shim", []string{"/usr/bin/containerd-shim-runc-v2", "-namespace", "tinkerbell", "-id", "stream-ubuntu-image-0", "-address", "/run/containerd/containerd.sock"}},
		{812, 800, "image2disk", []string{"/usr/bin/image2disk"}},
	}
	// A second Docker elsewhere (not the worker's) running something.
	otherDocker = []proc{
		{900, 1, "containerd-shim", []string{"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", "aaaa", "-address", "/run/other/containerd.sock"}},
	}
)

func hookTree(t *testing.T, procs []proc, extra map[string]string) *hostpaths.Paths {
	files := map[string]string{}
	for _, p := range procs {
		files[fmt.Sprintf("proc/%d/stat", p.pid)] = fmt.Sprintf("%d (%s) S %d %d 0 0 -1 4194560 120 0 0 0 1 2 0 0 20 0 1 0 300 1234 56", p.pid, p.comm, p.ppid, p.pid)
		cmdline := ""
		for _, a := range p.argv {
			cmdline += a + "\x00"
		}
		files[fmt.Sprintf("proc/%d/cmdline", p.pid)] = cmdline
	}
	files["proc/self/stat"] = "1 (x) S 0 1"
	for k, v := range extra {
		files[k] = v
	}
	dir := t.TempDir()
	testutil.WriteTree(t, dir, files)
	return hostpaths.New(dir, nil)
}

func join(lists ...[]proc) []proc {
	var out []proc
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		procs []proc
		extra map[string]string
		want  Evidence
	}{
		{"idle tink-worker", join(hookBase, []proc{tinkWorker}), nil, ""},
		{"idle tink-agent", join(hookBase, []proc{tinkAgent}), nil, ""},
		{"empty /run/worker", join(hookBase, []proc{tinkWorker}), map[string]string{"run/worker/": ""}, ""},
		{"no worker at all", hookBase, nil, ""},
		{"tink-worker ran an action", join(hookBase, []proc{tinkWorker}), map[string]string{"run/worker/0b8b2a5e-6f1e-4c1a-9d1e-2f3a4b5c6d7e/": ""},
			"tink-worker's workflow data directory /run/worker/0b8b2a5e-6f1e-4c1a-9d1e-2f3a4b5c6d7e"},
		{"tink-worker action running", join(hookBase, []proc{tinkWorker}, dockerAction), nil,
			"an action container (Docker container 51c0ffee00aa, shim PID 700) runs beside tink-worker (PID 612)"},
		{"tink-agent docker action running", join(hookBase, []proc{tinkAgent}, dockerAction), nil,
			"an action container (Docker container 51c0ffee00aa, shim PID 700) runs beside tink-agent (PID 612)"},
		{"tink-agent containerd action running", join(hookBase, []proc{tinkAgent}, containerdAction), nil,
			`an action container runs in tink-agent's containerd namespace "tinkerbell" (task stream-ubuntu-image-0, shim PID 800)`},
		{"a container of another Docker is no action", join(hookBase, []proc{tinkWorker}, otherDocker), nil, ""},
		{"an action without the worker is no evidence (not Tinkerbell's)", join(hookBase, dockerAction), nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Detect(hookTree(t, tc.procs, tc.extra))
			if err != nil || got != tc.want {
				t.Errorf("Detect = %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

func TestDetectWithoutProc(t *testing.T) {
	t.Parallel()
	if _, err := Detect(hostpaths.New(t.TempDir(), nil)); err == nil {
		t.Error("no error without /proc")
	}
}
