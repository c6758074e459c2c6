//go:build linux && coldstart

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/internal/lab"
)

// TestColdStartAB compares two agent builds' cold start under emulation:
// it boots one TCG guest and runs $COLD_A and $COLD_B (static hwagent
// binaries) in turn, each time from a fresh copy of the file, so that QEMU
// has no translation of its code yet (its translation cache is keyed by
// guest physical pages): every run is as cold as the e2e's single one, and
// interleaving the two spreads the host's load over both. $COLD_ARGS are
// the arguments (default: dump -o json --disable lldp). It logs each
// build's median; it asserts nothing, so it is built only with the tag
// coldstart:
//
//	COLD_A=a COLD_B=b go test -tags coldstart ./cmd/hwagent -run TestColdStartAB -v
func TestColdStartAB(t *testing.T) {
	if os.Getenv("COLD_A") == "" || os.Getenv("COLD_B") == "" {
		t.Fatal("set COLD_A and COLD_B to the two hwagent binaries to compare")
	}
	lab.Need(t, lab.QEMU)
	ctx := context.Background()
	g, err := lab.NewGuest(ctx, "virtio_pci", "virtio_net", "e1000", "virtio_blk", "ipmi_msghandler", "ipmi_devintf", "ipmi_si")
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Initramfs()
	if err != nil {
		t.Fatal(err)
	}
	bins := map[string]string{"A": os.Getenv("COLD_A"), "B": os.Getenv("COLD_B")}
	for k, v := range bins {
		if err := r.HostFile("/bin/h"+k, v); err != nil {
			t.Fatal(err)
		}
	}
	args := os.Getenv("COLD_ARGS")
	if args == "" {
		args = "dump -o json --disable lldp"
	}
	runs := 6
	var sh strings.Builder
	sh.WriteString(`t() { adjtimex | awk '/tv_sec/{s=$2} /tv_usec/{u=$2} END{printf "%d%06d\n", s, u}'; }; `)
	fmt.Fprintf(&sh, `i=0; while [ $i -lt %d ]; do for k in A B; do cp /bin/h$k /tmp/x$k$i; a=$(t); /tmp/x$k$i %s >/dev/null 2>/tmp/err || { echo FAIL; cat /tmp/err; }; b=$(t); echo "$k $((b-a))"; rm /tmp/x$k$i; done; i=$((i+1)); done`, runs, args)
	r.File("/init", []byte(lab.InitScript{Modules: g.ModuleNames, WaitFor: []string{"/dev/ipmi0"}, Commands: []lab.Command{{Name: "ab", Shell: sh.String()}}}.Script()), 0o755)
	initrd := filepath.Join(t.TempDir(), "i.cpio.gz")
	if err := r.WriteFile(initrd); err != nil {
		t.Fatal(err)
	}
	vm := &lab.VM{Kernel: g.Kernel.Vmlinuz, Initramfs: initrd, Memory: 1024, BMC: &lab.BuiltinBMC{ManufacturerID: 10876}, NICs: []lab.NIC{{Model: "virtio-net-pci"}, {Model: "e1000"}},
		ExtraArgs: []string{"-blockdev", "driver=null-co,node-name=disk0,size=34359738368", "-device", "virtio-blk-pci,drive=disk0,serial=D1,romfile="}, Timeout: 5 * time.Minute}
	console, err := vm.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	o, err := lab.CommandOutput(console, "ab")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	for _, l := range strings.Split(o.Stdout, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			us, _ := strconv.ParseFloat(f[1], 64)
			got[f[0]] = append(got[f[0]], us/1000)
		} else if l != "" {
			t.Log(l)
		}
	}
	for _, k := range []string{"A", "B"} {
		v := append([]float64(nil), got[k]...)
		sort.Float64s(v)
		if len(v) > 0 {
			t.Logf("%s median %.0f ms, runs %.0f", k, v[len(v)/2], got[k])
		}
	}
}
