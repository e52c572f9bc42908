package pipeline

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/cryptodash/cryptodash/internal/domain"
)

type metrics struct {
	runs        *prometheus.CounterVec
	rows        prometheus.Counter
	duration    prometheus.Histogram
	lastSuccess prometheus.Gauge
}

// newMetrics registers the pipeline's metrics on reg; a nil reg keeps them unregistered, which
// tests with many pipelines in one process need.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		runs: f.NewCounterVec(prometheus.CounterOpts{Name: "cryptodash_fetch_runs_total",
			Help: "Fetch runs finished by this process, by status."}, []string{"status"}),
		rows: f.NewCounter(prometheus.CounterOpts{Name: "cryptodash_fetch_rows_written_total",
			Help: "Hourly rows inserted or changed by this process's fetch runs."}),
		duration: f.NewHistogram(prometheus.HistogramOpts{Name: "cryptodash_fetch_run_duration_seconds",
			Help: "Duration of fetch runs.", Buckets: prometheus.ExponentialBuckets(1, 2, 12)}),
		lastSuccess: f.NewGauge(prometheus.GaugeOpts{Name: "cryptodash_fetch_last_success_timestamp_seconds",
			Help: "When this process's last succeeded or partial fetch run finished; alert when it grows old."}),
	}
}

func (m *metrics) observe(run domain.FetchRun) {
	m.runs.WithLabelValues(string(run.Status)).Inc()
	m.rows.Add(float64(run.RowsWritten))
	if run.FinishedAt != nil {
		m.duration.Observe(run.FinishedAt.Sub(run.StartedAt).Seconds())
		if run.Status == domain.RunSucceeded || run.Status == domain.RunPartial {
			m.lastSuccess.Set(float64(run.FinishedAt.Unix()))
		}
	}
}
