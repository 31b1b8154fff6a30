package exec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/expr"
)

// DefaultChannelCapacity is how many messages (chunks, not rows) an
// exchange channel holds. A few chunks let producer and consumer overlap;
// more would only delay backpressure and barriers.
const DefaultChannelCapacity = 4

// MaxInflightBarriers bounds the barriers injected but not yet seen by
// every sink; TriggerBarrier fails beyond it (the job is stuck or the
// coordinator too fast).
const MaxInflightBarriers = 64

// keptPositions is how many completed epochs' split positions Positions
// can still return.
const keptPositions = 16

// Errors of the job API.
var (
	// ErrNotRunning is returned by TriggerBarrier before Start or after
	// the job ended.
	ErrNotRunning = errors.New("exec: job is not running")
	// ErrEpochNotIncreasing is returned by TriggerBarrier for an epoch at
	// or below the last one.
	ErrEpochNotIncreasing = errors.New("exec: barrier epoch not above the previous one")
	// ErrTooManyBarriers is returned by TriggerBarrier when
	// MaxInflightBarriers barriers are still in flight.
	ErrTooManyBarriers = errors.New("exec: too many barriers in flight")
)

// Env is what a job needs from the server.
type Env struct {
	// Connectors is passed to connectors.
	Connectors connector.Env
	// Sources builds the input of a source operator's relation.
	Sources func(ctx context.Context, rel *catalog.Relation) (connector.Source, error)
	// Views holds the views of running jobs: a source over a relation
	// registered here subscribes to it (a view over a view), and Start
	// registers this job's view. Nil: neither.
	Views *Views
	// Now is the clock for now() in expressions and for split idleness;
	// nil means time.Now.
	Now func() time.Time
	// Logger receives job state changes; nil means slog.Default().
	Logger *slog.Logger
	// ChannelCapacity overrides DefaultChannelCapacity.
	ChannelCapacity int
	// StartPositions returns where a split of source operator opID
	// resumes (from a checkpoint); nil, or a nil result, starts it at the
	// connector's start.
	StartPositions func(opID int, split string) []byte
	// StateTables opens the state table of an operator subtask (the
	// spec's StateTableID); operators restore from what it holds and write
	// their changes into it on each checkpoint barrier. Nil: operator state
	// is not checkpointed.
	StateTables func(tableID uint32, subtask int) (StateTable, error)
	// FlushState, when set, is called by a subtask right after it wrote
	// its state for checkpoint epoch into t, from the subtask's goroutine
	// (the table's owner), e.g. to flush t into the epoch's
	// storage.CheckpointWriter. The state of subtasks that finished is
	// flushed by the coordinator instead (FlushFinished).
	FlushState func(epoch uint64, t StateTable) error
	// Epochs, when set, numbers every barrier of the job (the catch-up
	// barriers of WaitCaughtUp too), so that the jobs of a server share
	// one epoch sequence with their checkpoint coordinator.
	Epochs *EpochClock
	// StateCacheBytes bounds the in-memory groups of each subtask of an
	// aggregation without a window that has a state table (0: no bound).
	// Beyond it, groups are evicted at checkpoints and read back from the
	// state table (storage) when their key comes up again.
	StateCacheBytes int64
	// ConsistentReads makes the view's Snapshot return its rows as of the
	// last checkpoint committed through CommitView rather than the live
	// rows.
	ConsistentReads bool
	// Sinks builds the connector of a sink job; nil uses the registered
	// sink connector the relation names.
	Sinks func(ctx context.Context, rel *catalog.Relation) (connector.Sink, error)
}

// EpochClock hands out barrier epochs. A coordinator that checkpoints
// several jobs and the jobs' own catch-up barriers take their epochs from
// one clock, so an epoch chosen by one is never taken by the other between
// the choice and the injection.
type EpochClock struct {
	mu   sync.Mutex
	last uint64
}

// Observe raises the clock to at least e (e.g. the epochs a restarted
// server used before).
func (c *EpochClock) Observe(e uint64) {
	c.mu.Lock()
	c.last = max(c.last, e)
	c.mu.Unlock()
}

