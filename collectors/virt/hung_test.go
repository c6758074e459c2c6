//go:build amd64 || 386

// CPUID is read on x86 only: the test is built there only.

package virt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hwagent/hwagent/collectors/collector"
	"github.com/hwagent/hwagent/collectors/collector/collectortest"
	"github.com/hwagent/hwagent/hostpaths"
	"github.com/hwagent/hwagent/hostpaths/hostpathstest"
	"github.com/hwagent/hwagent/internal/testutil"
)

// stuckDevice is a device node whose reads never return until released:
// a CPUID driver or disk that stopped answering.
type stuckDevice struct{ release chan struct{} }

func (d stuckDevice) ReadAt(p []byte, off int64) (int, error) {
	<-d.release
	return 0, errors.New("released")
}

func (stuckDevice) Close() error { return nil }

// TestCPUIDThatNeverAnswers: a /dev/cpu/0/cpuid whose read hangs costs the
// collector the host-read bound (hostpaths.ReadTimeout), with a warning;
// the other sources still decide. Before reads of devices were bounded,
// the collector hung until the runner's deadline and the whole
// virtualization section was lost.
func TestCPUIDThatNeverAnswers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	testutil.WriteTree(t, root, map[string]string{
		"sys/devices/system/clocksource/clocksource0/available_clocksource": "kvm-clock tsc acpi_pm \n",
	})
	release := make(chan struct{})
	defer close(release)
	opened := make(chan string, 4)
	paths := hostpaths.New(root, nil).WithMachine(hostpathstest.Machine{Live: true, Devices: func(path string) (hostpaths.Device, error) {
		opened <- path
		return stuckDevice{release}, nil
	}})
	type result struct {
		v     string
		warns []string
		err   error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		inv, err := collectortest.CollectPaths(t, New(), paths, collector.Config{})
		r := result{warns: collectortest.Warnings(err)}
		if r.warns == nil {
			r.err = err
		}
		if inv.Virtualization != nil {
			r.v = inv.Virtualization.Type + " " + inv.Virtualization.Hypervisor
		}
		done <- r
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(hostpaths.ReadTimeout + 20*time.Second):
		t.Fatalf("the collector still waits for CPUID after %v", time.Since(start))
	}
	if p := <-opened; p != paths.Dev("cpu", "0", "cpuid") {
		t.Errorf("opened %s", p)
	}
	if r.err != nil || r.v != "virtual-machine kvm" {
		t.Fatalf("virtualization %q, error %v; want the clocksource's kvm", r.v, r.err)
	}
	if len(r.warns) != 1 || !strings.Contains(r.warns[0], "timed out") || !strings.Contains(r.warns[0], "/dev/cpu/0/cpuid") {
		t.Errorf("warnings %q, want one naming /dev/cpu/0/cpuid and the time-out", r.warns)
	}
}
