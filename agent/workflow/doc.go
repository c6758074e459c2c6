// Package workflow tells, from the host alone, whether a Tinkerbell workflow
// has started on this machine, so that the agent never reboots or powers off
// a machine in the middle of one.
//
// Hook starts its workflow runner (tink-worker, or tink-agent in current
// Tinkerbell) whatever hwagent does, and the runner starts a workflow as soon
// as Tinkerbell has one for the machine. hwagent cannot hold it off, so it
// steps aside instead: once a workflow has started it carries out no reboot
// or power-off and releases itself (see agent.Run). What it looks for, all
// through the host's trees (hostpaths) with no other privilege than the
// host PID namespace (pid: host) it already has:
//
//   - tink-worker's workflow data directory, /run/worker/WORKFLOW-ID on the
//     host (Hook's hook-docker binds /var/run/worker as the worker's
//     /worker; tink-worker binds /worker/WORKFLOW-ID into every action
//     container, which makes Docker create it when the first action
//     starts). It stays until the machine reboots.
//   - an action container running: a containerd shim of the containerd
//     namespace "tinkerbell" (tink-agent's containerd runtime), or a shim of
//     the Docker daemon the worker itself runs under (same containerd
//     address, namespace "moby") other than the worker's own (tink-worker,
//     and tink-agent's Docker runtime). Shims are found by their name
//     (containerd-shim*) and arguments (-namespace, -id, -address) in the
//     host's /proc. This trace lasts while an action runs; the agent
//     therefore watches for it every second once registered.
//
// What it cannot see: a workflow whose runner took it from Tinkerbell but
// whose first action has not started yet (its image is being pulled). A
// reboot then interrupts no action: the runner starts that action again
// after the machine is back.
package workflow
