package exec

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// joinHarness drives one join subtask by hand: feed a chunk to a side, a
// watermark, a barrier; read what it emitted.
type joinHarness struct {
	t     *testing.T
	spec  *planner.JoinSpec
	op    *planner.Operator
	j     *streamJoin
	rec   *recorder
	nl    int
	nr    int
	clock time.Time
	// tables are the state tables by id, shared by restarts.
	tables map[uint32]*MemState
	epoch  uint64
}

// newJoinHarness builds a join of a left input of nl int8 columns with a
// right input of nr, with the given spec.
func newJoinHarness(t *testing.T, nl, nr int, spec *planner.JoinSpec) *joinHarness {
	t.Helper()
	if spec.LeftStateTableID == 0 {
		spec.LeftStateTableID, spec.RightStateTableID = 1, 2
	}
	cols := make([]types.Column, nl+nr)
	for i := range cols {
		cols[i] = intCol("c")
	}
	h := &joinHarness{t: t, spec: spec, nl: nl, nr: nr, rec: &recorder{},
		clock: time.Unix(1e6, 0), tables: map[uint32]*MemState{}}
	h.op = &planner.Operator{ID: 1, Kind: planner.OpJoin, Output: cols, Join: spec, WatermarkCol: -1}
	h.restart()
	return h
}

// restart rebuilds the operator from its state tables, as recovery would.
func (h *joinHarness) restart() {
	h.t.Helper()
	env := &Env{
		Now: func() time.Time { return h.clock },
		StateTables: func(id uint32, _ int) (StateTable, error) {
			if h.tables[id] == nil {
				h.tables[id] = NewMemState()
			}
			return h.tables[id], nil
		},
	}
	j, err := newStreamJoin(h.op, 0, h.nl, h.nr, newSubtaskStats(), &expr.Ctx{}, env)
	if err != nil {
		h.t.Fatal(err)
	}
	h.j = j
}

// feed sends rows ("+ 1 2", "- 1 2") to side 0 (left) or 1 (right) and
// returns the output.
func (h *joinHarness) feed(side int, rows ...string) string {
	h.t.Helper()
	w := h.nl
	if side == 1 {
		w = h.nr
	}
	c := NewChunk(w, len(rows))
	for _, r := range rows {
		f := strings.Fields(r)
		op := Insert
		if f[0] == "-" {
			op = Delete
		}
		row := make(types.Row, w)
		for i, v := range f[1:] {
			if v == "NULL" {
				continue
			}
			var n int64
			for _, ch := range v {
				n = n*10 + int64(ch-'0')
			}
			row[i] = types.NewInt(n)
		}
		c.Append(op, row)
	}
	if err := h.j.OnInputChunk(context.Background(), side, c, h.rec); err != nil {
		h.t.Fatal(err)
	}
	return h.rec.take()
}

// watermark advances side's watermark; it returns the output watermark
// ("none" when the join forwards none).
func (h *joinHarness) watermark(side int, ts int64) string {
	h.t.Helper()
	w, ok, err := h.j.OnInputWatermark(context.Background(), side, Watermark{TS: ts}, h.rec)
	if err != nil {
		h.t.Fatal(err)
	}
	if !ok {
		return "none"
	}
	return FormatDatum(types.NewInt(w.TS))
}

func (h *joinHarness) checkpoint() {
	h.t.Helper()
	h.epoch++
	if err := h.j.OnBarrier(context.Background(), Barrier{Epoch: h.epoch, Checkpoint: true}, h.rec); err != nil {
		h.t.Fatal(err)
	}
}

// stateSize is the rows held in memory and the keys written to the state
// tables, per side.
func (h *joinHarness) stateSize() [4]int {
	r := h.j.stateRows()
	return [4]int{r[0], r[1], h.tables[h.spec.LeftStateTableID].Len(), h.tables[h.spec.RightStateTableID].Len()}
}

