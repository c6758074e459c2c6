// Command load is hwagent's provisioning-server load benchmark: it starts a
// real `hwagent serve` (on SQLite, or on a PostgreSQL cluster it initialises
// in a temporary directory), then simulates N agents with realistic 30–50 KB
// inventories (server/testinv): all N register in one burst, then each
// checks in every interval for a while. It reports the time until every
// registration was acknowledged, check-in latency percentiles, refused
// requests and the server's peak RSS (VmHWM).
//
//	go run ./bench/load -bin /tmp/hwagent -store sqlite -agents 10000
//
// bench/load.sh runs it for both stores. The simulated agents are the real
// agent's protocol client (server/client), one per agent with its own HTTP
// connection (kept between check-ins, as an agent's is), retried with the
// agent's policy (client.Retrier with the agent's default backoff: the
// server's Retry-After plus a full-jitter exponential window, 1 s doubling
// up to a minute). Each agent's registration body is encoded once, before
// the burst, exactly as the client encodes it (Client.RegisterEncoded): the
// server receives 10,000 distinct inventories as before, and the
// simulator, which shares the cores with the server, spends its CPU on
// connections rather than on encoding JSON (real agents each have their
// own machine).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hwagent/hwagent/internal/secret"
	"github.com/hwagent/hwagent/inventory"
	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/client"
	"github.com/hwagent/hwagent/server/servertest"
	"github.com/hwagent/hwagent/server/testinv"
)

const (
	enrollToken = "bench-enroll-0123456789abcdef"
	adminToken  = "bench-admin-0123456789abcdef"
)

type config struct {
	bin        string
	store      string
	agents     int
	interval   time.Duration
	duration   time.Duration
	serveArgs  string
	resultJSON string
	serverLog  string
	cpuProfile string
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "hwagent binary to serve with (required)")
	flag.StringVar(&c.store, "store", "sqlite", "sqlite or postgres")
	flag.IntVar(&c.agents, "agents", 10000, "simulated agents")
	flag.DurationVar(&c.interval, "interval", 30*time.Second, "check-in interval")
	flag.DurationVar(&c.duration, "duration", 90*time.Second, "how long the check-in phase runs")
	flag.StringVar(&c.serveArgs, "serve-args", "", "extra flags for hwagent serve (space separated)")
	flag.StringVar(&c.resultJSON, "json", "", "also write the results to this JSON file")
	flag.StringVar(&c.serverLog, "server-log", "", "write the server's log to this file at the end")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write the simulator's own CPU profile of the burst to this file")
	flag.Parse()
	if c.bin == "" {
		fmt.Fprintln(os.Stderr, "load: -bin is required")
		os.Exit(2)
	}
	res, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if c.resultJSON != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(c.resultJSON, b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
	}
}

// agent is one simulated machine.
type agent struct {
	n int
	// body is the agent's registration, encoded once (as the agent's
	// client encodes it) before the burst: the simulator's CPU is
	// the server's competitor on the same cores, and real agents
	// each have their own machine.
	body   []byte
	digest string
	m      client.Machine
	client *client.Client
}

func run(c config) (*results, error) {
	res := &results{Store: c.store, Agents: c.agents, IntervalSeconds: c.interval.Seconds(), CPUs: runtime.NumCPU()}
	dsn, cleanup, err := database(c.store)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	var extra []string
	if c.serveArgs != "" {
		extra = splitArgs(c.serveArgs)
	}
	srv, err := servertest.StartServe(c.bin, servertest.ServeOptions{Database: dsn, EnrollToken: enrollToken, AdminToken: adminToken, Args: extra})
	if err != nil {
		return nil, err
	}
	defer srv.Stop() //nolint:errcheck // reported by the run
	if c.serverLog != "" {
		defer func() { os.WriteFile(c.serverLog, []byte(srv.Logs()), 0o644) }() //nolint:errcheck // best effort
	}

	fmt.Fprintf(os.Stderr, "load: generating %d inventories...\n", c.agents)
	agents, avg := generate(c.agents)
	res.InventoryBytesAvg = avg
	for _, a := range agents {
		if a.client, err = client.New(client.Options{Server: srv.URL, EnrollmentToken: secret.Value(enrollToken), UserAgent: "hwagent-load"}); err != nil {
			return nil, err
		}
	}

	fmt.Fprintf(os.Stderr, "load: %d agents register in one burst...\n", c.agents)
	cpu0 := cpuSeconds(srv.PID)
	res.LoadAverageBefore = loadAverage()
	self0 := selfCPUSeconds()
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	burst(agents, res)
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	res.ServerCPUBurstSeconds = cpuSeconds(srv.PID) - cpu0
	res.LoadCPUBurstSeconds = selfCPUSeconds() - self0
	res.ServerCPUPerRegistrationMs = 1000 * res.ServerCPUBurstSeconds / float64(c.agents)
	if res.RegisterErrors > 0 {
		return res, fmt.Errorf("%d registrations failed", res.RegisterErrors)
	}
	res.RSSAfterBurstBytes, _ = srv.PeakRSSBytes()
	if n, err := countMachines(srv.URL); err != nil || n != c.agents {
		return res, fmt.Errorf("after the burst the server lists %d machines (%v), want %d", n, err, c.agents)
	}
	res.DatabaseBytes = databaseSize(c.store, dsn)

	fmt.Fprintf(os.Stderr, "load: check-ins every %v for %v...\n", c.interval, c.duration)
	cpu0 = cpuSeconds(srv.PID)
	checkins(agents, c.interval, c.duration, res)
	res.ServerCPUCheckinPercent = 100 * (cpuSeconds(srv.PID) - cpu0) / c.duration.Seconds()
	res.LoadAverageAfter = loadAverage()
	res.PeakRSSBytes, err = srv.PeakRSSBytes()
	if err != nil {
		return res, err
	}
	if err := srv.Stop(); err != nil {
		return res, fmt.Errorf("hwagent serve: %w", err)
	}
	return res, nil
}

