package exec

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/planner"
	"streamsqld/sql/types"
)

// appendOnlyGraph is source -> materialize without a key over a source
// relation (insert-only): planner.AppendOnly holds, so the view keeps its
// rows in a log and writes them to its state table in blocks.
func appendOnlyGraph(parallelism int) *planner.StreamGraph {
	rel := &catalog.Relation{ID: 1, Kind: catalog.Source, Name: "events", Columns: eventCols}
	return &planner.StreamGraph{Output: eventCols, Operators: []*planner.Operator{
		{ID: 1, Kind: planner.OpSource, Parallelism: parallelism, Output: eventCols, WatermarkCol: -1,
			Source: &planner.SourceSpec{Relation: rel, EventTimeCol: -1}},
		{ID: 2, Kind: planner.OpMaterialize, Parallelism: parallelism, Output: eventCols, WatermarkCol: -1,
			Inputs: []planner.Input{{From: 0, Exchange: planner.Forward}},
			Materialize: &planner.MaterializeSpec{View: &catalog.Relation{ID: 100, Name: "v"},
				StateTableID: 20}},
	}}
}

func waitViewLen(t *testing.T, v *View, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v.lockAll()
		live := 0
		for _, p := range v.parts {
			live += p.count(false)
		}
		v.unlockAll()
		if live == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("view has %d live rows, want %d", live, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An append-only view without a key reads as of the last committed
// checkpoint, restores from its blocks after a crash without losing or
// repeating rows (duplicates included: rows are not keyed by value), and
// appends to its log after the restore.
func TestAppendOnlyViewRestore(t *testing.T) {
	// Every row twice, so a view keyed by value would show multiplicities.
	data := generated(2, 1500, 9)
	for s := range data {
		data[s] = append(data[s], data[s]...)
	}
	var all []types.Row
	for _, rows := range data {
		all = append(all, rows...)
	}
	h := openHarness(t, t.TempDir())
	src := newTestSource(2)
	for s := range data {
		for i := 0; i < 2000; i += 100 {
			src.push(s, data[s][i:i+100]...)
		}
	}
	j := h.start(appendOnlyGraph(2), src, false)
	for _, p := range j.View().parts {
		if !p.appendOnly {
			t.Fatal("view over an insert-only source is not append-only")
		}
	}
	waitViewLen(t, j.View(), 4000)
	if n := j.View().Len(); n != 0 {
		t.Fatalf("consistent read before any checkpoint shows %d rows", n)
	}
	h.checkpoint(j)
	if n := j.View().Len(); n != 4000 {
		t.Fatalf("consistent read after a checkpoint shows %d rows, want 4000", n)
	}
	// Rows after the checkpoint are lost by the crash and read again.
	for s := range data {
		src.push(s, data[s][2000:2500]...)
	}
	waitViewLen(t, j.View(), 5000)
	if n := j.View().Len(); n != 4000 {
		t.Fatalf("consistent read shows %d rows, want the committed 4000", n)
	}
	h = h.crash(j)

	full := newTestSource(2)
	for s := range data {
		for i := 0; i < len(data[s]); i += 100 {
			full.push(s, data[s][i:min(i+100, len(data[s]))]...)
		}
		full.close(s)
	}
	j = h.start(appendOnlyGraph(2), full, true)
	if n := j.View().Len(); n != 4000 {
		t.Fatalf("restored view has %d rows, want 4000", n)
	}
	waitDone(t, j)
	h.checkpoint(j)
	if got, want := rowsString(j.View().Snapshot()), rowsString(all); got != want {
		t.Fatalf("view after recovery has %d rows, want %d", len(j.View().Snapshot()), len(all))
	}
	// Restored once more from the final checkpoint: two generations of
	// blocks.
	h = h.crash(j)
	j = h.start(appendOnlyGraph(2), sourceOf(data, len(data[0])), true)
	waitDone(t, j)
	if got, want := rowsString(j.View().Snapshot()), rowsString(all); got != want {
		t.Fatalf("view restored from the final checkpoint has %d rows, want %d", len(j.View().Snapshot()), len(all))
	}
	j.Stop()
}

// A subscriber to an append-only view gets the snapshot and then every
// appended row as an insert.
func TestAppendOnlyViewSubscribe(t *testing.T) {
	v := NewView(eventCols, nil, 1)
	p := v.parts[0]
	p.appendOnly = true
	c := NewChunk(len(eventCols), 4)
	c.Append(Insert, ev(1, 2, 3))
	if _, _, _, err := p.apply(c, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	rows, sub, err := v.Subscribe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	if len(rows) != 1 {
		t.Fatalf("snapshot has %d rows, want 1", len(rows))
	}
	c.Reset()
	c.Append(Insert, ev(4, 5, 6))
	c.Append(UpdateInsert, ev(4, 5, 6))
	changes, subs, _, err := p.apply(c, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || changes.String() != "+ 4 5 6\n+ 4 5 6" {
		t.Fatalf("changes to %d subscribers:\n%s", len(subs), changes)
	}
	c.Reset()
	c.Append(Delete, ev(4, 5, 6))
	if _, _, _, err := p.apply(c, nil, nil, false); err == nil {
		t.Fatal("a delete in an append-only view was accepted")
	}
}

// The log keeps rows across segments and hands out rows that later
// appends do not move.
func TestRowLogSegments(t *testing.T) {
	l := rowLog{width: 2}
	c := NewChunk(2, ChunkSize)
	var first types.Row
	for n := 0; n < 3*logSegmentRows+7; {
		c.Reset()
		for i := 0; i < 1000 && n < 3*logSegmentRows+7; i++ {
			c.Append(Insert, types.Row{types.NewInt(int64(n)), types.NewString(fmt.Sprint(n))})
			n++
		}
		l.appendChunk(c)
		if first == nil {
			first = l.row(0)
		}
	}
	if l.n != 3*logSegmentRows+7 {
		t.Fatalf("log has %d rows", l.n)
	}
	for i := 0; i < l.n; i++ {
		if r := l.row(i); r[0].I != int64(i) || r[1].S != fmt.Sprint(i) {
			t.Fatalf("row %d is %v", i, r)
		}
	}
	if &first[0] != &l.row(0)[0] {
		t.Fatal("row 0 moved")
	}
	if got := len(l.appendTo(nil, 10)); got != 10 {
		t.Fatalf("appendTo returned %d rows", got)
	}
}

// A keyed view updates a row in place only while nobody else holds it:
// rows handed to a reader or kept as a before-image stay as they were.
func TestViewUpdateInPlaceKeepsSharedRows(t *testing.T) {
	v := NewView(eventCols, []int{0}, 1)
	v.consistent, v.track = true, true
	p := v.parts[0]
	apply := func(ops []Op, rows ...types.Row) {
		t.Helper()
		c := NewChunk(len(eventCols), len(rows))
		for i, r := range rows {
			c.Append(ops[i], r)
		}
		if _, _, _, err := p.apply(c, []int{0}, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	upd := []Op{UpdateDelete, UpdateInsert}
	apply([]Op{Insert}, ev(1, 1, 1))
	apply(upd, ev(1, 1, 1), ev(1, 1, 2))
	p.seal(1, true)
	v.commit(1, nil)
	committed := v.Snapshot()
	apply(upd, ev(1, 1, 2), ev(1, 1, 3))
	apply(upd, ev(1, 1, 3), ev(1, 1, 4))
	p.mu.Lock()
	live := p.appendRows(nil, false)
	p.mu.Unlock()
	apply(upd, ev(1, 1, 4), ev(1, 1, 5))
	apply(upd, ev(1, 1, 5), ev(1, 1, 6))
	if got := rowsString(committed); got != "1 1 2" {
		t.Fatalf("committed snapshot changed to %q", got)
	}
	if got := rowsString(live); got != "1 1 4" {
		t.Fatalf("live snapshot changed to %q", got)
	}
	if got := rowsString(v.Snapshot()); got != "1 1 2" {
		t.Fatalf("consistent read is %q before the commit", got)
	}
	changed := p.seal(2, true)
	if len(changed) != 1 || changed[0].row[2].I != 2 || changed[0].cur.row[2].I != 6 {
		t.Fatalf("epoch 2 changed %d keys", len(changed))
	}
	v.commit(2, nil)
	if got := rowsString(v.Snapshot()); got != "1 1 6" {
		t.Fatalf("consistent read after the commit is %q", got)
	}
	// A deleted row is a tombstone until the barrier, then gone.
	apply([]Op{Delete}, ev(1, 1, 6))
	if got := v.Len(); got != 1 {
		t.Fatalf("consistent read has %d rows before the commit", got)
	}
	p.seal(3, true)
	v.commit(3, nil)
	if got := v.Len(); got != 0 || len(p.rows) != 0 {
		t.Fatalf("deleted row still read (%d) or kept (%d)", got, len(p.rows))
	}
}