// Last returns the last epoch handed out.
func (c *EpochClock) Last() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Next takes the next epoch and runs inject with it while no other epoch
// can be taken. The epoch is used up whatever inject returns: it may have
// reached some jobs.
func (c *EpochClock) Next(inject func(epoch uint64) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last++
	return inject(c.last)
}

// SplitKey identifies a split of one source operator in Positions.
type SplitKey struct {
	Op    int
	Split string
}

// Job runs one StreamGraph.
//
// Lifecycle: Build checks the graph and wires the subtasks; Start launches
// one goroutine per subtask; the job then ends in one of three ways: every
// bounded input finished (Done is closed, Wait returns nil), a subtask
// failed (the job stops, Wait and Err return that first error), or Stop
// was called (Wait returns nil). Stop must be called in every case to
// release the view and the connectors.
type Job struct {
	graph *planner.StreamGraph
	env   Env
	log   *slog.Logger

	tasks   []*task
	sources []*sourceTask
	view    *View // nil for a sink job
	viewRel *catalog.Relation
	nSinks  int

	// A CREATE SINK job's connector, its relation, and the delivery of
	// each sink subtask (none for a discarding sink).
	sink       connector.Sink
	sinkRel    *catalog.Relation
	deliveries []*sinkDelivery

	mu       sync.Mutex
	started  bool
	stopped  bool
	cancel   context.CancelFunc
	err      error
	conns    []connector.Source
	register bool

	exited chan struct{} // closed when every goroutine of the job returned
	done   chan struct{} // closed when every sink subtask finished its input

	ck ckState
}

// ckState tracks barriers between injection and completion.
type ckState struct {
	mu            sync.Mutex
	lastEpoch     uint64
	inflight      map[uint64]*epochState
	order         []uint64
	completedInfo map[uint64]*epochState
	completedList []uint64
	finishedSinks int
	completed     chan uint64

	// finalPos holds the positions of the splits of source subtasks that
	// reached the end of their input. A finished subtask injects no more
	// barriers, and every operator that aligns a later barrier has seen
	// all of its rows, so later epochs record these positions for it.
	finalPos map[SplitKey][]byte
	// finished holds the subtasks that finished their input, with their
	// final state written into their tables (not flushed).
	finished []finishedSubtask
}

// finishedSubtask is the final state of a subtask that finished its input.
type finishedSubtask struct {
	tables []StateTable
	// part is the view partition of a sink subtask, else -1.
	part int
	// after is the last checkpoint barrier the subtask handled: its final
	// state holds changes after that barrier, so it belongs to later
	// checkpoints only.
	after uint64
}

type epochState struct {
	positions map[SplitKey][]byte
	sinksSeen int
	waiters   []chan struct{}
	// align is the longest barrier alignment of any subtask.
	align time.Duration
}

