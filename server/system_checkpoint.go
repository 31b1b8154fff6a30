package server

import (
	"context"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"streamsqld/planner"
	"streamsqld/sql/types"
)

// System relations and metrics of checkpoints and view freshness.

var checkpointColumns = []types.Column{
	{Name: "id", Type: types.TInt8},
	{Name: "started_at", Type: types.TTimestamptz},
	{Name: "duration_ms", Type: types.TFloat8},
	{Name: "alignment_ms", Type: types.TFloat8},
	{Name: "bytes_written", Type: types.TInt8},
	{Name: "keys_written", Type: types.TInt8},
	{Name: "views", Type: types.TInt4},
	{Name: "status", Type: types.TVarchar},
	{Name: "error", Type: types.TVarchar},
}

var freshnessColumns = []types.Column{
	{Name: "view_name", Type: types.TVarchar},
	{Name: "checkpoint_id", Type: types.TInt8},
	{Name: "committed_at", Type: types.TTimestamptz},
	{Name: "lag_ms", Type: types.TFloat8},
}

// checkpointTable returns the streamsql_checkpoints and
// streamsql_view_freshness relations.
func (e *Engine) checkpointTable(schema, name string) (*planner.VirtualTable, bool) {
	switch name {
	case "streamsql_checkpoints":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: checkpointColumns, Rows: e.checkpointRows}, true
	case "streamsql_view_freshness":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: freshnessColumns, Rows: e.freshnessRows}, true
	}
	return nil, false
}

func ms(d time.Duration) types.Datum { return types.NewFloat(float64(d) / float64(time.Millisecond)) }

// checkpointRows lists the checkpoints this process took, oldest first.
func (e *Engine) checkpointRows(context.Context) ([]types.Row, error) {
	c := e.ckpt
	c.mu.Lock()
	hist := append([]checkpointRecord(nil), c.history...)
	c.mu.Unlock()
	rows := make([]types.Row, 0, len(hist))
	for _, r := range hist {
		dur := r.Duration
		if r.Status == ckInProgress {
			dur = time.Since(r.Started)
		}
		errText := types.Null
		if r.Err != "" {
			errText = types.NewString(r.Err)
		}
		rows = append(rows, types.Row{
			types.NewInt(int64(r.ID)), types.NewTime(r.Started.UnixMicro()), ms(dur), ms(r.Alignment),
			types.NewInt(r.Bytes), types.NewInt(r.Keys), types.NewInt(int64(r.Views)),
			types.NewString(r.Status), errText,
		})
	}
	return rows, nil
}

// viewFreshness is the checkpoint each running view's reads reflect and
// how far behind now it is.
type viewFreshness struct {
	name  string
	epoch uint64
	at    time.Time
	lag   time.Duration
	known bool
}

