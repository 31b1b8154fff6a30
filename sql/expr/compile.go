package expr

import (
	"fmt"
	"math"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Compile turns a bound expression into an evaluator, once per query.
// Constant subtrees are folded first (so errors in them, like 1/0, are
// reported here, as PostgreSQL reports them at planning time), constant
// patterns of LIKE and regular expressions are compiled once per call
// site, and each node becomes a closure: evaluating a row never walks the
// tree, and calls allocate nothing for fixed-size values.
//
// The returned Eval holds no mutable state and may be shared between
// goroutines, each with its own Ctx.
func Compile(e Expr) (Eval, error) {
	f, err := Fold(e)
	if err != nil {
		return nil, err
	}
	return compile(f)
}

func compile(e Expr) (Eval, error) {
	switch n := e.(type) {
	case *ColRef:
		idx := n.Idx
		return func(_ *Ctx, row types.Row) (types.Datum, error) { return row[idx], nil }, nil
	case *Const:
		d := n.D
		return func(*Ctx, types.Row) (types.Datum, error) { return d, nil }, nil
	case *Param:
		idx := n.Idx
		return func(ctx *Ctx, _ types.Row) (types.Datum, error) {
			if idx < 0 || idx >= len(ctx.Params) {
				return types.Null, pgerror.Newf(pgerror.UndefinedParameter, "there is no parameter $%d", idx+1)
			}
			return ctx.Params[idx], nil
		}, nil
	case *Call:
		return compileCall(n)
	case *CastExpr:
		return compileCast(n)
	case *And:
		return compileAndOr(n.Args, true)
	case *Or:
		return compileAndOr(n.Args, false)
	case *Not:
		ev, err := compile(n.E)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			d, err := ev(ctx, row)
			if err != nil || d.K == types.KNull {
				return d, err
			}
			return types.NewBool(d.I == 0), nil
		}, nil
	case *IsNull:
		ev, err := compile(n.E)
		if err != nil {
			return nil, err
		}
		neg := n.Negate
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			d, err := ev(ctx, row)
			if err != nil {
				return d, err
			}
			return types.NewBool((d.K == types.KNull) != neg), nil
		}, nil
	case *IsBool:
		ev, err := compile(n.E)
		if err != nil {
			return nil, err
		}
		want, neg := n.Value, n.Negate
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			d, err := ev(ctx, row)
			if err != nil {
				return d, err
			}
			is := d.K != types.KNull && (d.I != 0) == want
			return types.NewBool(is != neg), nil
		}, nil
	case *DistinctFrom:
		l, err := compile(n.L)
		if err != nil {
			return nil, err
		}
		r, err := compile(n.R)
		if err != nil {
			return nil, err
		}
		neg := n.Negate
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			a, err := l(ctx, row)
			if err != nil {
				return a, err
			}
			b, err := r(ctx, row)
			if err != nil {
				return b, err
			}
			var distinct bool
			switch {
			case a.K == types.KNull || b.K == types.KNull:
				distinct = a.K != b.K
			default:
				distinct = !equalDatum(a, b)
			}
			return types.NewBool(distinct != neg), nil
		}, nil
	case *InList:
		return compileInList(n)
	case *Case:
		return compileCase(n)
	case *Coalesce:
		evs, err := compileAll(n.Args)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			for _, ev := range evs {
				d, err := ev(ctx, row)
				if err != nil || d.K != types.KNull {
					return d, err
				}
			}
			return types.Null, nil
		}, nil
	case *ArrayCtor:
		evs, err := compileAll(n.Elems)
		if err != nil {
			return nil, err
		}
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			out := make([]types.Datum, len(evs))
			for i, ev := range evs {
				d, err := ev(ctx, row)
				if err != nil {
					return d, err
				}
				out[i] = d
			}
			return types.NewArray(out), nil
		}, nil
	case *AnyAll:
		return compileAnyAll(n)
	case nil:
		return nil, pgerror.New(pgerror.InternalError, "compile: nil expression")
	}
	return nil, pgerror.Newf(pgerror.InternalError, "compile: unsupported expression %T", e)
}

