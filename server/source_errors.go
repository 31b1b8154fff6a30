package server

import (
	"context"
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/types"
)

// streamsql_source_errors and streamsqld_source_records_skipped_total: the
// malformed records each running view's sources skipped (connector.
// SkipCounter; Kafka with format.errors = 'skip'). A job opens its own
// connector sources, so the counts are per (source, view) and start at 0
// when the job starts, in this server process: after a restart a record
// skipped again after the restored checkpoint counts again.

var sourceErrorColumns = []types.Column{
	{Name: "source_name", Type: types.TVarchar},
	{Name: "view_name", Type: types.TVarchar},
	{Name: "records_skipped", Type: types.TInt8},
}

// jobSources remembers the connector sources one job opened.
type jobSources struct {
	mu   sync.Mutex
	list []openedSource
}

type openedSource struct {
	rel *catalog.Relation
	src connector.Source
}

// wrap returns open, recording every source it opens.
func (js *jobSources) wrap(open func(context.Context, *catalog.Relation) (connector.Source, error)) func(context.Context, *catalog.Relation) (connector.Source, error) {
	return func(ctx context.Context, rel *catalog.Relation) (connector.Source, error) {
		src, err := open(ctx, rel)
		if err == nil {
			js.mu.Lock()
			js.list = append(js.list, openedSource{rel: rel, src: src})
			js.mu.Unlock()
		}
		return src, err
	}
}

// skipped sums the skip counters of the job's sources per relation, in
// the order the job opened them (a relation read twice, as in a self-join,
// has two sources).
func (js *jobSources) skipped() (rels []*catalog.Relation, counts []int64) {
	if js == nil {
		return nil, nil
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	idx := map[uint32]int{}
	for _, o := range js.list {
		i, ok := idx[o.rel.ID]
		if !ok {
			i = len(rels)
			idx[o.rel.ID] = i
			rels = append(rels, o.rel)
			counts = append(counts, 0)
		}
		if sc, ok := o.src.(connector.SkipCounter); ok {
			counts[i] += sc.Skipped()
		}
	}
	return rels, counts
}

// sourceError is one row of streamsql_source_errors.
type sourceError struct {
	source, view string
	skipped      int64
}

// sourceErrors lists the sources of every running view's job, by view
// then source name.
func (e *Engine) sourceErrors() []sourceError {
	var out []sourceError
	for _, vj := range e.runningJobs() {
		rels, counts := vj.sources.skipped()
		for i, rel := range rels {
			out = append(out, sourceError{source: rel.Name, view: vj.rel.Name, skipped: counts[i]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].view != out[j].view {
			return out[i].view < out[j].view
		}
		return out[i].source < out[j].source
	})
	return out
}

func (e *Engine) sourceErrorRows(context.Context) ([]types.Row, error) {
	errs := e.sourceErrors()
	rows := make([]types.Row, 0, len(errs))
	for _, s := range errs {
		rows = append(rows, types.Row{types.NewString(s.source), types.NewString(s.view), types.NewInt(s.skipped)})
	}
	return rows, nil
}

// sourceErrorCollector exports streamsqld_source_records_skipped_total.
type sourceErrorCollector struct {
	e       *Engine
	skipped *prometheus.Desc
}

func newSourceErrorCollector(e *Engine) *sourceErrorCollector {
	return &sourceErrorCollector{
		e: e,
		skipped: prometheus.NewDesc("streamsqld_source_records_skipped_total",
			"Malformed records a source skipped for a materialized view's job since the job started.",
			[]string{"source", "view"}, nil),
	}
}

func (m *sourceErrorCollector) Describe(ch chan<- *prometheus.Desc) { ch <- m.skipped }

func (m *sourceErrorCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range m.e.sourceErrors() {
		ch <- prometheus.MustNewConstMetric(m.skipped, prometheus.CounterValue, float64(s.skipped), s.source, s.view)
	}
}