func expect(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func lines(s ...string) string { return strings.Join(s, "\n") }

func TestJoinInner(t *testing.T) {
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0}})
	expect(t, h.feed(0, "+ 1 10", "+ 2 20"), "")
	expect(t, h.feed(1, "+ 1 100", "+ 3 300"), "+ 1 10 1 100")
	// A second copy of a left row matches too; multiplicities multiply.
	expect(t, h.feed(0, "+ 1 10"), "+ 1 10 1 100")
	expect(t, h.feed(1, "+ 1 101"), lines("+ 1 10 1 101", "+ 1 10 1 101"))
	expect(t, h.feed(0, "- 1 10"), lines("- 1 10 1 100", "- 1 10 1 101"))
	expect(t, h.feed(1, "- 1 100"), "- 1 10 1 100")
	// NULL keys never match and are not stored.
	expect(t, h.feed(0, "+ NULL 5"), "")
	expect(t, h.feed(1, "+ NULL 6"), "")
	// A delete of a row never inserted is dropped and counted.
	expect(t, h.feed(1, "- 9 9"), "")
	if n := h.j.late.Load(); n != 1 {
		t.Fatalf("late = %d, want 1", n)
	}
	if got := h.j.stateRows(); got != [2]int{2, 2} {
		t.Fatalf("state rows %v, want [2 2]", got)
	}
}

// A LEFT JOIN row is NULL-padded until its first partner arrives; the
// padded row is retracted then, and comes back when the last partner
// leaves.
func TestJoinLeftRetractions(t *testing.T) {
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinLeft, LeftKeys: []int{0}, RightKeys: []int{0}})
	expect(t, h.feed(0, "+ 1 10"), "+ 1 10 NULL NULL")
	expect(t, h.feed(1, "+ 1 100"), lines("- 1 10 NULL NULL", "+ 1 10 1 100"))
	expect(t, h.feed(1, "+ 1 101"), "+ 1 10 1 101")
	expect(t, h.feed(1, "- 1 100"), "- 1 10 1 100")
	expect(t, h.feed(1, "- 1 101"), lines("- 1 10 1 101", "+ 1 10 NULL NULL"))
	expect(t, h.feed(0, "- 1 10"), "- 1 10 NULL NULL")
	// A NULL key shows padded and retracts the same way.
	expect(t, h.feed(0, "+ NULL 7", "- NULL 7"), lines("+ NULL 7 NULL NULL", "- NULL 7 NULL NULL"))
	// Right rows without partners show nothing in a left join.
	expect(t, h.feed(1, "+ 2 200"), "")
	expect(t, h.feed(0, "+ 2 20", "+ 2 20"), lines("+ 2 20 2 200", "+ 2 20 2 200"))
	expect(t, h.feed(1, "- 2 200"), lines("- 2 20 2 200", "- 2 20 2 200", "+ 2 20 NULL NULL", "+ 2 20 NULL NULL"))
}

func TestJoinRightRetractions(t *testing.T) {
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinRight, LeftKeys: []int{0}, RightKeys: []int{0}})
	expect(t, h.feed(1, "+ 1 100", "+ 1 100"), lines("+ NULL NULL 1 100", "+ NULL NULL 1 100"))
	// The padded copies of a duplicated right row go together.
	expect(t, h.feed(0, "+ 1 10"), lines("- NULL NULL 1 100", "- NULL NULL 1 100", "+ 1 10 1 100", "+ 1 10 1 100"))
	expect(t, h.feed(0, "- 1 10"), lines("- 1 10 1 100", "- 1 10 1 100", "+ NULL NULL 1 100", "+ NULL NULL 1 100"))
	expect(t, h.feed(1, "- 1 100"), "- NULL NULL 1 100")
}

// FULL JOIN with a residual: the degree counts only the pairs the residual
// accepts.
func TestJoinFullResidual(t *testing.T) {
	gt, _, err := expr.ResolveFunc(">", []types.T{types.TInt8, types.TInt8})
	if err != nil {
		t.Fatal(err)
	}
	// ON l.k = r.k AND r.w > l.v
	res := &expr.Call{Fn: gt, Args: []expr.Expr{
		&expr.ColRef{Idx: 3, T: types.TInt8, Name: "w"}, &expr.ColRef{Idx: 1, T: types.TInt8, Name: "v"}}}
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinFull, LeftKeys: []int{0}, RightKeys: []int{0}, Residual: res})
	expect(t, h.feed(0, "+ 1 50"), "+ 1 50 NULL NULL")
	expect(t, h.feed(1, "+ 1 40"), "+ NULL NULL 1 40")
	expect(t, h.feed(1, "+ 1 60"), lines("- 1 50 NULL NULL", "+ 1 50 1 60"))
	expect(t, h.feed(0, "+ 1 30"), lines("- NULL NULL 1 40", "+ 1 30 1 40", "+ 1 30 1 60"))
	expect(t, h.feed(0, "- 1 30"), lines("- 1 30 1 40", "+ NULL NULL 1 40", "- 1 30 1 60"))
	expect(t, h.feed(1, "- 1 60"), lines("- 1 50 1 60", "+ 1 50 NULL NULL"))
}

