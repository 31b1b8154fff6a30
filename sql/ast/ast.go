// Package ast is streamsqld's syntax tree: the front end (package sql)
// produces it from PostgreSQL/streaming SQL text, the planner binds it.
// It is independent of the TiDB parser that the front end uses underneath,
// so the planner never sees MySQL-isms.
package ast

import "streamsqld/sql/types"

// Node is any syntax node. Pos is the 1-based character offset of the node in
// the original statement text (0 when unknown), used in error positions.
type Node interface {
	Pos() int
}

// Statement is a top-level SQL statement.
type Statement interface {
	Node
	statement()
}

// Expr is a scalar expression.
type Expr interface {
	Node
	expr()
}

// TableExpr is an item of a FROM clause.
type TableExpr interface {
	Node
	tableExpr()
}

// At records a source position; embed it in nodes.
type At struct{ P int }

func (a At) Pos() int { return a.P }

// ---------------------------------------------------------------- statements

// Select is a query: SELECT ... or a set operation, with optional WITH,
// ORDER BY and LIMIT/OFFSET.
type Select struct {
	At
	With     []*CTE
	Distinct bool
	Items    []*SelectItem
	From     []TableExpr // comma-separated FROM items (cross joins)
	Where    Expr
	GroupBy  []Expr
	Having   Expr
	// SetOp, when not empty ("UNION", "UNION ALL", "INTERSECT", "EXCEPT"),
	// makes this node the combination of Left and Right; the select-list
	// fields above are then unused.
	SetOp       string
	Left, Right *Select
	OrderBy     []*OrderItem
	Limit       Expr // nil: no limit (also for LIMIT ALL)
	Offset      Expr
	// EmitOnWindowClose is set by `... EMIT ON WINDOW CLOSE` after a
	// streaming query.
	EmitOnWindowClose bool
	// Values, when set, makes this a VALUES list (rows of expressions).
	Values [][]Expr
}

// CTE is one `name [(cols)] AS (query)` of a WITH clause.
type CTE struct {
	At
	Name    string
	Columns []string
	Query   *Select
}

// SelectItem is one output of a select list. Star is `*` or `t.*` (Table set).
type SelectItem struct {
	At
	Expr  Expr
	Alias string
	Star  bool
	Table string // qualifier of t.*
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	At
	Expr Expr
	Desc bool
	// NullsFirst is nil when NULLS FIRST/LAST is absent (PostgreSQL's
	// default: NULLs sort as larger than any value).
	NullsFirst *bool
}

// CreateSource is `CREATE SOURCE [IF NOT EXISTS] name (cols, WATERMARK FOR
// col AS col - INTERVAL ...) WITH (k = 'v', ...) FORMAT fmt`.
type CreateSource struct {
	At
	Name        string
	IfNotExists bool
	Columns     []*ColumnDef
	Watermark   *WatermarkDef
	Options     []*Option
	Format      string // upper-cased, e.g. "JSON"; "" when absent
	// Encode is the upper-cased ENCODE of `FORMAT PLAIN ENCODE JSON`; ""
	// when absent (then Format alone names the encoding).
	Encode string
}

// WatermarkDef is `WATERMARK FOR Column AS Expr`.
type WatermarkDef struct {
	At
	Column string
	Expr   Expr
}

// Option is one `key = value` of a WITH clause; keys may be dotted
// (`properties.bootstrap.server`), values are literals.
type Option struct {
	At
	Key   string
	Value string
}

// ColumnDef is a column of CREATE SOURCE/TABLE.
type ColumnDef struct {
	At
	Name    string
	Type    types.T
	NotNull bool
	Primary bool
}

// CreateTable is `CREATE TABLE [IF NOT EXISTS] name (cols) [WITH (...)]`.
type CreateTable struct {
	At
	Name        string
	IfNotExists bool
	Columns     []*ColumnDef
	Watermark   *WatermarkDef
	Options     []*Option
}

