package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql/types"
)

// DefaultIdleTimeout is how long a split may go without data before it
// stops holding the watermark back.
const DefaultIdleTimeout = 5 * time.Second

// sourceTask is a source subtask: it owns splits and drives itself, since
// it has no input. Between two reads it checks for barriers to inject; at
// the end of each round over its splits it emits the watermark.
type sourceTask struct {
	task   *task
	spec   *planner.SourceSpec
	src    connector.Source
	view   *View // set when the relation is a view of another job
	splits []string
	now    func() time.Time

	mu      sync.Mutex
	pending []Barrier
	done    bool
	// drainGen counts WaitCaughtUp requests; drainers wait for every live
	// split to have had nothing more to read since their request.
	drainGen uint64
	drainers []drainWaiter
	// wake interrupts a view subscription's wait when a barrier is
	// requested; buffered (1) so requestBarrier never blocks.
	wake chan struct{}
}

type drainWaiter struct {
	gen uint64
	ch  chan struct{}
}

// splitState is one split a source subtask reads.
type splitState struct {
	name     string
	r        splitReader
	maxTS    int64
	lastData time.Time
	eof      bool
	// drainedGen is the drain generation as of which the split was last
	// seen with nothing more to read (a read returned fewer rows than
	// asked for).
	drainedGen uint64
	// endPos is the position at the end of a finished split, taken
	// before its reader was closed.
	endPos []byte
}

func (sp *splitState) position() []byte {
	if sp.eof {
		return sp.endPos
	}
	return sp.r.position()
}

// splitReader reads rows (with their changelog op) into a chunk.
type splitReader interface {
	read(ctx context.Context, max int, dst *Chunk, wake <-chan struct{}) (int, error)
	position() []byte
	close() error
}

func (s *sourceTask) requestBarrier(b Barrier) {
	s.mu.Lock()
	if !s.done {
		s.pending = append(s.pending, b)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// requestDrain returns a channel closed once every split of the subtask
// has been read up to what was available at the time of the call.
func (s *sourceTask) requestDrain() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if s.done {
		close(ch)
		return ch
	}
	s.drainGen++
	s.drainers = append(s.drainers, drainWaiter{gen: s.drainGen, ch: ch})
	return ch
}

func (s *sourceTask) currentDrainGen() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drainGen
}

// releaseDrained closes the waiters whose request every live split has
// caught up with.
func (s *sourceTask) releaseDrained(splits []*splitState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.drainers) == 0 {
		return
	}
	low := s.drainGen
	for _, sp := range splits {
		if !sp.eof && sp.drainedGen < low {
			low = sp.drainedGen
		}
	}
	kept := s.drainers[:0]
	for _, w := range s.drainers {
		if w.gen <= low {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	s.drainers = kept
}

func (s *sourceTask) takeBarriers() []Barrier {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = nil
	return p
}

func (s *sourceTask) hasBarriers() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) > 0
}

// markDone stops accepting barriers: a finished source subtask is a
// finished input downstream, which alignment skips.
func (s *sourceTask) markDone() {
	s.mu.Lock()
	s.done = true
	s.pending = nil
	for _, w := range s.drainers {
		close(w.ch)
	}
	s.drainers = nil
	s.mu.Unlock()
}

func (s *sourceTask) open(ctx context.Context) ([]*splitState, error) {
	t := s.task
	var splits []*splitState
	start := s.now()
	for _, name := range s.splits {
		var r splitReader
		if s.view != nil {
			snap, sub, err := s.view.Subscribe(ctx)
			if err != nil {
				return splits, err
			}
			r = &viewReader{sub: sub, snapshot: snap, cols: s.spec.Columns}
		} else {
			var pos []byte
			if t.job.env.StartPositions != nil {
				pos = t.job.env.StartPositions(t.spec.ID, name)
			}
			cr, err := s.src.Open(ctx, name, pos)
			if err != nil {
				return splits, fmt.Errorf("opening split %q: %w", name, err)
			}
			r = &connReader{r: cr, cols: s.spec.Columns}
		}
		splits = append(splits, &splitState{name: name, r: r, maxTS: NoWatermark, lastData: start})
	}
	return splits, nil
}

func (s *sourceTask) run(ctx context.Context) (err error) {
	t := s.task
	defer s.markDone()
	splits, err := s.open(ctx)
	defer func() {
		for _, sp := range splits {
			if !sp.eof {
				if cerr := sp.r.close(); cerr != nil && err == nil {
					err = cerr
				}
			}
		}
	}()
	if err != nil {
		return fmt.Errorf("operator %d (Source) subtask %d: %w", t.spec.ID, t.idx, err)
	}
	if err := s.loop(ctx, splits); err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return err
		}
		return fmt.Errorf("operator %d (Source) subtask %d: %w", t.spec.ID, t.idx, err)
	}
	return nil
}

