package lab

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInitramfsReadByCpio writes an archive and lists it with GNU cpio.
func TestInitramfsReadByCpio(t *testing.T) {
	t.Parallel()
	Need(t, CPIO)
	r := NewInitramfs()
	r.File("/etc/motd", []byte("hello\n"), 0o644)
	r.File("bin/tool", []byte("#!/bin/sh\n"), 0o755)
	r.Symlink("/bin/sh", "busybox")
	r.Dir("/var/empty")
	var gz bytes.Buffer
	if _, err := r.WriteTo(&gz); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&gz)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("cpio", "-itv", "--quiet")
	cmd.Stdin = bytes.NewReader(raw)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -itv: %v", err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l)
		// mode links owner group size-or-dev month day time name [-> target]
		entry := f[0] + " " + f[len(f)-1]
		if f[0][0] == 'l' {
			entry = f[0] + " " + f[len(f)-3] + " -> " + f[len(f)-1]
		}
		if f[0][0] == 'c' {
			entry = f[0] + " " + f[4] + f[5] + " " + f[len(f)-1]
		}
		got = append(got, entry)
	}
	want := []string{
		"drwxr-xr-x bin",
		"lrwxrwxrwx bin/sh -> busybox",
		"-rwxr-xr-x bin/tool",
		"drwxr-xr-x dev",
		"crw------- 5,1 dev/console",
		"drwxr-xr-x etc",
		"-rw-r--r-- etc/motd",
		"drwxr-xr-x var",
		"drwxr-xr-x var/empty",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cpio -itv (-want +got):\n%s", diff)
	}
	// And the contents come back.
	dir := t.TempDir()
	cmd = exec.Command("cpio", "-id", "--quiet", "--no-absolute-filenames", "etc/motd")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cpio -id: %v %s", err, out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "etc", "motd")); err != nil || string(b) != "hello\n" {
		t.Errorf("etc/motd = %q, %v", b, err)
	}
}

func TestInitScriptSyntax(t *testing.T) {
	t.Parallel()
	Need(t, QEMU)
	s := InitScript{
		Modules:  []string{"ipmi_msghandler", "ipmi_si"},
		Net:      []NetConfig{{Interface: "eth0", CIDR: "10.0.2.15/24", Gateway: "10.0.2.2"}},
		WaitFor:  []string{"/dev/ipmi0", "/dev/it's"},
		Commands: []Command{{Name: "a", Shell: "echo 'x' | tr x y"}, {Name: "b", Shell: "exit 3"}},
	}.Script()
	cmd := exec.Command("busybox", "sh", "-n")
	cmd.Stdin = strings.NewReader(s)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("busybox sh -n: %v %s\n%s", err, out, s)
	}
	for _, want := range []string{"insmod /lib/modules/ipmi_msghandler.ko", "ip route add default via 10.0.2.2 dev eth0", "poweroff -f"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
}

func TestCommandOutput(t *testing.T) {
	t.Parallel()
	console := "SeaBIOS\r\n[    0.1] noise\r\n" +
		"@@lab@@ insmod e1000 failed\r\n" +
		"@@lab@@ begin dump\r\n{\"a\": 1}\r\n\r\n@@lab@@ end dump\r\n" +
		"@@lab@@ begin dump.stderr\r\nwarning\r\n@@lab@@ end dump.stderr\r\n" +
		"@@lab@@ rc dump 2\r\n" +
		"@@lab@@ begin empty\r\n\r\n@@lab@@ end empty\r\n@@lab@@ begin empty.stderr\r\n\r\n@@lab@@ end empty.stderr\r\n@@lab@@ rc empty 0\r\n" +
		"@@lab@@ begin cut\r\npartial"
	got, err := CommandOutput(console, "dump")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Output{Stdout: "{\"a\": 1}\n", Stderr: "warning", ExitCode: 2}); got != want {
		t.Errorf("dump = %+v, want %+v", got, want)
	}
	if got, err := CommandOutput(console, "empty"); err != nil || got != (Output{}) {
		t.Errorf("empty = %+v, %v", got, err)
	}
	if _, err := CommandOutput(console, "cut"); err == nil {
		t.Error("cut: no error")
	}
	if _, err := CommandOutput(console, "missing"); err == nil {
		t.Error("missing: no error")
	}
	if diff := cmp.Diff([]string{"insmod e1000 failed"}, Problems(console)); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
}

