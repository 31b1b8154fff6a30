package planner

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// exprCtx says where an expression is being bound: which columns it sees
// and which special calls (aggregates, set-returning functions) the clause
// admits.
type exprCtx struct {
	sc     *scope
	clause string      // for errors: "WHERE", "HAVING", "JOIN conditions" ...
	q      *queryState // collects aggregates and SRFs of a SELECT
	// allowAgg and allowSRF admit aggregates and set-returning functions;
	// inAgg is set while binding an aggregate's arguments.
	allowAgg, allowSRF, inAgg bool
	// allowWindow admits window functions (select list and ORDER BY).
	allowWindow bool
}

// queryState collects the aggregate and set-returning calls of one SELECT
// while its clauses are bound; they become Aggregate and ProjectSet nodes.
type queryState struct {
	aggs []*aggEntry
	srfs []*srfEntry
	wins []*winEntry
}

// winEntry is one window function call: OVER (PARTITION BY partition
// ORDER BY order) over the FROM scope (or the grouped scope).
type winEntry struct {
	name      string
	agg       *expr.AggFunc // nil for ranking functions
	arg       expr.Expr     // nil for none / count(*)
	partition []expr.Expr
	order     []winOrder
	ret       types.T
}

type winOrder struct {
	e          expr.Expr
	desc       bool
	nullsFirst bool
}

// winRef stands for the value of q.wins[idx] until the Window node that
// computes it exists.
type winRef struct {
	idx  int
	T    types.T
	name string
}

func (w *winRef) Type() types.T  { return w.T }
func (w *winRef) String() string { return w.name }

type aggEntry struct {
	fn     *expr.AggFunc
	arg    expr.Expr // nil for count(*)
	filter expr.Expr
	name   string
	key    string
	// order is the aggregate's ORDER BY (string_agg(x, ',' ORDER BY y)).
	order []aggOrderKey
}

// aggOrderKey is one key of an aggregate's ORDER BY.
type aggOrderKey struct {
	e          expr.Expr
	desc       bool
	nullsFirst bool
}

type srfEntry struct {
	fn    *expr.SetFunc
	args  []expr.Expr
	level int // 1 + the deepest level of SRFs in args
	name  string
}

// aggRef stands for the result of q.aggs[idx] until grouping rewrites it to
// a column of the Aggregate's output.
type aggRef struct {
	idx  int
	T    types.T
	name string
}

func (a *aggRef) Type() types.T  { return a.T }
func (a *aggRef) String() string { return a.name }

// srfRef stands for the value of q.srfs[idx] until the ProjectSet that
// computes it exists.
type srfRef struct {
	idx, level int
	T          types.T
	name       string
}

func (s *srfRef) Type() types.T  { return s.T }
func (s *srfRef) String() string { return s.name }

// withPos attaches a statement position to a PostgreSQL error that has
// none yet.
func withPos(err error, pos int) error {
	var pe *pgerror.Error
	if pos > 0 && errors.As(err, &pe) && pe.Position == 0 {
		pe.Position = pos
	}
	return err
}

func unsupported(pos int, format string, args ...any) *pgerror.Error {
	return pgerror.Newf(pgerror.FeatureNotSupported, format, args...).WithPosition(pos)
}

