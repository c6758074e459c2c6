package kubesync

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

type metrics struct {
	applies *prometheus.CounterVec
	outbox  store.KubeOutbox
}

var (
	kubeMachinesDesc = prometheus.NewDesc("hwagent_server_kube_machines",
		"Machines by the state of their Tinkerbell objects in Kubernetes (pending, applied, conflict, failed), counted from the database at scrape time.",
		[]string{"state"}, nil)
	kubeUpDesc = prometheus.NewDesc("hwagent_server_kube_machines_count_success",
		"1 when the kube machines count of this scrape came from the database.", nil, nil)
)

func newMetrics(outbox store.KubeOutbox) *metrics {
	return &metrics{
		outbox: outbox,
		applies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hwagent_server_kube_applies_total",
			Help: "Server-side applies by kind (Hardware, Machine, Secret) and result: applied, conflict, or the failure (unreachable, unauthorized, forbidden, no_resource, rejected, error, unnameable, taken: the name is another machine's Hardware).",
		}, []string{"kind", "result"}),
	}
}

// Collectors are the syncer's metrics, for the server's registry.
func (s *Syncer) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.metrics.applies, s.metrics}
}

func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- kubeMachinesDesc
	ch <- kubeUpDesc
}

func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := m.outbox.KubeCounts(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(kubeUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(kubeUpDesc, prometheus.GaugeValue, 1)
	for _, st := range []string{api.KubePending, api.KubeApplied, api.KubeConflict, api.KubeFailed} {
		ch <- prometheus.MustNewConstMetric(kubeMachinesDesc, prometheus.GaugeValue, float64(counts[st]), st)
	}
}
