package exec

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// ckHarness plays the server's checkpoint coordinator over a real storage
// DB: barriers, flushes into the epoch's writer, manifest of positions.
type ckHarness struct {
	t     *testing.T
	dir   string
	db    *storage.DB
	clock EpochClock

	mu  sync.Mutex
	cur *storage.CheckpointWriter
}

type ckPosition struct {
	Op    int
	Split string
	Pos   []byte
}

func openHarness(t *testing.T, dir string) *ckHarness {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{NoSync: true, GCInterval: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	h := &ckHarness{t: t, dir: dir, db: db}
	h.clock.Observe(db.EpochHighWater())
	return h
}

// crash closes the DB as a crash would leave it: nothing after the last
// committed checkpoint survives a restart.
func (h *ckHarness) crash(jobs ...*Job) *ckHarness {
	for _, j := range jobs {
		j.Stop()
	}
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	return openHarness(h.t, h.dir)
}

func (h *ckHarness) env() Env {
	return Env{
		StateTables: func(id uint32, _ int) (StateTable, error) { return h.db.NewStateTable(id), nil },
		FlushState: func(epoch uint64, t StateTable) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			if h.cur == nil || h.cur.Epoch() != epoch {
				return nil
			}
			return t.(*storage.StateTable).Flush(h.cur)
		},
		Epochs:          &h.clock,
		ConsistentReads: true,
	}
}

// positions returns the start positions of the last committed checkpoint.
func (h *ckHarness) positions() func(op int, split string) []byte {
	_, raw, err := h.db.LatestCheckpoint()
	if err != nil {
		h.t.Fatal(err)
	}
	var ps []ckPosition
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &ps); err != nil {
			h.t.Fatal(err)
		}
	}
	m := map[SplitKey][]byte{}
	for _, p := range ps {
		m[SplitKey{p.Op, p.Split}] = p.Pos
	}
	return func(op int, split string) []byte { return m[SplitKey{op, split}] }
}

// checkpoint takes a checkpoint of job j and commits it.
func (h *ckHarness) checkpoint(j *Job) uint64 {
	h.t.Helper()
	p := h.begin(j)
	p.commit()
	return p.epoch
}

// pendingCheckpoint is a checkpoint whose barriers completed and which is
// not committed yet.
type pendingCheckpoint struct {
	h     *ckHarness
	j     *Job
	w     *storage.CheckpointWriter
	epoch uint64
}

