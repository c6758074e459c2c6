package bmc

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/hwagent/hwagent/hostpaths"
)

// HookIPMIKernel names the Tinkerbell Hook kernels built with IPMI: Hook's
// default kernel (5.10, hook-default-*) has no IPMI driver at all; its
// latest-LTS kernel (6.6, hook-latest-lts-amd64 and -arm64, files
// vmlinuz-latest-lts-ARCH) has ipmi_msghandler, ipmi_si and ipmi_devintf
// built in.
const HookIPMIKernel = "Tinkerbell Hook's latest-LTS kernel (hook-latest-lts-amd64/-arm64, vmlinuz-latest-lts-*)"

// ipmiDriverProblem says why there can be no IPMI device node when the
// running kernel's IPMI driver is absent, "" when the driver is there (it
// probed and found no BMC) or when the tree cannot tell (a recorded host
// without /sys/module). It looks at:
//   - /sys/module/ipmi_msghandler: the IPMI core, present when built in
//     (it has parameters) or loaded;
//   - the host's lib/modules/RELEASE/kernel/drivers/char/ipmi: where every
//     kernel build installs the IPMI modules, when lib/modules is visible
//     (images/linuxkit/hwagent.yml binds it; Hook's /host_root has it).
//
// Without the driver nothing can tell whether the machine has a BMC, so the
// collector must not say "no BMC".
func ipmiDriverProblem(p *hostpaths.Paths) string {
	if _, err := p.Stat(p.Sys("module")); err != nil {
		return "" // not a live sysfs, or not visible: cannot tell
	}
	if _, err := p.Stat(p.Sys("module", "ipmi_msghandler")); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	release, err := p.ReadString(p.Proc("sys", "kernel", "osrelease"))
	if err != nil || release == "" || filepath.Base(release) != release {
		release = "?"
	}
	modules := filepath.Join(p.Root, "lib", "modules", release)
	hostModules := "/lib/modules/" + release
	_, errDir := p.Stat(modules)
	_, errIPMI := p.Stat(filepath.Join(modules, "kernel", "drivers", "char", "ipmi"))
	switch {
	case release != "?" && errDir == nil && errors.Is(errIPMI, fs.ErrNotExist):
		return fmt.Sprintf("the running kernel (%s) has no IPMI support: ipmi_msghandler is neither built in nor loaded and %s has no IPMI driver; whether this machine has a BMC is unknown. Boot a kernel built with IPMI: %s", release, hostModules, HookIPMIKernel)
	case errDir == nil && errIPMI == nil:
		return fmt.Sprintf("the running kernel (%s) has IPMI drivers but none is loaded (no /sys/module/ipmi_msghandler); whether this machine has a BMC is unknown. Load ipmi_si and ipmi_devintf (the hwagent-modules onboot step)", release)
	}
	return fmt.Sprintf("the running kernel (%s) has no IPMI driver loaded (no /sys/module/ipmi_msghandler) and its modules (%s) are not visible here; whether this machine has a BMC is unknown. Load ipmi_si and ipmi_devintf, or, if the kernel has no IPMI support (Tinkerbell Hook's default kernel), boot one that has: %s", release, hostModules, HookIPMIKernel)
}