// Build checks graph and prepares its subtasks and channels. Expressions
// are compiled here so that errors surface before anything runs.
func Build(graph *planner.StreamGraph, env Env) (*Job, error) {
	if len(graph.Operators) == 0 {
		return nil, errors.New("exec: empty stream graph")
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = slog.Default()
	}
	if env.ChannelCapacity <= 0 {
		env.ChannelCapacity = DefaultChannelCapacity
	}
	j := &Job{
		graph:  graph,
		env:    env,
		log:    env.Logger,
		exited: make(chan struct{}),
		done:   make(chan struct{}),
		ck: ckState{
			inflight:      map[uint64]*epochState{},
			completedInfo: map[uint64]*epochState{},
			completed:     make(chan uint64, 1),
			finalPos:      map[SplitKey][]byte{},
		},
	}
	ops := graph.Operators
	byOp := make([][]*task, len(ops))
	consumers := make([]int, len(ops))
	for i, op := range ops {
		if op.Parallelism < 1 {
			return nil, fmt.Errorf("exec: operator %d has parallelism %d", op.ID, op.Parallelism)
		}
		for _, in := range op.Inputs {
			if in.From < 0 || in.From >= i {
				return nil, fmt.Errorf("exec: operator %d reads operator index %d, which does not precede it", op.ID, in.From)
			}
			consumers[in.From]++
		}
	}
	for i, op := range ops {
		if consumers[i] == 0 && i != len(ops)-1 {
			return nil, fmt.Errorf("exec: operator %d has no consumer", op.ID)
		}
	}
	sink := ops[len(ops)-1]
	switch {
	case sink.Kind == planner.OpMaterialize && sink.Materialize != nil:
		j.view = NewView(graph.Output, sink.Materialize.KeyCols, sink.Parallelism)
		j.view.consistent = env.ConsistentReads
		j.view.track = env.ConsistentReads || (env.StateTables != nil && sink.Materialize.StateTableID != 0)
		j.viewRel = sink.Materialize.View
	case sink.Kind == planner.OpSink && sink.Sink != nil && sink.Sink.Sink != nil:
		if err := j.openSink(sink); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("exec: the last operator must be a Materialize or a Sink")
	}
	j.nSinks = sink.Parallelism

	nowTS := env.Now()
	for i, op := range ops {
		for s := 0; s < op.Parallelism; s++ {
			t := &task{job: j, spec: op, idx: s, stats: newSubtaskStats(), sink: i == len(ops)-1}
			t.out = &output{width: len(op.Output), stats: t.stats}
			if op.Kind == planner.OpSource {
				if op.Source == nil {
					return nil, fmt.Errorf("exec: source operator %d has no spec", op.ID)
				}
				t.src = &sourceTask{task: t, spec: op.Source, wake: make(chan struct{}, 1), now: env.Now}
				j.sources = append(j.sources, t.src)
			}
			byOp[i] = append(byOp[i], t)
			j.tasks = append(j.tasks, t)
		}
	}
	if err := j.buildOperators(nowTS); err != nil {
		j.closeSink()
		return nil, err
	}
	// Wire the channels: one per (producer subtask, consumer subtask) pair
	// that exchanges rows, owned (and closed) by the producer.
	for ci, op := range ops {
		for _, in := range op.Inputs {
			prods, cons := byOp[in.From], byOp[ci]
			P, C := len(prods), len(cons)
			newCh := func() chan Message { return make(chan Message, env.ChannelCapacity) }
			switch in.Exchange {
			case planner.Forward:
				if P != C {
					return nil, fmt.Errorf("exec: forward exchange from operator %d (parallelism %d) to %d (parallelism %d)",
						ops[in.From].ID, P, op.ID, C)
				}
				for k := 0; k < P; k++ {
					ch := newCh()
					prods[k].out.edges = append(prods[k].out.edges, &edge{kind: in.Exchange, chans: []chan Message{ch}})
					cons[k].ins = append(cons[k].ins, ch)
				}
			case planner.Single:
				if C != 1 {
					return nil, fmt.Errorf("exec: single exchange into operator %d of parallelism %d", op.ID, C)
				}
				for k := 0; k < P; k++ {
					ch := newCh()
					prods[k].out.edges = append(prods[k].out.edges, &edge{kind: in.Exchange, chans: []chan Message{ch}})
					cons[0].ins = append(cons[0].ins, ch)
				}
			case planner.Hash, planner.Broadcast:
				if in.Exchange == planner.Hash {
					for _, k := range in.Keys {
						if k < 0 || k >= len(ops[in.From].Output) {
							return nil, fmt.Errorf("exec: hash key %d out of range for operator %d", k, ops[in.From].ID)
						}
					}
				}
				for k := 0; k < P; k++ {
					e := &edge{kind: in.Exchange, keys: in.Keys, chans: make([]chan Message, C), pending: make([]*Chunk, C)}
					for c := 0; c < C; c++ {
						ch := newCh()
						e.chans[c] = ch
						cons[c].ins = append(cons[c].ins, ch)
					}
					prods[k].out.edges = append(prods[k].out.edges, e)
				}
			default:
				return nil, fmt.Errorf("exec: unknown exchange kind %d", in.Exchange)
			}
		}
	}
	for _, t := range j.tasks {
		if t.src == nil && len(t.ins) == 0 {
			return nil, fmt.Errorf("exec: operator %d has no input", t.spec.ID)
		}
	}
	return j, nil
}

