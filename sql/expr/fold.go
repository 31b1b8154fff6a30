package expr

import (
	"streamsqld/sql/types"
)

// Fold evaluates constant subtrees (no ColRef, no Param, no volatile call)
// and returns the simplified expression. Errors that evaluation raises
// (division by zero, bad input) are returned, as PostgreSQL raises them
// while planning. Besides evaluating, it applies the rewrites PostgreSQL's
// eval_const_expressions does: FALSE AND x is FALSE, TRUE OR x is TRUE,
// CASE arms whose condition is constantly false or NULL are dropped, a
// strict function with a NULL constant argument is NULL. The input tree is
// not modified.
func Fold(e Expr) (Expr, error) {
	switch n := e.(type) {
	case nil, *ColRef, *Const, *Param:
		return e, nil
	case *Call:
		args, changed, err := foldList(n.Args)
		if err != nil {
			return nil, err
		}
		if n.Fn != nil && !n.Fn.Volatile {
			if n.Fn.Strict {
				for _, a := range args {
					if c, ok := a.(*Const); ok && c.D.K == types.KNull {
						return &Const{D: types.Null, T: n.Fn.Ret}, nil
					}
				}
			}
			if allConst(args) {
				return evalConst(&Call{Fn: n.Fn, Args: args})
			}
		}
		if changed {
			return &Call{Fn: n.Fn, Args: args}, nil
		}
		return n, nil
	case *CastExpr:
		x, err := Fold(n.E)
		if err != nil {
			return nil, err
		}
		if c, ok := x.(*Const); ok {
			if c.D.K == types.KNull {
				return &Const{D: types.Null, T: n.T}, nil
			}
			return evalConst(&CastExpr{E: c, T: n.T})
		}
		if x != n.E {
			return &CastExpr{E: x, T: n.T}, nil
		}
		return n, nil
	case *And:
		return foldAndOr(n.Args, true)
	case *Or:
		return foldAndOr(n.Args, false)
	case *Not:
		x, err := Fold(n.E)
		if err != nil {
			return nil, err
		}
		if _, ok := x.(*Const); ok {
			return evalConst(&Not{E: x})
		}
		if x != n.E {
			return &Not{E: x}, nil
		}
		return n, nil
	case *IsNull:
		x, err := Fold(n.E)
		if err != nil {
			return nil, err
		}
		if _, ok := x.(*Const); ok {
			return evalConst(&IsNull{E: x, Negate: n.Negate})
		}
		if x != n.E {
			return &IsNull{E: x, Negate: n.Negate}, nil
		}
		return n, nil
	case *IsBool:
		x, err := Fold(n.E)
		if err != nil {
			return nil, err
		}
		if _, ok := x.(*Const); ok {
			return evalConst(&IsBool{E: x, Value: n.Value, Negate: n.Negate})
		}
		if x != n.E {
			return &IsBool{E: x, Value: n.Value, Negate: n.Negate}, nil
		}
		return n, nil
	case *DistinctFrom:
		l, err := Fold(n.L)
		if err != nil {
			return nil, err
		}
		r, err := Fold(n.R)
		if err != nil {
			return nil, err
		}
		out := &DistinctFrom{L: l, R: r, Negate: n.Negate}
		if allConst([]Expr{l, r}) {
			return evalConst(out)
		}
		if l == n.L && r == n.R {
			return n, nil
		}
		return out, nil
	case *InList:
		x, err := Fold(n.E)
		if err != nil {
			return nil, err
		}
		list, changed, err := foldList(n.List)
		if err != nil {
			return nil, err
		}
		out := &InList{E: x, List: list, Negate: n.Negate}
		if _, ok := x.(*Const); ok && allConst(list) {
			return evalConst(out)
		}
		if !changed && x == n.E {
			return n, nil
		}
		return out, nil
	case *Case:
		return foldCase(n)
	case *Coalesce:
		args, _, err := foldList(n.Args)
		if err != nil {
			return nil, err
		}
		kept := args[:0:0]
		for _, a := range args {
			if c, ok := a.(*Const); ok {
				if c.D.K == types.KNull {
					continue
				}
				if len(kept) == 0 {
					return retype(c, n.T), nil
				}
				kept = append(kept, a)
				break
			}
			kept = append(kept, a)
		}
		switch {
		case len(kept) == 0:
			return &Const{D: types.Null, T: n.T}, nil
		case len(kept) == 1 && sameType(kept[0].Type(), n.T):
			return kept[0], nil
		}
		return &Coalesce{Args: kept, T: n.T}, nil
	case *ArrayCtor:
		elems, changed, err := foldList(n.Elems)
		if err != nil {
			return nil, err
		}
		out := &ArrayCtor{Elems: elems, T: n.T}
		if allConst(elems) {
			return evalConst(out)
		}
		if !changed {
			return n, nil
		}
		return out, nil
	case *AnyAll:
		l, err := Fold(n.L)
		if err != nil {
			return nil, err
		}
		r, err := Fold(n.R)
		if err != nil {
			return nil, err
		}
		out := &AnyAll{L: l, R: r, Fn: n.Fn, All: n.All}
		if n.Fn != nil && !n.Fn.Volatile && allConst([]Expr{l, r}) {
			return evalConst(out)
		}
		if l == n.L && r == n.R {
			return n, nil
		}
		return out, nil
	}
	return e, nil
}