func compileAll(es []Expr) ([]Eval, error) {
	out := make([]Eval, len(es))
	for i, e := range es {
		ev, err := compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// compileCall evaluates the arguments onto the Ctx's argument stack and
// calls the function on that window of the stack, so no call allocates an
// argument slice once the stack has grown to the expression's depth.
func compileCall(n *Call) (Eval, error) {
	if n.Fn == nil {
		return nil, pgerror.New(pgerror.InternalError, "compile: call without function")
	}
	fn := n.Fn.Eval
	if n.Fn.specialize != nil {
		consts := make([]*types.Datum, len(n.Args))
		for i, a := range n.Args {
			if c, ok := a.(*Const); ok {
				d := c.D
				consts[i] = &d
			}
		}
		if s := n.Fn.specialize(consts); s != nil {
			fn = s
		}
	}
	if fn == nil {
		return nil, pgerror.Newf(pgerror.InternalError, "function %s has no implementation", n.Fn.Name)
	}
	evs, err := compileAll(n.Args)
	if err != nil {
		return nil, err
	}
	strict := n.Fn.Strict
	switch len(evs) {
	case 0:
		return func(ctx *Ctx, _ types.Row) (types.Datum, error) { return fn(ctx, nil) }, nil
	case 1:
		e0 := evs[0]
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			a, err := e0(ctx, row)
			if err != nil {
				return a, err
			}
			if strict && a.K == types.KNull {
				return types.Null, nil
			}
			base := len(ctx.stack)
			ctx.stack = append(ctx.stack, a)
			r, err := fn(ctx, ctx.stack[base:])
			ctx.pop(base)
			return r, err
		}, nil
	case 2:
		e0, e1 := evs[0], evs[1]
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			a, err := e0(ctx, row)
			if err != nil {
				return a, err
			}
			if strict && a.K == types.KNull {
				return types.Null, nil
			}
			base := len(ctx.stack)
			ctx.stack = append(ctx.stack, a)
			b, err := e1(ctx, row)
			if err != nil || (strict && b.K == types.KNull) {
				ctx.pop(base)
				return types.Null, err
			}
			ctx.stack = append(ctx.stack, b)
			r, err := fn(ctx, ctx.stack[base:])
			ctx.pop(base)
			return r, err
		}, nil
	}
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		base := len(ctx.stack)
		for _, ev := range evs {
			d, err := ev(ctx, row)
			if err != nil || (strict && d.K == types.KNull) {
				ctx.pop(base)
				return types.Null, err
			}
			ctx.stack = append(ctx.stack, d)
		}
		r, err := fn(ctx, ctx.stack[base:])
		ctx.pop(base)
		return r, err
	}, nil
}

// callFunc calls a function outside a compiled Call (ANY/ALL, Fold),
// through the same argument stack.
func callFunc(ctx *Ctx, f evalFunc, args ...types.Datum) (types.Datum, error) {
	base := len(ctx.stack)
	ctx.stack = append(ctx.stack, args...)
	r, err := f(ctx, ctx.stack[base:])
	ctx.pop(base)
	return r, err
}

// compileAndOr implements three-valued AND (and=true) and OR with
// short-circuit: AND stops at the first FALSE, OR at the first TRUE; a
// NULL operand makes the result NULL only if no operand decides it.
func compileAndOr(args []Expr, and bool) (Eval, error) {
	evs, err := compileAll(args)
	if err != nil {
		return nil, err
	}
	stop := int64(0) // AND stops at false
	if !and {
		stop = 1
	}
	if len(evs) == 2 {
		e0, e1 := evs[0], evs[1]
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			a, err := e0(ctx, row)
			if err != nil {
				return a, err
			}
			if a.K != types.KNull && a.I == stop {
				return a, nil
			}
			b, err := e1(ctx, row)
			if err != nil {
				return b, err
			}
			if b.K != types.KNull && b.I == stop {
				return b, nil
			}
			if a.K == types.KNull || b.K == types.KNull {
				return types.Null, nil
			}
			return types.NewBool(stop == 0), nil
		}, nil
	}
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		sawNull := false
		for _, ev := range evs {
			d, err := ev(ctx, row)
			if err != nil {
				return d, err
			}
			if d.K == types.KNull {
				sawNull = true
				continue
			}
			if d.I == stop {
				return d, nil
			}
		}
		if sawNull {
			return types.Null, nil
		}
		return types.NewBool(stop == 0), nil
	}, nil
}

