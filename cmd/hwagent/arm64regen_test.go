//go:build linux && regenerate

package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
)

// arm64CPUFixtures are the cores whose /proc/cpuinfo and CPU sysfs the cpu
// collector's fixtures hold: the arm64 kernel's own output for QEMU's
// models of real cores (their MIDR is the core's), 4 CPUs, UEFI and ACPI
// as on servers.
var arm64CPUFixtures = []string{"cortex-a57", "cortex-a72", "cortex-a76", "neoverse-n1"}

// TestRegenerateArm64CPU captures the cpu collector's view of arm64 guests
// with `hwagent snapshot --collectors cpu,host` into
// collectors/cpu/testdata/qemu-arm64/CPU. It is built only with the tag
// regenerate (it rewrites fixtures; it is no test):
//
//	go test -tags regenerate ./cmd/hwagent -run TestRegenerateArm64CPU
func TestRegenerateArm64CPU(t *testing.T) {
	lab.Need(t, lab.QEMUArm64)
	ctx := context.Background()
	guest, err := lab.NewGuestFor(ctx, "arm64")
	if err != nil {
		t.Fatal(err)
	}
	for _, cpu := range arm64CPUFixtures {
		t.Run(cpu, func(t *testing.T) {
			r, err := guest.Initramfs()
			if err != nil {
				t.Fatal(err)
			}
			r.File("/init", []byte(lab.InitScript{Commands: []lab.Command{{
				Name:  "snapshot",
				Shell: "hostname arm-" + cpu + "; hwagent snapshot --out - --collectors cpu,host | base64",
			}}}.Script()), 0o755)
			initrd := filepath.Join(t.TempDir(), "initramfs.cpio.gz")
			if err := r.WriteFile(initrd); err != nil {
				t.Fatal(err)
			}
			vm := &lab.VM{Arch: "arm64", CPU: cpu, CPUs: 4, Memory: 512, Firmware: lab.ArmUEFIFirmware,
				Kernel: guest.Kernel.Vmlinuz, Initramfs: initrd, Timeout: 5 * time.Minute}
			console, err := vm.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out, err := lab.CommandOutput(console, "snapshot")
			if err != nil || out.ExitCode != 0 {
				t.Fatalf("snapshot: %v %+v", err, out)
			}
			tgz, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(out.Stdout), ""))
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join("..", "..", "collectors", "cpu", "testdata", "qemu-arm64", cpu)
			os.RemoveAll(dir)
			if err := untar(tgz, dir); err != nil {
				t.Fatal(err)
			}
			doc := fmt.Sprintf("QEMU %s -M virt -cpu %s -smp 4 -bios %s, kernel %s (%s %s), captured %s with hwagent snapshot --collectors cpu,host\n",
				qemuVersion(), cpu, lab.ArmUEFIFirmware, guest.Kernel.Release, guest.Kernel.Package, guest.Kernel.Version, time.Now().UTC().Format("2006-01-02"))
			if err := os.WriteFile(filepath.Join(dir, "CAPTURED"), []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}