// intervalSpec is l JOIN r ON l.k = r.k AND l.ts BETWEEN r.ts - 10 AND
// r.ts over (k, ts) inputs, with the bounds the planner derives.
func intervalSpec(t *testing.T) *planner.JoinSpec {
	le, _, err := expr.ResolveFunc("<=", []types.T{types.TTimestamp, types.TTimestamp})
	if err != nil {
		t.Fatal(err)
	}
	plus, _, err := expr.ResolveFunc("+", []types.T{types.TTimestamp, types.TInterval})
	if err != nil {
		t.Fatal(err)
	}
	ts := func(i int) expr.Expr { return &expr.ColRef{Idx: i, T: types.TTimestamp, Name: "ts"} }
	ten := &expr.Const{D: types.NewInterval(types.IntervalValue{Micros: 10}), T: types.TInterval}
	return &planner.JoinSpec{
		Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0},
		Residual: &expr.And{Args: []expr.Expr{
			&expr.Call{Fn: le, Args: []expr.Expr{ts(1), ts(3)}},
			&expr.Call{Fn: le, Args: []expr.Expr{ts(3), &expr.Call{Fn: plus, Args: []expr.Expr{ts(1), ten}}}},
		}},
		LeftBounds:  []planner.JoinStateBound{{Col: 1, OffsetMicros: 10}},
		RightBounds: []planner.JoinStateBound{{Col: 1, OffsetMicros: 0}},
		OutputSide:  0, OutputOffset: -10,
	}
}

// feedTimes sends (k, ts) rows with op to side.
func (h *joinHarness) feedTimes(side int, op Op, rows ...[2]int64) string {
	h.t.Helper()
	c := NewChunk(2, len(rows))
	for _, r := range rows {
		c.Append(op, types.Row{types.NewInt(r[0]), types.NewTime(r[1])})
	}
	if err := h.j.OnInputChunk(context.Background(), side, c, h.rec); err != nil {
		h.t.Fatal(err)
	}
	return h.rec.take()
}

// Interval join: l.ts BETWEEN r.ts - 10 AND r.ts + 0 (micros), written as
// l.ts <= r.ts AND r.ts <= l.ts + 10: a left row dies when the right
// watermark passes ts + 10, a right row when the left watermark passes ts.
// State is measured before and after the watermarks pass.
func TestJoinIntervalStateCleanup(t *testing.T) {
	h := newJoinHarness(t, 2, 2, intervalSpec(t))
	h.op.WatermarkCol = 1
	h.restart()
	feed := func(side int, rows ...[2]int64) string { return h.feedTimes(side, Insert, rows...) }
	// Key i%10, time 100+i on both sides: each left row matches the right
	// row of equal time and the one 10 later (same key): 100 + 90 pairs.
	var rows [][2]int64
	for i := int64(0); i < 100; i++ {
		rows = append(rows, [2]int64{i % 10, 100 + i})
	}
	feed(0, rows...)
	if out := feed(1, rows...); strings.Count(out, "\n")+1 != 190 {
		t.Fatalf("interval join produced %d rows, want 190", strings.Count(out, "\n")+1)
	}
	h.checkpoint()
	before := h.stateSize()
	expect(t, h.watermark(0, 120), "none") // no right watermark yet
	expect(t, h.watermark(1, 150), "120")  // min(120, 150 - 10)
	h.checkpoint()
	mid := h.stateSize()
	// A late left row (133 + 10 < 150) still meets the right rows in
	// state (133 and 143 of key 3), but is not kept.
	expect(t, feed(0, [2]int64{3, 133}), lines("+ 3 133 3 133", "+ 3 133 3 143"))
	expect(t, h.watermark(0, 1000), "140")
	expect(t, h.watermark(1, 1000), "990")
	h.checkpoint()
	after := h.stateSize()
	t.Logf("interval join state [left rows, right rows, left keys, right keys]: before %v, after watermarks 120/150 %v, after 1000 %v", before, mid, after)
	// Dead at 120/150: right rows with ts < 120 (20), left rows with
	// ts + 10 < 150 (40).
	if before != [4]int{100, 100, 100, 100} || mid != [4]int{60, 80, 60, 80} || after != [4]int{0, 0, 0, 0} {
		t.Fatalf("state before %v, mid %v, after %v", before, mid, after)
	}
}

