package export_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hwagent/hwagent/export"
	"github.com/hwagent/hwagent/export/hardwarecsv"
	"github.com/hwagent/hwagent/export/plan"
	"github.com/hwagent/hwagent/export/source"
	"github.com/hwagent/hwagent/export/tinkerbell"
	"github.com/hwagent/hwagent/inventory"
)

// writeFleet writes n inventory documents into dir: the six fleet machines
// in turn, each copy given its own serial, UUID, MACs and BMC address.
func writeFleet(tb testing.TB, dir string, n int) {
	tb.Helper()
	refs, err := source.FileRefs([]string{"testdata/fleet"})
	if err != nil {
		tb.Fatal(err)
	}
	var base []*inventory.Inventory
	for _, r := range refs {
		inv, err := r.Load()
		if err != nil {
			tb.Fatal(err)
		}
		base = append(base, inv)
	}
	for i := 0; i < n; i++ {
		b, err := json.Marshal(base[i%len(base)])
		if err != nil {
			tb.Fatal(err)
		}
		var inv inventory.Inventory
		if err := json.Unmarshal(b, &inv); err != nil {
			tb.Fatal(err)
		}
		inv.System.Product.Serial = fmt.Sprintf("SN%07d", i)
		inv.System.Product.UUID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		for j := range inv.Network.Interfaces {
			nic := &inv.Network.Interfaces[j]
			mac := fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", j, i>>24&0xff, i>>16&0xff, i>>8&0xff, i&0xff)
			if nic.MAC != "" {
				nic.MAC = mac
			}
			if nic.PermanentMAC != "" {
				nic.PermanentMAC = mac
			}
		}
		if inv.Network.Boot != nil {
			inv.Network.Boot.MAC = ""
		}
		if inv.BMC != nil {
			for j := range inv.BMC.LAN {
				inv.BMC.LAN[j].IPv4 = fmt.Sprintf("10.%d.%d.%d", 100+i>>16, i>>8&0xff, i&0xff)
			}
		}
		inv.Identity = inventory.DeriveIdentity(&inv)
		out, err := json.Marshal(&inv)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%05d.json", i)), out, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// heapPeak samples the live heap every millisecond (runtime/metrics, no
// stop-the-world) until stopped, and returns the highest value seen.
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

const benchPlan = `cidr: 10.0.0.0/16
gateway: 10.0.0.1
nameservers: [10.0.0.2]
disk_min_size: 4GiB
roles:
  - match: {min_cpus: 16}
    count: 3
    labels: {type: cp}
  - labels: {type: worker}
`

// BenchmarkExport exports fleets of 1,000 and 10,000 inventory files
// (10-115 KB each, 29 KB on average) to hardware.csv and to Tinkerbell
// manifests, reporting the peak live heap: it should follow one machine
// plus small per-machine keys, not the fleet's size on disk.
func BenchmarkExport(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		dir := b.TempDir()
		writeFleet(b, dir, n)
		var onDisk int64
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if fi, err := e.Info(); err == nil {
				onDisk += fi.Size()
			}
		}
		refs, err := source.FileRefs([]string{dir})
		if err != nil {
			b.Fatal(err)
		}
		// csv-reread: a template reading .Index renders hostnames after
		// the assignment, reading every document a second time.
		for _, format := range []string{"csv", "tinkerbell", "csv-reread"} {
			text := benchPlan
			if format == "csv-reread" {
				text += "hostname_template: 'node-{{.Index}}'\n"
			}
			p, err := plan.ParsePlan([]byte(text))
			if err != nil {
				b.Fatal(err)
			}
			x, err := export.New(*p, &plan.Credentials{Username: "ADMIN", Password: "pw"})
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
				b.ReportAllocs()
				var peak uint64
				cpu0 := cpuTime()
				for i := 0; i < b.N; i++ {
					runtime.GC()
					stop := heapPeak()
					var w export.Writer = hardwarecsv.NewWriter(io.Discard)
					if format == "tinkerbell" {
						w = tinkerbell.NewWriter(io.Discard, "", "")
					}
					res, err := x.Export(context.Background(), refs, w)
					if p := stop(); p > peak {
						peak = p
					}
					if err != nil {
						b.Fatal(strings.SplitN(err.Error(), "\n", 6))
					}
					if res.Machines != n {
						b.Fatalf("%d machines", res.Machines)
					}
				}
				b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(onDisk)/(1<<20), "fleet-MiB")
			})
		}
	}
}

var (
	fleetOut = flag.String("fleet-out", "", "TestWriteBenchFleet: write the benchmark fleet into this directory")
	fleetN   = flag.Int("fleet-n", 10000, "TestWriteBenchFleet: how many documents")
)

// TestWriteBenchFleet writes the benchmark's fleet for bench/export.sh,
// which times the hwagent binary on it; without -fleet-out it does nothing.
func TestWriteBenchFleet(t *testing.T) {
	if *fleetOut == "" {
		t.Skip("no -fleet-out: nothing to write (used by bench/export.sh)")
	}
	if err := os.MkdirAll(*fleetOut, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFleet(t, *fleetOut, *fleetN)
	if err := os.WriteFile(filepath.Join(*fleetOut, "..", "bench-plan.yaml"), []byte(benchPlan), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