// CreateMaterializedView is `CREATE MATERIALIZED VIEW [IF NOT EXISTS] name
// [WITH (...)] AS query`. QueryText is the query's own text.
type CreateMaterializedView struct {
	At
	Name        string
	IfNotExists bool
	Options     []*Option
	Query       *Select
	QueryText   string
}

// CreateSink is `CREATE SINK name FROM rel WITH (...) [FORMAT f]` or
// `CREATE SINK name AS query WITH (...)`.
type CreateSink struct {
	At
	Name        string
	IfNotExists bool
	From        string
	Query       *Select
	QueryText   string
	Options     []*Option
	Format      string
	Encode      string // as in CreateSource
}

// Insert is `INSERT INTO table [(cols)] VALUES ... | query`.
type Insert struct {
	At
	Table   string
	Columns []string
	Query   *Select // VALUES lists arrive as Select.Values
}

// ObjectKind names the kind of object in DROP and SHOW.
type ObjectKind string

const (
	ObjSource           ObjectKind = "SOURCE"
	ObjTable            ObjectKind = "TABLE"
	ObjMaterializedView ObjectKind = "MATERIALIZED VIEW"
	ObjView             ObjectKind = "VIEW"
	ObjSink             ObjectKind = "SINK"
)

// Drop is `DROP kind [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`.
type Drop struct {
	At
	Kind     ObjectKind
	Names    []string
	IfExists bool
	Cascade  bool
}

// Show is SHOW of a list (`SHOW SOURCES|TABLES|MATERIALIZED VIEWS|SINKS|
// JOBS`), or of a session variable (Var set; `SHOW ALL` gives Var "all").
type Show struct {
	At
	List ObjectKind // "SOURCES", "TABLES", "MATERIALIZED VIEWS", "SINKS", "JOBS" when listing
	Var  string
}

// ShowCreate is `SHOW CREATE kind name`.
type ShowCreate struct {
	At
	Kind ObjectKind
	Name string
}

// Explain is `EXPLAIN stmt`; Target is a *Select or *CreateMaterializedView
// (or *CreateSink).
type Explain struct {
	At
	Target Statement
}

// SetVar is `SET [SESSION|LOCAL] name {TO|=} value[, ...]`, `SET TIME ZONE x`
// or `SET name TO DEFAULT` (Default true).
type SetVar struct {
	At
	Name    string // lower-cased
	Values  []string
	Default bool
	Local   bool
}

// ResetVar is `RESET name` or `RESET ALL` (Name "all").
type ResetVar struct {
	At
	Name string
}

// TxnKind is the kind of a transaction-control statement.
type TxnKind string

const (
	TxnBegin    TxnKind = "BEGIN"
	TxnStart    TxnKind = "START TRANSACTION"
	TxnCommit   TxnKind = "COMMIT"
	TxnRollback TxnKind = "ROLLBACK"
)

// Transaction is BEGIN/START TRANSACTION [READ ONLY|...]/COMMIT/END/ROLLBACK/ABORT.
type Transaction struct {
	At
	Kind TxnKind
}

// Empty is an empty statement (only comments or whitespace).
type Empty struct{ At }

// Other is a statement the front end recognises but streamsqld handles
// verbatim (DISCARD ALL, DEALLOCATE, SET SESSION CHARACTERISTICS ...): the
// session decides from Verb.
type Other struct {
	At
	Verb string // upper-cased leading keywords, e.g. "DISCARD ALL"
	Args []string
}

func (*Select) statement()                 {}
func (*CreateSource) statement()           {}
func (*CreateTable) statement()            {}
func (*CreateMaterializedView) statement() {}
func (*CreateSink) statement()             {}
func (*Insert) statement()                 {}
func (*Drop) statement()                   {}
func (*Show) statement()                   {}
func (*ShowCreate) statement()             {}
func (*Explain) statement()                {}
func (*SetVar) statement()                 {}
func (*ResetVar) statement()               {}
func (*Transaction) statement()            {}
func (*Empty) statement()                  {}
func (*Other) statement()                  {}