func TestVMArgs(t *testing.T) {
	t.Parallel()
	v := VM{Kernel: "vmlinuz", Initramfs: "initrd", Append: "hwagent.x=1", Memory: 256,
		SMBIOS: []string{"type=1,serial=SN1"},
		NICs:   []NIC{{MAC: "52:54:00:12:34:56"}, {Model: "e1000", Netdev: "tap,ifname=tap0,script=no,downscript=no"}},
		BMC:    &BuiltinBMC{ManufacturerID: 674, FirmwareMajor: 2, FirmwareMinor: 0x92}}
	want := []string{
		"-accel", "tcg", "-cpu", "max", "-m", "256", "-smp", "1", "-nographic", "-no-reboot",
		"-kernel", "vmlinuz", "-initrd", "initrd", "-append", "console=ttyS0 no_timer_check panic=-1 quiet hwagent.x=1",
		"-smbios", "type=1,serial=SN1",
		"-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0,romfile=,mac=52:54:00:12:34:56",
		"-netdev", "tap,id=n1,ifname=tap0,script=no,downscript=no", "-device", "e1000,netdev=n1,romfile=",
		"-device", "ipmi-bmc-sim,id=bmc0,mfg_id=674,fwrev1=2,fwrev2=146", "-device", "isa-ipmi-kcs,bmc=bmc0",
	}
	if diff := cmp.Diff(want, v.Args()); diff != "" {
		t.Errorf("Args (-want +got):\n%s", diff)
	}
	ext := ExternalBMC{Addr: "127.0.0.1:9002"}.qemuArgs()
	if !slices.Contains(ext, "socket,id=ipmi0,host=127.0.0.1,port=9002,reconnect=10") {
		t.Errorf("external BMC args %q", ext)
	}
}

// TestKernelModules resolves modules of the Debian kernel and checks each
// one's dependencies against modinfo (kmod).
func TestKernelModules(t *testing.T) {
	t.Parallel()
	Need(t, QEMU)
	Need(t, Modinfo)
	k, err := DebianKernel(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	mods, err := k.Modules("virtio_net", "ipmi_si", "ipmi-devintf", "e1000", "virtio_pci")
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, m := range mods {
		if _, dup := pos[m.Name]; dup {
			t.Errorf("%s listed twice", m.Name)
		}
		pos[m.Name] = i
	}
	for i, m := range mods {
		out, err := exec.Command("modinfo", "-F", "depends", m.Path).Output()
		if err != nil {
			t.Fatalf("modinfo %s: %v", m.Path, err)
		}
		for _, d := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' }) {
			if j, ok := pos[moduleName(d)]; !ok || j > i {
				t.Errorf("%s depends on %s (modinfo), which is not loaded before it", m.Name, d)
			}
		}
	}
	for _, n := range []string{"ipmi_msghandler", "ipmi_devintf", "ipmi_si", "virtio_ring", "virtio", "virtio_net", "e1000"} {
		if _, ok := pos[n]; !ok {
			t.Errorf("%s missing from %v", n, mods)
		}
	}
	if _, err := k.Modules("no_such_module"); err == nil {
		t.Error("no_such_module: no error")
	}
}

// TestBoot boots a guest with SMBIOS values and a NIC and reads them back.
func TestBoot(t *testing.T) {
	t.Parallel()
	Need(t, QEMU)
	ctx := t.Context()
	k, err := DebianKernel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mods, err := k.Modules("virtio_net", "virtio_pci")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	r := NewInitramfs()
	if err := r.Busybox(); err != nil {
		t.Fatal(err)
	}
	if err := r.Modules(mods); err != nil {
		t.Fatal(err)
	}
	r.File("/init", []byte(InitScript{
		Modules: names,
		Net:     []NetConfig{{Interface: "eth0", CIDR: "10.0.2.15/24"}},
		Commands: []Command{
			{Name: "facts", Shell: "uname -r; cat /sys/class/dmi/id/product_serial /sys/class/dmi/id/sys_vendor /sys/class/net/eth0/address; ip -4 -o addr show eth0 | awk '{print $4}'"},
			{Name: "fails", Shell: "echo oops >&2; exit 7"},
		},
	}.Script()), 0o755)
	initrd := filepath.Join(t.TempDir(), "initrd.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	vm := VM{Kernel: k.Vmlinuz, Initramfs: initrd,
		SMBIOS: []string{"type=1,manufacturer=Acme,product=X1,serial=SN123"},
		NICs:   []NIC{{MAC: "52:54:00:12:34:56"}}}
	console, err := vm.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := Problems(console); len(p) > 0 {
		t.Errorf("problems: %v", p)
	}
	got, err := CommandOutput(console, "facts")
	if err != nil {
		t.Fatal(err)
	}
	want := Output{Stdout: strings.Join([]string{k.Release, "SN123", "Acme", "52:54:00:12:34:56", "10.0.2.15/24"}, "\n") + "\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if got, err := CommandOutput(console, "fails"); err != nil || got != (Output{Stderr: "oops\n", ExitCode: 7}) {
		t.Errorf("fails = %+v, %v", got, err)
	}
}