// database returns the DSN of a fresh database for store.
func database(store string) (string, func(), error) {
	switch store {
	case "sqlite":
		dir, err := os.MkdirTemp("", "hwagent-load-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite://" + filepath.Join(dir, "hwagent.db"), func() { os.RemoveAll(dir) }, nil
	case "postgres":
		// Durable settings (fsync on): the figures are for a real setup.
		pg, err := servertest.StartPostgres(true)
		if err != nil {
			return "", nil, err
		}
		dsn, err := pg.CreateDatabase("hwagent")
		if err != nil {
			pg.Stop()
			return "", nil, err
		}
		return dsn, pg.Stop, nil
	}
	return "", nil, fmt.Errorf("-store %q: want sqlite or postgres", store)
}

func databaseSize(store, dsn string) int64 {
	if store != "sqlite" {
		return 0
	}
	path := dsn[len("sqlite://"):]
	var total int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if st, err := os.Stat(path + suffix); err == nil {
			total += st.Size()
		}
	}
	return total
}

// generate builds every agent's inventory, its registration body and
// digest, on all CPUs. The inventories share their PCI and CPU sections
// (equal on every machine of the fleet), so that 10,000 of them are built
// quickly; the average size of their registration bodies is returned.
func generate(n int) ([]*agent, int) {
	agents := make([]*agent, n)
	shared := testinv.Machine(0)
	var next atomic.Int64
	var total atomic.Int64
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				inv := testinv.Machine(i)
				inv.PCI, inv.CPU = shared.PCI, shared.CPU
				body, err := json.Marshal(api.RegisterRequest{Inventory: inv})
				if err != nil {
					panic(err)
				}
				total.Add(int64(len(body)))
				agents[i] = &agent{n: i, body: body, digest: inventory.Digest(inv)}
			}
		}()
	}
	wg.Wait()
	return agents, int(total.Load() / int64(n))
}

// retrier is the agent's retry policy (its default backoff), counting the
// attempts it retries by cause into refused (429), net (no answer) and
// failed (5xx and anything else retried).
func retrier(refused, net, failed *atomic.Int64) client.Retrier {
	return client.Retrier{
		Backoff: client.Backoff{Base: client.DefaultBase, Cap: client.DefaultCap},
		OnRetry: func(_ int, _ time.Duration, err error) {
			var se *client.StatusError
			switch {
			case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
				refused.Add(1)
			case errors.As(err, &se):
				failed.Add(1)
			default:
				net.Add(1)
			}
		},
	}
}

// burst registers every agent at once, each retrying with the agent's
// policy until acknowledged (for at most 10 minutes).
func burst(agents []*agent, res *results) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acked []time.Duration
	var refused, neterr, retried5xx, failed atomic.Int64
	r := retrier(&refused, &neterr, &retried5xx)
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp *api.RegisterResponse
			err := r.Do(ctx, func(ctx context.Context) (err error) {
				resp, err = a.client.RegisterEncoded(ctx, a.body)
				return err
			})
			if err != nil {
				fmt.Fprintf(os.Stderr, "load: registration %d: %v\n", a.n, err)
				failed.Add(1)
				return
			}
			a.m = client.Machine{ID: resp.MachineID, Credential: secret.Value(resp.Credential)}
			mu.Lock()
			acked = append(acked, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.BurstSeconds = time.Since(start).Seconds()
	res.RegisterRefused = refused.Load()
	res.RegisterNetErrors = neterr.Load()
	res.RegisterRetried5xx = retried5xx.Load()
	res.RegisterErrors = failed.Load()
	res.RegisterAckP50, res.RegisterAckP99, _ = percentiles(acked)
	res.RegistrationsPerSecond = float64(len(acked)) / res.BurstSeconds
}