func (s *sourceTask) loop(ctx context.Context, splits []*splitState) error {
	t := s.task
	out := t.out
	width := len(t.spec.Output)
	tsCol := s.spec.EventTimeCol
	idleTimeout := DefaultIdleTimeout
	if s.spec.IdleTimeout > 0 {
		idleTimeout = time.Duration(s.spec.IdleTimeout) * time.Microsecond
	}
	lastWM := int64(NoWatermark)
	idle := false
	var cur *Chunk
	emit := func() error {
		if cur == nil || cur.Len() == 0 {
			return nil
		}
		c := cur
		cur = nil
		return out.Emit(c)
	}
	for {
		live := 0
		read := 0
		roundStart := time.Now()
		for _, sp := range splits {
			if sp.eof {
				continue
			}
			if s.hasBarriers() {
				if err := emit(); err != nil {
					return err
				}
				if stop, err := s.inject(splits); err != nil || stop {
					if err == nil {
						err = s.finish(splits, false)
					}
					return err
				}
			}
			if cur == nil {
				cur = getChunk(width)
			}
			gen := s.currentDrainGen()
			before := cur.Len()
			n, err := sp.r.read(ctx, ChunkSize-before, cur, s.wake)
			if n < ChunkSize-before {
				sp.drainedGen = gen
			}
			if n > 0 {
				read += n
				t.stats.rowsIn.Add(int64(n))
				sp.lastData = s.now()
				if tsCol >= 0 {
					for i := before; i < cur.Len(); i++ {
						if d := cur.Row(i)[tsCol]; !d.IsNull() && cur.Op(i).IsInsert() && d.I > sp.maxTS {
							sp.maxTS = d.I
						}
					}
				}
			}
			if errors.Is(err, io.EOF) {
				sp.endPos = sp.r.position()
				sp.eof = true
				if cerr := sp.r.close(); cerr != nil {
					return cerr
				}
			} else if err != nil {
				return fmt.Errorf("split %q: %w", sp.name, err)
			} else {
				live++
			}
			if cur.Full() {
				if err := emit(); err != nil {
					return err
				}
			}
		}
		if err := emit(); err != nil {
			return err
		}
		if live == 0 {
			return s.finish(splits, true)
		}
		s.releaseDrained(splits)
		if tsCol >= 0 {
			wm, allIdle := s.watermark(splits, idleTimeout)
			switch {
			case allIdle && !idle:
				idle = true
				if err := out.broadcast(watermarkMsg(Watermark{Col: tsCol, Idle: true})); err != nil {
					return err
				}
			case !allIdle && (wm > lastWM || idle):
				idle = false
				if wm > lastWM {
					lastWM = wm
					t.stats.watermark.Store(wm)
				}
				if err := out.broadcast(watermarkMsg(Watermark{Col: tsCol, TS: lastWM})); err != nil {
					return err
				}
			}
		}
		if err := out.flush(); err != nil {
			return err
		}
		if read == 0 && time.Since(roundStart) < time.Millisecond {
			// The readers returned at once without data (they are meant to
			// wait ~100 ms); do not spin.
			if err := s.pause(ctx, 5*time.Millisecond); err != nil {
				return err
			}
		}
	}
}

// watermark is min over the live, non-idle splits of max event time - delay.
func (s *sourceTask) watermark(splits []*splitState, idleTimeout time.Duration) (int64, bool) {
	now := s.now()
	wm, active := int64(MaxWatermark), 0
	for _, sp := range splits {
		if sp.eof || now.Sub(sp.lastData) >= idleTimeout {
			continue
		}
		active++
		w := sp.maxTS
		if w != NoWatermark {
			w -= s.spec.DelayMicros
		}
		if w < wm {
			wm = w
		}
	}
	return wm, active == 0
}