// buildOperators builds the operators of the subtasks, in parallel:
// building a stateful operator restores its state from the last
// checkpoint, which for a large view is most of a restart.
func (j *Job) buildOperators(now time.Time) error {
	errs := make([]error, len(j.tasks))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, t := range j.tasks {
		if t.src != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o, err := newOperator(j, t.spec, t.idx, t.stats, &expr.Ctx{Now: now})
			if err != nil {
				errs[i] = fmt.Errorf("exec: operator %d (%s): %w", t.spec.ID, kindName(t.spec.Kind), err)
				return
			}
			t.op = o
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// openSink builds the connector of a sink job and the deliveries of its
// subtasks (their writers open in Start).
func (j *Job) openSink(op *planner.Operator) error {
	rel := op.Sink.Sink
	j.sinkRel = rel
	newSink := j.env.Sinks
	if newSink == nil {
		newSink = func(ctx context.Context, rel *catalog.Relation) (connector.Sink, error) {
			return connector.NewSink(ctx, rel.Connector, rel)
		}
	}
	s, err := newSink(context.Background(), rel)
	if err != nil {
		return fmt.Errorf("exec: sink %q: %w", rel.Name, err)
	}
	j.sink = s
	if d, ok := s.(connector.Discarding); ok && d.Discards() {
		return nil
	}
	for i := 0; i < op.Parallelism; i++ {
		j.deliveries = append(j.deliveries, newSinkDelivery(nil, i))
	}
	return nil
}

// openSinkWriters opens the writer of every sink subtask.
func (j *Job) openSinkWriters(ctx context.Context) error {
	for i, d := range j.deliveries {
		w, err := j.sink.Writer(ctx, i, len(j.deliveries))
		if err != nil {
			return fmt.Errorf("exec: sink %q: writer %d: %w", j.sinkRel.Name, i, err)
		}
		d.writer = w
	}
	return nil
}

// closeSink closes a sink job's writers and connector.
func (j *Job) closeSink() {
	for _, d := range j.deliveries {
		if d.writer != nil {
			if err := d.writer.Close(); err != nil {
				j.log.Warn("closing sink writer", "sink", j.sinkRel.Name, "err", err)
			}
			d.writer = nil
		}
	}
	if j.sink != nil {
		if err := j.sink.Close(); err != nil {
			j.log.Warn("closing sink", "sink", j.sinkRel.Name, "err", err)
		}
		j.sink = nil
	}
}

// SinkDelivery describes the delivery of one subtask of a sink job.
type SinkDelivery struct {
	Subtask int
	// State is "connected", or "retrying: <error>" while the external
	// system fails.
	State string
	// Delivered is the last epoch the external system holds (0: none or
	// not known yet); Pending the epochs sealed but not delivered yet.
	Delivered uint64
	Pending   int
}

// SinkDeliveries describes the delivery of each subtask of a sink job;
// nil for other jobs and discarding sinks.
func (j *Job) SinkDeliveries() []SinkDelivery {
	out := make([]SinkDelivery, len(j.deliveries))
	for i, d := range j.deliveries {
		d.mu.Lock()
		out[i] = SinkDelivery{Subtask: i, State: d.state, Delivered: d.delivered, Pending: len(d.pending)}
		d.mu.Unlock()
	}
	return out
}

// View is the materialized view the job maintains (nil for a sink job).
func (j *Job) View() *View { return j.view }

// Start opens the sources and launches the subtasks. The job runs until it
// finishes, fails, Stop is called or ctx is done.
func (j *Job) Start(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started {
		return errors.New("exec: job started twice")
	}
	if j.stopped {
		return ErrNotRunning
	}
	j.started = true
	ctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	abort := func(err error) error {
		cancel()
		j.closeConns()
		j.closeSink()
		j.err = err
		j.closeView(err)
		close(j.exited)
		return err
	}
	if err := j.assignSplits(ctx); err != nil {
		return abort(err)
	}
	if err := j.openSinkWriters(ctx); err != nil {
		return abort(err)
	}
	if j.env.Views != nil && j.viewRel != nil {
		if err := j.env.Views.Register(j.viewRel.ID, j.view); err != nil {
			return abort(err)
		}
		j.register = true
	}
	var wg sync.WaitGroup
	for _, t := range j.tasks {
		wg.Add(1)
		go func(t *task) {
			defer wg.Done()
			if err := t.run(ctx); err != nil && ctx.Err() == nil {
				j.fail(err)
			}
		}(t)
	}
	for _, d := range j.deliveries {
		wg.Add(1)
		go func(d *sinkDelivery) {
			defer wg.Done()
			log := func(msg string, args ...any) { j.log.Warn(msg, append(args, "sink", j.sinkRel.Name)...) }
			d.run(ctx, j.done, log)
		}(d)
	}
	// The monitor goroutine owns the end of the job: once every subtask
	// returned it releases the connectors and tells the view's
	// subscribers.
	go func() {
		wg.Wait()
		j.mu.Lock()
		j.closeConns()
		j.closeSink()
		err := j.err
		j.mu.Unlock()
		if err == nil {
			select {
			case <-j.done:
			default:
				// Stopped before its input ended: the view is not final.
				err = ErrViewClosed
			}
		}
		j.closeView(err)
		close(j.exited)
	}()
	j.log.Debug("job started", "view", j.viewName(), "subtasks", len(j.tasks))
	return nil
}

func (j *Job) viewName() string {
	switch {
	case j.viewRel != nil:
		return j.viewRel.Name
	case j.sinkRel != nil:
		return j.sinkRel.Name
	}
	return ""
}

func (j *Job) closeView(err error) {
	if j.view != nil {
		j.view.close(err)
	}
}

// assignSplits lists every source's splits and deals them round-robin to
// its subtasks. A relation registered in Views is read by subscribing to
// it, as one split on subtask 0.
func (j *Job) assignSplits(ctx context.Context) error {
	bySpec := map[*planner.SourceSpec][]*sourceTask{}
	var specs []*planner.SourceSpec
	for _, s := range j.sources {
		if _, ok := bySpec[s.spec]; !ok {
			specs = append(specs, s.spec)
		}
		bySpec[s.spec] = append(bySpec[s.spec], s)
	}
	for _, spec := range specs {
		subtasks := bySpec[spec]
		rel := spec.Relation
		if rel == nil {
			return errors.New("exec: source without relation")
		}
		if j.env.Views != nil {
			if v, ok := j.env.Views.Lookup(rel.ID); ok {
				subtasks[0].view = v
				subtasks[0].splits = []string{"view"}
				continue
			}
		}
		if j.env.Sources == nil {
			return fmt.Errorf("exec: no connector for relation %q", rel.Name)
		}
		src, err := j.env.Sources(ctx, rel)
		if err != nil {
			return fmt.Errorf("exec: source %q: %w", rel.Name, err)
		}
		j.conns = append(j.conns, src)
		splits, err := src.Splits(ctx, len(subtasks))
		if err != nil {
			return fmt.Errorf("exec: source %q: splits: %w", rel.Name, err)
		}
		for i, sp := range splits {
			st := subtasks[i%len(subtasks)]
			st.src = src
			st.splits = append(st.splits, sp)
		}
	}
	return nil
}

// closeConns closes the connector sources; j.mu is held.
func (j *Job) closeConns() {
	for _, c := range j.conns {
		if err := c.Close(); err != nil {
			j.log.Warn("closing source", "view", j.viewName(), "err", err)
		}
	}
	j.conns = nil
}

// fail records the first error and stops the job.
func (j *Job) fail(err error) {
	j.mu.Lock()
	first := j.err == nil
	if first {
		j.err = err
	}
	cancel := j.cancel
	j.mu.Unlock()
	if first {
		j.log.Error("streaming job failed", "view", j.viewName(), "err", err)
		cancel()
	}
}

// Stop stops the job and waits until every goroutine returned, then
// unregisters the view. It is idempotent and may be called in any state.
func (j *Job) Stop() {
	j.mu.Lock()
	if j.stopped {
		j.mu.Unlock()
		<-j.exited
		return
	}
	j.stopped = true
	started := j.started
	cancel := j.cancel
	j.mu.Unlock()
	if !started {
		close(j.exited)
		j.closeSink()
		j.closeView(ErrViewClosed)
		return
	}
	cancel()
	<-j.exited
	if j.register {
		j.env.Views.unregisterView(j.viewRel.ID, j.view)
	}
}

// Wait blocks until the job ended (finished, failed or stopped) and
// returns the first failure, if any.
func (j *Job) Wait() error {
	<-j.exited
	return j.Err()
}

// Err returns the first failure of any subtask, or nil.
func (j *Job) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Done is closed when every bounded input was consumed and the view holds
// the final result.
func (j *Job) Done() <-chan struct{} { return j.done }

// Exited is closed when every goroutine of the job returned.
func (j *Job) Exited() <-chan struct{} { return j.exited }

// Stats returns the counters of every operator subtask, by operator then
// subtask.
func (j *Job) Stats() []OperatorStats {
	out := make([]OperatorStats, 0, len(j.tasks))
	for _, t := range j.tasks {
		out = append(out, OperatorStats{
			OperatorID:   t.spec.ID,
			Kind:         kindName(t.spec.Kind),
			Subtask:      t.idx,
			RowsIn:       t.stats.rowsIn.Load(),
			RowsOut:      t.stats.rowsOut.Load(),
			LateRows:     t.stats.late.Load(),
			Watermark:    t.stats.watermark.Load(),
			BlockedNanos: t.stats.blocked.Load(),
		})
	}
	return out
}

// TriggerBarrier makes every running source subtask emit barrier epoch
// between two batches; each records its split positions at that moment.
// When every sink subtask has seen it, epoch is reported on Completed.
func (j *Job) TriggerBarrier(epoch uint64, checkpoint bool) error {
	return j.triggerBarrier(epoch, checkpoint, nil)
}

// LastEpoch is the highest epoch injected so far; a coordinator's next
// epoch must be above it.
func (j *Job) LastEpoch() uint64 {
	j.ck.mu.Lock()
	defer j.ck.mu.Unlock()
	return j.ck.lastEpoch
}

// WaitCaughtUp waits until the view reflects every row the sources could
// read when it was called: each source split reads until it has nothing
// more at hand, then a (non-checkpoint) barrier flows to the sinks behind
// those rows. It returns at once for a job whose bounded input finished.
// The barrier takes the epoch after LastEpoch.
func (j *Job) WaitCaughtUp(ctx context.Context) error {
	for _, s := range j.sources {
		if err := j.waitFor(ctx, s.requestDrain()); err != nil {
			return err
		}
	}
	for {
		select {
		case <-j.done:
			return nil
		default:
		}
		waiter := make(chan struct{})
		var err error
		if j.env.Epochs != nil {
			err = j.env.Epochs.Next(func(e uint64) error { return j.triggerBarrier(e, false, waiter) })
		} else {
			err = j.triggerBarrier(j.LastEpoch()+1, false, waiter)
		}
		if errors.Is(err, ErrEpochNotIncreasing) {
			continue // a coordinator took the epoch meanwhile
		}
		if err != nil {
			if errors.Is(err, ErrNotRunning) {
				if jerr := j.Err(); jerr != nil {
					return jerr
				}
			}
			return err
		}
		return j.waitFor(ctx, waiter)
	}
}

// waitFor waits for ch, the end of the bounded input, or the job's end.
func (j *Job) waitFor(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-j.done:
		return nil
	case <-j.exited:
		if err := j.Err(); err != nil {
			return err
		}
		// select chooses at random among ready cases: a job whose input
		// finished has both done and exited closed, and that is success.
		select {
		case <-j.done:
			return nil
		default:
		}
		return ErrNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TriggerCheckpoint injects checkpoint barrier epoch like TriggerBarrier
// and returns a channel closed when every sink subtask has seen it. A job
// whose input finished still takes part: its barriers complete at once,
// with the final positions of its sources.
func (j *Job) TriggerCheckpoint(epoch uint64) (<-chan struct{}, error) {
	waiter := make(chan struct{})
	if err := j.triggerBarrier(epoch, true, waiter); err != nil {
		return nil, err
	}
	return waiter, nil
}

func (j *Job) triggerBarrier(epoch uint64, checkpoint bool, waiter chan struct{}) error {
	j.mu.Lock()
	running := j.started && !j.stopped && j.err == nil
	j.mu.Unlock()
	if !running {
		return ErrNotRunning
	}
	select {
	case <-j.exited:
		select {
		case <-j.done:
			// Finished: nothing flows, but the epoch completes (below)
			// with the final positions and state.
		default:
			return ErrNotRunning
		}
	default:
	}
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if epoch <= ck.lastEpoch {
		return fmt.Errorf("%w: %d after %d", ErrEpochNotIncreasing, epoch, ck.lastEpoch)
	}
	if len(ck.inflight) >= MaxInflightBarriers {
		return ErrTooManyBarriers
	}
	ck.lastEpoch = epoch
	st := &epochState{positions: copyPositions(ck.finalPos)}
	if waiter != nil {
		st.waiters = append(st.waiters, waiter)
	}
	ck.inflight[epoch] = st
	ck.order = append(ck.order, epoch)
	b := Barrier{Epoch: epoch, Checkpoint: checkpoint}
	for _, s := range j.sources {
		s.requestBarrier(b)
	}
	j.checkCompletedLocked()
	return nil
}

// Completed delivers the epochs whose barrier every sink subtask has seen.
// It holds only the latest such epoch: barriers complete in order, so a
// completed epoch subsumes the earlier ones, as in Flink.
func (j *Job) Completed() <-chan uint64 { return j.ck.completed }

// Positions returns the split positions the sources recorded when they
// injected barrier epoch, for epochs in flight or among the last completed
// ones.
func (j *Job) Positions(epoch uint64) (map[SplitKey][]byte, bool) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if st, ok := ck.inflight[epoch]; ok {
		return copyPositions(st.positions), true
	}
	st, ok := ck.completedInfo[epoch]
	if !ok {
		return nil, false
	}
	return copyPositions(st.positions), true
}

// Alignment returns the longest time any subtask spent aligning barrier
// epoch: from its first input's barrier to its last one's.
func (j *Job) Alignment(epoch uint64) time.Duration {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if st, ok := ck.inflight[epoch]; ok {
		return st.align
	}
	if st, ok := ck.completedInfo[epoch]; ok {
		return st.align
	}
	return 0
}

func (j *Job) recordAlignment(epoch uint64, d time.Duration) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if st, ok := ck.inflight[epoch]; ok && d > st.align {
		st.align = d
	}
}

// recordFinal is called by a source subtask that read all of its input,
// with the final positions of its splits: the barriers it will never
// inject, in flight or later, get them.
func (j *Job) recordFinal(pos map[SplitKey][]byte) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	for k, v := range pos {
		ck.finalPos[k] = v
		for _, st := range ck.inflight {
			if _, ok := st.positions[k]; !ok {
				st.positions[k] = v
			}
		}
	}
}