func (b *binder) bindExpr(e ast.Expr, c *exprCtx) (expr.Expr, error) {
	switch n := e.(type) {
	case *ast.ColumnRef:
		i, err := c.sc.resolve(n.Table, n.Column, n.Pos())
		if err != nil {
			if code := pgerror.Code(err); code == pgerror.UndefinedColumn || code == pgerror.UndefinedTable {
				if e, ok, oerr := b.resolveOuter(n.Table, n.Column, n.Pos()); ok {
					return e, oerr
				}
			}
			return nil, err
		}
		ref := c.sc.colRef(i)
		b.colPos[ref] = n.Pos()
		return ref, nil
	case *ast.Literal:
		return b.bindLiteral(n, "")
	case *ast.Param:
		return b.bindParam(n)
	case *ast.UnaryExpr:
		return b.bindUnary(n, c)
	case *ast.BinaryExpr:
		return b.bindBinary(n, c)
	case *ast.IsExpr:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		switch strings.ToUpper(n.What) {
		case "NULL":
			return &expr.IsNull{E: x, Negate: n.Not}, nil
		case "TRUE", "FALSE":
			if x, err = b.coerceBool(x, "IS "+strings.ToUpper(n.What), n.Expr.Pos()); err != nil {
				return nil, err
			}
			return &expr.IsBool{E: x, Value: strings.EqualFold(n.What, "TRUE"), Negate: n.Not}, nil
		case "UNKNOWN":
			if x, err = b.coerceBool(x, "IS UNKNOWN", n.Expr.Pos()); err != nil {
				return nil, err
			}
			return &expr.IsNull{E: x, Negate: n.Not}, nil
		}
		return nil, pgerror.Newf(pgerror.SyntaxError, "syntax error at or near %q", n.What).WithPosition(n.Pos())
	case *ast.DistinctFrom:
		l, r, err := b.bindComparisonPair(n.Left, n.Right, c, n.Pos())
		if err != nil {
			return nil, err
		}
		return &expr.DistinctFrom{L: l, R: r, Negate: n.Not}, nil
	case *ast.InList:
		return b.bindIn(n, c)
	case *ast.Between:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		lo, err := b.bindExpr(n.Lo, c)
		if err != nil {
			return nil, err
		}
		hi, err := b.bindExpr(n.Hi, c)
		if err != nil {
			return nil, err
		}
		if n.Not {
			l, err := b.bindOp("<", x, lo, n.Pos())
			if err != nil {
				return nil, err
			}
			r, err := b.bindOp(">", x, hi, n.Pos())
			if err != nil {
				return nil, err
			}
			return &expr.Or{Args: []expr.Expr{l, r}}, nil
		}
		l, err := b.bindOp(">=", x, lo, n.Pos())
		if err != nil {
			return nil, err
		}
		r, err := b.bindOp("<=", x, hi, n.Pos())
		if err != nil {
			return nil, err
		}
		return &expr.And{Args: []expr.Expr{l, r}}, nil
	case *ast.Like:
		args := []ast.Expr{n.Expr, n.Pattern}
		if n.Escape != nil {
			args = append(args, n.Escape)
		}
		bound, err := b.bindExprs(args, c)
		if err != nil {
			return nil, err
		}
		name := "like"
		if n.CaseFold {
			name = "ilike"
		}
		call, err := b.bindCall(name, bound, n.Pos())
		if err != nil {
			return nil, err
		}
		if n.Not {
			return &expr.Not{E: call}, nil
		}
		return call, nil
	case *ast.FuncCall:
		return b.bindFunc(n, c)
	case *ast.Cast:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		if e, ok, err := b.bindCatalogCast(x, n.TypeName, n.Pos()); ok {
			return e, err
		}
		return b.castTo(x, n.Type, n.Pos())
	case *ast.CaseExpr:
		return b.bindCase(n, c)
	case *ast.SubqueryExpr:
		return b.bindSubqueryExpr(n, c)
	case *ast.ArrayExpr:
		elems, err := b.bindExprs(n.Elems, c)
		if err != nil {
			return nil, err
		}
		if len(elems) == 0 {
			return nil, pgerror.New(pgerror.IndeterminateDatatype, "cannot determine type of empty array").
				WithHint("Explicitly cast to the desired type, for example ARRAY[]::integer[].").WithPosition(n.Pos())
		}
		t, err := b.commonType(elems, "ARRAY", n.Pos())
		if err != nil {
			return nil, err
		}
		if t.Fam == types.Array {
			return nil, unsupported(n.Pos(), "multidimensional arrays are not supported")
		}
		for i := range elems {
			if elems[i], err = b.coerce(elems[i], t, n.Elems[i].Pos()); err != nil {
				return nil, err
			}
		}
		return &expr.ArrayCtor{Elems: elems, T: types.ArrayOf(t.Fam)}, nil
	case *ast.AnyAll:
		return b.bindAnyAll(n, c)
	case *ast.FieldSelect:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		return b.bindFieldSelect(x, n.Field, n.Pos())
	case *ast.Subscript:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		i, err := b.bindExpr(n.Index, c)
		if err != nil {
			return nil, err
		}
		return b.bindSubscript(x, i, n)
	case *ast.Extract:
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		field := &expr.Const{D: types.NewString(strings.ToLower(n.Field)), T: types.TText}
		return b.bindCall("extract", []expr.Expr{field, x}, n.Pos())
	}
	return nil, unsupported(e.Pos(), "expression %T is not supported", e)
}

