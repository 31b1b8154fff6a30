package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec"
	"streamsqld/planner"
	"streamsqld/storage"
)

// Checkpoints: Flink's asynchronous barrier snapshots with RisingWave's
// global epochs. One coordinator serves every running job:
//
//  1. Every interval it takes epoch n from the server's epoch clock (which
//     also numbers the catch-up barriers of CREATE MATERIALIZED VIEW),
//     begins storage checkpoint n and asks every job to inject checkpoint
//     barrier n. Each source subtask records its split positions and
//     emits the barrier between two batches.
//  2. Every subtask aligns the barrier over its inputs (exec/input.go),
//     writes the state changed during the epoch into its state tables and
//     flushes them into the checkpoint's write batch (flushState), then
//     forwards the barrier. A job completes n when every sink subtask has
//     seen it.
//  3. Once every job completed n, the state of subtasks that finished
//     their input is flushed too, and the manifest (the split positions
//     of every view) is committed last, in one transaction: a crash at any
//     point leaves the previous checkpoint or this one whole. Then the
//     views' consistent reads move to n.
//
// One checkpoint is in flight at a time. One that does not complete within
// the timeout, or in which a job fails, is aborted: storage rolls its
// writes back (Recover), the state tables write again at the next
// checkpoint what they had flushed into it, and views keep showing the
// previous checkpoint until then. Jobs keep running throughout.
//
// Jobs that cannot restore (views over views, whose source is a live
// subscription with no position; operators without checkpointed state,
// like SESSION windows; every job when checkpoints are off) take part in
// barriers for consistent reads but keep no manifest entry: after a
// restart they recompute from the start of their inputs (a view over a
// view from its upstream's restored rows).

// DefaultCheckpointTimeout is how long a checkpoint may take before it is
// aborted.
const DefaultCheckpointTimeout = time.Minute

// checkpointHistory is how many checkpoints streamsql_checkpoints lists.
const checkpointHistory = 100

// Checkpoint statuses, as streamsql_checkpoints shows them.
const (
	ckInProgress = "in_progress"
	ckCompleted  = "completed"
	ckAborted    = "aborted"
	ckFailed     = "failed"
)

// manifest is what a checkpoint commits besides state: where each
// restorable view's sources resume.
type manifest struct {
	Version int `json:"v"`
	// CommittedAt is when the checkpoint was taken (Unix microseconds);
	// restored views are as fresh as that.
	CommittedAt int64                    `json:"committed_at"`
	Views       map[uint32]*viewManifest `json:"views"`
}

type viewManifest struct {
	Positions []splitPosition `json:"positions"`
}

type splitPosition struct {
	Op    int    `json:"op"`
	Split string `json:"split"`
	Pos   []byte `json:"pos"`
}

const manifestVersion = 1

func decodeManifest(b []byte) (*manifest, error) {
	m := &manifest{Views: map[uint32]*viewManifest{}}
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%w: checkpoint manifest: %v", storage.ErrCorrupt, err)
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("%w: checkpoint manifest version %d", storage.ErrCorrupt, m.Version)
	}
	if m.Views == nil {
		m.Views = map[uint32]*viewManifest{}
	}
	return m, nil
}

// startPositions returns the Env.StartPositions of a restored view.
func (vm *viewManifest) startPositions() func(op int, split string) []byte {
	pos := make(map[exec.SplitKey][]byte, len(vm.Positions))
	for _, p := range vm.Positions {
		pos[exec.SplitKey{Op: p.Op, Split: p.Split}] = p.Pos
	}
	return func(op int, split string) []byte { return pos[exec.SplitKey{Op: op, Split: split}] }
}

// checkpointRecord describes one checkpoint for streamsql_checkpoints.
type checkpointRecord struct {
	ID        uint64
	Started   time.Time
	Duration  time.Duration
	Alignment time.Duration
	Bytes     int64
	Keys      int64
	Views     int
	Status    string
	Err       string
}

// freshness is the checkpoint a view's reads reflect.
type freshness struct {
	epoch uint64
	at    time.Time
}