// addFinished hands the state of a subtask that finished its input over
// to the job: its goroutine no longer touches tables, and its final state
// reaches the checkpoints after barrier after through FlushFinished. part
// is the view partition of a sink subtask, else -1.
func (j *Job) addFinished(tables []StateTable, part int, after uint64) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	ck.finished = append(ck.finished, finishedSubtask{tables: tables, part: part, after: after})
}

// FlushFinished flushes the state tables of the subtasks that finished
// their input into checkpoint epoch, which must have completed: a
// subtask's final state belongs to every checkpoint whose barrier it did
// not handle (it ended before the barrier reached it), and flushing a
// table whose state was already flushed writes nothing. A subtask that
// handled barrier epoch and ended after it wrote its state for epoch then;
// its final state holds later changes and waits for the next checkpoint.
// It returns the view partitions whose final rows the checkpoint now
// holds, for CommitView.
func (j *Job) FlushFinished(epoch uint64, flush func(StateTable) error) ([]int, error) {
	ck := &j.ck
	ck.mu.Lock()
	var subtasks []finishedSubtask
	for _, f := range ck.finished {
		if f.after < epoch {
			subtasks = append(subtasks, f)
		}
	}
	ck.mu.Unlock()
	var parts []int
	for _, f := range subtasks {
		for _, t := range f.tables {
			if err := flush(t); err != nil {
				return nil, err
			}
		}
		if f.part >= 0 {
			parts = append(parts, f.part)
		}
	}
	return parts, nil
}

