package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/callscope/callscope/internal/ingest"
)

// Metrics are what /metrics exposes, on a registry of the server's own so
// that two servers in one process (as in tests) do not collide.
type Metrics struct {
	reg *prometheus.Registry

	records      *prometheus.CounterVec   // by table and outcome
	requests     *prometheus.CounterVec   // ingest requests by HTTP status
	bytesIn      *prometheus.CounterVec   // by stage: received (on the wire) or decoded
	requestTime  prometheus.Histogram     // ingest request latency
	commitTime   *prometheus.HistogramVec // store commit latency by workspace
	commitRows   prometheus.Histogram     // rows per group commit
	commitErrors *prometheus.CounterVec
	queries      *prometheus.CounterVec // by language and outcome
	queryTime    *prometheus.HistogramVec

	jobRuns     *prometheus.CounterVec // by job and outcome
	jobLastRun  *prometheus.GaugeVec   // unix time of the last run, by job
	jobDuration *prometheus.GaugeVec   // seconds the last run took, by job
	jobRows     *prometheus.CounterVec // rows written (or deleted, for retention), by job
}

func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscope_ingest_records_total",
			Help: "Records received, by table and outcome (accepted, rejected, dropped).",
		}, []string{"table", "outcome"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscope_ingest_requests_total",
			Help: "Ingest requests by HTTP status code.",
		}, []string{"code"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscope_ingest_bytes_total",
			Help: "Bytes of ingest bodies: as received (possibly compressed) and as decoded.",
		}, []string{"stage"}),
		requestTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "callscope_ingest_request_duration_seconds",
			Help:    "Time from receiving an ingest request to answering it, commit included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}),
		commitTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callscope_store_commit_duration_seconds",
			Help:    "Latency of durable commits to the store.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"workspace"}),
		commitRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "callscope_store_commit_rows",
			Help:    "Rows per commit (group commits gather concurrent requests).",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
		commitErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscope_store_commit_errors_total",
			Help: "Commits that failed.",
		}, []string{"workspace"}),
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "callscope_queries_total",
			Help: "Queries by language and outcome.",
		}, []string{"language", "outcome"}),
		queryTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "callscope_query_duration_seconds",
			Help:    "Query latency by language.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"language"}),
	}
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "callscope_job_runs_total",
		Help: "Runs of the derived-data jobs, by job and outcome.",
	}, []string{"job", "outcome"})
	m.jobLastRun = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "callscope_job_last_run_timestamp_seconds",
		Help: "When each job last ran (Unix time).",
	}, []string{"job"})
	m.jobDuration = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "callscope_job_last_duration_seconds",
		Help: "How long each job's last run took.",
	}, []string{"job"})
	m.jobRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "callscope_job_rows_total",
		Help: "Rows each job wrote (for retention: deleted).",
	}, []string{"job"})
	m.reg.MustRegister(m.records, m.requests, m.bytesIn, m.requestTime, m.commitTime, m.commitRows,
		m.commitErrors, m.queries, m.queryTime, m.jobRuns, m.jobLastRun, m.jobDuration, m.jobRows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Committed implements store.CommitObserver.
func (m *Metrics) Committed(workspace string, rows int, took time.Duration, err error) {
	if err != nil {
		m.commitErrors.WithLabelValues(workspace).Inc()
		return
	}
	m.commitTime.WithLabelValues(workspace).Observe(took.Seconds())
	m.commitRows.Observe(float64(rows))
}

// JobDone implements derive.Observer.
func (m *Metrics) JobDone(job string, took time.Duration, rows int, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	m.jobLastRun.WithLabelValues(job).Set(float64(time.Now().Unix()))
	m.jobDuration.WithLabelValues(job).Set(took.Seconds())
	m.jobRows.WithLabelValues(job).Add(float64(rows))
}

// ingested counts the outcome of one body.
func (m *Metrics) ingested(s *ingest.Summary) {
	for table, n := range s.Accepted {
		m.records.WithLabelValues(table, "accepted").Add(float64(n))
	}
	for table, n := range s.RejectedByTable {
		if table == "" {
			table = "unknown"
		}
		m.records.WithLabelValues(table, "rejected").Add(float64(n))
	}
	for table, n := range s.DroppedByTable {
		m.records.WithLabelValues(table, "dropped").Add(float64(n))
	}
	m.bytesIn.WithLabelValues("decoded").Add(float64(s.Bytes))
}