// begin injects a checkpoint's barriers into j and waits until j
// completed them.
func (h *ckHarness) begin(j *Job) *pendingCheckpoint {
	h.t.Helper()
	var w *storage.CheckpointWriter
	var done <-chan struct{}
	var epoch uint64
	err := h.clock.Next(func(n uint64) error {
		var err error
		if w, err = h.db.BeginCheckpoint(n); err != nil {
			return err
		}
		h.mu.Lock()
		h.cur = w
		h.mu.Unlock()
		epoch = n
		done, err = j.TriggerCheckpoint(n)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		h.t.Fatal("checkpoint did not complete")
	}
	return &pendingCheckpoint{h: h, j: j, w: w, epoch: epoch}
}

// commit flushes the state of finished subtasks, commits the manifest of
// positions and moves the view's reads to the checkpoint. It returns the
// view partitions whose final rows the checkpoint holds.
func (p *pendingCheckpoint) commit() []int {
	h, j, w, epoch := p.h, p.j, p.w, p.epoch
	h.t.Helper()
	parts, err := j.FlushFinished(epoch, func(t StateTable) error { return t.(*storage.StateTable).Flush(w) })
	if err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.cur = nil
	h.mu.Unlock()
	pos, _ := j.Positions(epoch)
	var ps []ckPosition
	for k, v := range pos {
		ps = append(ps, ckPosition{k.Op, k.Split, v})
	}
	raw, _ := json.Marshal(ps)
	if err := w.Commit(raw); err != nil {
		h.t.Fatal(err)
	}
	j.CommitView(epoch, parts)
	return parts
}

func (h *ckHarness) start(g *planner.StreamGraph, src *testSource, restore bool) *Job {
	h.t.Helper()
	env := h.env()
	if restore {
		env.StartPositions = h.positions()
	}
	return startJob(h.t, g, env, src)
}

// statefulWindowAgg is windowAggGraph with state table ids.
func statefulWindowAgg(t *testing.T) *planner.StreamGraph {
	g := windowAggGraph(t, 2, 100, 50, true, false)
	g.Operators[2].HashAgg.StateTableID = 10
	g.Sink().Materialize.StateTableID = 11
	return g
}

// sourceOf pushes data in batches of 100 rows, the first n rows of each
// split, and closes it if all were pushed.
func sourceOf(data [][]types.Row, n int) *testSource {
	src := newTestSource(len(data))
	for s, rows := range data {
		end := min(n, len(rows))
		for i := 0; i < end; i += 100 {
			src.push(s, rows[i:min(i+100, end)]...)
		}
		if end == len(rows) {
			src.close(s)
		}
	}
	return src
}

func prefix(data [][]types.Row, n int) [][]types.Row {
	out := make([][]types.Row, len(data))
	for s, rows := range data {
		out[s] = rows[:min(n, len(rows))]
	}
	return out
}

// A job killed after a checkpoint and rebuilt from it (state and source
// positions) ends with the view of a job that never stopped: no row is
// lost or counted twice. Reads show the last checkpoint, not live rows.
func TestRestoreFromCheckpointExactlyOnce(t *testing.T) {
	data := generated(2, 2000, 3)
	want := expectedWindowAgg(data, 100)
	ctx := context.Background()
	h := openHarness(t, t.TempDir())

	src := sourceOf(data, 600)
	j := h.start(statefulWindowAgg(t), src, false)
	if err := j.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rowsString(j.View().Snapshot()); got != "" {
		t.Fatalf("reads before the first checkpoint:\n%s", firstLines(got, 5))
	}
	h.checkpoint(j)
	atCheckpoint := expectedWindowAgg(prefix(data, 600), 100)
	if got := rowsString(j.View().Snapshot()); got != atCheckpoint {
		t.Fatalf("reads after the checkpoint:\n%s\nwant\n%s", firstLines(got, 5), firstLines(atCheckpoint, 5))
	}
	for s, rows := range data {
		for i := 600; i < 1000; i += 100 {
			src.push(s, rows[i:i+100]...)
		}
	}
	if err := j.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rowsString(j.View().Snapshot()); got != atCheckpoint {
		t.Fatal("reads show rows not checkpointed yet")
	}

	// The rows after the checkpoint are lost with the process; the
	// rebuilt job reads them again from the recorded positions.
	h = h.crash(j)
	j = h.start(statefulWindowAgg(t), sourceOf(data, 2000), true)
	if got := rowsString(j.View().Snapshot()); got != atCheckpoint {
		t.Fatalf("restored view:\n%s\nwant\n%s", firstLines(got, 5), firstLines(atCheckpoint, 5))
	}
	waitDone(t, j)
	h.checkpoint(j)
	if got := rowsString(j.View().Snapshot()); got != want {
		t.Fatalf("view after recovery:\n%s\nwant\n%s", firstLines(got, 5), firstLines(want, 5))
	}

	// A checkpoint of the finished job holds its final state and the end
	// positions: a rebuilt job has nothing left to read.
	h = h.crash(j)
	j = h.start(statefulWindowAgg(t), sourceOf(data, 2000), true)
	waitDone(t, j)
	if got := rowsString(j.View().Snapshot()); got != want {
		t.Fatalf("view restored from the final checkpoint:\n%s\nwant\n%s", firstLines(got, 5), firstLines(want, 5))
	}
	var read int64
	for _, s := range j.Stats() {
		if s.Kind == "Source" {
			read += s.RowsIn
		}
	}
	if read != 0 {
		t.Fatalf("job restored at the end read %d rows", read)
	}
}

// passThroughGraph is source -> materialize (no key: a multiset) over two
// forward chains, so a split's whole chain finishes on its own.
func passThroughGraph() *planner.StreamGraph {
	rel := &catalog.Relation{ID: 1, Name: "events", Columns: eventCols}
	return &planner.StreamGraph{Output: eventCols, Operators: []*planner.Operator{
		{ID: 1, Kind: planner.OpSource, Parallelism: 2, Output: eventCols, WatermarkCol: -1,
			Source: &planner.SourceSpec{Relation: rel, EventTimeCol: -1}},
		{ID: 2, Kind: planner.OpMaterialize, Parallelism: 2, Output: eventCols, WatermarkCol: -1,
			Inputs: []planner.Input{{From: 0, Exchange: planner.Forward}},
			Materialize: &planner.MaterializeSpec{View: &catalog.Relation{ID: 100, Name: "v"},
				StateTableID: 20}},
	}}
}

// A chain that finished its input before a checkpoint (its source
// subtask, then its sink) is in that checkpoint with its final state and
// end position, although it never saw the barrier.
func TestFinishedChainIsCheckpointed(t *testing.T) {
	data := generated(2, 1000, 4)
	var all []types.Row
	for _, rows := range data {
		all = append(all, rows...)
	}
	ctx := context.Background()
	h := openHarness(t, t.TempDir())
	src := newTestSource(2)
	for i := 0; i < 1000; i += 100 {
		src.push(0, data[0][i:i+100]...)
	}
	src.close(0)
	src.push(1, data[1][:500]...)
	j := h.start(passThroughGraph(), src, false)
	if err := j.WaitCaughtUp(ctx); err != nil {
		t.Fatal(err)
	}
	h.checkpoint(j)
	h = h.crash(j)

	full := newTestSource(2)
	for i := 0; i < 1000; i += 100 {
		full.push(0, data[0][i:i+100]...)
	}
	full.close(0)
	full.push(1, data[1][:500]...)
	full.push(1, data[1][500:]...)
	full.close(1)
	j = h.start(passThroughGraph(), full, true)
	waitDone(t, j)
	h.checkpoint(j)
	if got, want := rowsString(j.View().Snapshot()), rowsString(all); got != want {
		t.Fatalf("view after recovery has %d rows, want %d", len(j.View().Snapshot()), len(all))
	}
}

// The longest barrier alignment of an epoch is reported.
func TestAlignmentReported(t *testing.T) {
	h := openHarness(t, t.TempDir())
	src := newTestSource(2)
	src.push(0, ev(1, 1, 1))
	j := h.start(statefulWindowAgg(t), src, false)
	epoch := h.checkpoint(j)
	if _, ok := j.Positions(epoch); !ok {
		t.Fatal("no positions for a completed checkpoint")
	}
	if d := j.Alignment(epoch); d < 0 || d > 20*time.Second {
		t.Fatalf("alignment %s", d)
	}
}

// An aggregation without a window restores lazily: a group is read from
// the state table when its key comes up. A group emptied after the restore
// is forgotten by the state table at once, so it is not read back.
func TestHashAggLazyRestore(t *testing.T) {
	st := NewMemState()
	env := &Env{StateTables: func(uint32, int) (StateTable, error) { return st, nil }}
	op := &planner.Operator{
		ID: 3, Kind: planner.OpHashAgg, Parallelism: 1, WatermarkCol: -1,
		Output: []types.Column{intCol("k"), intCol("count"), intCol("sum")},
		HashAgg: &planner.HashAggSpec{GroupKeys: []int{1}, WindowEndKey: -1, StateTableID: 1,
			Aggs: []planner.AggCall{
				{Fn: mustAgg(t, "count"), Arg: -1, FilterCol: -1},
				{Fn: mustAgg(t, "sum", types.TInt8), Arg: 2, FilterCol: -1},
			}},
	}
	build := func() *hashAgg {
		h, err := newHashAgg(op, 0, newSubtaskStats(), &expr.Ctx{}, env)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	r := &recorder{}
	h := build()
	if h.lazy {
		t.Fatal("lazy without any state")
	}
	must(h.OnChunk(ctx, chunkOf(3, ev(1, 1, 5), ev(2, 2, 6)), r))
	must(h.OnBarrier(ctx, Barrier{Epoch: 1, Checkpoint: true}, r))
	r.take()

	h = build()
	if !h.lazy || len(h.groups) != 0 {
		t.Fatalf("restore: lazy %t, %d groups in memory", h.lazy, len(h.groups))
	}
	must(h.OnChunk(ctx, chunkOf(3, Delete, ev(1, 1, 5)), r))
	expectOut(t, r, "retract the restored group", "- 1 1 5")
	must(h.OnChunk(ctx, chunkOf(3, ev(3, 1, 7), ev(4, 2, 1)), r))
	expectOut(t, r, "re-create it, update the other", "+ 1 1 7\nU- 2 1 6\nU+ 2 2 7")
}

// Over its memory budget an aggregation without a window evicts groups at
// a checkpoint and reads them back from the state table: the output is the
// same as with every group in memory.
func TestHashAggEvictsOverBudget(t *testing.T) {
	data := generated(2, 3000, 5)
	var all []types.Row
	for _, rows := range data {
		all = append(all, rows...)
	}
	h := openHarness(t, t.TempDir())
	rel := &catalog.Relation{ID: 1, Name: "events", Columns: eventCols}
	out := []types.Column{intCol("k"), intCol("count"), intCol("sum")}
	g := &planner.StreamGraph{Output: out, Operators: []*planner.Operator{
		{ID: 1, Kind: planner.OpSource, Parallelism: 2, Output: eventCols, WatermarkCol: -1,
			Source: &planner.SourceSpec{Relation: rel, EventTimeCol: -1}},
		{ID: 2, Kind: planner.OpHashAgg, Parallelism: 2, Output: out, WatermarkCol: -1,
			Inputs: []planner.Input{{From: 0, Exchange: planner.Hash, Keys: []int{1}}},
			HashAgg: &planner.HashAggSpec{GroupKeys: []int{1}, WindowEndKey: -1, StateTableID: 30,
				Aggs: []planner.AggCall{
					{Fn: mustAgg(t, "count"), Arg: -1, FilterCol: -1},
					{Fn: mustAgg(t, "sum", types.TInt8), Arg: 2, FilterCol: -1},
				}}},
		{ID: 3, Kind: planner.OpMaterialize, Parallelism: 2, Output: out, WatermarkCol: -1,
			Inputs: []planner.Input{{From: 1, Exchange: planner.Forward}},
			Materialize: &planner.MaterializeSpec{View: &catalog.Relation{ID: 100, Name: "v"}, KeyCols: []int{0},
				StateTableID: 31}},
	}}
	env := h.env()
	env.StateCacheBytes = 1 // evict everything at each checkpoint
	src := newTestSource(2)
	j := startJob(t, g, env, src)
	for i := 0; i < 3000; i += 300 {
		for s, rows := range data {
			src.push(s, rows[i:i+300]...)
		}
		if err := j.WaitCaughtUp(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.checkpoint(j)
	}
	src.closeAll()
	waitDone(t, j)
	h.checkpoint(j)
	for _, tk := range j.tasks {
		if a, ok := tk.op.(*hashAgg); ok && !a.lazy {
			t.Fatalf("subtask %d of the aggregation never evicted", tk.idx)
		}
	}
	sums := map[int64][2]int64{}
	for _, r := range all {
		s := sums[r[1].I]
		sums[r[1].I] = [2]int64{s[0] + 1, s[1] + r[2].I}
	}
	var want []types.Row
	for k, s := range sums {
		want = append(want, ints(k, s[0], s[1]))
	}
	if got, w := rowsString(j.View().Snapshot()), rowsString(want); got != w {
		t.Fatalf("view with evictions:\n%s\nwant\n%s", firstLines(got, 5), firstLines(w, 5))
	}
}