func (b *binder) bindExprs(es []ast.Expr, c *exprCtx) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := b.bindExpr(e, c)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// bindLiteral types a constant as PostgreSQL does: integers are int4 when
// they fit, then int8, then numeric; other numbers are numeric; strings
// stay "unknown" until their context coerces them. sign is "" or "-".
func (b *binder) bindLiteral(n *ast.Literal, sign string) (expr.Expr, error) {
	switch n.Kind {
	case ast.LitNull:
		return &expr.Const{D: types.Null, T: types.TUnknown}, nil
	case ast.LitBool:
		v := strings.EqualFold(n.Value, "true") || strings.EqualFold(n.Value, "t")
		return &expr.Const{D: types.NewBool(v), T: types.TBool}, nil
	case ast.LitInt:
		if i, err := strconv.ParseInt(sign+n.Value, 10, 64); err == nil {
			if i >= -1<<31 && i < 1<<31 {
				return &expr.Const{D: types.NewInt(i), T: types.TInt4}, nil
			}
			return &expr.Const{D: types.NewInt(i), T: types.TInt8}, nil
		}
		fallthrough
	case ast.LitDecimal, ast.LitFloat:
		d, _, err := apd.NewFromString(sign + n.Value)
		if err != nil {
			return nil, pgerror.Newf(pgerror.InvalidTextRepresentation,
				"invalid input syntax for type numeric: %q", sign+n.Value).WithPosition(n.Pos())
		}
		return &expr.Const{D: types.NewDecimal(d), T: types.TNumeric}, nil
	case ast.LitString:
		return &expr.Const{D: types.NewString(n.Value), T: types.TUnknown}, nil
	case ast.LitTyped:
		d, err := types.ParseText(n.Value, n.Type)
		if err != nil {
			return nil, withPos(err, n.Pos())
		}
		return &expr.Const{D: d, T: n.Type}, nil
	case ast.LitInterval:
		text := n.Value
		if n.Unit != "" && !strings.Contains(n.Unit, " ") {
			text += " " + strings.ToLower(n.Unit)
		}
		d, err := types.ParseText(text, types.TInterval)
		if err != nil {
			return nil, withPos(err, n.Pos())
		}
		if sign == "-" {
			v := d.Interval()
			d = types.NewInterval(types.IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros})
		}
		return &expr.Const{D: d, T: types.TInterval}, nil
	}
	return nil, unsupported(n.Pos(), "literal kind %d is not supported", n.Kind)
}

func (b *binder) bindParam(n *ast.Param) (expr.Expr, error) {
	if n.Index < 1 || n.Index > 65535 {
		return nil, pgerror.Newf(pgerror.UndefinedParameter, "there is no parameter $%d", n.Index).WithPosition(n.Pos())
	}
	idx := n.Index - 1
	for len(b.params) <= idx {
		b.params = append(b.params, types.TUnknown)
	}
	p := &expr.Param{Idx: idx, T: b.params[idx]}
	if p.T.Fam == types.Unknown {
		b.paramRefs[idx] = append(b.paramRefs[idx], p)
	}
	return p, nil
}

// setParamType fixes the type of an untyped parameter, for every reference
// to it bound so far.
func (b *binder) setParamType(idx int, t types.T) {
	b.params[idx] = t
	for _, p := range b.paramRefs[idx] {
		p.T = t
	}
	delete(b.paramRefs, idx)
}

// finishParams gives every parameter that no context typed the type text,
// as PostgreSQL does for untyped parameters that reach output.
func (b *binder) finishParams() []types.T {
	for i, t := range b.params {
		if t.Fam == types.Unknown {
			b.setParamType(i, types.TText)
		}
	}
	return b.params
}

func (b *binder) bindUnary(n *ast.UnaryExpr, c *exprCtx) (expr.Expr, error) {
	op := strings.ToUpper(n.Op)
	if lit, ok := n.Expr.(*ast.Literal); ok && op == "-" {
		switch lit.Kind {
		case ast.LitInt, ast.LitDecimal, ast.LitFloat, ast.LitInterval:
			return b.bindLiteral(lit, "-")
		}
	}
	x, err := b.bindExpr(n.Expr, c)
	if err != nil {
		return nil, err
	}
	switch op {
	case "NOT":
		if x, err = b.coerceBool(x, "NOT", n.Expr.Pos()); err != nil {
			return nil, err
		}
		return &expr.Not{E: x}, nil
	case "+":
		if !x.Type().IsNumeric() && x.Type().Fam != types.Interval {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "operator does not exist: + %s", x.Type()).WithPosition(n.Pos())
		}
		return x, nil
	}
	return b.bindCall(op, []expr.Expr{x}, n.Pos())
}