func compileCase(n *Case) (Eval, error) {
	conds := make([]Eval, len(n.Whens))
	results := make([]Eval, len(n.Whens))
	for i, w := range n.Whens {
		var err error
		if conds[i], err = compile(w.Cond); err != nil {
			return nil, err
		}
		if results[i], err = compile(w.Result); err != nil {
			return nil, err
		}
	}
	var els Eval
	if n.Else != nil {
		var err error
		if els, err = compile(n.Else); err != nil {
			return nil, err
		}
	}
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		for i, c := range conds {
			d, err := c(ctx, row)
			if err != nil {
				return d, err
			}
			if d.K == types.KBool && d.I != 0 {
				return results[i](ctx, row)
			}
		}
		if els == nil {
			return types.Null, nil
		}
		return els(ctx, row)
	}, nil
}

// compileInList evaluates `e IN (list)`: TRUE when some element equals e,
// otherwise NULL when e or some element is NULL, otherwise FALSE. Lists of
// integer or string constants become a hash set.
func compileInList(n *InList) (Eval, error) {
	ev, err := compile(n.E)
	if err != nil {
		return nil, err
	}
	neg := n.Negate
	finish := func(found, sawNull bool) types.Datum {
		switch {
		case found:
			return types.NewBool(!neg)
		case sawNull:
			return types.Null
		}
		return types.NewBool(neg)
	}
	if set := constSet(n); set != nil {
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			d, err := ev(ctx, row)
			if err != nil || d.K == types.KNull {
				return types.Null, err
			}
			return finish(set.has(d), set.hasNull), nil
		}, nil
	}
	items, err := compileAll(n.List)
	if err != nil {
		return nil, err
	}
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		d, err := ev(ctx, row)
		if err != nil || d.K == types.KNull {
			return types.Null, err
		}
		sawNull := false
		for _, it := range items {
			v, err := it(ctx, row)
			if err != nil {
				return v, err
			}
			if v.K == types.KNull {
				sawNull = true
				continue
			}
			if equalDatum(d, v) {
				return finish(true, false), nil
			}
		}
		return finish(false, sawNull), nil
	}, nil
}

type inSet struct {
	ints    map[int64]struct{}
	strs    map[string]struct{}
	kind    types.Kind
	hasNull bool
}

func (s *inSet) has(d types.Datum) bool {
	if d.K != s.kind {
		return false
	}
	if s.ints != nil {
		_, ok := s.ints[d.I]
		return ok
	}
	_, ok := s.strs[d.S]
	return ok
}

// constSet builds a hash set when every list element is a constant of the
// same integer-like or string kind as the tested expression.
func constSet(n *InList) *inSet {
	if len(n.List) < 4 {
		return nil
	}
	kind := n.E.Type().Kind()
	if kind != types.KInt && kind != types.KString && kind != types.KDate && kind != types.KTime {
		return nil
	}
	s := &inSet{kind: kind}
	if kind == types.KString {
		s.strs = make(map[string]struct{}, len(n.List))
	} else {
		s.ints = make(map[int64]struct{}, len(n.List))
	}
	for _, it := range n.List {
		c, ok := it.(*Const)
		if !ok {
			return nil
		}
		switch {
		case c.D.K == types.KNull:
			s.hasNull = true
		case c.D.K != kind:
			return nil
		case s.strs != nil:
			s.strs[c.D.S] = struct{}{}
		default:
			s.ints[c.D.I] = struct{}{}
		}
	}
	return s
}

// compileAnyAll evaluates `l op ANY|ALL (array)` with SQL NULL rules: an
// empty array gives FALSE for ANY and TRUE for ALL whatever l is.
func compileAnyAll(n *AnyAll) (Eval, error) {
	if n.Fn == nil || n.Fn.Eval == nil {
		return nil, pgerror.New(pgerror.InternalError, "compile: ANY/ALL without operator")
	}
	l, err := compile(n.L)
	if err != nil {
		return nil, err
	}
	r, err := compile(n.R)
	if err != nil {
		return nil, err
	}
	fn := n.Fn.Eval
	if n.Fn.specialize != nil {
		if s := n.Fn.specialize(make([]*types.Datum, 2)); s != nil {
			fn = s
		}
	}
	all := n.All
	strict := n.Fn.Strict
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		a, err := l(ctx, row)
		if err != nil {
			return a, err
		}
		arr, err := r(ctx, row)
		if err != nil || arr.K == types.KNull {
			return types.Null, err
		}
		elems := arr.Array()
		if len(elems) == 0 {
			return types.NewBool(all), nil
		}
		if a.K == types.KNull && strict {
			return types.Null, nil
		}
		sawNull := false
		for _, e := range elems {
			if e.K == types.KNull && strict {
				sawNull = true
				continue
			}
			res, err := callFunc(ctx, fn, a, e)
			if err != nil {
				return res, err
			}
			switch {
			case res.K == types.KNull:
				sawNull = true
			case all && res.I == 0:
				return types.NewBool(false), nil
			case !all && res.I != 0:
				return types.NewBool(true), nil
			}
		}
		if sawNull {
			return types.Null, nil
		}
		return types.NewBool(all), nil
	}, nil
}

