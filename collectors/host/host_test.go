package host

import (
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/internal/testutil"
	"github.com/hwagent/hwagent/inventory"
)

func collect(t testing.TB, paths *hostpaths.Paths) (*inventory.Host, error) {
	t.Helper()
	inv, err := collectortest.CollectPaths(t, New(), paths, collector.Config{})
	return inv.Host, err
}

func TestCollectLocal(t *testing.T) {
	t.Parallel()
	got, err := collect(t, hostpaths.New(filepath.Join("testdata", "local", "vm-virtio"), nil))
	if err != nil {
		t.Fatal(err)
	}
	// Values as captured in testdata/local/vm-virtio.
	want := &inventory.Host{
		Hostname:          "vm",
		KernelRelease:     "6.18.44-fc-v769",
		KernelVersion:     "#1 SMP PREEMPT_DYNAMIC @0",
		Architecture:      "amd64",
		OS:                "Debian GNU/Linux 12 (bookworm)",
		KernelCommandLine: got.KernelCommandLine,
		BootID:            "fe37f5e4-a9f3-4fee-a382-17b6ddc47a4d",
		UptimeSeconds:     1251.07,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("host (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.KernelCommandLine, "mitigations=auto,no_guest_host,no_guest_guest console=ttyS0 quiet") {
		t.Errorf("KernelCommandLine = %q", got.KernelCommandLine)
	}
	golden(t, "local/vm-virtio", got, err)
}

// golden compares the section and the warnings with
// testdata/golden/<fixture>.json; -update rewrites it.
func golden(t *testing.T, fixture string, h *inventory.Host, err error) {
	t.Helper()
	testutil.GoldenJSON(t, testutil.GoldenPath(fixture), struct {
		Host     *inventory.Host `json:"host"`
		Warnings []string        `json:"warnings,omitempty"`
	}{h, collectortest.Warnings(err)}, *testutil.Update)
}

// hookCmdline has the shape of the command line Tinkerbell's Smee writes in
// its iPXE script for Hook (parameters from smee's ipxe script template;
// addresses and MAC are documentation values).
const hookCmdline = `facility=onprem syslog_host=192.0.2.10 grpc_authority=192.0.2.10:42113 tinkerbell_tls=false worker_id=52:54:00:12:34:56 hw_addr=52:54:00:12:34:56 modules=loop,squashfs,sd-mod,usb-storage intel_iommu=on iommu=pt initrd=initramfs-x86_64 console=tty0 console=ttyS1,115200`

func TestCollectTrees(t *testing.T) {
	t.Parallel()
	kernel := map[string]string{
		"proc/sys/kernel/osrelease": "6.6.108\n",
		"proc/sys/kernel/hostname":  "hook\n",
		"proc/uptime":               "35.12 60.01\n",
	}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range kernel {
			out[k] = v
		}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name      string
		files     map[string]string
		overrides func(root string) hostpaths.Overrides
		want      inventory.Host
		warnings  []string
	}{
		{
			name: "tinkerbell hook, absolute os-release link, aarch64",
			files: with(map[string]string{
				"proc/cmdline":         hookCmdline + "\n",
				"proc/sys/kernel/arch": "aarch64\n",
				"etc/os-release":       "->/usr/lib/os-release",
				"usr/lib/os-release":   "NAME=\"LinuxKit\"\nPRETTY_NAME='LinuxKit \"Hook\"'\n",
			}),
			want: inventory.Host{
				Hostname: "hook", KernelRelease: "6.6.108", Architecture: "arm64", OS: `LinuxKit "Hook"`,
				KernelCommandLine: hookCmdline, UptimeSeconds: 35.12,
				WorkerID: "52:54:00:12:34:56", HWAddr: "52:54:00:12:34:56",
			},
		},
		{
			name: "hanlon layout: etc elsewhere, relative link into usr",
			files: with(map[string]string{
				"host-etc/os-release":    "->../usr/lib/os-release",
				"usr/lib/os-release":     "NAME=Alpine\nVERSION=3.20\n",
				"proc/sys/kernel/arch":   "x86_64\n",
				"agent-decoy/os-release": "PRETTY_NAME=agent\n",
			}),
			overrides: func(root string) hostpaths.Overrides {
				return hostpaths.Overrides{hostpaths.Etc: filepath.Join(root, "host-etc")}
			},
			want: inventory.Host{Hostname: "hook", KernelRelease: "6.6.108", Architecture: "amd64", OS: "Alpine 3.20", UptimeSeconds: 35.12},
		},
		{
			name:  "no os-release, no arch: the agent's architecture",
			files: with(nil),
			want:  inventory.Host{Hostname: "hook", KernelRelease: "6.6.108", Architecture: runtime.GOARCH, UptimeSeconds: 35.12},
		},
		{
			name:     "corrupt uptime is a warning",
			files:    with(map[string]string{"proc/uptime": "soon\n", "proc/sys/kernel/arch": "riscv64\n"}),
			want:     inventory.Host{Hostname: "hook", KernelRelease: "6.6.108", Architecture: "riscv64"},
			warnings: []string{`/proc/uptime: bad /proc/uptime: "soon"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			testutil.WriteTree(t, root, tt.files)
			var o hostpaths.Overrides
			if tt.overrides != nil {
				o = tt.overrides(root)
			}
			got, err := collect(t, hostpaths.New(root, o))
			warnings := collectortest.Warnings(err)
			if warnings == nil && err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("host (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectNoKernel(t *testing.T) {
	t.Parallel()
	_, err := collect(t, hostpaths.New(t.TempDir(), nil))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want ErrNotExist", err)
	}
}

func TestGOARCH(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm", "ppc64le": "ppc64le", "s390x": "s390x", "sparc64": "sparc64"} {
		if got := GOARCH(in); got != want {
			t.Errorf("GOARCH(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkCollect(b *testing.B) {
	collectortest.Benchmark(b, New(), filepath.Join("testdata", "local", "vm-virtio"), collector.Config{})
}

// TestTokenNeverInInventory: an enrollment token given on the kernel command
// line (hwagent.token=) is not copied into the inventory.
func TestTokenNeverInInventory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	line := hookCmdline + " hwagent.server=https://192.0.2.10:8443 hwagent.token=s3cr3t-enrol\n"
	testutil.WriteTree(t, dir, map[string]string{"proc/cmdline": line, "proc/sys/kernel/osrelease": "6.6.60-hook\n"})
	inv, err := collectortest.Collect(t, New(), dir, collector.Config{})
	if inv.Host == nil {
		t.Fatalf("no result: %v", err)
	}
	if strings.Contains(inv.Host.KernelCommandLine, "s3cr3t") || !strings.Contains(inv.Host.KernelCommandLine, "hwagent.token=[redacted]") {
		t.Errorf("kernel command line = %q", inv.Host.KernelCommandLine)
	}
	if inv.Host.WorkerID != "52:54:00:12:34:56" {
		t.Errorf("worker_id = %q", inv.Host.WorkerID)
	}
}

// TestSnapshotRoundTrip checks that every file the collector reads goes
// through hostpaths: what `hwagent snapshot` records from a fixture,
// unpacked, gives the same section.
func TestSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	collectortest.SnapshotRoundTrip(t, New(), filepath.Join("testdata", "local", "vm-virtio"))
}
