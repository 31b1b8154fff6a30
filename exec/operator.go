package exec

import (
	"context"

	"streamsqld/sql/types"
)

// Operator is one subtask's processing logic. The runtime never calls its
// methods concurrently, and an operator must not start goroutines: the
// runtime scales by running more subtasks (Flink's single-thread contract).
type Operator interface {
	// OnChunk processes a chunk of changelog rows. c is reused after the
	// call returns: copy whatever must be kept.
	OnChunk(ctx context.Context, c *Chunk, out Emitter) error
	// OnWatermark is called when the subtask's input watermark (the
	// minimum over its inputs) advances. The operator may emit rows (a
	// window closes); the returned watermark, if ok, is forwarded
	// downstream on the operator's watermark column.
	OnWatermark(ctx context.Context, w Watermark, out Emitter) (fwd Watermark, ok bool, err error)
	// OnBarrier runs once barrier b arrived on every input, before the
	// runtime forwards it: the operator flushes pending output and, for a
	// checkpoint barrier, snapshots its state as of the end of the epoch.
	OnBarrier(ctx context.Context, b Barrier, out Emitter) error
	// Close releases resources; it runs once when the subtask ends, also
	// after a failure.
	Close() error
}

// eofHandler is implemented by operators with output to produce when
// their input ends (besides what the final +infinity watermark triggers).
type eofHandler interface {
	OnEOF(ctx context.Context, out Emitter) error
}

// stateful is implemented by operators whose state is checkpointed. On
// checkpoint barriers they write and flush their state themselves
// (OnBarrier); at the end of their input the runtime takes it over.
type stateful interface {
	// finalState writes the state changed since the last checkpoint into
	// the operator's state tables and returns them. It is called once,
	// after the last OnChunk, OnWatermark or OnEOF.
	finalState() ([]StateTable, error)
}

// Emitter is where an operator sends its output.
type Emitter interface {
	// Emit sends c downstream and takes ownership of it: the operator must
	// not touch c after the call, and must never emit the chunk it was
	// given in OnChunk (the runtime recycles that one).
	Emit(c *Chunk) error
}

// Base supplies the default hooks: forward watermarks unchanged, do
// nothing on barriers and Close.
type Base struct{}

// OnWatermark forwards w.
func (Base) OnWatermark(_ context.Context, w Watermark, _ Emitter) (Watermark, bool, error) {
	return w, true, nil
}

// OnBarrier does nothing.
func (Base) OnBarrier(context.Context, Barrier, Emitter) error { return nil }

// Close does nothing.
func (Base) Close() error { return nil }

// chunkBuilder accumulates output rows into pooled chunks and emits them
// when full; operators call flush at the end of OnChunk so a chunk's output
// leaves as one message (or a few) rather than one per row.
type chunkBuilder struct {
	width int
	cur   *Chunk
}

func newChunkBuilder(width int) chunkBuilder { return chunkBuilder{width: width} }

// slot appends a NULL row with op to the current chunk and returns it.
// Call done after filling it so a full chunk is sent.
func (b *chunkBuilder) slot(op Op) types.Row {
	if b.cur == nil {
		b.cur = getChunk(b.width)
	}
	return b.cur.AppendSlot(op)
}

func (b *chunkBuilder) append(out Emitter, op Op, row types.Row) error {
	if b.cur == nil {
		b.cur = getChunk(b.width)
	}
	b.cur.Append(op, row)
	if b.cur.Full() {
		return b.flush(out)
	}
	return nil
}

// done sends the current chunk when it is full.
func (b *chunkBuilder) done(out Emitter) error {
	if b.cur != nil && b.cur.Full() {
		return b.flush(out)
	}
	return nil
}

func (b *chunkBuilder) flush(out Emitter) error {
	if b.cur == nil || b.cur.Len() == 0 {
		return nil
	}
	c := b.cur
	b.cur = nil
	return out.Emit(c)
}