// A row dropped because the other side's watermark passed it can still be
// retracted by its own side, whose watermark lags (an aggregation's
// changelog): the retraction finds its partners, which are still in state.
func TestJoinIntervalRetractDropped(t *testing.T) {
	h := newJoinHarness(t, 2, 2, intervalSpec(t))
	expect(t, h.feedTimes(1, Insert, [2]int64{1, 100}), "")
	expect(t, h.feedTimes(0, Insert, [2]int64{1, 95}), "+ 1 95 1 100")
	h.watermark(1, 90)
	h.watermark(0, 150) // the right row (100 < 150) is dropped
	if got := h.j.stateRows(); got != [2]int{1, 0} {
		t.Fatalf("state %v, want [1 0]", got)
	}
	expect(t, h.feedTimes(1, Delete, [2]int64{1, 100}), "- 1 95 1 100")
	// A retraction of a row that is neither in state nor dropped is
	// inconsistent input: ignored and counted.
	expect(t, h.feedTimes(1, Delete, [2]int64{1, 200}), "")
	if n := h.j.late.Load(); n != 1 {
		t.Fatalf("late = %d", n)
	}
}

func itoa(i int) string {
	return FormatDatum(types.NewInt(int64(i)))
}

// Window join on window_end: a window's rows go when the other side's
// watermark passes the window's end.
func TestJoinWindowStateCleanup(t *testing.T) {
	spec := &planner.JoinSpec{
		Type: planner.JoinInner, LeftKeys: []int{0, 1}, RightKeys: []int{0, 1},
		LeftBounds:       []planner.JoinStateBound{{Col: 1}},
		RightBounds:      []planner.JoinStateBound{{Col: 1}},
		LeftWatermarkCol: 1, RightWatermarkCol: 1,
	}
	h := newJoinHarness(t, 2, 2, spec)
	// (key, window_end): windows end at 10, 20, 30.
	for _, end := range []string{"10", "20", "30"} {
		var rows []string
		for k := 0; k < 5; k++ {
			rows = append(rows, "+ "+itoa(k)+" "+end)
		}
		h.feed(0, rows...)
		h.feed(1, rows[:3]...)
	}
	h.checkpoint()
	before := h.stateSize()
	h.watermark(1, 15) // frees left windows ending before 15
	h.watermark(0, 25) // frees right windows ending before 25
	h.checkpoint()
	after := h.stateSize()
	t.Logf("window join state rows [left right | left keys right keys]: before %v, after %v", before, after)
	if before != [4]int{15, 9, 15, 9} || after != [4]int{10, 3, 10, 3} {
		t.Fatalf("state before %v, after %v", before, after)
	}
}

// state.ttl: rows not touched for the TTL of processing time are dropped
// on a barrier; matching touches the partner.
func TestJoinTTL(t *testing.T) {
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0},
		TTLMicros: int64(time.Hour / time.Microsecond)})
	h.feed(1, "+ 1 100", "+ 2 200")
	h.clock = h.clock.Add(40 * time.Minute)
	expect(t, h.feed(0, "+ 1 10"), "+ 1 10 1 100") // touches right row 1
	h.clock = h.clock.Add(40 * time.Minute)
	h.checkpoint() // right row 2 is 80 minutes old
	if got := h.j.stateRows(); got != [2]int{1, 1} {
		t.Fatalf("state %v, want [1 1]", got)
	}
	expect(t, h.feed(0, "+ 2 20"), "")
	h.clock = h.clock.Add(2 * time.Hour)
	h.checkpoint()
	if got := h.stateSize(); got != [4]int{0, 0, 0, 0} {
		t.Fatalf("state %v, want empty", got)
	}
}

// The state written on checkpoints restores the join, degrees included: a
// rebuilt LEFT JOIN still retracts the right rows and restores padding.
func TestJoinRestore(t *testing.T) {
	h := newJoinHarness(t, 2, 2, &planner.JoinSpec{Type: planner.JoinLeft, LeftKeys: []int{0}, RightKeys: []int{0}})
	h.feed(0, "+ 1 10", "+ 1 10", "+ 2 20")
	h.feed(1, "+ 1 100")
	h.checkpoint()
	h.feed(1, "+ 2 200") // after the checkpoint: lost by the restart
	h.restart()
	expect(t, h.feed(1, "- 1 100"), lines("- 1 10 1 100", "- 1 10 1 100", "+ 1 10 NULL NULL", "+ 1 10 NULL NULL"))
	expect(t, h.feed(1, "+ 2 200"), lines("- 2 20 NULL NULL", "+ 2 20 2 200"))
	h.checkpoint()
	h.restart()
	expect(t, h.feed(0, "- 2 20"), "- 2 20 2 200")
	expect(t, h.feed(0, "- 1 10"), "- 1 10 NULL NULL")
	if got := h.j.stateRows(); got != [2]int{1, 1} {
		t.Fatalf("state %v", got)
	}
}