// coordinator is the server's checkpoint coordinator (Flink's job manager
// role). Its loop goroutine is owned by the Engine: stop signals it and
// waits.
type coordinator struct {
	db       *storage.DB
	log      *slog.Logger
	interval time.Duration
	timeout  time.Duration
	jobs     func() []*viewJob // the running jobs, by view ID
	exists   func(id uint32) bool
	clock    exec.EpochClock

	// runMu makes checkpoints one at a time; DDL that stops a job takes it
	// so that no job vanishes in the middle of one.
	runMu       sync.Mutex
	needRecover bool // guarded by runMu

	// gateMu guards cur, the writer of the checkpoint in flight. Subtasks
	// flush under the read lock; the coordinator swaps cur under the write
	// lock, so once an aborted checkpoint's writer is gone no flush can
	// reach it (their entries stay dirty for the next checkpoint).
	gateMu sync.RWMutex
	cur    *storage.CheckpointWriter

	mu        sync.Mutex
	manifest  *manifest // of the last committed checkpoint
	committed freshness
	views     map[uint32]freshness
	history   []checkpointRecord
	counts    map[string]int64
	bytes     int64
	recovery  time.Duration // startup: storage open to views running

	stop chan struct{}
	done chan struct{}
}

func newCoordinator(db *storage.DB, log *slog.Logger, interval, timeout time.Duration) (*coordinator, error) {
	if timeout <= 0 {
		timeout = DefaultCheckpointTimeout
	}
	epoch, raw, err := db.LatestCheckpoint()
	if err != nil {
		return nil, err
	}
	m, err := decodeManifest(raw)
	if err != nil {
		return nil, err
	}
	c := &coordinator{
		db: db, log: log.With("component", "checkpoint"), interval: interval, timeout: timeout,
		manifest: m, views: map[uint32]freshness{}, counts: map[string]int64{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	if epoch > 0 {
		c.committed = freshness{epoch: epoch, at: time.UnixMicro(m.CommittedAt)}
	}
	// Epochs above any that may have been used before, also by a
	// checkpoint that never committed.
	c.clock.Observe(db.EpochHighWater())
	return c, nil
}

// enabled reports whether checkpoints are taken (--checkpoint-interval > 0).
func (c *coordinator) enabled() bool { return c.interval > 0 }

// restored returns the manifest entry of view id in the checkpoint the
// server started from, if any.
func (c *coordinator) restored(id uint32) (*viewManifest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vm, ok := c.manifest.Views[id]
	return vm, ok
}

// lastCommitted is the newest complete checkpoint.
func (c *coordinator) lastCommitted() freshness {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.committed
}

// viewStarted records that a view's reads reflect checkpoint f.
func (c *coordinator) viewStarted(id uint32, f freshness) {
	c.mu.Lock()
	c.views[id] = f
	c.mu.Unlock()
}

func (c *coordinator) viewDropped(id uint32) {
	c.mu.Lock()
	delete(c.views, id)
	c.mu.Unlock()
}

// start launches the loop that checkpoints every interval.
func (c *coordinator) start() {
	if !c.enabled() {
		close(c.done)
		return
	}
	go c.loop()
}

// stopLoop stops the loop and waits for it (and a checkpoint it runs).
func (c *coordinator) stopLoop() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	<-c.done
}

func (c *coordinator) loop() {
	defer close(c.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTimer(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// The interval runs from the end of one checkpoint to the start
		// of the next, so a slow checkpoint does not queue up others.
		if err := c.run(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("checkpoint did not complete", "err", err)
		}
		t.Reset(c.interval)
	}
}

// flushState is exec.Env.FlushState: a subtask flushes table t into the
// checkpoint of epoch. Flushes for a checkpoint that is no longer in
// flight (aborted) write nothing: the entries stay dirty and the next
// checkpoint writes them.
func (c *coordinator) flushState(epoch uint64, t exec.StateTable) error {
	st, ok := t.(*storage.StateTable)
	if !ok {
		return fmt.Errorf("checkpoint: state table of type %T", t)
	}
	c.gateMu.RLock()
	defer c.gateMu.RUnlock()
	if c.cur == nil || c.cur.Epoch() != epoch {
		return nil
	}
	return st.Flush(c.cur)
}

func (c *coordinator) setWriter(w *storage.CheckpointWriter) {
	c.gateMu.Lock()
	c.cur = w
	c.gateMu.Unlock()
}

// participant is a job that took checkpoint barrier n.
type participant struct {
	vj        *viewJob
	completed <-chan struct{}
	finished  []int // view partitions whose final rows the checkpoint holds
}

// run takes one checkpoint of every running job and waits until it
// committed or failed.
func (c *coordinator) run(ctx context.Context) error {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.needRecover {
		if _, _, err := c.db.Recover(); err != nil {
			return fmt.Errorf("recover from a failed checkpoint: %w", err)
		}
		c.needRecover = false
	}
	jobs := c.jobs()
	if len(jobs) == 0 {
		// Nothing to snapshot: the last manifest still describes every
		// view (those that failed to start keep their entries).
		return nil
	}
	rec := checkpointRecord{Started: time.Now(), Status: ckInProgress}
	var w *storage.CheckpointWriter
	var parts []*participant
	err := c.clock.Next(func(n uint64) error {
		var err error
		if w, err = c.db.BeginCheckpoint(n); err != nil {
			return err
		}
		rec.ID = n
		c.setWriter(w)
		for _, vj := range jobs {
			ch, err := vj.job.TriggerCheckpoint(n)
			if err != nil {
				// Failed or stopped: its last committed entry carries over.
				continue
			}
			parts = append(parts, &participant{vj: vj, completed: ch})
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, storage.ErrRecoveryNeeded) {
			c.needRecover = true
		}
		rec.Status, rec.Err = ckFailed, err.Error()
		c.record(rec)
		return err
	}
	rec.Views = len(parts)
	c.record(rec)

	if err := c.await(ctx, rec.ID, parts); err != nil {
		c.abort(w)
		rec.Status, rec.Err, rec.Duration = ckAborted, err.Error(), time.Since(rec.Started)
		c.record(rec)
		return fmt.Errorf("checkpoint %d aborted: %w", rec.ID, err)
	}
	for _, p := range parts {
		rec.Alignment = max(rec.Alignment, p.vj.job.Alignment(rec.ID))
		finished, err := p.vj.job.FlushFinished(rec.ID, func(t exec.StateTable) error {
			st, ok := t.(*storage.StateTable)
			if !ok {
				return fmt.Errorf("checkpoint: state table of type %T", t)
			}
			return st.Flush(w)
		})
		if err != nil {
			c.abort(w)
			rec.Status, rec.Err, rec.Duration = ckAborted, err.Error(), time.Since(rec.Started)
			c.record(rec)
			return fmt.Errorf("checkpoint %d aborted: %w", rec.ID, err)
		}
		p.finished = finished
	}
	// Every flush into w happened before its job completed the epoch.
	c.setWriter(nil)

	now := time.Now()
	m := c.nextManifest(rec.ID, parts, now)
	raw, err := json.Marshal(m)
	if err == nil {
		err = w.Commit(raw)
	} else {
		w.Abort()
	}
	if err != nil {
		// The state batch may be durable without its manifest: roll it
		// back now rather than at the next checkpoint.
		if _, _, rerr := c.db.Recover(); rerr != nil {
			c.needRecover = true
		}
		rec.Status, rec.Err, rec.Duration = ckFailed, err.Error(), time.Since(rec.Started)
		c.record(rec)
		return fmt.Errorf("checkpoint %d failed: %w", rec.ID, err)
	}
	st := c.db.LastCheckpointStats()
	for _, p := range parts {
		p.vj.job.CommitView(rec.ID, p.finished)
	}
	f := freshness{epoch: rec.ID, at: now}
	c.mu.Lock()
	c.manifest, c.committed = m, f
	for _, p := range parts {
		c.views[p.vj.rel.ID] = f
	}
	c.bytes += st.Bytes
	c.mu.Unlock()
	rec.Status, rec.Bytes, rec.Keys, rec.Duration = ckCompleted, st.Bytes, st.Keys, time.Since(rec.Started)
	c.record(rec)
	c.log.Debug("checkpoint completed", "id", rec.ID, "views", rec.Views, "bytes", rec.Bytes,
		"duration", rec.Duration, "alignment", rec.Alignment)
	return nil
}

// await waits until every participant completed epoch n.
func (c *coordinator) await(ctx context.Context, n uint64, parts []*participant) error {
	timer := time.NewTimer(c.timeout)
	defer timer.Stop()
	for _, p := range parts {
		select {
		case <-p.completed:
			continue
		case <-p.vj.job.Exited():
		case <-timer.C:
			return fmt.Errorf("not completed within %s (view %q)", c.timeout, p.vj.rel.Name)
		case <-ctx.Done():
			return ctx.Err()
		}
		// The job ended: a job that finished its input completed n.
		select {
		case <-p.completed:
		default:
			err := p.vj.job.Err()
			if err == nil {
				err = exec.ErrNotRunning
			}
			return fmt.Errorf("view %q stopped: %w", p.vj.rel.Name, err)
		}
	}
	return nil
}

// abort abandons checkpoint w and rolls back what it wrote.
func (c *coordinator) abort(w *storage.CheckpointWriter) {
	c.setWriter(nil) // waits for flushes in progress
	w.Abort()
	if _, _, err := c.db.Recover(); err != nil {
		c.log.Error("roll back aborted checkpoint", "err", err)
		c.needRecover = true
	}
}

// nextManifest is the manifest of checkpoint n: the positions of every
// restorable participant, and the entries of views that still exist but
// did not take part (their job failed) as of their last checkpoint, whose
// state they still are.
func (c *coordinator) nextManifest(n uint64, parts []*participant, now time.Time) *manifest {
	m := &manifest{Version: manifestVersion, CommittedAt: now.UnixMicro(), Views: map[uint32]*viewManifest{}}
	took := map[uint32]bool{}
	for _, p := range parts {
		took[p.vj.rel.ID] = true
		if !p.vj.stateful {
			continue
		}
		pos, _ := p.vj.job.Positions(n)
		vm := &viewManifest{Positions: make([]splitPosition, 0, len(pos))}
		for k, v := range pos {
			vm.Positions = append(vm.Positions, splitPosition{Op: k.Op, Split: k.Split, Pos: v})
		}
		sort.Slice(vm.Positions, func(i, j int) bool {
			a, b := vm.Positions[i], vm.Positions[j]
			return a.Op < b.Op || (a.Op == b.Op && a.Split < b.Split)
		})
		m.Views[p.vj.rel.ID] = vm
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, vm := range c.manifest.Views {
		if !took[id] && c.exists(id) {
			m.Views[id] = vm
		}
	}
	return m
}

// record adds or updates rec in the history and counts finished ones.
func (c *coordinator) record(rec checkpointRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rec.Status != ckInProgress {
		c.counts[rec.Status]++
	}
	if rec.ID == 0 {
		return // no epoch: BeginCheckpoint failed
	}
	if n := len(c.history); n > 0 && c.history[n-1].ID == rec.ID {
		c.history[n-1] = rec
		return
	}
	c.history = append(c.history, rec)
	if len(c.history) > checkpointHistory {
		c.history = append(c.history[:0], c.history[len(c.history)-checkpointHistory:]...)
	}
}

// Checkpoint takes a checkpoint now and waits for it (tests, tools; a
// no-op when checkpoints are off).
func (e *Engine) Checkpoint(ctx context.Context) error {
	if !e.ckpt.enabled() {
		return nil
	}
	return e.ckpt.run(ctx)
}

// checkpointable reports whether a view's job can be restored from a
// checkpoint: every operator's state is checkpointed and every source has
// positions.
func checkpointable(g *planner.StreamGraph) bool {
	for _, op := range g.Operators {
		switch op.Kind {
		case planner.OpSource:
			if op.Source == nil || op.Source.Relation == nil || op.Source.Relation.Kind == catalog.MaterializedView {
				return false
			}
		case planner.OpFilter, planner.OpProject, planner.OpProjectSet, planner.OpWindowAssign:
		case planner.OpHashAgg:
			if op.HashAgg == nil || op.HashAgg.StateTableID == 0 {
				return false
			}
		case planner.OpMaterialize:
			if op.Materialize == nil || op.Materialize.StateTableID == 0 {
				return false
			}
		case planner.OpSink:
			if op.Sink == nil || op.Sink.StateTableID == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}
