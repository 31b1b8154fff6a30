package exec

import (
	"context"
	"sync"
	"testing"
	"time"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

func newTestOp(t *testing.T, op *planner.Operator) (Operator, *subtaskStats) {
	t.Helper()
	stats := newSubtaskStats()
	o, err := newOperator(nil, op, 0, stats, &expr.Ctx{})
	if err != nil {
		t.Fatal(err)
	}
	return o, stats
}

func expectOut(t *testing.T, r *recorder, step, want string) {
	t.Helper()
	if got := r.take(); got != want {
		t.Fatalf("%s: got\n%s\nwant\n%s", step, got, want)
	}
}

// A tumbling window count with a 5 µs out-of-orderness bound, end to end:
// an out-of-order row inside the bound is counted, a late one is dropped
// and counted as late, and the end of the input closes the last window.
func TestTumbleWindowLateness(t *testing.T) {
	src := newTestSource(1)
	// Watermarks (max ts - 5) after each batch: -2, 7, 7, 20, 20, +inf.
	src.push(0, ev(1, 1, 10), ev(3, 1, 20))
	src.push(0, ev(12, 1, 1))
	src.push(0, ev(8, 1, 30)) // out of order, its window [0,10) is open: counted
	src.push(0, ev(25, 1, 2))
	src.push(0, ev(5, 1, 99)) // window [0,10) closed at watermark 20: late
	src.closeAll()
	j := startJob(t, windowAggGraph(t, 1, 10, 5, false, true), Env{}, src)
	waitDone(t, j)
	want := "10 3 60\n20 1 1\n30 1 2"
	if got := rowsString(j.View().Snapshot()); got != want {
		t.Fatalf("view:\n%s\nwant\n%s", got, want)
	}
	var late int64
	for _, s := range j.Stats() {
		late += s.LateRows
		if s.Kind == "HashAgg" && s.Watermark != MaxWatermark {
			t.Errorf("agg watermark %d, want +inf", s.Watermark)
		}
	}
	if late != 1 {
		t.Fatalf("late rows %d, want 1", late)
	}
}

func aggOp(t *testing.T, eowc bool, having expr.Expr) *planner.Operator {
	g := windowAggGraph(t, 1, 10, 0, true, eowc)
	op := g.Operators[2]
	op.HashAgg.Having = having
	return op
}

// windowRow is a WindowAssign output row: ts, k, v, window_start,
// window_end for a tumbling window of 10.
func windowRow(ts, k, v int64) types.Row {
	s := ts / 10 * 10
	return types.Row{types.NewTime(ts), types.NewInt(k), types.NewInt(v), types.NewTime(s), types.NewTime(s + 10)}
}

// With EMIT ON WINDOW CLOSE a window's groups are emitted once, exactly
// when the watermark reaches the window's end.
func TestHashAggEmitOnWindowClose(t *testing.T) {
	op, stats := newTestOp(t, aggOp(t, true, nil))
	ctx := context.Background()
	r := &recorder{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(op.OnChunk(ctx, chunkOf(5, windowRow(1, 1, 5), windowRow(2, 2, 6), windowRow(11, 1, 7)), r))
	expectOut(t, r, "rows before any close", "")
	_, _, err := op.OnWatermark(ctx, Watermark{TS: 9}, r)
	must(err)
	expectOut(t, r, "watermark 9", "")
	must(op.OnChunk(ctx, chunkOf(5, windowRow(9, 1, 1)), r))
	_, _, err = op.OnWatermark(ctx, Watermark{TS: 10}, r)
	must(err)
	expectOut(t, r, "watermark 10", "+ 10 1 2 6\n+ 10 2 1 6")
	must(op.OnChunk(ctx, chunkOf(5, windowRow(3, 1, 1)), r))
	if n := stats.late.Load(); n != 1 {
		t.Fatalf("late %d, want 1", n)
	}
	_, _, err = op.OnWatermark(ctx, Watermark{TS: 19}, r)
	must(err)
	expectOut(t, r, "watermark 19", "")
	_, _, err = op.OnWatermark(ctx, Watermark{TS: MaxWatermark}, r)
	must(err)
	expectOut(t, r, "watermark +inf", "+ 20 1 1 7")
}

// Without EMIT ON WINDOW CLOSE the aggregation emits a changelog: an
// insert for a new group, an update pair for a changed one, a delete when
// its rows are all retracted, once per input chunk.
func TestHashAggChangelog(t *testing.T) {
	op, _ := newTestOp(t, aggOp(t, false, nil))
	ctx := context.Background()
	r := &recorder{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(op.OnChunk(ctx, chunkOf(5, windowRow(1, 1, 5), windowRow(2, 1, 6), windowRow(3, 2, 1)), r))
	expectOut(t, r, "inserts", "+ 10 1 2 11\n+ 10 2 1 1")
	must(op.OnChunk(ctx, chunkOf(5, Delete, windowRow(1, 1, 5), Insert, windowRow(4, 1, 100)), r))
	expectOut(t, r, "retract and add in one chunk", "U- 10 1 2 11\nU+ 10 1 2 106")
	must(op.OnChunk(ctx, chunkOf(5, UpdateDelete, windowRow(3, 2, 1), UpdateInsert, windowRow(3, 2, 1)), r))
	expectOut(t, r, "update without effect", "")
	must(op.OnChunk(ctx, chunkOf(5, Delete, windowRow(3, 2, 1)), r))
	expectOut(t, r, "group emptied", "- 10 2 1 1")
	// The watermark frees window 10's state; a retraction for it is late.
	_, _, err := op.OnWatermark(ctx, Watermark{TS: 10}, r)
	must(err)
	expectOut(t, r, "close", "")
	must(op.OnChunk(ctx, chunkOf(5, Delete, windowRow(2, 1, 6)), r))
	expectOut(t, r, "late retraction", "")
}

// HAVING filters the emitted rows: a group that stops satisfying it is
// deleted downstream, and one that starts is inserted.
func TestHashAggHaving(t *testing.T) {
	// HAVING count >= 2 over the output (window_end, k, count, sum).
	ge := &expr.Func{Name: ">=", Args: []types.T{types.TInt8, types.TInt8}, Ret: types.TBool, Strict: true,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) { return types.NewBool(a[0].I >= a[1].I), nil }}
	having := &expr.Call{Fn: ge, Args: []expr.Expr{
		&expr.ColRef{Idx: 2, T: types.TInt8, Name: "count"}, &expr.Const{D: types.NewInt(2), T: types.TInt8},
	}}
	op, _ := newTestOp(t, aggOp(t, false, having))
	ctx := context.Background()
	r := &recorder{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(op.OnChunk(ctx, chunkOf(5, windowRow(1, 1, 5)), r))
	expectOut(t, r, "one row", "")
	must(op.OnChunk(ctx, chunkOf(5, windowRow(2, 1, 6)), r))
	expectOut(t, r, "two rows", "+ 10 1 2 11")
	must(op.OnChunk(ctx, chunkOf(5, windowRow(3, 1, 1)), r))
	expectOut(t, r, "three rows", "U- 10 1 2 11\nU+ 10 1 3 12")
	must(op.OnChunk(ctx, chunkOf(5, Delete, windowRow(3, 1, 1), Delete, windowRow(2, 1, 6)), r))
	expectOut(t, r, "back to one", "- 10 1 3 12")
}

// HOP assigns each row to size/slide windows, in ascending order.
func TestHopAssign(t *testing.T) {
	cols := append(append([]types.Column{}, eventCols...), tsCol("window_start"), tsCol("window_end"))
	op, _ := newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpWindowAssign, Parallelism: 1, Output: cols,
		WindowAssign: &planner.WindowAssignSpec{TimeCol: 0, SizeMicros: 10, SlideMicros: 5},
	})
	r := &recorder{}
	if err := op.OnChunk(context.Background(), chunkOf(3, ev(7, 1, 1), ev(10, 2, 2), ev(-1, 3, 3)), r); err != nil {
		t.Fatal(err)
	}
	// A row in two windows is an insert into each; an update would lose
	// its pairing, so ops of multi-window rows are plain.
	expectOut(t, r, "hop 10/5",
		"+ 7 1 1 0 10\n+ 7 1 1 5 15\n+ 10 2 2 5 15\n+ 10 2 2 10 20\n+ -1 3 3 -10 0\n+ -1 3 3 -5 5")

	op, _ = newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpWindowAssign, Parallelism: 1, Output: cols,
		WindowAssign: &planner.WindowAssignSpec{TimeCol: 0, SizeMicros: 3, SlideMicros: 5, OffsetMicros: 1},
	})
	if err := op.OnChunk(context.Background(), chunkOf(3, ev(2, 1, 1), ev(5, 1, 1)), r); err != nil {
		t.Fatal(err)
	}
	expectOut(t, r, "hop 3/5 with gaps", "+ 2 1 1 1 4")
}