func (b *binder) bindBinary(n *ast.BinaryExpr, c *exprCtx) (expr.Expr, error) {
	op := strings.ToUpper(n.Op)
	switch op {
	case "AND", "OR":
		l, err := b.bindExpr(n.Left, c)
		if err != nil {
			return nil, err
		}
		if l, err = b.coerceBool(l, op, n.Left.Pos()); err != nil {
			return nil, err
		}
		r, err := b.bindExpr(n.Right, c)
		if err != nil {
			return nil, err
		}
		if r, err = b.coerceBool(r, op, n.Right.Pos()); err != nil {
			return nil, err
		}
		// Flatten chains so a long WHERE a AND b AND c is one node.
		var args []expr.Expr
		for _, x := range []expr.Expr{l, r} {
			switch y := x.(type) {
			case *expr.And:
				if op == "AND" {
					args = append(args, y.Args...)
					continue
				}
			case *expr.Or:
				if op == "OR" {
					args = append(args, y.Args...)
					continue
				}
			}
			args = append(args, x)
		}
		if op == "AND" {
			return &expr.And{Args: args}, nil
		}
		return &expr.Or{Args: args}, nil
	case "!=":
		op = "<>"
	}
	l, err := b.bindExpr(n.Left, c)
	if err != nil {
		return nil, err
	}
	r, err := b.bindExpr(n.Right, c)
	if err != nil {
		return nil, err
	}
	return b.bindOp(strings.ToLower(op), l, r, n.Pos())
}

// bindOp resolves a binary operator over bound operands.
func (b *binder) bindOp(op string, l, r expr.Expr, pos int) (expr.Expr, error) {
	return b.bindCall(op, []expr.Expr{l, r}, pos)
}

// bindCall resolves a scalar function or operator and coerces its
// arguments to the chosen overload.
func (b *binder) bindCall(name string, args []expr.Expr, pos int) (expr.Expr, error) {
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	fn, want, err := expr.ResolveFunc(name, ts)
	if err != nil {
		return nil, withPos(err, pos)
	}
	for i := range args {
		if i < len(want) {
			if args[i], err = b.coerce(args[i], want[i], pos); err != nil {
				return nil, err
			}
		}
	}
	return &expr.Call{Fn: fn, Args: args}, nil
}

// bindComparisonPair binds two operands and coerces them to the types the
// "=" operator would compare them as.
func (b *binder) bindComparisonPair(le, re ast.Expr, c *exprCtx, pos int) (expr.Expr, expr.Expr, error) {
	l, err := b.bindExpr(le, c)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.bindExpr(re, c)
	if err != nil {
		return nil, nil, err
	}
	call, err := b.bindOp("=", l, r, pos)
	if err != nil {
		return nil, nil, err
	}
	args := call.(*expr.Call).Args
	return args[0], args[1], nil
}

func (b *binder) bindIn(n *ast.InList, c *exprCtx) (expr.Expr, error) {
	if n.Query != nil {
		x, err := b.bindExpr(n.Expr, c)
		if err != nil {
			return nil, err
		}
		return b.bindInSubquery(x, n.Query, n.Not, c, n.Pos())
	}
	x, err := b.bindExpr(n.Expr, c)
	if err != nil {
		return nil, err
	}
	list, err := b.bindExprs(n.List, c)
	if err != nil {
		return nil, err
	}
	t, err := b.commonType(append([]expr.Expr{x}, list...), "IN", n.Pos())
	if err != nil {
		return nil, err
	}
	if x, err = b.coerce(x, t, n.Expr.Pos()); err != nil {
		return nil, err
	}
	for i := range list {
		if list[i], err = b.coerce(list[i], t, n.List[i].Pos()); err != nil {
			return nil, err
		}
	}
	// Check that the type has an equality operator, as PostgreSQL does.
	if _, _, err := expr.ResolveFunc("=", []types.T{t, t}); err != nil {
		return nil, withPos(err, n.Pos())
	}
	return &expr.InList{E: x, List: list, Negate: n.Not}, nil
}