// retype gives a constant the type of the node it replaces.
func retype(c *Const, t types.T) *Const {
	if c.T == t {
		return c
	}
	return &Const{D: c.D, T: t}
}

func foldList(es []Expr) ([]Expr, bool, error) {
	out := es
	changed := false
	for i, e := range es {
		f, err := Fold(e)
		if err != nil {
			return nil, false, err
		}
		if f != e {
			if !changed {
				out = append([]Expr(nil), es...)
				changed = true
			}
			out[i] = f
		}
	}
	return out, changed, nil
}

func allConst(es []Expr) bool {
	for _, e := range es {
		if _, ok := e.(*Const); !ok {
			return false
		}
	}
	return true
}

func evalConst(e Expr) (Expr, error) {
	ev, err := compile(e)
	if err != nil {
		return nil, err
	}
	d, err := ev(&Ctx{}, nil)
	if err != nil {
		return nil, err
	}
	return &Const{D: d, T: e.Type()}, nil
}

func isConstBool(e Expr, v bool) bool {
	c, ok := e.(*Const)
	return ok && c.D.K == types.KBool && (c.D.I != 0) == v
}

// foldAndOr drops operands that cannot decide the result (TRUE for AND,
// FALSE for OR) and returns the deciding constant when one is present.
func foldAndOr(args []Expr, and bool) (Expr, error) {
	folded, _, err := foldList(args)
	if err != nil {
		return nil, err
	}
	var kept []Expr
	sawNull := false
	for _, a := range folded {
		switch {
		case isConstBool(a, !and):
			return &Const{D: types.NewBool(!and), T: types.TBool}, nil
		case isConstBool(a, and):
			continue
		}
		if c, ok := a.(*Const); ok && c.D.K == types.KNull {
			if sawNull {
				continue
			}
			sawNull = true
		}
		kept = append(kept, a)
	}
	switch len(kept) {
	case 0:
		return &Const{D: types.NewBool(and), T: types.TBool}, nil
	case 1:
		if c, ok := kept[0].(*Const); ok && c.D.K == types.KNull {
			return &Const{D: types.Null, T: types.TBool}, nil
		}
		return kept[0], nil
	}
	if and {
		return &And{Args: kept}, nil
	}
	return &Or{Args: kept}, nil
}

func foldCase(n *Case) (Expr, error) {
	var whens []When
	for _, w := range n.Whens {
		c, err := Fold(w.Cond)
		if err != nil {
			return nil, err
		}
		if k, ok := c.(*Const); ok {
			if k.D.K != types.KBool || k.D.I == 0 {
				continue // never taken
			}
			if len(whens) == 0 {
				r, err := Fold(w.Result)
				if err != nil {
					return nil, err
				}
				return retypeExpr(r, n.T), nil
			}
			// Always taken: it is the ELSE of the remaining arms.
			r, err := Fold(w.Result)
			if err != nil {
				return nil, err
			}
			return &Case{Whens: whens, Else: r, T: n.T}, nil
		}
		r, err := Fold(w.Result)
		if err != nil {
			return nil, err
		}
		whens = append(whens, When{Cond: c, Result: r})
	}
	var els Expr
	if n.Else != nil {
		var err error
		if els, err = Fold(n.Else); err != nil {
			return nil, err
		}
	}
	if len(whens) == 0 {
		if els == nil {
			return &Const{D: types.Null, T: n.T}, nil
		}
		return retypeExpr(els, n.T), nil
	}
	return &Case{Whens: whens, Else: els, T: n.T}, nil
}

// retypeExpr returns e when it already has type t, or a constant with the
// type of the node it replaces, or e wrapped in a single-arm CASE so the
// node keeps its type.
func retypeExpr(e Expr, t types.T) Expr {
	if c, ok := e.(*Const); ok {
		return retype(c, t)
	}
	if e.Type() == t {
		return e
	}
	return &Case{Else: e, T: t}
}