// A split without data for the idle timeout stops holding the watermark
// back, so windows close on the other split's event time.
func TestIdleSplitReleasesWatermark(t *testing.T) {
	src := newTestSource(2)
	g := windowAggGraph(t, 1, 10, 0, false, true)
	g.Operators[0].Source.IdleTimeout = int64(time.Second / time.Microsecond)
	// The clock moves 100 ms per reading, so split 1, which never gets
	// data, turns idle after ten readings.
	var mu sync.Mutex
	now := time.Unix(0, 0)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(100 * time.Millisecond)
		return now
	}
	j := startJob(t, g, Env{Now: clock}, src)
	snap, sub, err := j.View().Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	if len(snap) != 0 {
		t.Fatalf("snapshot %v", snap)
	}
	src.push(0, ev(1, 1, 1), ev(2, 1, 1))
	src.push(0, ev(15, 1, 1))
	select {
	case c := <-sub.Changes():
		if got, want := c.String(), "+ 10 2 2"; got != want {
			t.Fatalf("change %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("window [0,10) did not close while split 1 was idle")
	}
}

// On a checkpoint barrier the aggregation writes the groups changed in the
// epoch to its state table; an aggregation built over that table carries
// on from there (its first update retracts the restored row).
func TestHashAggCheckpointRestore(t *testing.T) {
	st := NewMemState()
	var flushed []uint64
	env := &Env{
		StateTables: func(id uint32, subtask int) (StateTable, error) { return st, nil },
		FlushState: func(epoch uint64, tb StateTable) error {
			flushed = append(flushed, epoch)
			return nil
		},
	}
	build := func() *hashAgg {
		h, err := newHashAgg(aggOp(t, false, nil), 0, newSubtaskStats(), &expr.Ctx{}, env)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	ctx := context.Background()
	r := &recorder{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	h := build()
	must(h.OnChunk(ctx, chunkOf(5, windowRow(1, 1, 5), windowRow(2, 1, 6), windowRow(12, 2, 1)), r))
	must(h.OnBarrier(ctx, Barrier{Epoch: 7, Checkpoint: true}, r))
	must(h.OnChunk(ctx, chunkOf(5, windowRow(3, 1, 100)), r)) // after the checkpoint: lost
	if st.Len() != 2 || len(flushed) != 1 || flushed[0] != 7 {
		t.Fatalf("state %d keys, flushed %v", st.Len(), flushed)
	}
	r.take()

	h = build()
	must(h.OnChunk(ctx, chunkOf(5, windowRow(4, 1, 1)), r))
	expectOut(t, r, "after restore", "U- 10 1 2 11\nU+ 10 1 3 12")
	// Closing window 10 deletes its state at the next checkpoint.
	_, _, err := h.OnWatermark(ctx, Watermark{TS: 10}, r)
	must(err)
	must(h.OnBarrier(ctx, Barrier{Epoch: 8, Checkpoint: true}, r))
	if st.Len() != 1 {
		t.Fatalf("state keeps %d keys after window 10 closed, want 1", st.Len())
	}
	must(h.OnChunk(ctx, chunkOf(5, windowRow(5, 1, 1)), r))
	expectOut(t, r, "late after close", "")
}
