// Command peers runs hwagent and the peer inventory tools on this machine,
// each several times, and prints the median wall time and peak RSS of each
// with the ratio to hwagent's, all in one run so the figures are comparable.
//
//	go run ./bench/peers -n 7 -hwagent ./hwagent
//
// Peak RSS is the child's ru_maxrss from wait4(2). Tools that are not
// installed are listed as such; install them with
// apt-get install lshw facter hwinfo inxi.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
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
	wall    time.Duration
	rssKB   int64
	missing bool
	err     error
}

func main() {
	n := flag.Int("n", 5, "runs per tool (the median is reported)")
	hw := flag.String("hwagent", "./hwagent", "the hwagent binary to measure")
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
	var results []result
	for _, t := range tools {
		results = append(results, measure(t, *n))
	}
	base := results[0]
	if base.missing || base.err != nil {
		fmt.Fprintf(os.Stderr, "peers: cannot run %s: %v\n", base.argv[0], base.err)
		os.Exit(1)
	}
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
				float64(r.wall.Microseconds())/1000, float64(r.rssKB)/1024,
				float64(r.wall)/float64(base.wall), float64(r.rssKB)/float64(base.rssKB))
		}
	}
	tw.Flush()
}

func measure(t tool, n int) result {
	r := result{tool: t}
	if _, err := exec.LookPath(t.argv[0]); err != nil {
		r.missing = true
		return r
	}
	var walls []time.Duration
	var rss []int64
	for i := 0; i < n; i++ {
		cmd := exec.Command(t.argv[0], t.argv[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		start := time.Now()
		if err := cmd.Run(); err != nil {
			r.err = err
			return r
		}
		walls = append(walls, time.Since(start))
		rss = append(rss, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	r.wall, r.rssKB = walls[n/2], rss[n/2]
	return r
}
