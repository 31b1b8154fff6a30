package server

import (
	"context"
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"streamsqld/catalog"
	"streamsqld/exec"
	"streamsqld/planner"
	"streamsqld/sql/types"
)

// System relations: streamsqld's own (streamsql_*) and the PostgreSQL
// catalog relations clients introspect. They are computed on each read.

var operatorColumns = []types.Column{
	{Name: "view_name", Type: types.TVarchar},
	{Name: "operator_id", Type: types.TInt4},
	{Name: "operator", Type: types.TVarchar},
	{Name: "subtask", Type: types.TInt4},
	{Name: "rows_in", Type: types.TInt8},
	{Name: "rows_out", Type: types.TInt8},
	{Name: "late_rows_dropped", Type: types.TInt8},
	{Name: "watermark", Type: types.TTimestamp},
	{Name: "backpressure_ms", Type: types.TFloat8},
}

var lateColumns = []types.Column{
	{Name: "view_name", Type: types.TVarchar},
	{Name: "source_name", Type: types.TVarchar},
	{Name: "late_rows_dropped", Type: types.TInt8},
}

// virtualTable implements planner.Env.Virtual.
func (e *Engine) virtualTable(schema, name string) (*planner.VirtualTable, bool) {
	switch schema {
	case "pg_catalog", "streamsql", "public":
	default:
		return nil, false
	}
	switch name {
	case "streamsql_operators":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: operatorColumns, Rows: e.operatorRows}, true
	case "streamsql_jobs":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: jobsColumns,
			Rows: func(context.Context) ([]types.Row, error) { return e.jobRows(), nil }}, true
	case "streamsql_late_events":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: lateColumns, Rows: e.lateRows}, true
	case "streamsql_source_errors":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: sourceErrorColumns, Rows: e.sourceErrorRows}, true
	case "streamsql_sinks":
		return &planner.VirtualTable{Schema: schema, Name: name, Columns: sinkColumns, Rows: e.sinkRows}, true
	case "streamsql_checkpoints", "streamsql_view_freshness":
		return e.checkpointTable(schema, name)
	}
	return nil, false
}

type jobStat struct {
	rel   *catalog.Relation
	stats []exec.OperatorStats
	graph *planner.StreamGraph
}

func (e *Engine) allJobStats() []jobStat {
	e.mu.Lock()
	var out []jobStat
	for _, vj := range e.jobs {
		out = append(out, jobStat{rel: vj.rel, graph: vj.graph, stats: vj.job.Stats()})
	}
	e.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].rel.ID < out[j].rel.ID })
	return out
}

func (e *Engine) operatorRows(ctx context.Context) ([]types.Row, error) {
	var rows []types.Row
	for _, js := range e.allJobStats() {
		for _, s := range js.stats {
			wm := types.Null
			if s.Watermark != exec.NoWatermark && s.Watermark > -1<<62 && s.Watermark < 1<<62 {
				wm = types.NewTime(s.Watermark)
			}
			rows = append(rows, types.Row{
				types.NewString(js.rel.Name), types.NewInt(int64(s.OperatorID)), types.NewString(s.Kind),
				types.NewInt(int64(s.Subtask)), types.NewInt(s.RowsIn), types.NewInt(s.RowsOut),
				types.NewInt(s.LateRows), wm, types.NewFloat(float64(s.BlockedNanos) / 1e6),
			})
		}
	}
	return rows, nil
}

// lateRows sums late rows dropped per view and source: every windowed
// operator drops the late rows of the sources that feed it.
func (e *Engine) lateRows(ctx context.Context) ([]types.Row, error) {
	var rows []types.Row
	for _, js := range e.allJobStats() {
		var late int64
		for _, s := range js.stats {
			late += s.LateRows
		}
		for _, op := range js.graph.Operators {
			if op.Source != nil {
				rows = append(rows, types.Row{types.NewString(js.rel.Name), types.NewString(op.Source.Relation.Name), types.NewInt(late)})
			}
		}
	}
	return rows, nil
}

// metricsCollector exports the runtime's counters to Prometheus on scrape,
// and the sources' skipped records (source_errors.go).
type metricsCollector struct {
	e                                    *Engine
	rowsIn, rowsOut, late, wm, backpress *prometheus.Desc
	sources                              *sourceErrorCollector
}

func newMetricsCollector(e *Engine) *metricsCollector {
	labels := []string{"view", "operator_id", "operator", "subtask"}
	return &metricsCollector{
		e:         e,
		rowsIn:    prometheus.NewDesc("streamsqld_operator_rows_in_total", "Rows received by an operator subtask.", labels, nil),
		rowsOut:   prometheus.NewDesc("streamsqld_operator_rows_out_total", "Rows emitted by an operator subtask.", labels, nil),
		late:      prometheus.NewDesc("streamsqld_operator_late_rows_dropped_total", "Late rows dropped by an operator subtask.", labels, nil),
		wm:        prometheus.NewDesc("streamsqld_operator_watermark_seconds", "Current event-time watermark of an operator subtask (Unix seconds).", labels, nil),
		backpress: prometheus.NewDesc("streamsqld_operator_backpressure_seconds_total", "Time an operator subtask spent blocked on its output.", labels, nil),
		sources:   newSourceErrorCollector(e),
	}
}

func (m *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.rowsIn
	ch <- m.rowsOut
	ch <- m.late
	ch <- m.wm
	ch <- m.backpress
	m.sources.Describe(ch)
}

func (m *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	for _, js := range m.e.allJobStats() {
		for _, s := range js.stats {
			lv := []string{js.rel.Name, strconv.Itoa(s.OperatorID), s.Kind, strconv.Itoa(s.Subtask)}
			ch <- prometheus.MustNewConstMetric(m.rowsIn, prometheus.CounterValue, float64(s.RowsIn), lv...)
			ch <- prometheus.MustNewConstMetric(m.rowsOut, prometheus.CounterValue, float64(s.RowsOut), lv...)
			ch <- prometheus.MustNewConstMetric(m.late, prometheus.CounterValue, float64(s.LateRows), lv...)
			ch <- prometheus.MustNewConstMetric(m.backpress, prometheus.CounterValue, float64(s.BlockedNanos)/1e9, lv...)
			if s.Watermark != exec.NoWatermark && s.Watermark > -1<<62 && s.Watermark < 1<<62 {
				ch <- prometheus.MustNewConstMetric(m.wm, prometheus.GaugeValue, float64(s.Watermark)/1e6, lv...)
			}
		}
	}
	m.sources.Collect(ch)
}