func (s *sourceTask) pause(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-s.wake:
		// A barrier was requested; the loop injects it.
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// inject emits the requested barriers after recording the split positions
// as of now, which is exactly after the rows already emitted.
func (s *sourceTask) inject(splits []*splitState) (stop bool, err error) {
	t := s.task
	for _, b := range s.takeBarriers() {
		pos := s.positions(splits)
		t.job.recordPositions(b.Epoch, pos)
		if err := t.out.broadcast(barrierMsg(b)); err != nil {
			return false, err
		}
		if b.Stop {
			return true, nil
		}
	}
	return false, nil
}

func (s *sourceTask) positions(splits []*splitState) map[SplitKey][]byte {
	pos := make(map[SplitKey][]byte, len(splits))
	for _, sp := range splits {
		pos[SplitKey{Op: s.task.spec.ID, Split: sp.name}] = sp.position()
	}
	return pos
}

// finish ends the subtask. At the end of bounded input a final watermark
// of +infinity closes every window downstream.
func (s *sourceTask) finish(splits []*splitState, eof bool) error {
	t := s.task
	if eof {
		t.job.recordFinal(s.positions(splits))
	}
	if eof && s.spec.EventTimeCol >= 0 {
		t.stats.watermark.Store(MaxWatermark)
		if err := t.out.broadcast(watermarkMsg(Watermark{Col: s.spec.EventTimeCol, TS: MaxWatermark})); err != nil {
			return err
		}
	}
	if err := t.out.flush(); err != nil {
		return err
	}
	s.markDone()
	t.out.close()
	return nil
}

// connReader adapts a connector.Reader: its rows are inserts, projected on
// the spec's columns.
type connReader struct {
	r    connector.Reader
	cols []int
}

func (c *connReader) read(ctx context.Context, max int, dst *Chunk, _ <-chan struct{}) (int, error) {
	return c.r.Read(ctx, max, func(row types.Row) {
		slot := dst.AppendSlot(Insert)
		if c.cols == nil {
			copy(slot, row)
			return
		}
		for j, k := range c.cols {
			slot[j] = row[k]
		}
	})
}

func (c *connReader) position() []byte { return c.r.Position() }
func (c *connReader) close() error     { return c.r.Close() }

// viewReader reads another job's view: its snapshot as inserts, then its
// changes with their ops. It has no position: a view is not replayable,
// so recovery re-subscribes.
type viewReader struct {
	sub      *Subscription
	snapshot []types.Row
	cols     []int
	cur      *Chunk
	curPos   int
	timer    *time.Timer
}

// viewWait bounds how long a read waits for a change, so the source loop
// can emit watermarks and notice idleness.
const viewWait = 100 * time.Millisecond

func (v *viewReader) read(ctx context.Context, max int, dst *Chunk, wake <-chan struct{}) (int, error) {
	n := 0
	for n < max && len(v.snapshot) > 0 {
		v.appendRow(dst, Insert, v.snapshot[0])
		v.snapshot[0] = nil
		v.snapshot = v.snapshot[1:]
		n++
	}
	if n > 0 {
		return n, nil
	}
	if v.cur == nil {
		var ok bool
		var err error
		if v.cur, ok, err = v.next(ctx, wake); !ok || err != nil {
			return 0, err
		}
	}
	for n < max && v.curPos < v.cur.Len() {
		v.appendRow(dst, v.cur.Op(v.curPos), v.cur.Row(v.curPos))
		v.curPos++
		n++
	}
	if v.curPos == v.cur.Len() {
		v.cur, v.curPos = nil, 0
	}
	return n, nil
}

// next waits for a change chunk. At the end of the upstream job the
// buffered changes are drained first: the upstream sent them all before
// closing.
func (v *viewReader) next(ctx context.Context, wake <-chan struct{}) (*Chunk, bool, error) {
	if v.timer == nil {
		v.timer = time.NewTimer(viewWait)
	} else {
		v.timer.Reset(viewWait)
	}
	select {
	case c := <-v.sub.Changes():
		return c, true, nil
	case <-v.sub.Closed():
		select {
		case c := <-v.sub.Changes():
			return c, true, nil
		default:
		}
		if err := v.sub.view.Err(); err != nil {
			return nil, false, fmt.Errorf("upstream view: %w", err)
		}
		return nil, false, io.EOF
	case <-wake:
		// A barrier was requested: return so the loop injects it.
		return nil, false, nil
	case <-v.timer.C:
		return nil, false, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

func (v *viewReader) appendRow(dst *Chunk, op Op, row types.Row) {
	slot := dst.AppendSlot(op)
	if v.cols == nil {
		copy(slot, row)
		return
	}
	for j, k := range v.cols {
		slot[j] = row[k]
	}
}

func (v *viewReader) position() []byte { return nil }

func (v *viewReader) close() error {
	if v.timer != nil {
		v.timer.Stop()
	}
	v.sub.Cancel()
	return nil
}