func (b *binder) bindCase(n *ast.CaseExpr, c *exprCtx) (expr.Expr, error) {
	var operand expr.Expr
	var err error
	if n.Operand != nil {
		if operand, err = b.bindExpr(n.Operand, c); err != nil {
			return nil, err
		}
	}
	whens := make([]expr.When, len(n.Whens))
	results := make([]expr.Expr, 0, len(n.Whens)+1)
	for i, w := range n.Whens {
		cond, err := b.bindExpr(w.Cond, c)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			// A simple CASE compares the operand with each WHEN value.
			if cond, err = b.bindOp("=", operand, cond, w.Cond.Pos()); err != nil {
				return nil, err
			}
		} else if cond, err = b.coerceBool(cond, "CASE/WHEN", w.Cond.Pos()); err != nil {
			return nil, err
		}
		res, err := b.bindExpr(w.Result, c)
		if err != nil {
			return nil, err
		}
		whens[i] = expr.When{Cond: cond, Result: res}
		results = append(results, res)
	}
	var els expr.Expr
	if n.Else != nil {
		if els, err = b.bindExpr(n.Else, c); err != nil {
			return nil, err
		}
		results = append(results, els)
	}
	t, err := b.commonType(results, "CASE", n.Pos())
	if err != nil {
		return nil, err
	}
	for i := range whens {
		if whens[i].Result, err = b.coerce(whens[i].Result, t, n.Whens[i].Result.Pos()); err != nil {
			return nil, err
		}
	}
	if els != nil {
		if els, err = b.coerce(els, t, n.Else.Pos()); err != nil {
			return nil, err
		}
	}
	return &expr.Case{Whens: whens, Else: els, T: t}, nil
}

func (b *binder) bindAnyAll(n *ast.AnyAll, c *exprCtx) (expr.Expr, error) {
	l, err := b.bindExpr(n.Left, c)
	if err != nil {
		return nil, err
	}
	op := strings.ToLower(n.Op)
	if op == "!=" {
		op = "<>"
	}
	if n.Query != nil {
		switch {
		case op == "=" && !n.All:
			return b.bindInSubquery(l, n.Query, false, c, n.Pos())
		case op == "<>" && n.All:
			return b.bindInSubquery(l, n.Query, true, c, n.Pos())
		}
		return nil, unsupported(n.Pos(), "%s %s (subquery) is not supported", n.Op, map[bool]string{true: "ALL", false: "ANY"}[n.All])
	}
	arr, err := b.bindExpr(n.Array, c)
	if err != nil {
		return nil, err
	}
	at := arr.Type()
	if at.Fam == types.Unknown {
		// An untyped '{1,2}' takes the array type of the left operand.
		at = types.ArrayOf(l.Type().Fam)
		if arr, err = b.coerce(arr, at, n.Array.Pos()); err != nil {
			return nil, err
		}
	}
	if at.Fam != types.Array {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "op ANY/ALL (array) requires array on right side").WithPosition(n.Pos())
	}
	elem := types.T{Fam: at.Elem, Mod: -1}
	fn, want, err := expr.ResolveFunc(op, []types.T{l.Type(), elem})
	if err != nil {
		return nil, withPos(err, n.Pos())
	}
	if fn.Ret.Fam != types.Bool {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "op ANY/ALL (array) requires operator to yield boolean").WithPosition(n.Pos())
	}
	if l, err = b.coerce(l, want[0], n.Left.Pos()); err != nil {
		return nil, err
	}
	if want[1] != elem {
		if arr, err = b.coerce(arr, types.ArrayOf(want[1].Fam), n.Array.Pos()); err != nil {
			return nil, err
		}
	}
	return &expr.AnyAll{L: l, R: arr, Fn: fn, All: n.All}, nil
}

func (b *binder) bindFunc(f *ast.FuncCall, c *exprCtx) (expr.Expr, error) {
	name := strings.ToLower(f.Name)
	switch schema := strings.ToLower(f.Schema); schema {
	case "", "pg_catalog":
	case "information_schema":
		// information_schema's helper functions (_pg_expandarray ...) are
		// registered under their qualified names.
		name = schema + "." + name
	default:
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s.%s does not exist", f.Schema, name).WithPosition(f.Pos())
	}
	if f.Over != nil {
		return b.bindWindowFunc(f, c)
	}
	if expr.IsAggregate(name) {
		return b.bindAgg(f, name, c)
	}
	if f.Distinct || f.Filter != nil || len(f.OrderBy) > 0 {
		what := "DISTINCT"
		if f.Filter != nil {
			what = "FILTER"
		} else if len(f.OrderBy) > 0 {
			what = "ORDER BY"
		}
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%s specified, but %s is not an aggregate function", what, name).WithPosition(f.Pos())
	}
	if f.Star {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%s(*) specified, but %s is not an aggregate function", name, name).WithPosition(f.Pos())
	}
	if expr.IsSetReturning(name) {
		return b.bindSRF(f, name, c)
	}
	args, err := b.bindExprs(f.Args, c)
	if err != nil {
		return nil, err
	}
	switch name {
	case "coalesce":
		if len(args) == 0 {
			return nil, pgerror.New(pgerror.SyntaxError, "syntax error at or near \")\"").WithPosition(f.Pos())
		}
		t, err := b.commonType(args, "COALESCE", f.Pos())
		if err != nil {
			return nil, err
		}
		for i := range args {
			if args[i], err = b.coerce(args[i], t, f.Args[i].Pos()); err != nil {
				return nil, err
			}
		}
		return &expr.Coalesce{Args: args, T: t}, nil
	case "nullif":
		if len(args) != 2 {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function nullif() requires two arguments").WithPosition(f.Pos())
		}
		eq, err := b.bindOp("=", args[0], args[1], f.Pos())
		if err != nil {
			return nil, err
		}
		l := eq.(*expr.Call).Args[0]
		return &expr.Case{
			Whens: []expr.When{{Cond: eq, Result: &expr.Const{D: types.Null, T: l.Type()}}},
			Else:  l,
			T:     l.Type(),
		}, nil
	}
	return b.bindCall(name, args, f.Pos())
}