// checkins runs every agent's check-in loop for d: the first at a random
// point of the first interval, then every interval. Each attempt the
// server answered 200 counts in the latencies.
func checkins(agents []*agent, interval, d time.Duration, res *results) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	var samples []sample
	phase := time.Now()
	var refused, neterr, retried5xx, failed atomic.Int64
	r := retrier(&refused, &neterr, &retried5xx)
	var wg sync.WaitGroup
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mineAt []sample
			defer func() {
				mu.Lock()
				samples = append(samples, mineAt...)
				mu.Unlock()
			}()
			req := api.CheckinRequest{State: api.StateRegistered, InventoryDigest: a.digest, UptimeSeconds: 60, AgentVersion: "bench", AcksActions: true}
			t := time.NewTimer(rand.N(interval))
			defer t.Stop()
			var mine []time.Duration
			defer func() {
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				err := r.Do(ctx, func(ctx context.Context) error {
					start := time.Now()
					resp, err := a.client.Checkin(ctx, a.m, req)
					if err == nil {
						if resp.Action != api.ActionNone {
							return &client.PermanentError{Err: fmt.Errorf("action %q, want none", resp.Action)}
						}
						d := time.Since(start)
						mine = append(mine, d)
						mineAt = append(mineAt, sample{start.Sub(phase), d})
					}
					return err
				})
				if err != nil && ctx.Err() == nil {
					failed.Add(1)
					fmt.Fprintf(os.Stderr, "load: check-in of %s: %v\n", a.m.ID, err)
				}
				t.Reset(interval)
			}
		}()
	}
	wg.Wait()
	res.Checkins = len(lat)
	res.CheckinRefused = refused.Load()
	res.CheckinNetErrors = neterr.Load()
	res.CheckinRetried5xx = retried5xx.Load()
	res.CheckinErrors = failed.Load()
	res.CheckinP50, res.CheckinP99, res.CheckinMax = percentiles(lat)
	res.CheckinsPerSecond = float64(len(lat)) / d.Seconds()
	res.CheckinWindows = windows(samples, 10*time.Second)
}

// sample is one check-in: when it started in the phase, and its latency.
type sample struct{ at, d time.Duration }

// window is the check-ins that started in one stretch of the phase.
type window struct {
	StartSeconds float64 `json:"start_seconds"`
	Checkins     int     `json:"checkins"`
	P50          float64 `json:"p50_ms"`
	P99          float64 `json:"p99_ms"`
	Max          float64 `json:"max_ms"`
}

// windows splits the samples into stretches of w: the tail of a phase
// that follows a burst is not the tail of the steady state.
func windows(samples []sample, w time.Duration) []window {
	by := map[int][]time.Duration{}
	last := 0
	for _, s := range samples {
		i := int(s.at / w)
		by[i] = append(by[i], s.d)
		last = max(last, i)
	}
	var out []window
	for i := 0; i <= last; i++ {
		p50, p99, mx := percentiles(by[i])
		out = append(out, window{StartSeconds: (time.Duration(i) * w).Seconds(), Checkins: len(by[i]), P50: p50, P99: p99, Max: mx})
	}
	return out
}

func percentiles(ds []time.Duration) (p50, p99, maxD float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) float64 { return ds[min(len(ds)-1, int(q*float64(len(ds))))].Seconds() * 1000 }
	return at(0.50), at(0.99), ds[len(ds)-1].Seconds() * 1000
}

func countMachines(url string) (int, error) {
	n := 0
	after := ""
	for {
		req, _ := http.NewRequest(http.MethodGet, url+api.PathMachines+"?limit=10000&after="+after, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return n, err
		}
		var l api.MachineList
		err = json.NewDecoder(resp.Body).Decode(&l)
		resp.Body.Close()
		if err != nil {
			return n, err
		}
		n += len(l.Machines)
		if l.Next == "" {
			return n, nil
		}
		after = l.Next
	}
}

func splitArgs(s string) []string {
	var out []string
	for _, f := range bytes.Fields([]byte(s)) {
		out = append(out, string(f))
	}
	return out
}

