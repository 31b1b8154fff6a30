// Package expr holds bound, typed scalar expressions, the function library
// (scalar functions, operators, aggregates and set-returning functions) and
// the compiler that turns an expression tree into an evaluator once per
// query, so rows are never evaluated by walking the tree.
//
// The planner builds Expr trees (after name resolution and type checking);
// the runtime compiles them with Compile and calls the result per row.
package expr

import (
	"streamsqld/sql/types"
)

// Expr is a bound scalar expression over the columns of one input row.
type Expr interface {
	// Type is the SQL type of the expression's value.
	Type() types.T
	// String renders the expression for EXPLAIN, using column names.
	String() string
}

// ColRef reads column Idx of the input row.
type ColRef struct {
	Idx  int
	T    types.T
	Name string // for EXPLAIN
}

// Const is a constant value.
type Const struct {
	D types.Datum
	T types.T
}

// Param is a $n placeholder (0-based Idx), bound at execution.
type Param struct {
	Idx int
	T   types.T
}

// Call applies a scalar function or operator. Operators are functions named
// by their symbol ("+", "=", "||", "~", "like" ...).
type Call struct {
	Fn   *Func
	Args []Expr
}

// CastExpr converts its operand to T.
type CastExpr struct {
	E Expr
	T types.T
}

// And is the conjunction of its arguments with SQL three-valued logic.
type And struct{ Args []Expr }

// Or is the disjunction of its arguments with SQL three-valued logic.
type Or struct{ Args []Expr }

// Not negates a boolean.
type Not struct{ E Expr }

// IsNull is `E IS NULL` (or IS NOT NULL when Negate).
type IsNull struct {
	E      Expr
	Negate bool
}

// IsBool is `E IS [NOT] TRUE|FALSE` (Value is the TRUE/FALSE being tested).
type IsBool struct {
	E      Expr
	Value  bool
	Negate bool
}

// DistinctFrom is `L IS [NOT] DISTINCT FROM R` (NULL-safe comparison).
type DistinctFrom struct {
	L, R   Expr
	Negate bool // IS NOT DISTINCT FROM
}

// InList is `E [NOT] IN (List...)`, with SQL NULL semantics.
type InList struct {
	E      Expr
	List   []Expr
	Negate bool
}

// Case is a searched CASE; a simple CASE is rewritten to this by the binder.
type Case struct {
	Whens []When
	Else  Expr // nil: NULL
	T     types.T
}

// When is one arm of a Case.
type When struct {
	Cond   Expr
	Result Expr
}

// Coalesce returns its first non-NULL argument.
type Coalesce struct {
	Args []Expr
	T    types.T
}

// ArrayCtor is ARRAY[...] with elements coerced to T.Elem.
type ArrayCtor struct {
	Elems []Expr
	T     types.T
}

// AnyAll is `L op ANY|ALL (R)` where R is an array; Fn is the comparison.
type AnyAll struct {
	L   Expr
	R   Expr
	Fn  *Func
	All bool
}

// Func is a scalar function or operator overload.
type Func struct {
	Name     string
	Args     []types.T // parameter types after coercion; Variadic repeats the last
	Variadic bool
	Ret      types.T
	// Strict functions return NULL when any argument is NULL without being
	// called (PostgreSQL's STRICT).
	Strict bool
	// Volatile functions (now(), random()) are never constant-folded.
	Volatile bool
	// Eval computes the function; args have already been evaluated. The
	// args slice is only valid during the call (it lives on the Ctx's
	// argument stack): copy it before keeping it.
	Eval func(ctx *Ctx, args []types.Datum) (types.Datum, error)

	// resolve makes the Func a polymorphic template: given the argument
	// types it returns the concrete overload and the types to cast the
	// arguments to, or nil when it does not apply.
	resolve func(args []types.T) (*Func, []types.T, error)
	// specialize lets Compile build a per-call-site evaluator from the
	// constant arguments (nil entries for the others), e.g. to compile a
	// regular expression or LIKE pattern once. It returns nil when it has
	// nothing better than Eval.
	specialize func(consts []*types.Datum) evalFunc
}

// evalFunc is the signature of Func.Eval.
type evalFunc = func(ctx *Ctx, args []types.Datum) (types.Datum, error)

func (e *ColRef) Type() types.T       { return e.T }
func (e *Const) Type() types.T        { return e.T }
func (e *Param) Type() types.T        { return e.T }
func (e *Call) Type() types.T         { return e.Fn.Ret }
func (e *CastExpr) Type() types.T     { return e.T }
func (e *And) Type() types.T          { return types.TBool }
func (e *Or) Type() types.T           { return types.TBool }
func (e *Not) Type() types.T          { return types.TBool }
func (e *IsNull) Type() types.T       { return types.TBool }
func (e *IsBool) Type() types.T       { return types.TBool }
func (e *DistinctFrom) Type() types.T { return types.TBool }
func (e *InList) Type() types.T       { return types.TBool }
func (e *Case) Type() types.T         { return e.T }
func (e *Coalesce) Type() types.T     { return e.T }
func (e *ArrayCtor) Type() types.T    { return e.T }
func (e *AnyAll) Type() types.T       { return types.TBool }