// An interval join run by the runtime over two sources: the join gets each
// side's watermark from its own channels (two inputs of parallelism 2),
// and its state, measured in the state tables after checkpoints, shrinks
// to the rows still inside the interval once the watermarks pass.
func TestJoinIntervalJob(t *testing.T) {
	const sec = int64(time.Second / time.Microsecond)
	rel := func(name string) *catalog.Relation {
		return &catalog.Relation{Kind: catalog.Source, Name: name, Connector: "test", Columns: eventCols,
			HasWatermark: true, WatermarkColumn: "ts", WatermarkDelay: types.IntervalValue{Micros: 1000 * sec}}
	}
	srcs := map[string]*testSource{"l": newTestSource(2), "r": newTestSource(2)}
	jj := startJoinJob(t, []*catalog.Relation{rel("l"), rel("r")}, srcs, `SELECT l.k, l.ts, r.ts AS rts FROM l JOIN r
		ON l.k = r.k AND l.ts BETWEEN r.ts - INTERVAL '10' SECOND AND r.ts`)
	j, join, mu, tables := jj.job, jj.join, &jj.mu, jj.tables
	// stateKeys checkpoints, then counts the keys of each side's table.
	ctx := context.Background()
	stateKeys := func() [2]int {
		t.Helper()
		if err := j.WaitCaughtUp(ctx); err != nil {
			t.Fatal(err)
		}
		e := j.LastEpoch() + 1
		if err := j.TriggerBarrier(e, true); err != nil {
			t.Fatal(err)
		}
		for done := false; !done; {
			select {
			case c := <-j.Completed():
				done = c >= e
			case <-time.After(10 * time.Second):
				t.Fatal("checkpoint did not complete")
			}
		}
		mu.Lock()
		defer mu.Unlock()
		var n [2]int
		for k, st := range tables {
			switch k[0] {
			case join.Join.LeftStateTableID:
				n[0] += st.Len()
			case join.Join.RightStateTableID:
				n[1] += st.Len()
			}
		}
		return n
	}
	// 1000 rows per side, one per second, 50 keys; the sources' 1000 s
	// delay holds the watermarks back.
	for side, name := range []string{"l", "r"} {
		var split [2][]types.Row
		for i := int64(0); i < 1000; i++ {
			split[i%2] = append(split[i%2], ev(i*sec, i%50, int64(side)))
		}
		srcs[name].push(0, split[0]...)
		srcs[name].push(1, split[1]...)
	}
	before := stateKeys()
	// One row per split 2000 s later moves both watermarks to 1000 s:
	// left rows live while ts + 10 s >= 1000 s (990..999 and the new
	// ones), right rows while ts >= 1000 s (the new ones).
	for _, name := range []string{"l", "r"} {
		srcs[name].push(0, ev(2000*sec, 7, 0))
		srcs[name].push(1, ev(2000*sec, 8, 0))
	}
	after := stateKeys()
	t.Logf("interval join state keys [left, right]: before the watermarks %v, after %v", before, after)
	if before != [2]int{1000, 1000} || after != [2]int{12, 2} {
		t.Fatalf("state keys before %v, after %v", before, after)
	}
	// Each left row matches the right row of equal time and those up to
	// 10 s later with its key: only the equal one (keys repeat every 50 s).
	for _, s := range srcs {
		s.closeAll()
	}
	waitDone(t, j)
	if n := len(j.View().Snapshot()); n != 1002 {
		t.Fatalf("view has %d rows, want 1002", n)
	}
}

