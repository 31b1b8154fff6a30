package planner

import (
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Correlated subqueries (psql's \d queries are full of them) are bound as
// functions of the enclosing row: each column of an enclosing query the
// subquery reads becomes one of the Subquery's Args, an expression over
// the enclosing row that the optimizer maps like any other, and inside the
// subquery's plan an OuterRef to that argument. The executor runs such a
// subquery once per enclosing row, after BindOuter replaced the OuterRefs
// by the row's values.
//
// A subquery nested in another one that reads the outermost query passes
// the value down: the middle subquery receives it as its own argument and
// hands its OuterRef on as an argument of the inner one, so every OuterRef
// refers to the Args of the nearest enclosing Subquery.

// OuterRef reads argument Arg of the nearest enclosing correlated
// Subquery. It only appears inside Subquery plans.
type OuterRef struct {
	Arg  int
	T    types.T
	Name string
}

// Type implements expr.Expr.
func (o *OuterRef) Type() types.T { return o.T }

// String implements expr.Expr.
func (o *OuterRef) String() string { return "outer." + o.Name }

// corrCtx collects the outer references of one subquery being bound.
type corrCtx struct {
	outer *scope // the scope of the query the subquery is part of
	args  []expr.Expr
	keys  map[string]int
}

// ref returns the OuterRef that stands for e, a value of the enclosing
// row, inside the subquery.
func (c *corrCtx) ref(e expr.Expr, name string) *OuterRef {
	k := exprKey(e)
	i, ok := c.keys[k]
	if !ok {
		i = len(c.args)
		c.args = append(c.args, e)
		c.keys[k] = i
	}
	return &OuterRef{Arg: i, T: e.Type(), Name: name}
}

// bindSubqueryPlan binds the query of a subquery expression whose
// enclosing query has scope outer. args are the enclosing row's values the
// subquery reads (nil: uncorrelated).
func (b *binder) bindSubqueryPlan(q queryBinder, outer *scope) (LogicalPlan, []expr.Expr, error) {
	cc := &corrCtx{outer: outer, keys: map[string]int{}}
	b.corr = append(b.corr, cc)
	p, err := q()
	b.corr = b.corr[:len(b.corr)-1]
	if err != nil {
		return nil, nil, err
	}
	return p, cc.args, nil
}

type queryBinder func() (LogicalPlan, error)

// resolveOuter resolves a column reference that the query's own scope does
// not have in the queries enclosing the subqueries being bound, innermost
// first. ok is false when none has it.
func (b *binder) resolveOuter(table, name string, pos int) (e expr.Expr, ok bool, err error) {
	for j := len(b.corr) - 1; j >= 0; j-- {
		o := b.corr[j].outer
		if o == nil {
			continue
		}
		i, err := o.resolveLocal(table, name, pos)
		if err != nil {
			code := pgerror.Code(err)
			if code == pgerror.UndefinedColumn || code == pgerror.UndefinedTable {
				continue
			}
			return nil, true, err
		}
		e = o.colRef(i)
		for k := j; k < len(b.corr); k++ {
			e = b.corr[k].ref(e, name)
		}
		return e, true, nil
	}
	return nil, false, nil
}

// MapPlanExprs returns a copy of p (and its inputs) with every expression
// replaced by fn's result; fn sees each expression tree once, whole.
// Subquery plans inside expressions are left to fn.
func MapPlanExprs(p LogicalPlan, fn func(expr.Expr) (expr.Expr, error)) (LogicalPlan, error) {
	var err error
	f := func(e expr.Expr) expr.Expr {
		if err != nil || e == nil {
			return e
		}
		var out expr.Expr
		out, err = fn(e)
		return out
	}
	kids := p.Children()
	newKids := make([]LogicalPlan, len(kids))
	for i, k := range kids {
		if newKids[i], err = MapPlanExprs(k, fn); err != nil {
			return nil, err
		}
	}
	switch n := p.(type) {
	case *Scan:
		c := *n
		c.Filter = f(n.Filter)
		p = &c
	case *Values:
		c := &Values{Out: n.Out, Rows: make([][]expr.Expr, len(n.Rows))}
		for r, row := range n.Rows {
			c.Rows[r] = mapExprs(row, f)
		}
		p = c
	case *Filter:
		p = &Filter{Input: newKids[0], Pred: f(n.Pred)}
	case *Project:
		p = &Project{Input: newKids[0], Out: n.Out, Exprs: mapExprs(n.Exprs, f)}
	case *ProjectSet:
		c := &ProjectSet{Input: newKids[0], Out: n.Out, Items: make([]SetItem, len(n.Items))}
		for i, it := range n.Items {
			c.Items[i] = SetItem{Func: it.Func, Expr: f(it.Expr), Args: mapExprs(it.Args, f)}
		}
		p = c
	case *Join:
		c := *n
		c.Left, c.Right = newKids[0], newKids[1]
		c.LeftKeys = mapExprs(n.LeftKeys, f)
		c.RightKeys = mapExprs(n.RightKeys, f)
		c.Residual = f(n.Residual)
		p = &c
	case *Limit:
		p = &Limit{Input: newKids[0], Limit: f(n.Limit), Offset: f(n.Offset)}
	default:
		p = withInputs(p, newKids)
	}
	return p, err
}

// BindOuter returns the plan of a correlated subquery for one enclosing
// row: its OuterRefs replaced by vals, the values of the Subquery's Args.
// OuterRefs of subqueries nested in it refer to their own Args and stay;
// their Args, which may read this subquery's OuterRefs, are bound.
func BindOuter(p LogicalPlan, vals []types.Datum) (LogicalPlan, error) {
	var bind func(e expr.Expr) (expr.Expr, error)
	bind = func(e expr.Expr) (expr.Expr, error) {
		return MapExpr(e, func(n expr.Expr) (expr.Expr, error) {
			switch n := n.(type) {
			case *OuterRef:
				if n.Arg >= len(vals) {
					return nil, pgerror.Newf(pgerror.InternalError, "outer reference %d of %d", n.Arg, len(vals))
				}
				return &expr.Const{D: vals[n.Arg], T: n.T}, nil
			}
			return n, nil
		})
	}
	return MapPlanExprs(p, bind)
}