// ---------------------------------------------------------------- FROM items

// TableName is a (possibly schema-qualified) relation reference.
type TableName struct {
	At
	Schema string
	Name   string
	Alias  string
}

// Subquery is `(query) [AS] alias [(cols)]` in FROM.
type Subquery struct {
	At
	Query   *Select
	Alias   string
	Columns []string
}

// JoinType is INNER, LEFT, RIGHT, FULL or CROSS.
type JoinType string

const (
	JoinInner JoinType = "INNER"
	JoinLeft  JoinType = "LEFT"
	JoinRight JoinType = "RIGHT"
	JoinFull  JoinType = "FULL"
	JoinCross JoinType = "CROSS"
)

// Join is `left JOIN right ON cond | USING (cols)`.
type Join struct {
	At
	Type  JoinType
	Left  TableExpr
	Right TableExpr
	On    Expr
	Using []string
}

// WindowKind is the kind of a windowing table function.
type WindowKind string

const (
	WindowTumble  WindowKind = "TUMBLE"
	WindowHop     WindowKind = "HOP"
	WindowSession WindowKind = "SESSION"
)

// WindowTVF is a windowing table-valued function in FROM:
// TUMBLE(src, col, size [, offset]), HOP(src, col, slide, size [, offset]),
// SESSION(src, col, gap), and Flink's TABLE(TUMBLE(TABLE src,
// DESCRIPTOR(col), size)). It yields the input's columns plus window_start
// and window_end.
type WindowTVF struct {
	At
	Kind    WindowKind
	Input   TableExpr // a TableName or Subquery
	TimeCol string
	Size    Expr // TUMBLE size, HOP size, SESSION gap
	Slide   Expr // HOP only
	Offset  Expr // optional
	Alias   string
}

// TableFunc is a set-returning function in FROM: `generate_series(1, 10)
// [AS] alias [(cols)]`, `unnest(array)`.
type TableFunc struct {
	At
	Func    *FuncCall
	Alias   string
	Columns []string
}

func (*TableName) tableExpr() {}
func (*Subquery) tableExpr()  {}
func (*Join) tableExpr()      {}
func (*WindowTVF) tableExpr() {}
func (*TableFunc) tableExpr() {}

// ---------------------------------------------------------------- expressions

// ColumnRef is `col`, `t.col` or `schema.t.col`.
type ColumnRef struct {
	At
	Schema string // only for schema.t.col
	Table  string
	Column string
}

// LiteralKind tells how a literal was written.
type LiteralKind uint8

const (
	LitNull LiteralKind = iota
	LitBool
	LitInt     // Value holds the digits
	LitDecimal // Value holds the digits with a point
	LitFloat   // Value holds a number with an exponent
	LitString  // Value holds the unescaped string
	LitTyped   // `TIMESTAMP '...'`, `DATE '...'`: Type holds the type, Value the text
	LitInterval
)

// Literal is a constant as written. For LitInterval, Value holds the text
// and Unit the trailing qualifier of `INTERVAL '5' SECOND` ("" for
// `INTERVAL '5 seconds'`).
type Literal struct {
	At
	Kind  LiteralKind
	Value string
	Type  types.T
	Unit  string
}

// Param is a `$n` placeholder (1-based).
type Param struct {
	At
	Index int
}

// UnaryExpr is `-x`, `+x`, `NOT x`, `~x`.
type UnaryExpr struct {
	At
	Op   string // "-", "+", "NOT", "~"
	Expr Expr
}

// BinaryExpr is an infix operator: arithmetic (+ - * / %), comparison
// (= <> < <= > >=), AND, OR, ||, regex match (~ ~* !~ !~*), bit ops.
type BinaryExpr struct {
	At
	Op          string
	Left, Right Expr
}

