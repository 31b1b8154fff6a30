package exec

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// recordingSink is an external system that keeps what it is delivered and
// the last epoch per subtask, like the Kafka sink's topic and groups; it
// outlives the jobs of a test, as Kafka outlives a crashed server.
type recordingSink struct {
	mu   sync.Mutex
	fail bool
	// lostAnswers is how many deliveries succeed but report a failure,
	// as a commit whose answer the network lost.
	lostAnswers int
	delivered   map[int]uint64
	msgs        map[int][]connector.SinkMessage
	order       []string // out-of-order deliveries
}

func newRecordingSink() *recordingSink {
	return &recordingSink{delivered: map[int]uint64{}, msgs: map[int][]connector.SinkMessage{}}
}

func (s *recordingSink) Writer(_ context.Context, i, _ int) (connector.SinkWriter, error) {
	return &recordingWriter{s: s, i: i}, nil
}
func (s *recordingSink) Close() error { return nil }

func (s *recordingSink) setFail(f bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// all returns the messages delivered, subtask by subtask.
func (s *recordingSink) all() []connector.SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []connector.SinkMessage
	for _, i := range slices.Sorted(maps.Keys(s.msgs)) {
		out = append(out, s.msgs[i]...)
	}
	return out
}

func (s *recordingSink) epochs() map[int]uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.delivered)
}

type recordingWriter struct {
	s *recordingSink
	i int
}

func (w *recordingWriter) Delivered(context.Context) (uint64, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.delivered[w.i], nil
}

func (w *recordingWriter) Deliver(_ context.Context, epoch uint64, msgs []connector.SinkMessage) error {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	if w.s.fail {
		return errors.New("broker unavailable")
	}
	if epoch <= w.s.delivered[w.i] {
		w.s.order = append(w.s.order, fmt.Sprintf("subtask %d: epoch %d after %d", w.i, epoch, w.s.delivered[w.i]))
	}
	for _, m := range msgs {
		w.s.msgs[w.i] = append(w.s.msgs[w.i], connector.SinkMessage{Key: slices.Clone(m.Key), Value: slices.Clone(m.Value)})
	}
	w.s.delivered[w.i] = epoch
	if w.s.lostAnswers > 0 {
		w.s.lostAnswers--
		return errors.New("connection reset before the commit's answer")
	}
	return nil
}

func (w *recordingWriter) Close() error { return nil }

// sinkGraph replaces the Materialize of g by a Sink into sink.
func sinkGraph(g *planner.StreamGraph, upsert bool, keys []int, tableID uint32) *planner.StreamGraph {
	last := g.Operators[len(g.Operators)-1]
	last.Kind, last.Materialize = planner.OpSink, nil
	last.Sink = &planner.SinkSpec{Sink: &catalog.Relation{ID: 200, Name: "s", Kind: catalog.Sink},
		Upsert: upsert, KeyCols: keys, StateTableID: tableID}
	return g
}

func (h *ckHarness) startSink(g *planner.StreamGraph, src *testSource, restore bool, sink *recordingSink) *Job {
	h.t.Helper()
	env := h.env()
	env.Sinks = func(context.Context, *catalog.Relation) (connector.Sink, error) { return sink, nil }
	if restore {
		env.StartPositions = h.positions()
	}
	return startJob(h.t, g, env, src)
}

