package planner

import (
	"streamsqld/catalog"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// LogicalPlan is a node of a bound, typed relational plan. Column references
// in a node's expressions are positions in its input's output (for joins:
// in the concatenation of the left and right outputs). Plans are immutable
// once built: rewrites return new nodes.
type LogicalPlan interface {
	// Columns is the node's output schema.
	Columns() []types.Column
	// Children are the node's inputs, in order.
	Children() []LogicalPlan
	logicalPlan()
}

// Scan reads a relation: a catalog source, table or materialized view, or
// a server-provided virtual table.
type Scan struct {
	Relation *catalog.Relation // nil for a virtual table
	Virtual  *VirtualTable
	// Cols are the positions of the relation's columns that are read, in
	// output order (projection push-down prunes the others).
	Cols []int
	// Filter, when set, is a predicate over the scan's output that rows
	// must satisfy (filter push-down).
	Filter expr.Expr
	Out    []types.Column
}

// Values is a constant relation: VALUES lists, and the single empty row of
// a SELECT without FROM.
type Values struct {
	Rows [][]expr.Expr
	Out  []types.Column
}

// Filter keeps the rows for which Pred is true.
type Filter struct {
	Input LogicalPlan
	Pred  expr.Expr
}

// Project computes Exprs over each input row.
type Project struct {
	Input LogicalPlan
	Exprs []expr.Expr
	Out   []types.Column
}

// SetItem is one output of a ProjectSet: a set-returning function call
// (Func and Args set) or an ordinary expression repeated on every output
// row of its input row.
type SetItem struct {
	Func *expr.SetFunc
	Args []expr.Expr
	Expr expr.Expr
}

// ProjectSet evaluates set-returning functions in a select list. Several
// SRFs are zipped and shorter ones padded with NULL, as in PostgreSQL 10+.
type ProjectSet struct {
	Input LogicalPlan
	Items []SetItem
	Out   []types.Column
}

// WindowKind tells which windowing table function assigns windows.
type WindowKind uint8

const (
	WindowTumble WindowKind = iota + 1
	WindowHop
	WindowSession
)

func (k WindowKind) String() string {
	switch k {
	case WindowTumble:
		return "tumble"
	case WindowHop:
		return "hop"
	case WindowSession:
		return "session"
	}
	return "?"
}

// WindowAssign appends window_start and window_end (TIMESTAMP) to each
// input row: TUMBLE (Slide = Size), HOP (one copy per window) or SESSION
// (sessions per SessionKeys separated by gaps of at least Size).
type WindowAssign struct {
	Input   LogicalPlan
	Kind    WindowKind
	TimeCol int
	Size    int64 // microseconds; the gap for SESSION
	Slide   int64
	Offset  int64
	// SessionKeys are the input columns that partition sessions: the
	// grouping keys of the aggregation above, filled in by the binder.
	SessionKeys []int
	Out         []types.Column
}

// Aggregate groups by the GroupKeys input columns and computes Aggs (see
// AggCall in physical.go). The
// output is the group keys followed by the aggregate results. Without
// group keys it yields exactly one row, even for an empty input.
type Aggregate struct {
	Input     LogicalPlan
	GroupKeys []int
	Aggs      []AggCall
	// EmitOnWindowClose is the query's EMIT ON WINDOW CLOSE (streaming).
	EmitOnWindowClose bool
	Out               []types.Column
}

// SortKey is one ORDER BY key over an input column.
type SortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// Sort orders its input stably by Keys.
type Sort struct {
	Input LogicalPlan
	Keys  []SortKey
}

// Limit skips Offset rows then passes at most Limit rows. Either may be
// nil; both are constants or parameters (int8).
type Limit struct {
	Input  LogicalPlan
	Limit  expr.Expr
	Offset expr.Expr
}

// Distinct removes duplicate rows (NULLs compare equal).
type Distinct struct {
	Input LogicalPlan
}

// JoinType is the kind of a Join.
type JoinType uint8

const (
	JoinInner JoinType = iota + 1
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
)

func (t JoinType) String() string {
	switch t {
	case JoinInner:
		return "inner"
	case JoinLeft:
		return "left"
	case JoinRight:
		return "right"
	case JoinFull:
		return "full"
	case JoinCross:
		return "cross"
	}
	return "?"
}

// Join combines Left and Right; its output is the left columns followed by
// the right columns. The ON condition is split into equi-join keys
// (LeftKeys[i] = RightKeys[i], each over its own side, of equal types) and
// a Residual over the concatenated row. Without keys the join is a nested
// loop.
type Join struct {
	Type        JoinType
	Left, Right LogicalPlan
	LeftKeys    []expr.Expr
	RightKeys   []expr.Expr
	Residual    expr.Expr
}

// SetOpKind is UNION, INTERSECT or EXCEPT.
type SetOpKind uint8

const (
	SetUnion SetOpKind = iota + 1
	SetIntersect
	SetExcept
)

func (k SetOpKind) String() string {
	switch k {
	case SetUnion:
		return "union"
	case SetIntersect:
		return "intersect"
	case SetExcept:
		return "except"
	}
	return "?"
}

// SetOp combines two inputs of the same arity and column types (the
// binder casts them to common types). Out carries the left names.
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right LogicalPlan
	Out         []types.Column
}

