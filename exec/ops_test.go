package exec

import (
	"context"
	"testing"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

func call(t *testing.T, name string, args ...expr.Expr) expr.Expr {
	t.Helper()
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	fn, _, err := expr.ResolveFunc(name, ts)
	if err != nil {
		t.Fatal(err)
	}
	return &expr.Call{Fn: fn, Args: args}
}

func col(i int, t types.T) expr.Expr { return &expr.ColRef{Idx: i, T: t} }
func text(s string) expr.Expr        { return &expr.Const{D: types.NewString(s), T: types.TText} }
func int8c(v int64) expr.Expr        { return &expr.Const{D: types.NewInt(v), T: types.TInt8} }

func textRow(id int64, s string) types.Row { return types.Row{types.NewInt(id), types.NewString(s)} }

// regexp_matches with flag g yields one row per match; several SRFs in one
// select list are zipped and the shorter padded with NULL (PostgreSQL).
func TestProjectSetRegexpMatches(t *testing.T) {
	re, _, ok, err := expr.ResolveSetFunc("regexp_matches", []types.T{types.TText, types.TText, types.TText})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	series, _, ok, err := expr.ResolveSetFunc("generate_series", []types.T{types.TInt8, types.TInt8})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	out := []types.Column{intCol("id"), {Name: "m", Type: types.TTextArray}, intCol("n")}
	op, _ := newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpProjectSet, Parallelism: 1, Output: out,
		ProjectSet: &planner.ProjectSetSpec{
			Exprs:    []expr.Expr{col(0, types.TInt8), nil, nil},
			SetFuncs: []*expr.SetFunc{nil, re, series},
			SetArgs: [][]expr.Expr{nil,
				{col(1, types.TText), text(`#(\w+)`), text("g")},
				{int8c(1), int8c(3)},
			},
		},
	})
	r := &recorder{}
	in := chunkOf(2, textRow(1, "#go and #sql, #go"), textRow(2, "no tags"), Delete, textRow(3, "#x"))
	if err := op.OnChunk(context.Background(), in, r); err != nil {
		t.Fatal(err)
	}
	expectOut(t, r, "zip", "+ 1 {go} 1\n+ 1 {sql} 2\n+ 1 {go} 3\n+ 2 NULL 1\n+ 2 NULL 2\n+ 2 NULL 3\n- 3 {x} 1\n- 3 NULL 2\n- 3 NULL 3")

	// Alone, regexp_matches yields no row for a text without a match.
	op, _ = newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpProjectSet, Parallelism: 1, Output: out[:2],
		ProjectSet: &planner.ProjectSetSpec{
			Exprs:    []expr.Expr{col(0, types.TInt8), nil},
			SetFuncs: []*expr.SetFunc{nil, re},
			SetArgs:  [][]expr.Expr{nil, {col(1, types.TText), text(`#(\w+)`), text("g")}},
		},
	})
	if err := op.OnChunk(context.Background(), chunkOf(2, textRow(1, "#a #b"), textRow(2, "none")), r); err != nil {
		t.Fatal(err)
	}
	expectOut(t, r, "alone", "+ 1 {a}\n+ 1 {b}")
}

// A filter keeps updates whose both halves pass, and turns an update with
// one passing half into a plain delete or insert.
func TestFilterUpdates(t *testing.T) {
	op, _ := newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpFilter, Parallelism: 1, Output: []types.Column{intCol("a"), intCol("b")},
		Filter: &planner.FilterSpec{Pred: call(t, ">", col(1, types.TInt8), int8c(10))},
	})
	r := &recorder{}
	in := chunkOf(2,
		ints(1, 11), ints(2, 5),
		UpdateDelete, ints(3, 20), UpdateInsert, ints(3, 30),
		UpdateDelete, ints(4, 20), UpdateInsert, ints(4, 1),
		UpdateDelete, ints(5, 1), UpdateInsert, ints(5, 20),
		Delete, ints(6, 50),
	)
	if err := op.OnChunk(context.Background(), in, r); err != nil {
		t.Fatal(err)
	}
	expectOut(t, r, "filter", "+ 1 11\nU- 3 20\nU+ 3 30\n- 4 20\n+ 5 20\n- 6 50")
}