func (b *binder) bindAgg(f *ast.FuncCall, name string, c *exprCtx) (expr.Expr, error) {
	if !c.allowAgg {
		if c.inAgg {
			return nil, pgerror.New(pgerror.GroupingError, "aggregate function calls cannot be nested").WithPosition(f.Pos())
		}
		return nil, pgerror.Newf(pgerror.GroupingError, "aggregate functions are not allowed in %s", c.clause).WithPosition(f.Pos())
	}
	if len(f.OrderBy) > 0 && b.stream {
		return nil, unsupported(f.Pos(), "ORDER BY in aggregate %s is not supported in materialized views", name)
	}
	ac := &exprCtx{sc: c.sc, clause: "aggregate function calls", q: c.q, inAgg: true}
	var order []aggOrderKey
	for _, o := range f.OrderBy {
		e, err := b.bindExpr(o.Expr, ac)
		if err != nil {
			return nil, err
		}
		if e.Type().Fam == types.Unknown {
			if e, err = b.coerce(e, types.TText, o.Expr.Pos()); err != nil {
				return nil, err
			}
		}
		// PostgreSQL sorts NULLs as larger than any value by default.
		nullsFirst := o.Desc
		if o.NullsFirst != nil {
			nullsFirst = *o.NullsFirst
		}
		order = append(order, aggOrderKey{e: e, desc: o.Desc, nullsFirst: nullsFirst})
	}
	var args []expr.Expr
	var argTypes []types.T
	if !f.Star {
		if len(f.Args) == 0 {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s() does not exist", name).WithPosition(f.Pos())
		}
		var err error
		if args, err = b.bindExprs(f.Args, ac); err != nil {
			return nil, err
		}
		for i, a := range args {
			if containsSRF(a) {
				return nil, unsupported(f.Args[i].Pos(), "aggregate function calls cannot contain set-returning function calls")
			}
			if len(args) > 1 && a.Type().Fam == types.Unknown {
				if args[i], err = b.coerce(a, types.TText, f.Args[i].Pos()); err != nil {
					return nil, err
				}
			}
			argTypes = append(argTypes, args[i].Type())
		}
	}
	fn, err := expr.ResolveAgg(name, argTypes, f.Distinct)
	if err != nil {
		return nil, withPos(err, f.Pos())
	}
	// One argument is passed as is; several (string_agg(value, delimiter))
	// travel as one array datum per row, as AggFunc.Args documents.
	var arg expr.Expr
	switch len(args) {
	case 0:
	case 1:
		arg = args[0]
		if fn.Arg.Fam != types.Unknown {
			if arg, err = b.coerce(arg, fn.Arg, f.Args[0].Pos()); err != nil {
				return nil, err
			}
		}
	default:
		arg = &expr.ArrayCtor{Elems: args, T: types.TRecord}
	}
	var filter expr.Expr
	if f.Filter != nil {
		if filter, err = b.bindExpr(f.Filter, ac); err != nil {
			return nil, err
		}
		if filter, err = b.coerceBool(filter, "FILTER", f.Filter.Pos()); err != nil {
			return nil, err
		}
	}
	display := name + "("
	if f.Distinct {
		display += "DISTINCT "
	}
	if f.Star {
		display += "*"
	} else {
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = exprString(a)
		}
		display += strings.Join(parts, ", ")
	}
	display += ")"
	if filter != nil {
		display += " FILTER (WHERE " + exprString(filter) + ")"
	}
	if len(order) > 0 {
		fn, arg = orderedAgg(fn, arg, order)
	}
	key := name + "|" + strconv.FormatBool(f.Distinct) + "|" + exprKey(arg) + "|" + exprKey(filter) + "|" + aggOrderSignature(order)
	for i, a := range c.q.aggs {
		if a.key == key {
			return &aggRef{idx: i, T: a.fn.Ret, name: a.name}, nil
		}
	}
	c.q.aggs = append(c.q.aggs, &aggEntry{fn: fn, arg: arg, filter: filter, name: display, key: key, order: order})
	return &aggRef{idx: len(c.q.aggs) - 1, T: fn.Ret, name: display}, nil
}