// WindowFunc is one window function call: row_number(), rank(),
// dense_rank(), or an aggregate over its partition (Agg set, Arg input
// column or -1).
type WindowFunc struct {
	Name string
	Agg  *expr.AggFunc
	Arg  int
	Ret  types.T
}

// Window computes window functions over partitions of its input: the
// output is the input columns followed by one column per function. All
// functions of one node share PartitionBy and OrderBy.
type Window struct {
	Input       LogicalPlan
	PartitionBy []int
	OrderBy     []SortKey
	Funcs       []WindowFunc
	Out         []types.Column
}

func (n *Scan) Columns() []types.Column       { return n.Out }
func (n *Values) Columns() []types.Column     { return n.Out }
func (n *Filter) Columns() []types.Column     { return n.Input.Columns() }
func (n *Project) Columns() []types.Column    { return n.Out }
func (n *ProjectSet) Columns() []types.Column { return n.Out }
func (n *WindowAssign) Columns() []types.Column {
	return n.Out
}
func (n *Aggregate) Columns() []types.Column { return n.Out }
func (n *Sort) Columns() []types.Column      { return n.Input.Columns() }
func (n *Limit) Columns() []types.Column     { return n.Input.Columns() }
func (n *Distinct) Columns() []types.Column  { return n.Input.Columns() }
func (n *Join) Columns() []types.Column {
	l, r := n.Left.Columns(), n.Right.Columns()
	out := make([]types.Column, 0, len(l)+len(r))
	return append(append(out, l...), r...)
}
func (n *SetOp) Columns() []types.Column  { return n.Out }
func (n *Window) Columns() []types.Column { return n.Out }

func (n *Scan) Children() []LogicalPlan         { return nil }
func (n *Values) Children() []LogicalPlan       { return nil }
func (n *Filter) Children() []LogicalPlan       { return []LogicalPlan{n.Input} }
func (n *Project) Children() []LogicalPlan      { return []LogicalPlan{n.Input} }
func (n *ProjectSet) Children() []LogicalPlan   { return []LogicalPlan{n.Input} }
func (n *WindowAssign) Children() []LogicalPlan { return []LogicalPlan{n.Input} }
func (n *Aggregate) Children() []LogicalPlan    { return []LogicalPlan{n.Input} }
func (n *Sort) Children() []LogicalPlan         { return []LogicalPlan{n.Input} }
func (n *Limit) Children() []LogicalPlan        { return []LogicalPlan{n.Input} }
func (n *Distinct) Children() []LogicalPlan     { return []LogicalPlan{n.Input} }
func (n *Join) Children() []LogicalPlan         { return []LogicalPlan{n.Left, n.Right} }
func (n *SetOp) Children() []LogicalPlan        { return []LogicalPlan{n.Left, n.Right} }
func (n *Window) Children() []LogicalPlan       { return []LogicalPlan{n.Input} }

func (*Scan) logicalPlan()         {}
func (*Values) logicalPlan()       {}
func (*Filter) logicalPlan()       {}
func (*Project) logicalPlan()      {}
func (*ProjectSet) logicalPlan()   {}
func (*WindowAssign) logicalPlan() {}
func (*Aggregate) logicalPlan()    {}
func (*Sort) logicalPlan()         {}
func (*Limit) logicalPlan()        {}
func (*Distinct) logicalPlan()     {}
func (*Join) logicalPlan()         {}
func (*SetOp) logicalPlan()        {}
func (*Window) logicalPlan()       {}

// Subquery is a subquery inside an expression of a batch query. The
// executor evaluates an uncorrelated Plan once, before the expression is
// compiled, and substitutes the result (SubqueryScalar: the single value or
// NULL; SubqueryExists: a boolean; SubqueryIn: `Left [NOT] IN (values)`;
// SubqueryArray: the values as an array). A correlated one (Args non-empty,
// see correlate.go) runs once per row.
type Subquery struct {
	Kind   SubqueryKind
	Plan   LogicalPlan
	Left   expr.Expr // SubqueryIn only
	Negate bool      // NOT IN / NOT EXISTS
	T      types.T   // result type
	// Args are the values of the enclosing row the plan reads through
	// OuterRefs.
	Args []expr.Expr
}

// SubqueryKind is the form of a Subquery expression.
type SubqueryKind uint8

const (
	SubqueryScalar SubqueryKind = iota + 1
	SubqueryExists
	SubqueryIn
	SubqueryArray
)

func (s *Subquery) Type() types.T { return s.T }

func (s *Subquery) String() string {
	switch s.Kind {
	case SubqueryExists:
		if s.Negate {
			return "NOT EXISTS(subquery)"
		}
		return "EXISTS(subquery)"
	case SubqueryIn:
		if s.Negate {
			return exprString(s.Left) + " NOT IN (subquery)"
		}
		return exprString(s.Left) + " IN (subquery)"
	case SubqueryArray:
		return "ARRAY(subquery)"
	}
	return "(subquery)"
}
