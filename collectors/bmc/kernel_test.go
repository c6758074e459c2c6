package bmc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/lab"
	"github.com/hwagent/hwagent/inventory"
)

// hookDefaultRelease stands for Tinkerbell Hook's default kernel (5.10.y,
// kernel/configs/generic-5.10.y-x86_64 has no CONFIG_IPMI_* at all).
const hookDefaultRelease = "5.10.228"

// kernelTree is a live-looking host: sysfs with a module directory (so the
// collector can judge the driver), the kernel release, and the modules
// directory of that release with the given driver directories.
func kernelTree(t *testing.T, loaded []string, driverDirs ...string) *host {
	h := newHost(t)
	h.write("proc/sys/kernel/osrelease", []byte(hookDefaultRelease+"\n"))
	h.write("sys/module/virtio_net/parameters/napi_tx", []byte("Y\n"))
	for _, m := range loaded {
		h.write("sys/module/"+m+"/refcnt", []byte("0\n"))
	}
	for _, d := range driverDirs {
		if err := os.MkdirAll(filepath.Join(h.root, "lib/modules", hookDefaultRelease, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestKernelWithoutIPMI(t *testing.T) {
	t.Parallel()
	noSupport := "the running kernel (5.10.228) has no IPMI support: ipmi_msghandler is neither built in nor loaded and /lib/modules/5.10.228 has no IPMI driver; whether this machine has a BMC is unknown. Boot a kernel built with IPMI: " + HookIPMIKernel
	notLoaded := "the running kernel (5.10.228) has IPMI drivers but none is loaded (no /sys/module/ipmi_msghandler); whether this machine has a BMC is unknown. Load ipmi_si and ipmi_devintf (the hwagent-modules onboot step)"
	unseen := "the running kernel (5.10.228) has no IPMI driver loaded (no /sys/module/ipmi_msghandler) and its modules (/lib/modules/5.10.228) are not visible here; whether this machine has a BMC is unknown. Load ipmi_si and ipmi_devintf, or, if the kernel has no IPMI support (Tinkerbell Hook's default kernel), boot one that has: " + HookIPMIKernel
	for _, tc := range []struct {
		name string
		h    func(t *testing.T) *host
		want string // the failure; "" for not applicable
	}{
		{"hook default kernel", func(t *testing.T) *host { return kernelTree(t, nil, "kernel/drivers/net") }, noSupport},
		{"modules not loaded", func(t *testing.T) *host { return kernelTree(t, nil, "kernel/drivers/char/ipmi") }, notLoaded},
		{"modules not visible", func(t *testing.T) *host { return kernelTree(t, nil) }, unseen},
		{"driver loaded, no BMC", func(t *testing.T) *host {
			return kernelTree(t, []string{"ipmi_msghandler", "ipmi_devintf"}, "kernel/drivers/char/ipmi")
		}, ""},
		{"recorded tree without /sys/module", func(t *testing.T) *host { return newHost(t) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.h(t)
			apply, err := bmcCollector{}.Collect(t.Context(), h.env(0, opener(simBMC(t))))
			if apply != nil {
				t.Fatalf("Collect filled a BMC section; err %v", err)
			}
			if tc.want == "" {
				if !errors.Is(err, collector.ErrNotApplicable) || !strings.Contains(err.Error(), "no BMC") {
					t.Errorf("err = %v, want not applicable (no BMC)", err)
				}
				return
			}
			if err == nil || errors.Is(err, collector.ErrNotApplicable) || err.Error() != tc.want {
				t.Errorf("err = %v\nwant failure %q", err, tc.want)
			}
		})
	}
}

// With SMBIOS type 38 the BMC exists: partial, and the warning names the
// kernel's missing IPMI support instead of modules to load.
func TestType38KernelWithoutIPMI(t *testing.T) {
	t.Parallel()
	h := kernelTree(t, nil, "kernel/drivers/net")
	h.smbiosDump("SuperMicro-X9DBL.bin")
	got, err := collect(t, bmcCollector{}, h.env(0, opener(simBMC(t))))
	if diff := cmp.Diff(&inventory.BMC{Interface: x9dblIPMI}, got); diff != "" {
		t.Errorf("BMC (-want +got):\n%s", diff)
	}
	want := []string{"IPMI KCS interface at 0xca2 in SMBIOS but no /dev/ipmi0: the running kernel (5.10.228) has no IPMI support: ipmi_msghandler is neither built in nor loaded and /lib/modules/5.10.228 has no IPMI driver; whether this machine has a BMC is unknown. Boot a kernel built with IPMI: " + HookIPMIKernel}
	if diff := cmp.Diff(want, warnings(err)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// On the machine running the test: the verdict agrees with the kernel's
// own /sys/module.
func TestIPMIDriverLive(t *testing.T) {
	t.Parallel()
	lab.Need(t, lab.Sysfs)
	got := ipmiDriverProblem(hostpaths.New("/", nil))
	release, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	_, loaded := os.Stat("/sys/module/ipmi_msghandler")
	switch {
	case loaded == nil && got != "":
		t.Errorf("ipmi_msghandler is loaded here, yet: %s", got)
	case loaded != nil && !strings.Contains(got, "("+strings.TrimSpace(string(release))+")"):
		t.Errorf("no ipmi_msghandler here, yet the verdict is %q", got)
	}
	t.Logf("this machine: %q", got)
}
