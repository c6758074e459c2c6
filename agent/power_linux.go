package agent

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Kernel is the real Power: sync(2), then reboot(2). In a container it needs
// CAP_SYS_BOOT and the host's PID namespace (in a child PID namespace
// reboot(2) only ends that namespace's init); LinuxKit and Hook services
// get both with `capabilities: [CAP_SYS_BOOT]` and `pid: host`.
type Kernel struct{}

// Reboot syncs the file systems and restarts the machine.
func (Kernel) Reboot() error { return kernelReboot(unix.LINUX_REBOOT_CMD_RESTART, "restart") }

// PowerOff syncs the file systems and turns the machine off.
func (Kernel) PowerOff() error { return kernelReboot(unix.LINUX_REBOOT_CMD_POWER_OFF, "power off") }

func kernelReboot(cmd int, what string) error {
	unix.Sync()
	if err := unix.Reboot(cmd); err != nil {
		return fmt.Errorf("reboot(2) %s: %w", what, err)
	}
	return nil
}
