package exec

import (
	"context"
	"errors"
	"fmt"

	"streamsqld/planner"
	"streamsqld/sql/types"
)

// windowAssign appends window_start and window_end (TIMESTAMP micros) to
// each row: one window for TUMBLE, size/slide windows for HOP, in
// ascending start order. Rows with a NULL time belong to no window and are
// dropped.
type windowAssign struct {
	Base
	timeCol             int
	size, slide, offset int64
	b                   chunkBuilder
	inWidth             int
}

func newWindowAssign(op *planner.Operator) (*windowAssign, error) {
	s := op.WindowAssign
	if s == nil {
		return nil, errors.New("missing window spec")
	}
	if s.SizeMicros <= 0 || s.SlideMicros <= 0 {
		return nil, fmt.Errorf("window size %d and slide %d must be positive", s.SizeMicros, s.SlideMicros)
	}
	if len(op.Output) < 2 {
		return nil, errors.New("window assign output lacks window_start and window_end")
	}
	return &windowAssign{
		timeCol: s.TimeCol, size: s.SizeMicros, slide: s.SlideMicros, offset: s.OffsetMicros,
		b: newChunkBuilder(len(op.Output)), inWidth: len(op.Output) - 2,
	}, nil
}

// lastStart returns the latest window start at or before ts.
func (w *windowAssign) lastStart(ts int64) int64 {
	return floorDiv(ts-w.offset, w.slide)*w.slide + w.offset
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func (w *windowAssign) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		t := row[w.timeCol]
		if t.IsNull() {
			continue
		}
		ts := t.I
		last := w.lastStart(ts)
		if ts >= last+w.size {
			// A HOP whose slide exceeds its size leaves gaps.
			continue
		}
		first := last
		for first-w.slide > ts-w.size {
			first -= w.slide
		}
		op := c.Op(i)
		if first != last {
			op = loneOp(op)
		}
		for start := first; start <= last; start += w.slide {
			slot := w.b.slot(op)
			copy(slot, row)
			slot[w.inWidth] = types.NewTime(start)
			slot[w.inWidth+1] = types.NewTime(start + w.size)
			if err := w.b.done(out); err != nil {
				return err
			}
		}
	}
	return w.b.flush(out)
}