// results are the figures of one run (times in ms unless named seconds).
type results struct {
	Store                  string   `json:"store"`
	Agents                 int      `json:"agents"`
	CPUs                   int      `json:"cpus"`
	InventoryBytesAvg      int      `json:"inventory_bytes_avg"`
	BurstSeconds           float64  `json:"burst_seconds"`
	RegistrationsPerSecond float64  `json:"registrations_per_second"`
	RegisterAckP50         float64  `json:"register_ack_p50_ms"`
	RegisterAckP99         float64  `json:"register_ack_p99_ms"`
	RegisterRefused        int64    `json:"register_refused_429"`
	RegisterNetErrors      int64    `json:"register_network_errors"`
	RegisterRetried5xx     int64    `json:"register_retried_5xx"`
	RegisterErrors         int64    `json:"register_errors"`
	IntervalSeconds        float64  `json:"checkin_interval_seconds"`
	Checkins               int      `json:"checkins"`
	CheckinsPerSecond      float64  `json:"checkins_per_second"`
	CheckinP50             float64  `json:"checkin_p50_ms"`
	CheckinP99             float64  `json:"checkin_p99_ms"`
	CheckinMax             float64  `json:"checkin_max_ms"`
	CheckinWindows         []window `json:"checkin_windows"`
	CheckinRefused         int64    `json:"checkin_refused_429"`
	CheckinNetErrors       int64    `json:"checkin_network_errors"`
	CheckinRetried5xx      int64    `json:"checkin_retried_5xx"`
	CheckinErrors          int64    `json:"checkin_errors"`
	RSSAfterBurstBytes     uint64   `json:"server_peak_rss_after_burst_bytes"`
	PeakRSSBytes           uint64   `json:"server_peak_rss_bytes"`
	DatabaseBytes          int64    `json:"database_bytes,omitempty"`
	// ServerCPUBurstSeconds is the server's CPU time (user+system) during
	// the burst; ServerCPUCheckinPercent its CPU use during the check-ins.
	ServerCPUBurstSeconds      float64 `json:"server_cpu_burst_seconds"`
	ServerCPUPerRegistrationMs float64 `json:"server_cpu_per_registration_ms"`
	ServerCPUCheckinPercent    float64 `json:"server_cpu_checkin_percent"`
	// LoadCPUBurstSeconds is the simulator's own CPU time during the
	// burst: it shares the machine with the server.
	LoadCPUBurstSeconds float64 `json:"load_cpu_burst_seconds"`
	// The machine's load averages (1, 5, 15 min) around the run: the
	// benchmark shares the machine with whatever else runs.
	LoadAverageBefore string `json:"load_average_before"`
	LoadAverageAfter  string `json:"load_average_after"`
}

// cpuSeconds is a process's user+system CPU time from /proc/PID/stat.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line, in clock ticks (100 per second).
	rest := b[bytes.LastIndexByte(b, ')')+2:]
	f := bytes.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(string(f[11]), 64)
	st, _ := strconv.ParseFloat(string(f[12]), 64)
	return (u + st) / 100
}

// selfCPUSeconds is this process's user+system CPU time.
func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return ""
	}
	return string(bytes.Join(f[:3], []byte(" ")))
}

func (r *results) print(w io.Writer) {
	fmt.Fprintf(w, "store %s: %d agents, inventories %.1f KB on average, %d CPUs\n", r.Store, r.Agents, float64(r.InventoryBytesAvg)/1024, r.CPUs)
	fmt.Fprintf(w, "  registration burst: all acknowledged in %.1f s (%.0f/s); per agent p50 %.0f ms, p99 %.0f ms; attempts retried: %d answered 429, %d 5xx, %d network errors; %d failed\n",
		r.BurstSeconds, r.RegistrationsPerSecond, r.RegisterAckP50, r.RegisterAckP99, r.RegisterRefused, r.RegisterRetried5xx, r.RegisterNetErrors, r.RegisterErrors)
	fmt.Fprintf(w, "  check-ins every %.0f s: %d (%.0f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms; attempts retried: %d answered 429, %d 5xx, %d network errors; %d failed\n",
		r.IntervalSeconds, r.Checkins, r.CheckinsPerSecond, r.CheckinP50, r.CheckinP99, r.CheckinMax, r.CheckinRefused, r.CheckinRetried5xx, r.CheckinNetErrors, r.CheckinErrors)
	fmt.Fprint(w, "  check-in p99 by 10 s of the phase:")
	for _, win := range r.CheckinWindows {
		fmt.Fprintf(w, " %.1f", win.P99)
	}
	fmt.Fprintln(w, " ms")
	fmt.Fprintf(w, "  server CPU: %.1f s during the burst (%.2f ms per registration), %.0f%% of one CPU during the check-ins; the simulator's CPU during the burst %.1f s; load average %s before, %s after\n",
		r.ServerCPUBurstSeconds, r.ServerCPUPerRegistrationMs, r.ServerCPUCheckinPercent, r.LoadCPUBurstSeconds, r.LoadAverageBefore, r.LoadAverageAfter)
	fmt.Fprintf(w, "  server peak RSS: %.0f MiB after the burst, %.0f MiB at the end", float64(r.RSSAfterBurstBytes)/(1<<20), float64(r.PeakRSSBytes)/(1<<20))
	if r.DatabaseBytes > 0 {
		fmt.Fprintf(w, "; SQLite files %.0f MiB", float64(r.DatabaseBytes)/(1<<20))
	}
	fmt.Fprintln(w)
}
