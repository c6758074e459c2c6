//go:build linux

package main

import (
	"context"
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hwagent/hwagent/internal/lab"
)

var guestBench = flag.Bool("guest-bench", false, "time hwagent, dmidecode and lshw inside the qemu-pc-smbios2 guest (TCG)")

// guestTools are timed inside the guest, each run guestRuns times in a
// row. dmidecode and lshw are the host's Debian binaries with their shared
// libraries copied into the initramfs.
var guestTools = []struct{ name, shell string }{
	{"hwagent dump -o json --lldp-wait 0", "hwagent dump -o json --lldp-wait 0"},
	{"hwagent dump --collectors system,memory", "hwagent dump -o json --collectors system,memory"},
	{"dmidecode", "dmidecode"},
	{"lshw -json", "lshw -json"},
}

const guestRuns = 10

// TestGuestBench boots the qemu-pc-smbios2 guest and times each of
// guestTools there, with /proc/uptime (10 ms ticks) around guestRuns runs.
// Under TCG only the ratios mean anything. It runs with -guest-bench and
// logs the figures; it asserts nothing about them.
func TestGuestBench(t *testing.T) {
	if !*guestBench {
		t.Skip("boots a QEMU guest to time tools in it: run with -guest-bench -v")
	}
	lab.Need(t, lab.QEMU, lab.Dmidecode, lab.Lshw)
	ctx := context.Background()
	g, err := lab.NewGuest(ctx, qemuModules...)
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Initramfs()
	if err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"dmidecode", "lshw"} {
		if err := addDynamic(r, prog); err != nil {
			t.Fatal(err)
		}
	}
	var cmds []lab.Command
	for i, tool := range guestTools {
		cmds = append(cmds, lab.Command{
			Name: fmt.Sprintf("t%d", i),
			Shell: fmt.Sprintf(`read a x </proc/uptime; i=0; while [ $i -lt %d ]; do %s >/dev/null 2>&1 || echo failed; i=$((i+1)); done; read b x </proc/uptime; echo "$a $b"`,
				guestRuns, tool.shell),
		})
	}
	r.File("/init", []byte(lab.InitScript{Modules: g.ModuleNames, Commands: cmds}.Script()), 0o755)
	initrd := filepath.Join(t.TempDir(), "initramfs.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	h := qemuHosts[0]
	console, err := h.vm(g.Kernel.Vmlinuz, initrd).Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var base float64
	for i, tool := range guestTools {
		out, err := lab.CommandOutput(console, fmt.Sprintf("t%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.Stdout, "failed") {
			t.Fatalf("%s failed in the guest: %s", tool.name, out.Stdout)
		}
		f := strings.Fields(out.Stdout)
		if len(f) != 2 {
			t.Fatalf("%s: unexpected output %q", tool.name, out.Stdout)
		}
		a, _ := strconv.ParseFloat(f[0], 64)
		b, _ := strconv.ParseFloat(f[1], 64)
		ms := (b - a) * 1000 / guestRuns
		if i == 0 {
			base = ms
		}
		t.Logf("%-42s %7.1f ms per run (mean of %d)  %5.1f× hwagent", tool.name, ms, guestRuns, ms/base)
	}
}

// addDynamic adds a host program and the shared libraries ldd lists for it.
func addDynamic(r *lab.Initramfs, prog string) error {
	path, err := exec.LookPath(prog)
	if err != nil {
		return err
	}
	if err := r.HostFile("/bin/"+prog, path); err != nil {
		return err
	}
	out, err := exec.Command("ldd", path).Output()
	if err != nil {
		return fmt.Errorf("ldd %s: %w", path, err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		for _, f := range strings.Fields(l) {
			if strings.HasPrefix(f, "/") {
				if err := r.HostFile(f, f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