func TestProject(t *testing.T) {
	op, _ := newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpProject, Parallelism: 1, Output: []types.Column{intCol("s"), intCol("a")},
		Project: &planner.ProjectSpec{Exprs: []expr.Expr{call(t, "+", col(0, types.TInt8), col(1, types.TInt8)), col(0, types.TInt8)}},
	})
	r := &recorder{}
	in := chunkOf(2, ints(1, 2), UpdateDelete, ints(3, 4), UpdateInsert, ints(3, 5))
	if err := op.OnChunk(context.Background(), in, r); err != nil {
		t.Fatal(err)
	}
	expectOut(t, r, "project", "+ 3 1\nU- 7 3\nU+ 8 3")
}

// Session windows merge: a row bridging two sessions retracts their rows
// and emits them again with the merged bounds.
func TestSessionWindowMerge(t *testing.T) {
	cols := append(append([]types.Column{}, eventCols...), tsCol("window_start"), tsCol("window_end"))
	op, stats := newTestOp(t, &planner.Operator{
		ID: 1, Kind: planner.OpSessionWindow, Parallelism: 1, Output: cols,
		SessionWindow: &planner.SessionWindowSpec{TimeCol: 0, KeyCols: []int{1}, GapMicros: 10},
	})
	ctx := context.Background()
	r := &recorder{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(op.OnChunk(ctx, chunkOf(3, ev(0, 1, 1), ev(25, 1, 2), ev(3, 2, 3)), r))
	expectOut(t, r, "three sessions", "+ 0 1 1 0 10\n+ 25 1 2 25 35\n+ 3 2 3 3 13")
	must(op.OnChunk(ctx, chunkOf(3, ev(5, 1, 4)), r))
	expectOut(t, r, "extend", "- 0 1 1 0 10\n+ 0 1 1 0 15\n+ 5 1 4 0 15")
	must(op.OnChunk(ctx, chunkOf(3, ev(14, 1, 5)), r))
	expectOut(t, r, "extend again", "- 0 1 1 0 15\n- 5 1 4 0 15\n+ 0 1 1 0 24\n+ 5 1 4 0 24\n+ 14 1 5 0 24")
	must(op.OnChunk(ctx, chunkOf(3, ev(20, 1, 6)), r))
	expectOut(t, r, "merge",
		"- 0 1 1 0 24\n- 5 1 4 0 24\n- 14 1 5 0 24\n- 25 1 2 25 35\n"+
			"+ 0 1 1 0 35\n+ 5 1 4 0 35\n+ 14 1 5 0 35\n+ 20 1 6 0 35\n+ 25 1 2 0 35")
	must(op.OnChunk(ctx, chunkOf(3, Delete, ev(20, 1, 6)), r))
	expectOut(t, r, "split again",
		"- 20 1 6 0 35\n- 0 1 1 0 35\n- 5 1 4 0 35\n- 14 1 5 0 35\n- 25 1 2 0 35\n"+
			"+ 0 1 1 0 24\n+ 5 1 4 0 24\n+ 14 1 5 0 24\n+ 25 1 2 25 35")
	// Key 2's session [3,13) ends at watermark 13 and is freed; a row
	// below the watermark is late.
	if _, _, err := op.OnWatermark(ctx, Watermark{TS: 15}, r); err != nil {
		t.Fatal(err)
	}
	must(op.OnChunk(ctx, chunkOf(3, ev(12, 2, 9)), r))
	expectOut(t, r, "late", "")
	if stats.late.Load() != 1 {
		t.Fatalf("late %d", stats.late.Load())
	}
	must(op.OnChunk(ctx, chunkOf(3, ev(20, 2, 9)), r))
	expectOut(t, r, "new session", "+ 20 2 9 20 30")
}
