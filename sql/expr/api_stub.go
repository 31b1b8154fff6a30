package expr

import (
	"time"

	"streamsqld/sql/types"
)

// This file declares the API that the planner and runtime build against.
// Its bodies are being written; replace this file.

// Ctx is the evaluation context of one query execution (or one streaming
// job): statement time for now(), bound parameters, session time zone.
type Ctx struct {
	Now    time.Time
	Params []types.Datum
	// Scratch is reused by functions to avoid per-row allocation.
	Scratch []byte
}

// Eval is a compiled expression: it evaluates one row.
type Eval func(ctx *Ctx, row types.Row) (types.Datum, error)

// Compile turns a bound expression into an evaluator, once per query.
func Compile(e Expr) (Eval, error) { panic("unimplemented") }

// ResolveFunc finds the overload of the scalar function or operator name
// for the argument types (with PostgreSQL-like implicit coercions: int2 <
// int4 < int8 < numeric < float8, unknown literals to the other side's
// type, varchar to text). It returns the function and, per argument, the
// type the caller must cast that argument to (equal to the given type when
// no cast is needed). Unknown names give 42883 `function f(integer) does not
// exist` with a hint.
func ResolveFunc(name string, args []types.T) (*Func, []types.T, error) { panic("unimplemented") }

// String renders an expression for EXPLAIN.
func String(e Expr) string { panic("unimplemented") }

// Fold evaluates constant subtrees (no ColRef, no Param, no volatile call)
// and returns the simplified expression.
func Fold(e Expr) (Expr, error) { panic("unimplemented") }

// AggFunc is an aggregate function overload.
type AggFunc struct {
	Name     string
	Arg      types.T // TUnknown for count(*)
	Ret      types.T
	Distinct bool
	// Retractable aggregates accept Retract (they can maintain a result
	// under deletions with bounded state, e.g. count, sum, avg); min/max and
	// DISTINCT keep a multiset of values to support it.
	New func() Accumulator
}

// Accumulator is the running state of one aggregate in one group.
type Accumulator interface {
	// Add folds one input value in (NULLs are ignored except by count(*),
	// whose argument is always a non-NULL dummy).
	Add(d types.Datum) error
	// Retract removes one value previously added.
	Retract(d types.Datum) error
	// Result is the aggregate's current value (NULL for an empty sum/min/max/avg, 0 for count).
	Result() types.Datum
	// AppendState serialises the state for checkpoints; LoadState restores it.
	AppendState(buf []byte) []byte
	LoadState(b []byte) error
}

// ResolveAgg finds an aggregate: count, sum, min, max, avg, string_agg,
// bool_and, bool_or, array_agg ... 42883 when unknown.
func ResolveAgg(name string, args []types.T, distinct bool) (*AggFunc, error) { panic("unimplemented") }

// IsAggregate reports whether name is an aggregate function.
func IsAggregate(name string) bool { panic("unimplemented") }

// SetFunc is a set-returning function: unnest, regexp_matches,
// generate_series.
type SetFunc struct {
	Name string
	Args []types.T
	Ret  types.T
	// Eval calls emit once per output value.
	Eval func(ctx *Ctx, args []types.Datum, emit func(types.Datum) error) error
}

// ResolveSetFunc finds a set-returning function overload; ok is false when
// name is not a set-returning function.
func ResolveSetFunc(name string, args []types.T) (fn *SetFunc, argTypes []types.T, ok bool, err error) {
	panic("unimplemented")
}

// IsSetReturning reports whether name is a set-returning function.
func IsSetReturning(name string) bool { panic("unimplemented") }
