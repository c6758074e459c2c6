// Command peers runs hwagent and the peer inventory tools on this machine,
// each several times, and prints the median wall time and peak RSS of each
// with the ratio to hwagent's, all in one run so the figures are comparable.
//
//	go run ./bench/peers -n 7 -hwagent ./hwagent
//
// Each tool runs its N times back to back, as the figures of issue #12
// were taken; with -interleave, one of each tool per round instead, so
// that a machine that slows down during the run weighs on every tool
// alike. Interleaved, each hwagent run starts after the others' (one of
// them waits 3 s for LLDP) with the VM's second vCPU idle, and a
// multi-threaded process pays for waking it: on the build VM about 1 ms
// more for the dump (bench/README.md); lshw is single-threaded. The load
// average before and after is printed. Output goes to /dev/null, as it
// would from a shell, not through a pipe this program would have to
// drain. Peak RSS is the child's ru_maxrss from wait4(2). Tools that are
// not installed are listed as such; install them with apt-get install
// lshw facter hwinfo inxi.
package main

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

type tool struct {
	name string
	argv []string
}

type result struct {
	tool
	walls   []time.Duration
	rss     []int64
	missing bool
	err     error
}

func main() {
	n := flag.Int("n", 5, "runs per tool (the median is reported)")
	hw := flag.String("hwagent", "./hwagent", "the hwagent binary to measure")
	interleave := flag.Bool("interleave", false, "run one of each tool per round instead of each tool's runs back to back")
	flag.Parse()

	tools := []tool{
		// The base: every collector, LLDP not listened for (the peers
		// do not listen either). dump's default listens 3 s for LLDP.
		{"hwagent dump -o json --lldp-wait 0", []string{*hw, "dump", "-o", "json", "--lldp-wait", "0"}},
		{"hwagent dump -o json (3 s LLDP)", []string{*hw, "dump", "-o", "json"}},
		{"lshw -json", []string{"lshw", "-json"}},
		{"facter --json", []string{"facter", "--json"}},
		{"hwinfo --short", []string{"hwinfo", "--short"}},
		{"inxi -Fxxx", []string{"inxi", "-Fxxx", "-c0"}},
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "peers: %v\n", err)
		os.Exit(1)
	}
	results := make([]*result, len(tools))
	for i, t := range tools {
		results[i] = &result{tool: t}
		if _, err := exec.LookPath(t.argv[0]); err != nil {
			results[i].missing = true
		}
	}
	before := loadavg()
	if *interleave {
		for range *n {
			for _, r := range results {
				if !r.missing && r.err == nil {
					r.run(devnull)
				}
			}
		}
	} else {
		for _, r := range results {
			for range *n {
				if !r.missing && r.err == nil {
					r.run(devnull)
				}
			}
		}
	}
	after := loadavg()
	base := results[0]
	if base.missing || base.err != nil {
		fmt.Fprintf(os.Stderr, "peers: cannot run %s: %v\n", base.argv[0], base.err)
		os.Exit(1)
	}
	how := "each tool's runs back to back"
	if *interleave {
		how = "interleaved, one of each tool per round"
	}
	fmt.Printf("load average %s before, %s after; %d runs, %s\n", before, after, *n, how)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "tool\twall (median of %d)\tpeak RSS\twall ÷ hwagent\tRSS ÷ hwagent\t\n", *n)
	for _, r := range results {
		switch {
		case r.missing:
			fmt.Fprintf(tw, "%s\tnot installed\t\t\t\t\n", r.name)
		case r.err != nil:
			fmt.Fprintf(tw, "%s\tfailed: %v\t\t\t\t\n", r.name, r.err)
		default:
			fmt.Fprintf(tw, "%s\t%.1f ms\t%.1f MB\t%.1f×\t%.1f×\t\n", r.name,
				ms(r.wall()), float64(r.peak())/1024,
				float64(r.wall())/float64(base.wall()), float64(r.peak())/float64(base.peak()))
		}
	}
	tw.Flush()
	// Issue #12's measure: the dump's time as a fraction of lshw's.
	if lshw := results[2]; !lshw.missing && lshw.err == nil {
		fmt.Printf("hwagent dump ÷ lshw -json: %.3f× (%.2f ms ÷ %.2f ms)\n",
			float64(base.wall())/float64(lshw.wall()), ms(base.wall()), ms(lshw.wall()))
	}
}

func (r *result) run(out *os.File) {
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		r.err = err
		return
	}
	r.walls = append(r.walls, time.Since(start))
	r.rss = append(r.rss, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
}

func (r *result) wall() time.Duration { return median(r.walls) }
func (r *result) peak() int64         { return median(r.rss) }

func median[T cmp.Ordered](x []T) T {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
