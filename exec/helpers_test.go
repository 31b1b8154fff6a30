package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testSource is a connector.Source over in-memory batches, the test input
// of jobs. Each Read emits (up to max rows of) one batch, so watermarks,
// which sources emit between reads, fall at known places.
type testSource struct {
	splits []*testSplit
}

type testSplit struct {
	name    string
	mu      sync.Mutex
	batches [][]types.Row
	closed  bool // bounded: EOF after the last batch
	notify  chan struct{}
	err     error // returned by Read once the batches are consumed
}

func newTestSource(n int) *testSource {
	s := &testSource{}
	for i := 0; i < n; i++ {
		s.splits = append(s.splits, &testSplit{name: fmt.Sprintf("s%d", i), notify: make(chan struct{}, 1)})
	}
	return s
}

// push appends a batch to split i.
func (s *testSource) push(i int, rows ...types.Row) {
	sp := s.splits[i]
	sp.mu.Lock()
	sp.batches = append(sp.batches, rows)
	sp.mu.Unlock()
	select {
	case sp.notify <- struct{}{}:
	default:
	}
}

// close makes split i end after its batches (a bounded split).
func (s *testSource) close(i int) {
	sp := s.splits[i]
	sp.mu.Lock()
	sp.closed = true
	sp.mu.Unlock()
	select {
	case sp.notify <- struct{}{}:
	default:
	}
}

func (s *testSource) closeAll() {
	for i := range s.splits {
		s.close(i)
	}
}

func (s *testSource) Splits(context.Context, int) ([]string, error) {
	var out []string
	for _, sp := range s.splits {
		out = append(out, sp.name)
	}
	return out, nil
}

func (s *testSource) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	for _, sp := range s.splits {
		if sp.name == split {
			r := &testReader{sp: sp}
			if len(pos) == 16 {
				r.batch = int(binary.BigEndian.Uint64(pos))
				r.row = int(binary.BigEndian.Uint64(pos[8:]))
			}
			return r, nil
		}
	}
	return nil, fmt.Errorf("no split %q", split)
}

func (s *testSource) Close() error { return nil }

type testReader struct {
	sp         *testSplit
	batch, row int
}

func (r *testReader) Read(ctx context.Context, max int, emit func(types.Row)) (int, error) {
	sp := r.sp
	sp.mu.Lock()
	if r.batch < len(sp.batches) {
		b := sp.batches[r.batch]
		n := 0
		for r.row < len(b) && n < max {
			emit(b[r.row])
			r.row++
			n++
		}
		if r.row == len(b) {
			r.batch, r.row = r.batch+1, 0
		}
		sp.mu.Unlock()
		return n, nil
	}
	closed, err := sp.closed, sp.err
	sp.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if closed {
		return 0, io.EOF
	}
	t := time.NewTimer(20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-sp.notify:
	case <-t.C:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	return 0, nil
}

func (r *testReader) Position() []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(r.batch))
	binary.BigEndian.PutUint64(b[8:], uint64(r.row))
	return b
}

func (r *testReader) Close() error { return nil }

// Schema helpers.

func intCol(name string) types.Column { return types.Column{Name: name, Type: types.TInt8} }
func tsCol(name string) types.Column  { return types.Column{Name: name, Type: types.TTimestamp} }

func ints(vs ...int64) types.Row {
	r := make(types.Row, len(vs))
	for i, v := range vs {
		r[i] = types.NewInt(v)
	}
	return r
}

// ev is a source row (ts, k, v) with ts as TIMESTAMP micros.
func ev(ts, k, v int64) types.Row {
	return types.Row{types.NewTime(ts), types.NewInt(k), types.NewInt(v)}
}

var eventCols = []types.Column{tsCol("ts"), intCol("k"), intCol("v")}