func waitDelivered(t *testing.T, s *recordingSink, subtasks int, epoch uint64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		e := s.epochs()
		ok := true
		for i := 0; i < subtasks; i++ {
			ok = ok && e[i] >= epoch
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("epochs delivered %v, want %d on %d subtasks", e, epoch, subtasks)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An upsert sink delivers nothing before a checkpoint commits, then each
// key's latest row: the keys' last values equal the view of the same
// query.
func TestSinkUpsertMatchesView(t *testing.T) {
	data := generated(2, 2000, 8)
	// One batch per split: the test reader returns one batch per read, and
	// a short read counts as having nothing more at hand (WaitCaughtUp).
	fill := func() *testSource {
		src := newTestSource(2)
		for s := range data {
			src.push(s, data[s]...)
		}
		return src
	}
	// A watermark delay beyond the data's disorder: no row is late in
	// either run, whatever the interleaving of the splits.
	const delay = 1 << 40
	g := windowAggGraph(t, 2, 100, delay, true, false)
	want := map[string]string{}
	j := startJob(t, g, Env{}, closedSource(fill()))
	waitDone(t, j)
	for _, r := range j.View().Snapshot() {
		want[jsonObject(g.Output, r, []int{0, 1})] = jsonObject(g.Output, r, nil)
	}

	h := openHarness(t, t.TempDir())
	sink := newRecordingSink()
	sg := sinkGraph(windowAggGraph(t, 2, 100, delay, true, false), true, []int{0, 1}, 30)
	sg.Operators[2].HashAgg.StateTableID = 31
	j = h.startSink(sg, fill(), false, sink)
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.all(); len(got) != 0 {
		t.Fatalf("%d messages delivered before any checkpoint", len(got))
	}
	epoch := h.checkpoint(j)
	waitDelivered(t, sink, 2, epoch)
	got := map[string]string{}
	for _, m := range sink.all() {
		if m.Value == nil {
			delete(got, string(m.Key))
			continue
		}
		got[string(m.Key)] = string(m.Value)
	}
	missing := 0
	for k, v := range want {
		if got[k] != v {
			missing++
			if missing < 3 {
				t.Errorf("key %s: sink holds %q, the view %q", k, got[k], v)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d keys differ; sink holds %d keys", missing, len(want), len(got))
	}
	if len(got) != len(want) {
		t.Fatalf("sink holds %d keys, the view %d rows", len(got), len(want))
	}
	if len(sink.order) > 0 {
		t.Fatalf("deliveries out of order: %v", sink.order)
	}
}

// jsonObject is the JSON object the sink encodes of row's columns idx
// (nil: all).
func jsonObject(cols []types.Column, row types.Row, idx []int) string {
	if idx == nil {
		for i := range cols {
			idx = append(idx, i)
		}
	}
	b := []byte{'{'}
	for n, i := range idx {
		if n > 0 {
			b = append(b, ',')
		}
		b = types.AppendJSONString(b, cols[i].Name)
		b = append(b, ':')
		b = expr.AppendJSON(b, row[i], cols[i].Type)
	}
	return string(append(b, '}'))
}

// closedSource closes every split of src.
func closedSource(src *testSource) *testSource {
	src.closeAll()
	return src
}

// An append-only sink whose writer fails at the checkpoint before a crash
// delivers that epoch after the restart, from the restored checkpoint, and
// nothing twice: the writer's own record of the last epoch says what it
// already holds. Rows after the last barrier of a bounded input are
// delivered once a checkpoint holding them commits.
func TestSinkRedeliversAfterCrash(t *testing.T) {
	data := generated(2, 900, 9)
	batches := [][2]int{{0, 300}, {300, 600}, {600, 900}}
	fill := func(upTo int, closed bool) *testSource {
		src := newTestSource(2)
		for s := range data {
			for _, b := range batches[:upTo] {
				src.push(s, data[s][b[0]:b[1]]...)
			}
			if closed {
				src.close(s)
			}
		}
		return src
	}
	graph := func() *planner.StreamGraph { return sinkGraph(passThroughGraph(), false, nil, 40) }
	h := openHarness(t, t.TempDir())
	sink := newRecordingSink()

	src := fill(1, false)
	j := h.startSink(graph(), src, false, sink)
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	e1 := h.checkpoint(j)
	waitDelivered(t, sink, 2, e1)
	if n := len(sink.all()); n != 600 {
		t.Fatalf("%d messages after the first checkpoint, want 600", n)
	}

	// The second batch is checkpointed but the external system is down:
	// the epoch is committed, not delivered, when the server dies.
	sink.setFail(true)
	src.push(0, data[0][300:600]...)
	src.push(1, data[1][300:600]...)
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	e2 := h.checkpoint(j)
	time.Sleep(50 * time.Millisecond)
	if n := len(sink.all()); n != 600 {
		t.Fatalf("%d messages with the writer failing, want 600", n)
	}
	retrying := func() bool {
		for _, d := range j.SinkDeliveries() {
			if d.State == "connected" || d.Pending == 0 {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(10 * time.Second)
	for !retrying() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !retrying() {
		t.Fatalf("sink deliveries with the writer failing: %+v", j.SinkDeliveries())
	}
	h = h.crash(j)

	sink.setFail(false)
	j = h.startSink(graph(), fill(3, true), true, sink)
	waitDelivered(t, sink, 2, e2)
	select {
	case <-j.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("job did not finish")
	}
	// The rows after the last barrier go out with the next checkpoint;
	// then the job has ended.
	h.checkpoint(j)
	waitDelivered(t, sink, 2, finalEpoch)
	if err := j.Wait(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range sink.all() {
		seen[string(m.Value)]++
	}
	for s := range data {
		for _, r := range data[s] {
			if b := jsonObject(eventCols, r, nil); seen[b] != 1 {
				t.Fatalf("row %s delivered %d times", b, seen[b])
			}
		}
	}
	if n := len(sink.all()); n != 1800 {
		t.Fatalf("%d messages, want 1800", n)
	}
	if len(sink.order) > 0 {
		t.Fatalf("deliveries out of order: %v", sink.order)
	}
}

// A delivery that succeeded although the writer reported a failure is not
// delivered again: the retry asks the writer what it holds first.
func TestSinkLostCommitAnswer(t *testing.T) {
	data := generated(2, 500, 12)
	src := newTestSource(2)
	for s := range data {
		src.push(s, data[s]...)
	}
	h := openHarness(t, t.TempDir())
	sink := newRecordingSink()
	sink.lostAnswers = 2
	j := h.startSink(sinkGraph(passThroughGraph(), false, nil, 40), src, false, sink)
	if err := j.WaitCaughtUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := h.checkpoint(j)
	waitDelivered(t, sink, 2, e)
	// Let the retries run (backoff 100 ms).
	time.Sleep(400 * time.Millisecond)
	if n := len(sink.all()); n != 1000 {
		t.Fatalf("%d messages for 1000 rows", n)
	}
	for _, d := range j.SinkDeliveries() {
		if d.State != "connected" || d.Pending != 0 {
			t.Fatalf("deliveries after the lost answers: %+v", j.SinkDeliveries())
		}
	}
}
