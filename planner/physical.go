package planner

import (
	"streamsqld/catalog"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// The physical streaming plan: a DAG of operators, each run as Parallelism
// subtasks by the runtime (package exec). This is pure data, the contract
// between the planner and the runtime; the runtime never re-plans.

// StreamGraph is the compiled form of one materialized view (or sink).
type StreamGraph struct {
	// Operators in topological order: inputs come before their consumers.
	// The last operator is the sink (Materialize, or Sink for CREATE SINK).
	Operators []*Operator
	// Output is the schema of the view.
	Output []types.Column
}

// OpKind is the kind of a physical operator.
type OpKind uint8

const (
	OpSource        OpKind = iota + 1 // reads a catalog source/table/view; owns splits
	OpFilter                          // keeps rows whose predicate is true
	OpProject                         // computes expressions
	OpProjectSet                      // expands set-returning functions
	OpWindowAssign                    // TUMBLE/HOP: appends window_start, window_end
	OpSessionWindow                   // SESSION windows per key (merging)
	OpHashAgg                         // GROUP BY with aggregates, keyed state, emits changelog
	OpMaterialize                     // upserts the view's rows into its state; the sink
	OpJoin                            // joins two inputs on keys, keyed state per side (stream_join.go)
	OpSink                            // delivers the changelog to a sink connector; the sink of CREATE SINK
)

// ExchangeKind says how rows travel from the producer's subtasks to the
// consumer's subtasks.
type ExchangeKind uint8

const (
	// Forward connects subtask i to subtask i (equal parallelism).
	Forward ExchangeKind = iota
	// Hash routes each row to subtask hash(Keys) % parallelism.
	Hash
	// Single gathers every producer subtask into one consumer subtask.
	Single
	// Broadcast sends every row to every consumer subtask.
	Broadcast
)

// Input is one input edge of an operator.
type Input struct {
	From     int // index into StreamGraph.Operators
	Exchange ExchangeKind
	Keys     []int // Hash keys: column positions in the producer's output
}

// Operator is one node of the graph. Exactly one of the spec pointers that
// matches Kind is set.
type Operator struct {
	ID          int
	Kind        OpKind
	Inputs      []Input
	Parallelism int
	// Output is the operator's output schema.
	Output []types.Column
	// WatermarkCol is the output column whose event-time watermark flows
	// through this operator (-1: none). Watermarks are in microseconds of
	// that column's timestamp.
	WatermarkCol int

	Source        *SourceSpec
	Filter        *FilterSpec
	Project       *ProjectSpec
	ProjectSet    *ProjectSetSpec
	WindowAssign  *WindowAssignSpec
	SessionWindow *SessionWindowSpec
	HashAgg       *HashAggSpec
	Materialize   *MaterializeSpec
	Join          *JoinSpec
	Sink          *SinkSpec
}

// SourceSpec reads a relation. For a source with a watermark, each split
// emits watermark = max event time seen - Delay, and a split idle for
// IdleTimeout stops holding the watermark back.
type SourceSpec struct {
	Relation *catalog.Relation
	// Columns are the positions of the relation's columns to read (after
	// projection push-down); the output schema follows this order.
	Columns []int
	// EventTimeCol is the position in Output of the watermark column, -1
	// when the relation has none.
	EventTimeCol int
	DelayMicros  int64
	IdleTimeout  int64 // microseconds; 0: default 5 s
}

// FilterSpec keeps rows for which Pred is true.
type FilterSpec struct {
	Pred expr.Expr
}

// ProjectSpec computes Exprs over each input row.
type ProjectSpec struct {
	Exprs []expr.Expr
}

// ProjectSetSpec computes Exprs over each input row, where the entries with
// a non-nil SetFunc expand into several rows (PostgreSQL semantics for
// several SRFs in one select list: zipped, shorter ones padded with NULL).
// For entry i: if SetFuncs[i] != nil, SetArgs[i] are its arguments;
// otherwise Exprs[i] is an ordinary expression repeated on every output row.
type ProjectSetSpec struct {
	Exprs    []expr.Expr
	SetFuncs []*expr.SetFunc
	SetArgs  [][]expr.Expr
}

// WindowAssignSpec assigns each row to its TUMBLE or HOP windows and
// appends window_start and window_end (TIMESTAMP) to the row; a HOP row is
// emitted once per window it belongs to (size/slide copies).
type WindowAssignSpec struct {
	TimeCol      int   // input column holding event time
	SizeMicros   int64 // window size
	SlideMicros  int64 // = SizeMicros for TUMBLE
	OffsetMicros int64
}

// SessionWindowSpec groups rows per key into sessions separated by gaps of
// at least GapMicros; output is the input row plus window_start/window_end
// with retractions when sessions merge.
type SessionWindowSpec struct {
	TimeCol   int
	KeyCols   []int
	GapMicros int64
}

// AggCall is one aggregate of a HashAgg: Fn over input column Arg (-1 for
// count(*)), counting only rows where FilterCol (if >= 0) is true.
type AggCall struct {
	Fn        *expr.AggFunc
	Arg       int
	FilterCol int
}

// HashAggSpec groups by GroupKeys (input column positions) and computes
// Aggs. Output = group key columns then aggregate results, in that order.
//
// The input is a changelog (inserts, deletes, updates); the output is a
// changelog: each group's row is updated as its inputs arrive (emit
// update-before/update-after), unless EmitOnWindowClose is set, in which
// case a windowed group is emitted once, when the watermark passes its
// window end.
//
// WindowEndKey is the position within GroupKeys of the window_end column
// when the grouping includes a window (-1 otherwise): when the input
// watermark passes a window's end, its groups' state is freed (and later
// rows for it are late: dropped and counted).
type HashAggSpec struct {
	GroupKeys         []int
	Aggs              []AggCall
	WindowEndKey      int
	EmitOnWindowClose bool
	// Having, when set, filters output groups (over the output schema).
	Having expr.Expr
	// StateTableID identifies the operator's keyed state for checkpoints.
	StateTableID uint32
}

// MaterializeSpec upserts the changelog into the view's state, keyed by
// KeyCols (the view's stream key; nil: the whole row is the key and rows
// keep a multiplicity). Readers (SELECT) see the view through the runtime.
type MaterializeSpec struct {
	View    *catalog.Relation
	KeyCols []int
	// StateTableID identifies the view's rows in checkpoints (0: not
	// checkpointed). The server assigns it after planning.
	StateTableID uint32
}