// IsExpr is `x IS [NOT] NULL|TRUE|FALSE|UNKNOWN`.
type IsExpr struct {
	At
	Expr Expr
	Not  bool
	What string // "NULL", "TRUE", "FALSE", "UNKNOWN"
}

// DistinctFrom is `l IS [NOT] DISTINCT FROM r`.
type DistinctFrom struct {
	At
	Left, Right Expr
	Not         bool
}

// InList is `x [NOT] IN (a, b, ...)` or, with Query, `x [NOT] IN (subquery)`.
type InList struct {
	At
	Expr  Expr
	List  []Expr
	Query *Select
	Not   bool
}

// Between is `x [NOT] BETWEEN lo AND hi` (SYMMETRIC not supported).
type Between struct {
	At
	Expr   Expr
	Lo, Hi Expr
	Not    bool
}

// Like is `x [NOT] LIKE|ILIKE pattern [ESCAPE e]`.
type Like struct {
	At
	Expr     Expr
	Pattern  Expr
	Escape   Expr
	Not      bool
	CaseFold bool // ILIKE
}

// FuncCall is `name([DISTINCT] args) [FILTER (WHERE f)] [OVER (...)]`;
// `count(*)` has Star set.
type FuncCall struct {
	At
	Schema   string
	Name     string // lower-cased
	Args     []Expr
	Distinct bool
	Star     bool
	Filter   Expr
	Over     *WindowSpec
	OrderBy  []*OrderItem // string_agg(x, ',' ORDER BY y)
}

// WindowSpec is an OVER clause.
type WindowSpec struct {
	At
	PartitionBy []Expr
	OrderBy     []*OrderItem
	Frame       string // verbatim frame clause, "" for the default
}

// Cast is `CAST(x AS type)` or `x::type`.
type Cast struct {
	At
	Expr Expr
	Type types.T
	// TypeName is the name as written, for casts to catalog types the
	// planner resolves itself (regclass ...).
	TypeName string
}

// CaseExpr is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type CaseExpr struct {
	At
	Operand Expr
	Whens   []*When
	Else    Expr
}

// When is one WHEN cond THEN result.
type When struct {
	At
	Cond, Result Expr
}

// SubqueryExpr is a scalar `(query)` or `EXISTS (query)`.
type SubqueryExpr struct {
	At
	Query  *Select
	Exists bool
	// Array is ARRAY(query): the rows' single column as an array.
	Array bool
}

// FieldSelect is `(expr).field`, a field of a composite value.
type FieldSelect struct {
	At
	Expr  Expr
	Field string
}

// ArrayExpr is `ARRAY[a, b, ...]`.
type ArrayExpr struct {
	At
	Elems []Expr
}

// AnyAll is `x op ANY|ALL (array)` or with a subquery.
type AnyAll struct {
	At
	Left  Expr
	Op    string
	All   bool
	Array Expr
	Query *Select
}

// Subscript is `x[i]`.
type Subscript struct {
	At
	Expr  Expr
	Index Expr
}

// Extract is `EXTRACT(field FROM x)`.
type Extract struct {
	At
	Field string // upper-cased
	Expr  Expr
}

func (*ColumnRef) expr()    {}
func (*Literal) expr()      {}
func (*Param) expr()        {}
func (*UnaryExpr) expr()    {}
func (*BinaryExpr) expr()   {}
func (*IsExpr) expr()       {}
func (*DistinctFrom) expr() {}
func (*InList) expr()       {}
func (*Between) expr()      {}
func (*Like) expr()         {}
func (*FuncCall) expr()     {}
func (*Cast) expr()         {}
func (*CaseExpr) expr()     {}
func (*SubqueryExpr) expr() {}
func (*ArrayExpr) expr()    {}
func (*AnyAll) expr()       {}
func (*Subscript) expr()    {}
func (*Extract) expr()      {}
func (*FieldSelect) expr()  {}
