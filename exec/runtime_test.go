package exec

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// sumOp is the seed's sum_even / sum_odd operator: it sums the values of
// one parity and logs what it processes and what it snapshots.
type sumOp struct {
	Base
	parity int64
	sum    int64
	log    chan string
}

func (s *sumOp) OnChunk(_ context.Context, c *Chunk, _ Emitter) error {
	for i := 0; i < c.Len(); i++ {
		v := c.Row(i)[0].I
		if v%2 == s.parity {
			s.sum += v
		}
		s.log <- fmt.Sprintf("row %d", v)
	}
	return nil
}

func (s *sumOp) OnBarrier(_ context.Context, b Barrier, _ Emitter) error {
	s.log <- fmt.Sprintf("snapshot %d sum=%d", b.Epoch, s.sum)
	return nil
}

// The seed's alignment example: sum_even reads Source 1 and Source 2.
// Barrier 2 arrives from Source 1 followed by 4; 4 is held back until
// barrier 2 also arrived from Source 2, so the snapshot of epoch 2 holds
// exactly the rows before the barrier on every input. Same for sum_odd.
func TestBarrierAlignment(t *testing.T) {
	for _, tc := range []struct {
		name   string
		parity int64
		want   string
	}{
		{"sum_even", 0, "row 2|row 6|row 1|snapshot 2 sum=8|row 4|row 3"},
		{"sum_odd", 1, "row 2|row 6|row 1|snapshot 2 sum=1|row 4|row 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := make(chan string, 100)
			op := &sumOp{parity: tc.parity, log: log}
			src1, src2 := make(chan Message, 8), make(chan Message, 8)
			stats := newSubtaskStats()
			tk := &task{
				spec: &planner.Operator{ID: 1, Kind: planner.OpProject, WatermarkCol: -1},
				op:   op, ins: []chan Message{src1, src2}, stats: stats,
				out: &output{stats: stats},
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- tk.run(ctx) }()
			next := func() string {
				select {
				case s := <-log:
					return s
				case <-time.After(10 * time.Second):
					t.Fatal("operator stalled")
					return ""
				}
			}

			var got []string
			src1 <- chunkMsg(chunkOf(1, ints(2)))
			src1 <- barrierMsg(Barrier{Epoch: 2, Checkpoint: true})
			src1 <- chunkMsg(chunkOf(1, ints(4)))
			got = append(got, next()) // row 2; then input 1 is blocked
			src2 <- chunkMsg(chunkOf(1, ints(6)))
			got = append(got, next())
			src2 <- chunkMsg(chunkOf(1, ints(1)))
			got = append(got, next())
			src2 <- barrierMsg(Barrier{Epoch: 2, Checkpoint: true})
			got = append(got, next(), next())
			src2 <- chunkMsg(chunkOf(1, ints(3)))
			got = append(got, next())
			close(src1)
			close(src2)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if g := strings.Join(got, "|"); g != tc.want {
				t.Fatalf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}

// The watermark of a subtask with several inputs is the minimum of its
// inputs' watermarks; an idle input does not hold it back.
func TestInputWatermarkMin(t *testing.T) {
	ctx := context.Background()
	a, b := make(chan Message, 8), make(chan Message, 8)
	in := newInputSet(ctx, []chan Message{a, b})
	noIdle := func() error { return nil }
	var got []int64
	until := func(ts int64) {
		t.Helper()
		for len(got) == 0 || got[len(got)-1] != ts {
			ev, err := in.next(ctx, noIdle)
			if err != nil {
				t.Fatal(err)
			}
			if ev.kind == evWatermark {
				got = append(got, ev.watermark.TS)
			}
		}
	}
	a <- watermarkMsg(Watermark{TS: 10})
	a <- watermarkMsg(Watermark{TS: 30})
	a <- watermarkMsg(Watermark{TS: 40})
	b <- watermarkMsg(Watermark{TS: 5})
	b <- watermarkMsg(Watermark{TS: 20})
	until(20)
	b <- watermarkMsg(Watermark{Idle: true})
	until(40)
	// The order of reading the two channels varies, the outcome does not:
	// the watermark only moves forward.
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] || got[i] > 40 {
			t.Fatalf("watermarks %v", got)
		}
	}
	close(a)
	close(b)
	for {
		ev, err := in.next(ctx, noIdle)
		if err != nil {
			t.Fatal(err)
		}
		if ev.kind == evEOF {
			break
		}
		if ev.kind == evWatermark {
			t.Fatalf("watermark %d after the end", ev.watermark.TS)
		}
	}
}

// generated returns deterministic rows for splits: event times increase
// with jitter below delay, so no row is late.
func generated(splits, perSplit int, seed int64) [][]types.Row {
	rng := rand.New(rand.NewSource(seed))
	out := make([][]types.Row, splits)
	for s := range out {
		for i := 0; i < perSplit; i++ {
			out[s] = append(out[s], ev(int64(i*3+rng.Intn(40)), int64(rng.Intn(17)), int64(rng.Intn(1000))))
		}
	}
	return out
}

// expectedWindowAgg computes the windowed aggregation in batch.
func expectedWindowAgg(rows [][]types.Row, size int64) string {
	type key struct{ end, k int64 }
	type acc struct{ n, sum int64 }
	m := map[key]*acc{}
	for _, split := range rows {
		for _, r := range split {
			k := key{r[0].I/size*size + size, r[1].I}
			a := m[k]
			if a == nil {
				a = &acc{}
				m[k] = a
			}
			a.n++
			a.sum += r[2].I
		}
	}
	var out []types.Row
	for k, a := range m {
		out = append(out, ints(k.end, k.k, a.n, a.sum))
	}
	return rowsString(out)
}

// The final view is the same for every parallelism, and equals the batch
// computation.
func TestParallelismMatchesBatch(t *testing.T) {
	data := generated(4, 3000, 1)
	want := expectedWindowAgg(data, 100)
	for _, eowc := range []bool{false, true} {
		for _, par := range []int{1, 2, 4} {
			t.Run(fmt.Sprintf("eowc=%t/par=%d", eowc, par), func(t *testing.T) {
				src := newTestSource(4)
				for s, rows := range data {
					for i := 0; i < len(rows); i += 100 {
						src.push(s, rows[i:i+100]...)
					}
				}
				src.closeAll()
				j := startJob(t, windowAggGraph(t, par, 100, 50, true, eowc), Env{}, src)
				waitDone(t, j)
				if got := rowsString(j.View().Snapshot()); got != want {
					t.Fatalf("view differs from batch result:\n%s\n---\n%s", firstLines(got, 5), firstLines(want, 5))
				}
				var in, late int64
				for _, s := range j.Stats() {
					late += s.LateRows
					if s.Kind == "Source" {
						in += s.RowsIn
					}
				}
				if in != 12000 || late != 0 {
					t.Fatalf("source rows %d (want 12000), late %d (want 0)", in, late)
				}
			})
		}
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// globalAggGraph reads relation rel (columns window_end, k, count, sum)
// and computes count(*), sum(count) without grouping.
func globalAggGraph(t testing.TB, rel *catalog.Relation) *planner.StreamGraph {
	outCols := []types.Column{intCol("groups"), intCol("rows")}
	return &planner.StreamGraph{Output: outCols, Operators: []*planner.Operator{
		{ID: 1, Kind: planner.OpSource, Parallelism: 2, Output: rel.Columns, WatermarkCol: -1,
			Source: &planner.SourceSpec{Relation: rel, EventTimeCol: -1}},
		{ID: 2, Kind: planner.OpHashAgg, Parallelism: 1, Output: outCols, WatermarkCol: -1,
			Inputs: []planner.Input{{From: 0, Exchange: planner.Single}},
			HashAgg: &planner.HashAggSpec{WindowEndKey: -1, Aggs: []planner.AggCall{
				{Fn: mustAgg(t, "count"), Arg: -1, FilterCol: -1},
				{Fn: mustAgg(t, "sum", types.TInt8), Arg: 2, FilterCol: -1},
			}}},
		{ID: 3, Kind: planner.OpMaterialize, Parallelism: 1, Output: outCols, WatermarkCol: -1,
			Inputs:      []planner.Input{{From: 1, Exchange: planner.Forward}},
			Materialize: &planner.MaterializeSpec{View: &catalog.Relation{ID: 101, Name: "w"}}},
	}}
}

// A view over a view: the second job subscribes to the first one's view
// (snapshot, then its changelog with updates) and ends when it ends.
func TestViewOverView(t *testing.T) {
	views := NewViews()
	data := generated(2, 2000, 2)
	src := newTestSource(2)
	for s, rows := range data {
		src.push(s, rows[:1000]...)
	}
	g1 := windowAggGraph(t, 2, 100, 50, true, false)
	j1 := startJob(t, g1, Env{Views: views}, src)
	// Part of the input is in the first view's snapshot, the rest arrives
	// as changes.
	if err := j1.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	j2 := startJob(t, globalAggGraph(t, g1.Operators[3].Materialize.View), Env{Views: views}, nil)
	for s, rows := range data {
		src.push(s, rows[1000:]...)
	}
	src.closeAll()
	waitDone(t, j1)
	waitDone(t, j2)
	groups := len(strings.Split(expectedWindowAgg(data, 100), "\n"))
	if got, want := rowsString(j2.View().Snapshot()), fmt.Sprintf("%d 4000", groups); got != want {
		t.Fatalf("view over view: %q, want %q", got, want)
	}
}

// Barriers: the job reports an epoch once every sink saw it, with the
// split positions its sources recorded when they injected it.
func TestCheckpointBarriers(t *testing.T) {
	src := newTestSource(2)
	j := startJob(t, windowAggGraph(t, 2, 10, 0, true, false), Env{}, src)
	src.push(0, ev(1, 1, 1))
	src.push(0, ev(2, 1, 1))
	src.push(1, ev(3, 2, 1))
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rowsString(j.View().Snapshot()); got != "10 1 2 2\n10 2 1 1" {
		t.Fatalf("view after catching up:\n%s", got)
	}
	e := j.LastEpoch() + 10
	if err := j.TriggerBarrier(e, true); err != nil {
		t.Fatal(err)
	}
	if err := j.TriggerBarrier(e, true); !errors.Is(err, ErrEpochNotIncreasing) {
		t.Fatalf("repeated epoch: %v", err)
	}
	// Completed holds the latest epoch: the one WaitCaughtUp used may
	// still be there.
	for done := false; !done; {
		select {
		case got := <-j.Completed():
			if got > e {
				t.Fatalf("completed %d, above %d", got, e)
			}
			done = got == e
		case <-time.After(10 * time.Second):
			t.Fatal("barrier did not complete")
		}
	}
	pos, ok := j.Positions(e)
	if !ok || len(pos) != 2 {
		t.Fatalf("positions %v %v", pos, ok)
	}
	// Split s0 is after its second batch, s1 after its first.
	if p := pos[SplitKey{Op: 1, Split: "s0"}]; len(p) != 16 || p[7] != 2 {
		t.Fatalf("s0 position %v", p)
	}
	if p := pos[SplitKey{Op: 1, Split: "s1"}]; len(p) != 16 || p[7] != 1 {
		t.Fatalf("s1 position %v", p)
	}
}

// A failing split fails the job with its error; Stop after that is fine.
func TestSourceErrorFailsJob(t *testing.T) {
	src := newTestSource(1)
	src.splits[0].err = errors.New("broker gone")
	j := startJob(t, windowAggGraph(t, 1, 10, 0, false, false), Env{}, src)
	err := j.Wait()
	if err == nil || !strings.Contains(err.Error(), "broker gone") {
		t.Fatalf("job error %v", err)
	}
	if !errors.Is(j.View().Err(), err) && j.View().Err() != err {
		t.Fatalf("view error %v", j.View().Err())
	}
}

type panicAcc struct{ expr.Accumulator }

func (panicAcc) Add(types.Datum) error { panic("accumulator bug") }

// A panicking operator becomes a job error, not a crash.
func TestPanicBecomesJobError(t *testing.T) {
	src := newTestSource(1)
	src.push(0, ev(1, 1, 1))
	g := windowAggGraph(t, 1, 10, 0, false, false)
	g.Operators[2].HashAgg.Aggs[0].Fn = &expr.AggFunc{Name: "bad", New: func() expr.Accumulator { return panicAcc{} }}
	j := startJob(t, g, Env{}, src)
	err := j.Wait()
	if err == nil || !strings.Contains(err.Error(), "accumulator bug") || !strings.Contains(err.Error(), "HashAgg") {
		t.Fatalf("job error %v", err)
	}
}

// Stop ends a running job with unbounded input, blocked or not, and every
// goroutine exits.
func TestStopLeavesNoGoroutines(t *testing.T) {
	src := newTestSource(4)
	j, err := Build(windowAggGraph(t, 4, 10, 0, true, false), Env{
		Sources: func(context.Context, *catalog.Relation) (connector.Source, error) { return src, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		src.push(i, generated(1, 500, int64(i))[0]...)
	}
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	j.Stop()
	j.Stop()
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := j.TriggerBarrier(100, false); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("barrier after stop: %v", err)
	}
	if !errors.Is(j.View().Err(), ErrViewClosed) {
		t.Fatalf("view error after stop: %v", j.View().Err())
	}
	goleak.VerifyNone(t)
}