// CommitView makes the view's consistent reads (Snapshot) show its rows as
// of checkpoint epoch, whose state is now durable; finishedParts are the
// partitions whose final rows it holds (FlushFinished).
//
// For a sink job it releases the epochs up to epoch to the sink's writers,
// and the final messages of the subtasks in finishedParts.
func (j *Job) CommitView(epoch uint64, finishedParts []int) {
	if j.view != nil {
		j.view.commit(epoch, finishedParts)
	}
	for i, d := range j.deliveries {
		d.commit(epoch, slices.Contains(finishedParts, i))
	}
}

func copyPositions(p map[SplitKey][]byte) map[SplitKey][]byte {
	out := make(map[SplitKey][]byte, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// recordPositions is called by a source subtask as it injects a barrier.
func (j *Job) recordPositions(epoch uint64, pos map[SplitKey][]byte) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if st, ok := ck.inflight[epoch]; ok {
		for k, v := range pos {
			st.positions[k] = v
		}
	}
}

// sinkBarrier is called by a sink subtask after its operator handled
// barrier epoch.
func (j *Job) sinkBarrier(epoch uint64) {
	ck := &j.ck
	ck.mu.Lock()
	defer ck.mu.Unlock()
	if st, ok := ck.inflight[epoch]; ok {
		st.sinksSeen++
	}
	j.checkCompletedLocked()
}

// sinkFinished is called by a sink subtask whose input ended; a finished
// sink counts as having seen every later barrier.
func (j *Job) sinkFinished() {
	ck := &j.ck
	ck.mu.Lock()
	ck.finishedSinks++
	all := ck.finishedSinks == j.nSinks
	j.checkCompletedLocked()
	ck.mu.Unlock()
	if all {
		close(j.done)
	}
}

// checkCompletedLocked completes epochs in order; ck.mu is held.
func (j *Job) checkCompletedLocked() {
	ck := &j.ck
	for len(ck.order) > 0 {
		e := ck.order[0]
		st := ck.inflight[e]
		if st.sinksSeen+ck.finishedSinks < j.nSinks {
			return
		}
		ck.order = ck.order[1:]
		delete(ck.inflight, e)
		for _, w := range st.waiters {
			close(w)
		}
		st.waiters = nil
		ck.completedInfo[e] = st
		ck.completedList = append(ck.completedList, e)
		if len(ck.completedList) > keptPositions {
			delete(ck.completedInfo, ck.completedList[0])
			ck.completedList = ck.completedList[1:]
		}
		ck.publish(e)
	}
}

// publish replaces the value waiting in the completed channel by e, so a
// coordinator that reads late gets the newest epoch and the sink never
// blocks; ck.mu is held, so this is the only sender.
func (ck *ckState) publish(e uint64) {
	for {
		select {
		case ck.completed <- e:
			return
		default:
		}
		select {
		case <-ck.completed:
		default:
		}
	}
}