// compileCast converts with types.Cast, bypassing it for conversions that
// need no work or only a range check.
func compileCast(n *CastExpr) (Eval, error) {
	ev, err := compile(n.E)
	if err != nil {
		return nil, err
	}
	from, to := n.E.Type(), n.T
	if conv := fastCast(from, to); conv != nil {
		if isIdentityCast(from, to) {
			return ev, nil
		}
		return func(ctx *Ctx, row types.Row) (types.Datum, error) {
			d, err := ev(ctx, row)
			if err != nil || d.K == types.KNull {
				return d, err
			}
			return conv(d)
		}, nil
	}
	return func(ctx *Ctx, row types.Row) (types.Datum, error) {
		d, err := ev(ctx, row)
		if err != nil || d.K == types.KNull {
			return d, err
		}
		return types.Cast(d, from, to)
	}, nil
}

func identity(d types.Datum) (types.Datum, error) { return d, nil }

func isIdentityCast(from, to types.T) bool {
	if sameType(from, to) && (to.Mod < 0 || from.Mod == to.Mod) {
		return true
	}
	switch {
	case from.IsInteger() && to.IsInteger():
		return numRank(from.Fam) <= numRank(to.Fam)
	case from.IsString() && (to.Fam == types.Text || (to.Fam == types.Varchar && to.Mod < 0)):
		return true
	case isTS(from) && isTS(to) && to.Mod < 0:
		return true
	}
	return false
}

// fastCast returns a conversion for casts that need no parsing or
// formatting, or nil to use types.Cast.
func fastCast(from, to types.T) func(types.Datum) (types.Datum, error) {
	if isIdentityCast(from, to) {
		return identity
	}
	switch {
	case from.IsInteger() && to.IsInteger():
		lo, hi, rangeErr := intBounds(to.Fam)
		return func(d types.Datum) (types.Datum, error) {
			if d.I < lo || d.I > hi {
				return types.Null, rangeErr
			}
			return d, nil
		}
	case from.IsInteger() && to.Fam == types.Float8:
		return func(d types.Datum) (types.Datum, error) { return types.NewFloat(float64(d.I)), nil }
	case from.IsInteger() && to.Fam == types.Float4:
		return func(d types.Datum) (types.Datum, error) { return types.NewFloat(float64(float32(d.I))), nil }
	case from.IsInteger() && to.Fam == types.Numeric && to.Mod < 0:
		return func(d types.Datum) (types.Datum, error) { return types.NewDecimal(apd.New(d.I, 0)), nil }
	case from.Fam == types.Float4 && to.Fam == types.Float8:
		return identity
	case from.Fam == types.Numeric && to.Fam == types.Float8:
		return func(d types.Datum) (types.Datum, error) {
			f := decToFloat(d.Decimal())
			if math.IsInf(f, 0) && d.Decimal().Form == apd.Finite {
				return types.Null, errFloatOver
			}
			return types.NewFloat(f), nil
		}
	case from.Fam == types.Date && isTS(to) && to.Mod < 0:
		return func(d types.Datum) (types.Datum, error) { return types.NewTime(dateToMicros(d.I)), nil }
	}
	return nil
}

// pgErrf is pgerror.Newf returning error.
func pgErrf(code, format string, args ...any) error { return pgerror.Newf(code, format, args...) }

// internalErrf reports a bug (an argument of a type a function was not
// resolved for).
func internalErrf(format string, args ...any) error {
	return pgerror.New(pgerror.InternalError, fmt.Sprintf(format, args...))
}
