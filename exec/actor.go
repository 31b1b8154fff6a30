package exec

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"streamsqld/planner"
)

// task is one subtask of one operator: a goroutine running either an
// Operator between its input set and output, or a source.
type task struct {
	job   *Job
	spec  *planner.Operator
	idx   int
	op    Operator    // nil for a source
	src   *sourceTask // set for a source
	ins   []chan Message
	out   *output
	stats *subtaskStats
	sink  bool
	// lastCheckpoint is the epoch of the last checkpoint barrier handled.
	lastCheckpoint uint64
}

// run executes the subtask until its inputs end, a stop barrier passes or
// ctx is done. It is the single place where panics become job errors.
func (t *task) run(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("exec: operator %d (%s) subtask %d panicked: %v\n%s",
				t.spec.ID, kindName(t.spec.Kind), t.idx, r, debug.Stack())
		}
	}()
	t.out.ctx = ctx
	if t.src != nil {
		return t.src.run(ctx)
	}
	defer func() {
		if cerr := t.op.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := t.loop(ctx); err != nil {
		if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("operator %d (%s) subtask %d: %w", t.spec.ID, kindName(t.spec.Kind), t.idx, err)
		}
		return err
	}
	return nil
}

func (t *task) loop(ctx context.Context) error {
	in := newInputSet(ctx, t.ins)
	if err := t.groupInputs(in); err != nil {
		return err
	}
	lastWM := int64(NoWatermark)
	for {
		ev, err := in.next(ctx, t.out.flush)
		if err != nil {
			return err
		}
		switch ev.kind {
		case evChunk:
			t.stats.rowsIn.Add(int64(ev.chunk.Len()))
			err = deliverChunk(ctx, t.op, ev, t.out)
			releaseChunk(ev.chunk)
		case evWatermark:
			t.stats.watermark.Store(ev.watermark.TS)
			var fwd Watermark
			var ok bool
			fwd, ok, err = deliverWatermark(ctx, t.op, ev, t.out)
			if err == nil && ok && t.spec.WatermarkCol >= 0 && fwd.TS > lastWM {
				lastWM = fwd.TS
				err = t.out.broadcast(watermarkMsg(Watermark{Col: t.spec.WatermarkCol, TS: fwd.TS}))
			}
		case evIdle:
			if t.spec.WatermarkCol >= 0 {
				err = t.out.broadcast(watermarkMsg(Watermark{Col: t.spec.WatermarkCol, Idle: true}))
			}
		case evBarrier:
			if err = t.op.OnBarrier(ctx, ev.barrier, t.out); err != nil {
				return err
			}
			if ev.barrier.Checkpoint {
				t.lastCheckpoint = ev.barrier.Epoch
				if t.job != nil {
					t.job.recordAlignment(ev.barrier.Epoch, ev.align)
				}
			}
			if err = t.out.broadcast(barrierMsg(ev.barrier)); err != nil {
				return err
			}
			if t.sink {
				t.job.sinkBarrier(ev.barrier.Epoch)
			}
			if ev.barrier.Stop {
				return t.finish()
			}
		case evEOF:
			if h, ok := t.op.(eofHandler); ok {
				if err := h.OnEOF(ctx, t.out); err != nil {
					return err
				}
			}
			if err := t.handOverState(); err != nil {
				return err
			}
			return t.finish()
		}
		if err != nil {
			return err
		}
	}
}

// handOverState gives the final state of a subtask whose input ended to
// the job, before its consumers can see the end of their input: the
// checkpoints that complete from then on hold it (Job.FlushFinished).
func (t *task) handOverState() error {
	var tables []StateTable
	if s, ok := t.op.(stateful); ok {
		var err error
		if tables, err = s.finalState(); err != nil {
			return err
		}
	}
	part := -1
	if t.sink {
		part = t.idx
	}
	if len(tables) > 0 || part >= 0 {
		t.job.addFinished(tables, part, t.lastCheckpoint)
	}
	return nil
}

// finish ends a subtask whose input ended: the rest of its output goes
// out and its consumers see the end of their input.
func (t *task) finish() error {
	if err := t.out.flush(); err != nil {
		return err
	}
	t.out.close()
	if t.sink {
		t.job.sinkFinished()
	}
	return nil
}

func kindName(k planner.OpKind) string {
	switch k {
	case planner.OpSource:
		return "Source"
	case planner.OpFilter:
		return "Filter"
	case planner.OpProject:
		return "Project"
	case planner.OpProjectSet:
		return "ProjectSet"
	case planner.OpWindowAssign:
		return "WindowAssign"
	case planner.OpSessionWindow:
		return "SessionWindow"
	case planner.OpHashAgg:
		return "HashAgg"
	case planner.OpMaterialize:
		return "Materialize"
	case planner.OpJoin:
		return "Join"
	case planner.OpSink:
		return "Sink"
	}
	return fmt.Sprintf("OpKind(%d)", k)
}