func (b *binder) bindSRF(f *ast.FuncCall, name string, c *exprCtx) (expr.Expr, error) {
	if !c.allowSRF {
		return nil, unsupported(f.Pos(), "set-returning functions are not allowed in %s", c.clause)
	}
	args, err := b.bindExprs(f.Args, c)
	if err != nil {
		return nil, err
	}
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	fn, want, ok, err := expr.ResolveSetFunc(name, ts)
	if err != nil {
		return nil, withPos(err, f.Pos())
	}
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s does not exist", name).WithPosition(f.Pos())
	}
	level := 1
	for i := range args {
		if i < len(want) {
			if args[i], err = b.coerce(args[i], want[i], f.Args[i].Pos()); err != nil {
				return nil, err
			}
		}
		WalkExpr(args[i], func(n expr.Expr) bool {
			if s, ok := n.(*srfRef); ok && s.level+1 > level {
				level = s.level + 1
			}
			return true
		})
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = exprString(a)
	}
	display := name + "(" + strings.Join(parts, ", ") + ")"
	c.q.srfs = append(c.q.srfs, &srfEntry{fn: fn, args: args, level: level, name: display})
	return &srfRef{idx: len(c.q.srfs) - 1, level: level, T: fn.Ret, name: display}, nil
}

func containsSRF(e expr.Expr) bool {
	found := false
	WalkExpr(e, func(n expr.Expr) bool {
		if _, ok := n.(*srfRef); ok {
			found = true
		}
		return !found
	})
	return found
}

func containsAgg(e expr.Expr) bool {
	found := false
	WalkExpr(e, func(n expr.Expr) bool {
		if _, ok := n.(*aggRef); ok {
			found = true
		}
		return !found
	})
	return found
}

// coerce converts e to type t for a context that requires t: untyped
// literals are parsed as t, untyped parameters take t, anything else gets
// a cast (the caller has checked that the conversion is allowed).
func (b *binder) coerce(e expr.Expr, t types.T, pos int) (expr.Expr, error) {
	et := e.Type()
	if et == t || t.Fam == types.Unknown {
		return e, nil
	}
	switch n := e.(type) {
	case *expr.Const:
		if et.Fam == types.Unknown {
			if n.D.IsNull() {
				return &expr.Const{D: types.Null, T: t}, nil
			}
			if rt, ok := regTypeByFamily(t.Fam); ok {
				if x, done, err := b.regInput(e, rt, pos); done {
					return x, err
				}
			}
			d, err := types.ParseText(n.D.Str(), t)
			if err != nil {
				return nil, withPos(err, pos)
			}
			return &expr.Const{D: d, T: t}, nil
		}
	case *expr.Param:
		if et.Fam == types.Unknown {
			b.setParamType(n.Idx, t)
			return n, nil
		}
	}
	if et.Fam == t.Fam && et.Elem == t.Elem && t.Mod < 0 {
		return e, nil // only a type modifier differs: nothing to convert
	}
	return &expr.CastExpr{E: e, T: t}, nil
}

// castTo applies an explicit CAST.
func (b *binder) castTo(e expr.Expr, t types.T, pos int) (expr.Expr, error) {
	et := e.Type()
	if et == t {
		return e, nil
	}
	if et.Fam == types.Unknown {
		return b.coerce(e, t, pos)
	}
	if rt, ok := regTypeByFamily(t.Fam); ok && et.IsString() {
		if x, done, err := b.regInput(e, rt, pos); done {
			return x, err
		}
	}
	if t.IsString() {
		if x, ok := regOutput(e); ok {
			return b.castTo(x, t, pos)
		}
	}
	return &expr.CastExpr{E: e, T: t}, nil
}

// coerceBool requires a boolean, as the argument of clause.
func (b *binder) coerceBool(e expr.Expr, clause string, pos int) (expr.Expr, error) {
	switch e.Type().Fam {
	case types.Bool:
		return e, nil
	case types.Unknown:
		return b.coerce(e, types.TBool, pos)
	}
	return nil, pgerror.Newf(pgerror.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, e.Type()).WithPosition(pos)
}