func mustAgg(t testing.TB, name string, arg ...types.T) *expr.AggFunc {
	t.Helper()
	fn, err := expr.ResolveAgg(name, arg, false)
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// windowAggGraph is source(ts, k, v) -> tumble(ts, size) -> agg by
// (window_end[, k]) count(*), sum(v) -> materialize, with the given
// parallelism for every operator.
func windowAggGraph(t testing.TB, par int, size, delay int64, byKey, eowc bool) *planner.StreamGraph {
	rel := &catalog.Relation{ID: 1, Name: "events", Columns: eventCols}
	src := &planner.Operator{
		ID: 1, Kind: planner.OpSource, Parallelism: par, Output: eventCols, WatermarkCol: 0,
		Source: &planner.SourceSpec{Relation: rel, EventTimeCol: 0, DelayMicros: delay},
	}
	winCols := append(append([]types.Column{}, eventCols...), tsCol("window_start"), tsCol("window_end"))
	win := &planner.Operator{
		ID: 2, Kind: planner.OpWindowAssign, Parallelism: par, Output: winCols, WatermarkCol: 0,
		Inputs:       []planner.Input{{From: 0, Exchange: planner.Forward}},
		WindowAssign: &planner.WindowAssignSpec{TimeCol: 0, SizeMicros: size, SlideMicros: size},
	}
	keys := []int{4}
	aggCols := []types.Column{tsCol("window_end")}
	if byKey {
		keys = []int{4, 1}
		aggCols = append(aggCols, intCol("k"))
	}
	aggCols = append(aggCols, intCol("count"), intCol("sum"))
	outKeys := make([]int, len(keys))
	for i := range keys {
		outKeys[i] = i
	}
	agg := &planner.Operator{
		ID: 3, Kind: planner.OpHashAgg, Parallelism: par, Output: aggCols, WatermarkCol: 0,
		Inputs: []planner.Input{{From: 1, Exchange: planner.Hash, Keys: keys}},
		HashAgg: &planner.HashAggSpec{
			GroupKeys: keys, WindowEndKey: 0, EmitOnWindowClose: eowc,
			Aggs: []planner.AggCall{
				{Fn: mustAgg(t, "count"), Arg: -1, FilterCol: -1},
				{Fn: mustAgg(t, "sum", types.TInt8), Arg: 2, FilterCol: -1},
			},
		},
	}
	view := &catalog.Relation{ID: 100, Name: "v", Columns: aggCols}
	mat := &planner.Operator{
		ID: 4, Kind: planner.OpMaterialize, Parallelism: par, Output: aggCols, WatermarkCol: -1,
		Inputs:      []planner.Input{{From: 2, Exchange: planner.Hash, Keys: outKeys}},
		Materialize: &planner.MaterializeSpec{View: view, KeyCols: outKeys},
	}
	return &planner.StreamGraph{Operators: []*planner.Operator{src, win, agg, mat}, Output: aggCols}
}

// startJob builds and starts graph over src; the job is stopped at the
// end of the test.
func startJob(t testing.TB, graph *planner.StreamGraph, env Env, src connector.Source) *Job {
	t.Helper()
	if env.Sources == nil {
		env.Sources = func(context.Context, *catalog.Relation) (connector.Source, error) { return src, nil }
	}
	j, err := Build(graph, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(j.Stop)
	return j
}

// waitDone waits for the end of a bounded job.
func waitDone(t testing.TB, j *Job) {
	t.Helper()
	select {
	case <-j.Done():
	case <-j.Exited():
		select {
		case <-j.Done():
		default:
			t.Fatalf("job ended without finishing: %v", j.Err())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("job did not finish")
	}
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
}

// rowsString renders rows sorted, one per line.
func rowsString(rows []types.Row) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, d := range r {
			parts[j] = FormatDatum(d)
		}
		lines[i] = strings.Join(parts, " ")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// recorder is an Emitter that keeps what an operator emits, for operator
// tests driven by hand (feed a chunk or a watermark, print the output).
type recorder struct{ out []string }

func (r *recorder) Emit(c *Chunk) error {
	if c.Len() > 0 {
		r.out = append(r.out, c.String())
	}
	return nil
}

// take returns the output since the last take.
func (r *recorder) take() string {
	s := strings.Join(r.out, "\n")
	r.out = nil
	return s
}

func chunkOf(width int, rows ...any) *Chunk {
	c := NewChunk(width, len(rows))
	op := Insert
	for _, x := range rows {
		switch x := x.(type) {
		case Op:
			op = x
		case types.Row:
			c.Append(op, x)
		}
	}
	return c
}
