package exec

import (
	"fmt"
	"math"
)

// MsgKind says which field of a Message is set.
type MsgKind uint8

const (
	// MsgChunk carries a chunk of changelog rows.
	MsgChunk MsgKind = iota + 1
	// MsgWatermark carries an event-time watermark.
	MsgWatermark
	// MsgBarrier carries a checkpoint barrier.
	MsgBarrier
)

// Message is what subtasks exchange: one per chunk, never one per row.
// It is passed by value. A chunk sent in a Message belongs to the receiver.
type Message struct {
	Kind      MsgKind
	Chunk     *Chunk
	Watermark Watermark
	Barrier   Barrier
}

// Watermark says that no more rows with event time below TS (microseconds)
// will arrive on the stream; Col is the column of the sender's output that
// carries that event time (window_end after a window aggregation).
//
// An Idle watermark carries no time: the sender has no data (all its splits
// are idle), and consumers leave it out of their minimum until it sends
// anything again.
type Watermark struct {
	Col  int
	TS   int64
	Idle bool
}

// MaxWatermark is the watermark of a finished bounded input: every window
// closes.
const MaxWatermark = math.MaxInt64

// NoWatermark is the watermark before any was seen.
const NoWatermark = math.MinInt64

// Barrier separates the epochs of a stream. Sources emit it when the job's
// coordinator asks; every subtask aligns it across its inputs, lets its
// operator snapshot (OnBarrier) and forwards it once.
type Barrier struct {
	Epoch uint64
	// Checkpoint barriers persist state; others only mark an epoch.
	Checkpoint bool
	// Stop makes every subtask finish after forwarding the barrier.
	Stop bool
}

func (b Barrier) String() string {
	return fmt.Sprintf("barrier %d checkpoint=%t stop=%t", b.Epoch, b.Checkpoint, b.Stop)
}

func chunkMsg(c *Chunk) Message        { return Message{Kind: MsgChunk, Chunk: c} }
func watermarkMsg(w Watermark) Message { return Message{Kind: MsgWatermark, Watermark: w} }
func barrierMsg(b Barrier) Message     { return Message{Kind: MsgBarrier, Barrier: b} }
