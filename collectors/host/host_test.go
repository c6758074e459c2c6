package host

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/inventory"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the collector's output")

func collect(t testing.TB, paths *hostpaths.Paths) (*inventory.Host, error) {
	t.Helper()
	apply, err := New().Collect(context.Background(), collector.NewEnv(paths, nil, collector.Config{}))
	if apply == nil {
		return nil, err
	}
	var inv inventory.Inventory
	apply(&inv)
	return inv.Host, err
}

func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
	golden(t, "local_vm-virtio.json", got, err)
}

func golden(t *testing.T, name string, h *inventory.Host, err error) {
	t.Helper()
	var warnings []string
	var p *collector.PartialError
	if errors.As(err, &p) {
		warnings = p.Warnings
	}
	got, jerr := json.MarshalIndent(struct {
		Host     *inventory.Host `json:"host"`
		Warnings []string        `json:"warnings,omitempty"`
	}{h, warnings}, "", "  ")
	if jerr != nil {
		t.Fatal(jerr)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, rerr := os.ReadFile(path)
	if rerr != nil {
		t.Fatalf("%v (run go test -update to create it)", rerr)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
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
			writeTree(t, root, tt.files)
			var o hostpaths.Overrides
			if tt.overrides != nil {
				o = tt.overrides(root)
			}
			got, err := collect(t, hostpaths.New(root, o))
			var warnings []string
			var p *collector.PartialError
			if errors.As(err, &p) {
				warnings = p.Warnings
			} else if err != nil {
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
	env := collector.NewEnv(hostpaths.New(filepath.Join("testdata", "local", "vm-virtio"), nil), nil, collector.Config{})
	c := New()
	for b.Loop() {
		if _, err := c.Collect(context.Background(), env); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTokenNeverInInventory: an enrollment token given on the kernel command
// line (hwagent.token=) is not copied into the inventory.
func TestTokenNeverInInventory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	line := hookCmdline + " hwagent.server=https://192.0.2.10:8443 hwagent.token=s3cr3t-enrol\n"
	for name, data := range map[string]string{"cmdline": line, "sys/kernel/osrelease": "6.6.60-hook\n"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, "proc", name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "proc", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := collector.NewEnv(hostpaths.New(dir, nil), nil, collector.Config{})
	apply, err := New().Collect(context.Background(), env)
	if apply == nil {
		t.Fatalf("no result: %v", err)
	}
	var inv inventory.Inventory
	apply(&inv)
	if strings.Contains(inv.Host.KernelCommandLine, "s3cr3t") || !strings.Contains(inv.Host.KernelCommandLine, "hwagent.token=[redacted]") {
		t.Errorf("kernel command line = %q", inv.Host.KernelCommandLine)
	}
	if inv.Host.WorkerID != "52:54:00:12:34:56" {
		t.Errorf("worker_id = %q", inv.Host.WorkerID)
	}
}