// typeCategory groups families the way pg_type.typcategory does, for
// choosing a common type.
func typeCategory(f types.Family) byte {
	switch f {
	case types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Oid:
		return 'N'
	case types.Text, types.Varchar, types.Name, types.Char:
		return 'S'
	case types.Timestamp, types.Timestamptz, types.Date:
		return 'D'
	case types.Bool:
		return 'B'
	case types.Interval:
		return 'T'
	case types.Json, types.Jsonb:
		return 'U'
	case types.Array:
		return 'A'
	}
	return 'X'
}

// numericRank orders numeric families by PostgreSQL's implicit casts.
var numericRank = map[types.Family]int{
	types.Int2: 1, types.Int4: 2, types.Oid: 2, types.Int8: 3, types.Numeric: 4, types.Float4: 5, types.Float8: 6,
}

var dateRank = map[types.Family]int{types.Date: 1, types.Timestamp: 2, types.Timestamptz: 3}

// commonType is PostgreSQL's select_common_type: the type that the values
// of a CASE, COALESCE, IN list, ARRAY, UNION or VALUES column resolve to.
func (b *binder) commonType(es []expr.Expr, what string, pos int) (types.T, error) {
	ts := make([]types.T, len(es))
	for i, e := range es {
		ts[i] = e.Type()
	}
	return commonTypeOf(ts, what, pos)
}

func commonTypeOf(ts []types.T, what string, pos int) (types.T, error) {
	res := types.TUnknown
	for _, t := range ts {
		if t.Fam == types.Unknown {
			continue
		}
		if res.Fam == types.Unknown {
			res = t
			continue
		}
		if t.Fam == res.Fam && t.Elem == res.Elem {
			if t.Mod != res.Mod {
				res.Mod = -1
			}
			continue
		}
		rc, tc := typeCategory(res.Fam), typeCategory(t.Fam)
		if rc != tc || rc == 'X' || rc == 'A' || rc == 'B' || rc == 'T' {
			return types.T{}, pgerror.Newf(pgerror.DatatypeMismatch, "%s types %s and %s cannot be matched", what, res, t).WithPosition(pos)
		}
		switch rc {
		case 'N':
			if numericRank[t.Fam] > numericRank[res.Fam] {
				res = types.T{Fam: t.Fam, Mod: -1}
			} else {
				res.Mod = -1
			}
		case 'S':
			res = types.TText
		case 'D':
			if dateRank[t.Fam] > dateRank[res.Fam] {
				res = types.T{Fam: t.Fam, Mod: -1}
			}
		case 'U':
			res = types.TJsonb
		}
	}
	if res.Fam == types.Unknown {
		return types.TText, nil
	}
	return res, nil
}

// bindSubscript binds arr[i]: the element at the 1-based position i, NULL
// when out of range, as in PostgreSQL.
func (b *binder) bindSubscript(x, i expr.Expr, n *ast.Subscript) (expr.Expr, error) {
	at := x.Type()
	if at.Fam != types.Array {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch,
			"cannot subscript type %s because it does not support subscripting", at).WithPosition(n.Pos())
	}
	switch {
	case i.Type().Fam == types.Unknown || i.Type().Fam == types.Int2 || i.Type().Fam == types.Int8:
		var err error
		if i, err = b.coerce(i, types.TInt4, n.Index.Pos()); err != nil {
			return nil, err
		}
	case i.Type().Fam != types.Int4:
		return nil, pgerror.New(pgerror.DatatypeMismatch, "array subscript must have type integer").WithPosition(n.Index.Pos())
	}
	fn := &expr.Func{
		Name:   "array_subscript",
		Args:   []types.T{at, types.TInt4},
		Ret:    at.ElemType(),
		Strict: true,
		Eval: func(_ *expr.Ctx, args []types.Datum) (types.Datum, error) {
			elems, k := args[0].Array(), args[1].Int()
			if k < 1 || k > int64(len(elems)) {
				return types.Null, nil
			}
			return elems[k-1], nil
		},
	}
	return &expr.Call{Fn: fn, Args: []expr.Expr{x, i}}, nil
}

// aggOrderSignature identifies an aggregate ORDER BY list.
func aggOrderSignature(order []aggOrderKey) string {
	var b strings.Builder
	for _, k := range order {
		b.WriteString(exprKey(k.e))
		fmt.Fprintf(&b, ":%v:%v;", k.desc, k.nullsFirst)
	}
	return b.String()
}