func (e *Engine) viewFreshness() []viewFreshness {
	c := e.ckpt
	jobs := e.runningJobs()
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]viewFreshness, 0, len(jobs))
	for _, vj := range jobs {
		f := viewFreshness{name: vj.rel.Name}
		if !c.enabled() {
			// Reads are live.
			f.known, f.at = true, now
		} else if v, ok := c.views[vj.rel.ID]; ok {
			f.known, f.epoch, f.at, f.lag = true, v.epoch, v.at, now.Sub(v.at)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (e *Engine) freshnessRows(context.Context) ([]types.Row, error) {
	var rows []types.Row
	for _, f := range e.viewFreshness() {
		row := types.Row{types.NewString(f.name), types.Null, types.Null, types.Null}
		if f.known {
			if f.epoch > 0 {
				row[1], row[2] = types.NewInt(int64(f.epoch)), types.NewTime(f.at.UnixMicro())
			}
			row[3] = ms(f.lag)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// checkpointCollector exports checkpoint metrics to Prometheus on scrape.
type checkpointCollector struct {
	e                                            *Engine
	total, bytes, duration, align, lastID, lag   *prometheus.Desc
	recovery, lastBytes, inProgress, lastSuccess *prometheus.Desc
}

func newCheckpointCollector(e *Engine) *checkpointCollector {
	return &checkpointCollector{
		e:           e,
		total:       prometheus.NewDesc("streamsqld_checkpoints_total", "Checkpoints finished, by status (completed, aborted, failed).", []string{"status"}, nil),
		bytes:       prometheus.NewDesc("streamsqld_checkpoint_bytes_written_total", "State bytes written by completed checkpoints.", nil, nil),
		duration:    prometheus.NewDesc("streamsqld_checkpoint_last_duration_seconds", "Duration of the last completed checkpoint.", nil, nil),
		align:       prometheus.NewDesc("streamsqld_checkpoint_last_alignment_seconds", "Longest barrier alignment of the last completed checkpoint.", nil, nil),
		lastBytes:   prometheus.NewDesc("streamsqld_checkpoint_last_bytes_written", "State bytes written by the last completed checkpoint.", nil, nil),
		lastID:      prometheus.NewDesc("streamsqld_checkpoint_last_completed_id", "Epoch of the newest complete checkpoint.", nil, nil),
		lastSuccess: prometheus.NewDesc("streamsqld_checkpoint_last_completed_timestamp_seconds", "When the newest complete checkpoint was taken (Unix seconds).", nil, nil),
		inProgress:  prometheus.NewDesc("streamsqld_checkpoint_in_progress", "1 while a checkpoint is in flight.", nil, nil),
		lag:         prometheus.NewDesc("streamsqld_view_freshness_lag_seconds", "Age of the checkpoint a materialized view's reads reflect.", []string{"view"}, nil),
		recovery:    prometheus.NewDesc("streamsqld_recovery_seconds", "Startup time from opening storage until every view was restored.", nil, nil),
	}
}

func (m *checkpointCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.total, m.bytes, m.duration, m.align, m.lastBytes, m.lastID,
		m.lastSuccess, m.inProgress, m.lag, m.recovery} {
		ch <- d
	}
}

func (m *checkpointCollector) Collect(ch chan<- prometheus.Metric) {
	c := m.e.ckpt
	c.mu.Lock()
	counts := map[string]int64{ckCompleted: 0, ckAborted: 0, ckFailed: 0}
	for k, v := range c.counts {
		counts[k] = v
	}
	bytes, committed, recovery := c.bytes, c.committed, c.recovery
	var last *checkpointRecord
	inProgress := 0.0
	for i := len(c.history) - 1; i >= 0; i-- {
		r := c.history[i]
		if r.Status == ckInProgress && i == len(c.history)-1 {
			inProgress = 1
		}
		if r.Status == ckCompleted {
			last = &r
			break
		}
	}
	c.mu.Unlock()
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(m.total, prometheus.CounterValue, float64(n), status)
	}
	ch <- prometheus.MustNewConstMetric(m.bytes, prometheus.CounterValue, float64(bytes))
	ch <- prometheus.MustNewConstMetric(m.inProgress, prometheus.GaugeValue, inProgress)
	ch <- prometheus.MustNewConstMetric(m.recovery, prometheus.GaugeValue, recovery.Seconds())
	if committed.epoch > 0 {
		ch <- prometheus.MustNewConstMetric(m.lastID, prometheus.GaugeValue, float64(committed.epoch))
		ch <- prometheus.MustNewConstMetric(m.lastSuccess, prometheus.GaugeValue, float64(committed.at.UnixMicro())/1e6)
	}
	if last != nil {
		ch <- prometheus.MustNewConstMetric(m.duration, prometheus.GaugeValue, last.Duration.Seconds())
		ch <- prometheus.MustNewConstMetric(m.align, prometheus.GaugeValue, last.Alignment.Seconds())
		ch <- prometheus.MustNewConstMetric(m.lastBytes, prometheus.GaugeValue, float64(last.Bytes))
	}
	for _, f := range m.e.viewFreshness() {
		if f.known {
			ch <- prometheus.MustNewConstMetric(m.lag, prometheus.GaugeValue, f.lag.Seconds(), f.name)
		}
	}
}