// BenchmarkJoinInner measures one subtask of a keyed inner join: each
// iteration inserts a chunk of 1024 left rows, then the 1024 right rows
// that match them one to one.
func BenchmarkJoinInner(b *testing.B) {
	cols := []types.Column{intCol("k"), intCol("v"), intCol("k"), intCol("w")}
	op := &planner.Operator{ID: 1, Kind: planner.OpJoin, Output: cols, WatermarkCol: -1,
		Join: &planner.JoinSpec{Type: planner.JoinInner, LeftKeys: []int{0}, RightKeys: []int{0}}}
	j, err := newStreamJoin(op, 0, 2, 2, newSubtaskStats(), &expr.Ctx{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := discardEmitter{}
	l, r := NewChunk(2, ChunkSize), NewChunk(2, ChunkSize)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Reset()
		r.Reset()
		for k := 0; k < ChunkSize; k++ {
			key := int64(i*ChunkSize + k)
			l.Append(Insert, ints(key, 1))
			r.Append(Insert, ints(key, 2))
		}
		if err := j.OnInputChunk(ctx, 0, l, out); err != nil {
			b.Fatal(err)
		}
		if err := j.OnInputChunk(ctx, 1, r, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(2*ChunkSize*b.N)/b.Elapsed().Seconds(), "rows/s")
}

type discardEmitter struct{}

func (discardEmitter) Emit(c *Chunk) error { releaseChunk(c); return nil }

// joinJob is a job of a view with one join, over test sources.
type joinJob struct {
	job  *Job
	join *planner.Operator
	mu   sync.Mutex
	// tables are the state tables by (id, subtask).
	tables map[[2]uint32]*MemState
}

// startJoinJob plans query over rels (parallelism 2) and runs it over
// srcs, by relation name.
func startJoinJob(t *testing.T, rels []*catalog.Relation, srcs map[string]*testSource, query string) *joinJob {
	t.Helper()
	cat := testCatalog(t, rels)
	next := uint32(0)
	g, err := planner.PlanStream(parseSelect(t, query), planner.Env{Catalog: cat},
		planner.StreamOptions{Parallelism: 2, NextStateTableID: func() uint32 { next++; return next }})
	if err != nil {
		t.Fatal(err)
	}
	jj := &joinJob{tables: map[[2]uint32]*MemState{}}
	for _, op := range g.Operators {
		if op.Kind == planner.OpJoin {
			jj.join = op
		}
	}
	env := Env{
		Sources: func(_ context.Context, r *catalog.Relation) (connector.Source, error) { return srcs[r.Name], nil },
		StateTables: func(id uint32, subtask int) (StateTable, error) {
			jj.mu.Lock()
			defer jj.mu.Unlock()
			k := [2]uint32{id, uint32(subtask)}
			if jj.tables[k] == nil {
				jj.tables[k] = NewMemState()
			}
			return jj.tables[k], nil
		},
	}
	jj.job = startJob(t, g, env, nil)
	return jj
}

// A LEFT JOIN without keys: the right side is broadcast to both subtasks
// of the left side, each matching its own left rows against all right
// rows; the result equals the nested loop computed here.
func TestJoinBroadcastJob(t *testing.T) {
	rel := func(name string) *catalog.Relation {
		return &catalog.Relation{Kind: catalog.Source, Name: name, Connector: "test", Columns: eventCols}
	}
	srcs := map[string]*testSource{"l": newTestSource(2), "r": newTestSource(2)}
	jj := startJoinJob(t, []*catalog.Relation{rel("l"), rel("r")}, srcs,
		`SELECT l.k, r.k AS rk FROM l LEFT JOIN r ON l.v < r.v`)
	if in := jj.join.Inputs[1]; in.Exchange != planner.Broadcast || jj.join.Parallelism != 2 {
		t.Fatalf("right input %+v, parallelism %d: want a broadcast into 2 subtasks", in, jj.join.Parallelism)
	}
	var want []types.Row
	var lv, rv []int64
	for i := int64(0); i < 40; i++ {
		lv = append(lv, i*3%17)
		rv = append(rv, i*5%23)
	}
	for i, v := range lv {
		srcs["l"].push(i%2, ev(0, int64(i), v))
	}
	for i, v := range rv {
		srcs["r"].push(i%2, ev(0, int64(100+i), v))
	}
	for i, l := range lv {
		matched := false
		for k, r := range rv {
			if l < r {
				want = append(want, ints(int64(i), int64(100+k)))
				matched = true
			}
		}
		if !matched {
			want = append(want, types.Row{types.NewInt(int64(i)), types.Null})
		}
	}
	for _, s := range srcs {
		s.closeAll()
	}
	waitDone(t, jj.job)
	if got, exp := rowsString(jj.job.View().Snapshot()), rowsString(want); got != exp {
		t.Fatalf("view:\n%s\nwant:\n%s", got, exp)
	}
}
