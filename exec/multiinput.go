package exec

import (
	"context"
	"fmt"

	"streamsqld/planner"
)

// Operators with several logical inputs (joins: left and right).
//
// A subtask's channels are grouped by the input edge they belong to (each
// edge has one channel per producer subtask, or one for a forward edge).
// Barriers are still aligned across every channel, but chunks are handed
// over with the index of their input, and each input keeps its own
// watermark: the minimum over its channels, reported whenever it moves
// forward. The operator combines them into its output watermark.

// multiInputOperator is an Operator that needs to know which input each
// chunk and watermark comes from. The runtime calls these instead of
// OnChunk and OnWatermark.
type multiInputOperator interface {
	Operator
	OnInputChunk(ctx context.Context, input int, c *Chunk, out Emitter) error
	// OnInputWatermark is called when input's watermark advances; the
	// returned watermark, if ok, is the operator's output watermark.
	OnInputWatermark(ctx context.Context, input int, w Watermark, out Emitter) (Watermark, bool, error)
}

var _ multiInputOperator = (*streamJoin)(nil)

// inputGroups tracks the watermark of each logical input of an inputSet.
type inputGroups struct {
	of  []int   // channel -> input
	cur []int64 // per input: the watermark reported last
	col []int   // per input: the watermark column
}

// groupInputs makes in report per-input chunks and watermarks when t runs
// a multi-input operator.
func (t *task) groupInputs(in *inputSet) error {
	if _, ok := t.op.(multiInputOperator); !ok {
		return nil
	}
	if t.job == nil {
		return fmt.Errorf("exec: operator %d has several inputs but no graph", t.spec.ID)
	}
	var of []int
	for k, e := range t.spec.Inputs {
		n := 1
		if e.Exchange != planner.Forward {
			n = t.job.graph.Operators[e.From].Parallelism
		}
		for i := 0; i < n; i++ {
			of = append(of, k)
		}
	}
	if len(of) != len(in.chans) {
		return fmt.Errorf("exec: operator %d has %d input channels, its edges need %d", t.spec.ID, len(in.chans), len(of))
	}
	g := &inputGroups{of: of, cur: make([]int64, len(t.spec.Inputs)), col: make([]int, len(t.spec.Inputs))}
	for i := range g.cur {
		g.cur[i] = NoWatermark
	}
	in.groups = g
	return nil
}

// inputOf is the logical input of channel i.
func (in *inputSet) inputOf(i int) int {
	if in.groups == nil {
		return 0
	}
	return in.groups.of[i]
}

// groupWatermark reports the first input whose watermark (the minimum over
// its channels that are neither finished nor idle) moved forward. One
// message changes one channel, so at most one input moves per call.
func (in *inputSet) groupWatermark() (event, bool) {
	g := in.groups
	for k := range g.cur {
		min, active := int64(MaxWatermark), 0
		for i, w := range in.wms {
			if g.of[i] != k || in.finished[i] || in.idle[i] {
				continue
			}
			active++
			if w < min {
				min = w
			}
		}
		if active > 0 && min > g.cur[k] {
			g.cur[k] = min
			return event{kind: evWatermark, input: k, watermark: Watermark{Col: g.col[k], TS: min}}, true
		}
	}
	return event{}, false
}

// deliverChunk hands a chunk event to op.
func deliverChunk(ctx context.Context, op Operator, ev event, out Emitter) error {
	if m, ok := op.(multiInputOperator); ok {
		return m.OnInputChunk(ctx, ev.input, ev.chunk, out)
	}
	return op.OnChunk(ctx, ev.chunk, out)
}

// deliverWatermark hands a watermark event to op.
func deliverWatermark(ctx context.Context, op Operator, ev event, out Emitter) (Watermark, bool, error) {
	if m, ok := op.(multiInputOperator); ok {
		return m.OnInputWatermark(ctx, ev.input, ev.watermark, out)
	}
	return op.OnWatermark(ctx, ev.watermark, out)
}
