package server

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// metrics are the server's Prometheus metrics.
type metrics struct {
	registrations *prometheus.CounterVec
	checkins      *prometheus.CounterVec
	inventories   *prometheus.CounterVec
	duration      *prometheus.HistogramVec
	overloaded    *prometheus.CounterVec
	conflicts     *prometheus.CounterVec
	reapedConns   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, st store.Store, heavy, checkins *limiter, conns func() (served, waiting int)) *metrics {
	m := &metrics{
		registrations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_registrations_total",
			Help: "Registrations by result: created, updated, held (for approval), refused, challenge, invalid, unauthorized, overloaded, error.",
		}, []string{"result"}),
		checkins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_checkins_total",
			Help: "Check-ins by result: the action answered (none, send_inventory, reboot, poweroff, release) or invalid, unauthorized, forbidden, overloaded, error.",
		}, []string{"result"}),
		inventories: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_inventory_updates_total",
			Help: "Inventory uploads by result: stored, invalid, unauthorized, forbidden, overloaded, error.",
		}, []string{"result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hwagent_server_request_duration_seconds",
			Help:    "HTTP request latency by route and status code.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"route", "code"}),
		overloaded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_overloaded_total",
			Help: "Requests answered 429 because no slot freed up in time, by route.",
		}, []string{"route"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_identity_conflicts_total",
			Help: "Identity conflicts met (docs/protocol.md, Identity), by source: registration (kept apart, recorded on both machines), upload (refused 409).",
		}, []string{"source"}),
		reapedConns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hwagent_server_idle_connections_closed_total",
			Help: "Kept-alive connections closed, idle, to make room for new ones (--max-connections).",
		}),
	}
	for _, src := range []string{"registration", "upload"} {
		m.conflicts.WithLabelValues(src)
	}
	reg.MustRegister(m.registrations, m.checkins, m.inventories, m.duration, m.overloaded, m.conflicts, m.reapedConns,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hwagent_server_connections",
			Help: "Client connections served (at most --max-connections).",
		}, func() float64 { n, _ := conns(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hwagent_server_connections_waiting",
			Help: "Client connections accepted and waiting to be served (past --max-connections).",
		}, func() float64 { _, n := conns(); return float64(n) }),
		&machinesCollector{st: st},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hwagent_server_heavy_requests_in_progress",
			Help: "Registrations and inventory uploads being processed.",
		}, func() float64 { return float64(heavy.inUse()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hwagent_server_checkins_in_progress",
			Help: "Check-ins being processed.",
		}, func() float64 { return float64(checkins.inUse()) }),
	)
	return m
}

// newRegistry is a private registry with the Go and process collectors.
func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// machinesCollector counts machines by state from the database at every
// scrape; every replica sharing a database reports the same numbers.
type machinesCollector struct{ st store.Store }

var (
	machinesDesc = prometheus.NewDesc("hwagent_server_machines", "Machines in the database by state (counted at scrape time).", []string{"state"}, nil)
	machinesUp   = prometheus.NewDesc("hwagent_server_machines_count_success", "1 when the machines count of this scrape came from the database.", nil, nil)
)

func (c *machinesCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- machinesDesc
	ch <- machinesUp
}

func (c *machinesCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.st.CountByState(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(machinesUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(machinesUp, prometheus.GaugeValue, 1)
	for _, s := range []string{api.StateRegistered, api.StateReleased} {
		if _, ok := counts[s]; !ok {
			counts[s] = 0
		}
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(machinesDesc, prometheus.GaugeValue, float64(n), state)
	}
}
