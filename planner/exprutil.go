package planner

import (
	"fmt"
	"strconv"
	"strings"

	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// MapExpr rebuilds e bottom-up, replacing every node n by fn(n) after its
// children have been mapped. fn returns its argument to keep a node.
// Unchanged subtrees are shared, not copied. Unknown node types are leaves.
func MapExpr(e expr.Expr, fn func(expr.Expr) (expr.Expr, error)) (expr.Expr, error) {
	if e == nil {
		return nil, nil
	}
	kids := exprChildren(e)
	var out []expr.Expr
	for i, k := range kids {
		m, err := MapExpr(k, fn)
		if err != nil {
			return nil, err
		}
		if m != k && out == nil {
			out = make([]expr.Expr, len(kids))
			copy(out, kids[:i])
		}
		if out != nil {
			out[i] = m
		}
	}
	if out != nil {
		e = withChildren(e, out)
	}
	return fn(e)
}

// rewriteTopDown replaces e by fn(e) when fn reports a replacement, and
// otherwise rewrites e's children the same way.
func rewriteTopDown(e expr.Expr, fn func(expr.Expr) (expr.Expr, bool, error)) (expr.Expr, error) {
	if e == nil {
		return nil, nil
	}
	r, ok, err := fn(e)
	if err != nil || ok {
		return r, err
	}
	kids := exprChildren(e)
	if len(kids) == 0 {
		return e, nil
	}
	out := make([]expr.Expr, len(kids))
	changed := false
	for i, k := range kids {
		if out[i], err = rewriteTopDown(k, fn); err != nil {
			return nil, err
		}
		changed = changed || out[i] != k
	}
	if !changed {
		return e, nil
	}
	return withChildren(e, out), nil
}

// withChildren returns a copy of e with its children (in exprChildren
// order) replaced.
func withChildren(e expr.Expr, c []expr.Expr) expr.Expr {
	switch n := e.(type) {
	case *expr.Call:
		return &expr.Call{Fn: n.Fn, Args: c}
	case *expr.CastExpr:
		return &expr.CastExpr{E: c[0], T: n.T}
	case *expr.And:
		return &expr.And{Args: c}
	case *expr.Or:
		return &expr.Or{Args: c}
	case *expr.Not:
		return &expr.Not{E: c[0]}
	case *expr.IsNull:
		return &expr.IsNull{E: c[0], Negate: n.Negate}
	case *expr.IsBool:
		return &expr.IsBool{E: c[0], Value: n.Value, Negate: n.Negate}
	case *expr.DistinctFrom:
		return &expr.DistinctFrom{L: c[0], R: c[1], Negate: n.Negate}
	case *expr.InList:
		return &expr.InList{E: c[0], List: c[1:], Negate: n.Negate}
	case *expr.Case:
		out := &expr.Case{T: n.T, Whens: make([]expr.When, len(n.Whens))}
		for i := range n.Whens {
			out.Whens[i] = expr.When{Cond: c[2*i], Result: c[2*i+1]}
		}
		if n.Else != nil {
			out.Else = c[2*len(n.Whens)]
		}
		return out
	case *expr.Coalesce:
		return &expr.Coalesce{Args: c, T: n.T}
	case *expr.ArrayCtor:
		return &expr.ArrayCtor{Elems: c, T: n.T}
	case *expr.AnyAll:
		return &expr.AnyAll{L: c[0], R: c[1], Fn: n.Fn, All: n.All}
	case *Subquery:
		cp := *n
		if n.Left != nil {
			cp.Left, c = c[0], c[1:]
		}
		cp.Args = c
		return &cp
	}
	return e
}

// WalkExpr calls fn on every node of e in pre-order; fn returns false to
// skip a node's children.
func WalkExpr(e expr.Expr, fn func(expr.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	for _, c := range exprChildren(e) {
		WalkExpr(c, fn)
	}
}

func exprChildren(e expr.Expr) []expr.Expr {
	switch n := e.(type) {
	case *expr.Call:
		return n.Args
	case *expr.CastExpr:
		return []expr.Expr{n.E}
	case *expr.And:
		return n.Args
	case *expr.Or:
		return n.Args
	case *expr.Not:
		return []expr.Expr{n.E}
	case *expr.IsNull:
		return []expr.Expr{n.E}
	case *expr.IsBool:
		return []expr.Expr{n.E}
	case *expr.DistinctFrom:
		return []expr.Expr{n.L, n.R}
	case *expr.InList:
		return append([]expr.Expr{n.E}, n.List...)
	case *expr.Case:
		var out []expr.Expr
		for _, w := range n.Whens {
			out = append(out, w.Cond, w.Result)
		}
		if n.Else != nil {
			out = append(out, n.Else)
		}
		return out
	case *expr.Coalesce:
		return n.Args
	case *expr.ArrayCtor:
		return n.Elems
	case *expr.AnyAll:
		return []expr.Expr{n.L, n.R}
	case *Subquery:
		if n.Left != nil {
			return append([]expr.Expr{n.Left}, n.Args...)
		}
		return n.Args
	}
	return nil
}

// colsUsed adds the input columns e reads to set.
func colsUsed(e expr.Expr, set map[int]bool) {
	WalkExpr(e, func(n expr.Expr) bool {
		if c, ok := n.(*expr.ColRef); ok {
			set[c.Idx] = true
		}
		return true
	})
}

// remapCols rewrites column references through m (old position -> new).
func remapCols(e expr.Expr, m func(int) int) expr.Expr {
	out, _ := MapExpr(e, func(n expr.Expr) (expr.Expr, error) {
		if c, ok := n.(*expr.ColRef); ok {
			if j := m(c.Idx); j != c.Idx {
				return &expr.ColRef{Idx: j, T: c.T, Name: c.Name}, nil
			}
		}
		return n, nil
	})
	return out
}

// isVolatile reports whether e calls a volatile function (its value may
// change between evaluations, so it must not be duplicated or moved).
func isVolatile(e expr.Expr) bool {
	v := false
	WalkExpr(e, func(n expr.Expr) bool {
		switch n := n.(type) {
		case *expr.Call:
			if n.Fn != nil && n.Fn.Volatile {
				v = true
			}
		case *Subquery, *srfRef, *aggRef, *winRef:
			v = true
		}
		return !v
	})
	return v
}

// exprKey is a structural identity of e, used to match GROUP BY
// expressions against select-list expressions; unlike expr.String it
// distinguishes columns of equal names.
func exprKey(e expr.Expr) string {
	var b strings.Builder
	writeKey(&b, e)
	return b.String()
}

func writeKey(b *strings.Builder, e expr.Expr) {
	if e == nil {
		b.WriteString("nil")
		return
	}
	switch n := e.(type) {
	case *expr.ColRef:
		b.WriteString("$col")
		b.WriteString(strconv.Itoa(n.Idx))
		return
	case *expr.Const:
		fmt.Fprintf(b, "const(%d:%d:%d:%q:%v:%v)", n.T.Fam, n.T.Elem, n.D.K, n.D.S, n.D.I, n.D.X)
		return
	case *expr.Param:
		fmt.Fprintf(b, "$%d", n.Idx+1)
		return
	case *expr.Call:
		b.WriteString("call:")
		b.WriteString(n.Fn.Name)
	case *expr.CastExpr:
		fmt.Fprintf(b, "cast:%d:%d:%d", n.T.Fam, n.T.Elem, n.T.Mod)
	case *expr.IsNull:
		fmt.Fprintf(b, "isnull:%v", n.Negate)
	case *expr.IsBool:
		fmt.Fprintf(b, "isbool:%v:%v", n.Value, n.Negate)
	case *expr.DistinctFrom:
		fmt.Fprintf(b, "distinct:%v", n.Negate)
	case *expr.InList:
		fmt.Fprintf(b, "in:%v", n.Negate)
	case *expr.AnyAll:
		fmt.Fprintf(b, "anyall:%s:%v", n.Fn.Name, n.All)
	case *aggRef:
		fmt.Fprintf(b, "agg%d", n.idx)
		return
	case *srfRef:
		fmt.Fprintf(b, "srf%d.%d", n.level, n.idx)
		return
	case *winRef:
		fmt.Fprintf(b, "win%d", n.idx)
		return
	case *Subquery:
		fmt.Fprintf(b, "subquery%p", n)
		return
	case *OuterRef:
		fmt.Fprintf(b, "outer%d", n.Arg)
		return
	default:
		fmt.Fprintf(b, "%T", e)
	}
	b.WriteByte('(')
	for i, c := range exprChildren(e) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKey(b, c)
	}
	b.WriteByte(')')
}

// exprString renders e for EXPLAIN.
func exprString(e expr.Expr) string {
	if e == nil {
		return "NULL"
	}
	return expr.String(e)
}

// conjuncts splits a predicate into its top-level AND arguments.
func conjuncts(e expr.Expr) []expr.Expr {
	if a, ok := e.(*expr.And); ok {
		var out []expr.Expr
		for _, x := range a.Args {
			out = append(out, conjuncts(x)...)
		}
		return out
	}
	if e == nil {
		return nil
	}
	return []expr.Expr{e}
}

// andOf joins predicates with AND (nil for none).
func andOf(preds []expr.Expr) expr.Expr {
	switch len(preds) {
	case 0:
		return nil
	case 1:
		return preds[0]
	}
	return &expr.And{Args: preds}
}

// isTrueConst reports whether e is the constant TRUE.
func isTrueConst(e expr.Expr) bool {
	c, ok := e.(*expr.Const)
	return ok && c.D.K == types.KBool && c.D.Bool()
}
