package exec

import (
	"sync/atomic"
)

// OperatorStats are the counters of one operator subtask, as read by
// (*Job).Stats for the streamsql_operators system relation and metrics.
type OperatorStats struct {
	OperatorID int
	Kind       string
	Subtask    int
	RowsIn     int64
	RowsOut    int64
	// LateRows counts rows dropped because their window had already closed.
	LateRows int64
	// Watermark is the subtask's current input watermark in microseconds
	// (NoWatermark when none arrived yet).
	Watermark int64
	// BlockedNanos is the time spent blocked sending downstream: a growing
	// value means a consumer is the bottleneck (backpressure).
	BlockedNanos int64
}

// subtaskStats are written by the subtask's own goroutine and read by
// Stats; plain atomics keep the per-chunk cost to a few adds.
type subtaskStats struct {
	rowsIn    atomic.Int64
	rowsOut   atomic.Int64
	late      atomic.Int64
	watermark atomic.Int64
	blocked   atomic.Int64
}

func newSubtaskStats() *subtaskStats {
	s := &subtaskStats{}
	s.watermark.Store(NoWatermark)
	return s
}
