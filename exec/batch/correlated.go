package batch

import (
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Correlated subqueries run once per row of the enclosing query: the
// Subquery becomes a call whose arguments are its Left operand (IN) and
// the enclosing row's values it reads, and whose evaluation binds those
// values into the plan (planner.BindOuter) and runs it. The plans are
// small catalog lookups in practice (psql's \d), and the rows of the
// relations they scan are read once per execution (execCtx.rows).

func (x *execCtx) correlated(s *planner.Subquery) (expr.Expr, error) {
	var args []expr.Expr
	var argTypes []types.T
	if s.Left != nil {
		args = append(args, s.Left)
	}
	args = append(args, s.Args...)
	for _, a := range args {
		argTypes = append(argTypes, a.Type())
	}
	hasLeft := s.Left != nil
	fn := &expr.Func{
		Name: s.String(), Args: argTypes, Ret: s.T, Volatile: true,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) {
			var left types.Datum
			if hasLeft {
				left, a = a[0], a[1:]
			}
			plan, err := planner.BindOuter(s.Plan, append([]types.Datum(nil), a...))
			if err != nil {
				return types.Null, err
			}
			it, err := x.build(plan)
			if err != nil {
				return types.Null, err
			}
			if s.Kind == planner.SubqueryIn {
				return x.inValues(it, left, s.Plan.Columns()[0].Type, s.Negate)
			}
			return x.subqueryValue(it, s)
		},
	}
	return &expr.Call{Fn: fn, Args: args}, nil
}

// subqueryValue reads the value of a scalar, EXISTS or ARRAY subquery.
func (x *execCtx) subqueryValue(it iter, s *planner.Subquery) (types.Datum, error) {
	switch s.Kind {
	case planner.SubqueryExists:
		row, err := it.next()
		if err != nil {
			return types.Null, err
		}
		return types.NewBool((row != nil) != s.Negate), nil
	case planner.SubqueryScalar:
		row, err := it.next()
		if err != nil || row == nil {
			return types.Null, err
		}
		more, err := it.next()
		if err != nil {
			return types.Null, err
		}
		if more != nil {
			return types.Null, pgerror.New(pgerror.CardinalityViolation, "more than one row returned by a subquery used as an expression")
		}
		return row[0], nil
	case planner.SubqueryArray:
		elems := []types.Datum{}
		for {
			row, err := it.next()
			if err != nil {
				return types.Null, err
			}
			if row == nil {
				return types.NewArray(elems), nil
			}
			elems = append(elems, row[0])
		}
	}
	return types.Null, pgerror.Newf(pgerror.InternalError, "unknown subquery kind %d", s.Kind)
}

// inValues is `left [NOT] IN (rows of it)` with SQL's NULL rules: true on
// a match, NULL when there is none but a NULL was involved, else false.
func (x *execCtx) inValues(it iter, left types.Datum, t types.T, negate bool) (types.Datum, error) {
	var list []expr.Expr
	for {
		row, err := it.next()
		if err != nil {
			return types.Null, err
		}
		if row == nil {
			break
		}
		list = append(list, &expr.Const{D: row[0], T: t})
	}
	if len(list) == 0 {
		return types.NewBool(negate), nil
	}
	ev, err := expr.Compile(&expr.InList{E: &expr.Const{D: left, T: t}, List: list, Negate: negate})
	if err != nil {
		return types.Null, err
	}
	return ev(x.ectx, nil)
}
