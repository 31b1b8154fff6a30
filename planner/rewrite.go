package planner

import (
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// Optimize applies the logical rewrites: constant folding, filter
// push-down, column pruning (projection push-down into scans) and the
// merging of adjacent projections. The root's output schema is unchanged.
func Optimize(p LogicalPlan) (LogicalPlan, error) {
	p, err := foldPlan(p)
	if err != nil {
		return nil, err
	}
	p = pushFilters(p)
	need := make([]bool, len(p.Columns()))
	for i := range need {
		need[i] = true
	}
	p, _ = prune(p, need)
	return mergeProjects(p), nil
}

// ---------------------------------------------------------------- folding

func foldPlan(p LogicalPlan) (LogicalPlan, error) {
	var err error
	f := func(e expr.Expr) expr.Expr {
		if err != nil || e == nil {
			return e
		}
		var out expr.Expr
		out, err = foldExpr(e)
		return out
	}
	kids := p.Children()
	newKids := make([]LogicalPlan, len(kids))
	for i, k := range kids {
		if newKids[i], err = foldPlan(k); err != nil {
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
			c.Rows[r] = make([]expr.Expr, len(row))
			for i, e := range row {
				c.Rows[r][i] = f(e)
			}
		}
		p = c
	case *Filter:
		pred := f(n.Pred)
		if err == nil && isTrueConst(pred) {
			return newKids[0], nil
		}
		p = &Filter{Input: newKids[0], Pred: pred}
	case *Project:
		c := &Project{Input: newKids[0], Out: n.Out, Exprs: make([]expr.Expr, len(n.Exprs))}
		for i, e := range n.Exprs {
			c.Exprs[i] = f(e)
		}
		p = c
	case *ProjectSet:
		c := &ProjectSet{Input: newKids[0], Out: n.Out, Items: make([]SetItem, len(n.Items))}
		for i, it := range n.Items {
			c.Items[i] = SetItem{Func: it.Func, Expr: f(it.Expr)}
			for _, a := range it.Args {
				c.Items[i].Args = append(c.Items[i].Args, f(a))
			}
		}
		p = c
	case *Join:
		c := *n
		c.Left, c.Right = newKids[0], newKids[1]
		c.LeftKeys = mapExprs(n.LeftKeys, f)
		c.RightKeys = mapExprs(n.RightKeys, f)
		c.Residual = f(n.Residual)
		if isTrueConst(c.Residual) {
			c.Residual = nil
		}
		p = &c
	case *Limit:
		p = &Limit{Input: newKids[0], Limit: n.Limit, Offset: n.Offset}
	default:
		p = withInputs(p, newKids)
	}
	return p, err
}

func mapExprs(es []expr.Expr, f func(expr.Expr) expr.Expr) []expr.Expr {
	if es == nil {
		return nil
	}
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

// foldExpr folds constant subtrees. Subqueries are opaque to expr.Fold, so
// only the parts around them are folded (and their plans optimized).
func foldExpr(e expr.Expr) (expr.Expr, error) {
	if !containsSubquery(e) {
		return expr.Fold(e)
	}
	if s, ok := e.(*Subquery); ok {
		c := *s
		var err error
		if c.Plan, err = Optimize(s.Plan); err != nil {
			return nil, err
		}
		if s.Left != nil {
			if c.Left, err = foldExpr(s.Left); err != nil {
				return nil, err
			}
		}
		c.Args = make([]expr.Expr, len(s.Args))
		for i, a := range s.Args {
			if c.Args[i], err = foldExpr(a); err != nil {
				return nil, err
			}
		}
		return &c, nil
	}
	kids := exprChildren(e)
	out := make([]expr.Expr, len(kids))
	for i, k := range kids {
		var err error
		if out[i], err = foldExpr(k); err != nil {
			return nil, err
		}
	}
	return withChildren(e, out), nil
}

func containsSubquery(e expr.Expr) bool {
	found := false
	WalkExpr(e, func(n expr.Expr) bool {
		if _, ok := n.(*Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// withInputs returns a copy of p over new children.
func withInputs(p LogicalPlan, kids []LogicalPlan) LogicalPlan {
	switch n := p.(type) {
	case *Filter:
		return &Filter{Input: kids[0], Pred: n.Pred}
	case *Project:
		c := *n
		c.Input = kids[0]
		return &c
	case *ProjectSet:
		c := *n
		c.Input = kids[0]
		return &c
	case *WindowAssign:
		c := *n
		c.Input = kids[0]
		return &c
	case *Aggregate:
		c := *n
		c.Input = kids[0]
		return &c
	case *Sort:
		return &Sort{Input: kids[0], Keys: n.Keys}
	case *Limit:
		return &Limit{Input: kids[0], Limit: n.Limit, Offset: n.Offset}
	case *Distinct:
		return &Distinct{Input: kids[0]}
	case *Join:
		c := *n
		c.Left, c.Right = kids[0], kids[1]
		return &c
	case *SetOp:
		c := *n
		c.Left, c.Right = kids[0], kids[1]
		return &c
	case *Window:
		c := *n
		c.Input = kids[0]
		return &c
	}
	return p
}

// ---------------------------------------------------------------- filters

// pushFilters moves predicates as close to the scans as is plainly safe.
func pushFilters(p LogicalPlan) LogicalPlan {
	if f, ok := p.(*Filter); ok {
		return pushFilter(pushFilters(f.Input), conjuncts(f.Pred))
	}
	kids := p.Children()
	if len(kids) == 0 {
		return p
	}
	nk := make([]LogicalPlan, len(kids))
	for i, k := range kids {
		nk[i] = pushFilters(k)
	}
	return withInputs(p, nk)
}

// pushFilter places the conjuncts preds over in, pushing what it can below.
func pushFilter(in LogicalPlan, preds []expr.Expr) LogicalPlan {
	if len(preds) == 0 {
		return in
	}
	var stay []expr.Expr
	switch n := in.(type) {
	case *Filter:
		return pushFilter(n.Input, append(conjuncts(n.Pred), preds...))
	case *Scan:
		c := *n
		c.Filter = andOf(append(conjuncts(n.Filter), preds...))
		return &c
	case *Project:
		var down []expr.Expr
		for _, pr := range preds {
			if s, ok := substitute(pr, n.Exprs); ok {
				down = append(down, s)
			} else {
				stay = append(stay, pr)
			}
		}
		if len(down) > 0 {
			c := *n
			c.Input = pushFilter(n.Input, down)
			in = &c
		}
	case *ProjectSet:
		plain := make([]expr.Expr, len(n.Items))
		for i, it := range n.Items {
			if it.Func == nil {
				plain[i] = it.Expr
			}
		}
		var down []expr.Expr
		for _, pr := range preds {
			if s, ok := substitute(pr, plain); ok {
				down = append(down, s)
			} else {
				stay = append(stay, pr)
			}
		}
		if len(down) > 0 {
			c := *n
			c.Input = pushFilter(n.Input, down)
			in = &c
		}
	case *WindowAssign:
		// Sessions depend on every row of a key, so a filter must not
		// remove rows before sessionization; TUMBLE and HOP are row-wise.
		nIn := len(n.Input.Columns())
		var down []expr.Expr
		for _, pr := range preds {
			if n.Kind != WindowSession && maxCol(pr) < nIn {
				down = append(down, pr)
			} else {
				stay = append(stay, pr)
			}
		}
		if len(down) > 0 {
			c := *n
			c.Input = pushFilter(n.Input, down)
			in = &c
		}
	case *Aggregate:
		keyMap := make([]expr.Expr, len(n.Out))
		inCols := n.Input.Columns()
		for i, k := range n.GroupKeys {
			keyMap[i] = &expr.ColRef{Idx: k, T: inCols[k].Type, Name: inCols[k].Name}
		}
		var down []expr.Expr
		for _, pr := range preds {
			// A predicate without columns must stay above: a global
			// aggregate yields its row even when no input row passes.
			if s, ok := substitute(pr, keyMap); ok && maxCol(pr) >= 0 && !n.EmitOnWindowClose {
				down = append(down, s)
			} else {
				stay = append(stay, pr)
			}
		}
		if len(down) > 0 {
			c := *n
			c.Input = pushFilter(n.Input, down)
			in = &c
		}
	case *Sort:
		return &Sort{Input: pushFilter(n.Input, preds), Keys: n.Keys}
	case *Distinct:
		return &Distinct{Input: pushFilter(n.Input, preds)}
	case *SetOp:
		c := *n
		c.Left = pushFilter(n.Left, preds)
		c.Right = pushFilter(n.Right, preds)
		return &c
	case *Join:
		return pushIntoJoin(n, preds)
	default:
		stay = preds
	}
	if len(stay) == 0 {
		return in
	}
	return &Filter{Input: in, Pred: andOf(stay)}
}

func pushIntoJoin(j *Join, preds []expr.Expr) LogicalPlan {
	nl := len(j.Left.Columns())
	c := *j
	var left, right, stay []expr.Expr
	for _, pr := range preds {
		lo, hi := minCol(pr), maxCol(pr)
		switch {
		case isVolatile(pr):
			stay = append(stay, pr)
		case hi < nl && (j.Type == JoinInner || j.Type == JoinCross || j.Type == JoinLeft):
			left = append(left, pr)
		case lo >= nl && (j.Type == JoinInner || j.Type == JoinCross || j.Type == JoinRight):
			right = append(right, remapCols(pr, func(i int) int { return i - nl }))
		case j.Type == JoinInner || j.Type == JoinCross:
			if lk, rk, ok := equiKey(pr, nl); ok {
				c.LeftKeys = append(append([]expr.Expr(nil), c.LeftKeys...), lk)
				c.RightKeys = append(append([]expr.Expr(nil), c.RightKeys...), remapCols(rk, func(i int) int { return i - nl }))
			} else {
				c.Residual = andOf(append(conjuncts(c.Residual), pr))
			}
			c.Type = JoinInner
		default:
			stay = append(stay, pr)
		}
	}
	c.Left = pushFilter(j.Left, left)
	c.Right = pushFilter(j.Right, right)
	if len(stay) == 0 {
		return &c
	}
	return &Filter{Input: &c, Pred: andOf(stay)}
}

// substitute rewrites pred over a projection's output into a predicate
// over its input by inlining the projected expressions. It refuses when a
// referenced output is not a plain expression (nil: a set-returning
// function) or could change between evaluations.
func substitute(pred expr.Expr, exprs []expr.Expr) (expr.Expr, bool) {
	if isVolatile(pred) {
		return nil, false
	}
	ok := true
	out, _ := MapExpr(pred, func(e expr.Expr) (expr.Expr, error) {
		c, isCol := e.(*expr.ColRef)
		if !isCol || !ok {
			return e, nil
		}
		if c.Idx >= len(exprs) || exprs[c.Idx] == nil || isVolatile(exprs[c.Idx]) {
			ok = false
			return e, nil
		}
		return exprs[c.Idx], nil
	})
	return out, ok
}

func maxCol(e expr.Expr) int {
	m := -1
	WalkExpr(e, func(n expr.Expr) bool {
		if c, ok := n.(*expr.ColRef); ok && c.Idx > m {
			m = c.Idx
		}
		return true
	})
	return m
}

func minCol(e expr.Expr) int {
	m := 1 << 30
	WalkExpr(e, func(n expr.Expr) bool {
		if c, ok := n.(*expr.ColRef); ok && c.Idx < m {
			m = c.Idx
		}
		return true
	})
	return m
}

// ---------------------------------------------------------------- pruning

// prune drops the columns that no consumer needs. need[i] says whether
// output column i of p is needed; prune returns the new plan and the new
// position of each old output column (-1 when dropped). Every needed
// column survives, in the original relative order.
func prune(p LogicalPlan, need []bool) (LogicalPlan, []int) {
	switch n := p.(type) {
	case *Scan:
		req := append([]bool(nil), need...)
		markCols(n.Filter, req)
		c := *n
		c.Cols, c.Out = nil, nil
		m := make([]int, len(need))
		for i := range need {
			m[i] = -1
			if req[i] {
				m[i] = len(c.Cols)
				c.Cols = append(c.Cols, n.Cols[i])
				c.Out = append(c.Out, n.Out[i])
			}
		}
		c.Filter = remapCols(n.Filter, func(i int) int { return m[i] })
		return &c, m
	case *Values:
		m := make([]int, len(need))
		c := &Values{Rows: make([][]expr.Expr, len(n.Rows))}
		for i := range need {
			m[i] = -1
			if need[i] {
				m[i] = len(c.Out)
				c.Out = append(c.Out, n.Out[i])
			}
		}
		for r, row := range n.Rows {
			c.Rows[r] = []expr.Expr{}
			for i, e := range row {
				if need[i] {
					c.Rows[r] = append(c.Rows[r], e)
				}
			}
		}
		return c, m
	case *Filter:
		req := append([]bool(nil), need...)
		markCols(n.Pred, req)
		in, m := prune(n.Input, req)
		return &Filter{Input: in, Pred: remapCols(n.Pred, func(i int) int { return m[i] })}, m
	case *Project:
		req := make([]bool, len(n.Input.Columns()))
		for i, e := range n.Exprs {
			if need[i] {
				markCols(e, req)
			}
		}
		in, im := prune(n.Input, req)
		c := &Project{Input: in}
		m := make([]int, len(need))
		for i, e := range n.Exprs {
			m[i] = -1
			if need[i] {
				m[i] = len(c.Exprs)
				c.Exprs = append(c.Exprs, remapCols(e, func(j int) int { return im[j] }))
				c.Out = append(c.Out, n.Out[i])
			}
		}
		return c, m
	case *ProjectSet:
		req := make([]bool, len(n.Input.Columns()))
		for i, it := range n.Items {
			if it.Func != nil {
				for _, a := range it.Args {
					markCols(a, req)
				}
			} else if need[i] {
				markCols(it.Expr, req)
			}
		}
		in, im := prune(n.Input, req)
		rm := func(j int) int { return im[j] }
		c := &ProjectSet{Input: in}
		m := make([]int, len(need))
		for i, it := range n.Items {
			m[i] = -1
			if it.Func == nil && !need[i] {
				continue // set-returning items stay: they decide the row count
			}
			m[i] = len(c.Items)
			ni := SetItem{Func: it.Func, Expr: remapCols(it.Expr, rm)}
			for _, a := range it.Args {
				ni.Args = append(ni.Args, remapCols(a, rm))
			}
			c.Items = append(c.Items, ni)
			c.Out = append(c.Out, n.Out[i])
		}
		return c, m
	case *WindowAssign:
		nIn := len(n.Input.Columns())
		req := append([]bool(nil), need[:nIn]...)
		req[n.TimeCol] = true
		for _, k := range n.SessionKeys {
			req[k] = true
		}
		in, im := prune(n.Input, req)
		c := *n
		c.Input = in
		c.TimeCol = im[n.TimeCol]
		c.SessionKeys = nil
		for _, k := range n.SessionKeys {
			c.SessionKeys = append(c.SessionKeys, im[k])
		}
		c.Out = append(append([]types.Column(nil), in.Columns()...), n.Out[nIn:]...)
		m := append(append([]int(nil), im...), len(in.Columns()), len(in.Columns())+1)
		return &c, m
	case *Aggregate:
		req := make([]bool, len(n.Input.Columns()))
		for _, k := range n.GroupKeys {
			req[k] = true
		}
		nk := len(n.GroupKeys)
		for i, a := range n.Aggs {
			if !need[nk+i] {
				continue
			}
			if a.Arg >= 0 {
				req[a.Arg] = true
			}
			if a.FilterCol >= 0 {
				req[a.FilterCol] = true
			}
		}
		in, im := prune(n.Input, req)
		c := *n
		c.Input = in
		c.GroupKeys = make([]int, nk)
		for i, k := range n.GroupKeys {
			c.GroupKeys[i] = im[k]
		}
		c.Aggs = nil
		c.Out = append([]types.Column(nil), n.Out[:nk]...)
		m := make([]int, len(need))
		for i := 0; i < nk; i++ {
			m[i] = i
		}
		for i, a := range n.Aggs {
			m[nk+i] = -1
			if !need[nk+i] {
				continue
			}
			if a.Arg >= 0 {
				a.Arg = im[a.Arg]
			}
			if a.FilterCol >= 0 {
				a.FilterCol = im[a.FilterCol]
			}
			m[nk+i] = nk + len(c.Aggs)
			c.Aggs = append(c.Aggs, a)
			c.Out = append(c.Out, n.Out[nk+i])
		}
		return &c, m
	case *Sort:
		req := append([]bool(nil), need...)
		for _, k := range n.Keys {
			req[k.Col] = true
		}
		in, m := prune(n.Input, req)
		keys := make([]SortKey, len(n.Keys))
		for i, k := range n.Keys {
			k.Col = m[k.Col]
			keys[i] = k
		}
		return &Sort{Input: in, Keys: keys}, m
	case *Limit:
		in, m := prune(n.Input, need)
		return &Limit{Input: in, Limit: n.Limit, Offset: n.Offset}, m
	case *Join:
		nl := len(n.Left.Columns())
		lreq := append([]bool(nil), need[:nl]...)
		rreq := append([]bool(nil), need[nl:]...)
		for _, k := range n.LeftKeys {
			markCols(k, lreq)
		}
		for _, k := range n.RightKeys {
			markCols(k, rreq)
		}
		both := append(append([]bool(nil), lreq...), rreq...)
		markCols(n.Residual, both)
		copy(lreq, both[:nl])
		copy(rreq, both[nl:])
		l, lm := prune(n.Left, lreq)
		r, rm := prune(n.Right, rreq)
		nl2 := len(l.Columns())
		m := make([]int, len(need))
		for i := range m {
			if i < nl {
				m[i] = lm[i]
			} else if rm[i-nl] >= 0 {
				m[i] = nl2 + rm[i-nl]
			} else {
				m[i] = -1
			}
		}
		c := *n
		c.Left, c.Right = l, r
		c.LeftKeys = mapExprs(n.LeftKeys, func(e expr.Expr) expr.Expr { return remapCols(e, func(i int) int { return lm[i] }) })
		c.RightKeys = mapExprs(n.RightKeys, func(e expr.Expr) expr.Expr { return remapCols(e, func(i int) int { return rm[i] }) })
		c.Residual = remapCols(n.Residual, func(i int) int { return m[i] })
		return &c, m
	case *Window:
		nIn := len(n.Input.Columns())
		req := append([]bool(nil), need[:nIn]...)
		for _, k := range n.PartitionBy {
			req[k] = true
		}
		for _, k := range n.OrderBy {
			req[k.Col] = true
		}
		for _, f := range n.Funcs {
			if f.Arg >= 0 {
				req[f.Arg] = true
			}
		}
		in, im := prune(n.Input, req)
		c := *n
		c.Input = in
		c.PartitionBy = make([]int, len(n.PartitionBy))
		for i, k := range n.PartitionBy {
			c.PartitionBy[i] = im[k]
		}
		c.OrderBy = make([]SortKey, len(n.OrderBy))
		for i, k := range n.OrderBy {
			k.Col = im[k.Col]
			c.OrderBy[i] = k
		}
		c.Funcs = make([]WindowFunc, len(n.Funcs))
		for i, f := range n.Funcs {
			if f.Arg >= 0 {
				f.Arg = im[f.Arg]
			}
			c.Funcs[i] = f
		}
		w := len(in.Columns())
		c.Out = append(append([]types.Column(nil), in.Columns()...), n.Out[nIn:]...)
		m := append([]int(nil), im...)
		for i := range n.Funcs {
			m = append(m, w+i)
		}
		return &c, m
	}
	// Distinct, SetOp and anything else need all their columns.
	kids := p.Children()
	nk := make([]LogicalPlan, len(kids))
	for i, k := range kids {
		all := make([]bool, len(k.Columns()))
		for j := range all {
			all[j] = true
		}
		nk[i], _ = prune(k, all)
	}
	m := make([]int, len(need))
	for i := range m {
		m[i] = i
	}
	return withInputs(p, nk), m
}

func markCols(e expr.Expr, req []bool) {
	WalkExpr(e, func(n expr.Expr) bool {
		if c, ok := n.(*expr.ColRef); ok && c.Idx < len(req) {
			req[c.Idx] = true
		}
		return true
	})
}

// ---------------------------------------------------------------- projections

// mergeProjects collapses a projection over a projection when the outer
// one only reads plain columns or constants of the inner one, and drops
// projections that return their input unchanged.
func mergeProjects(p LogicalPlan) LogicalPlan {
	kids := p.Children()
	if len(kids) > 0 {
		nk := make([]LogicalPlan, len(kids))
		for i, k := range kids {
			nk[i] = mergeProjects(k)
		}
		p = withInputs(p, nk)
	}
	if a, ok := p.(*Aggregate); ok {
		return aggregateOverColumns(a)
	}
	outer, ok := p.(*Project)
	if !ok {
		return p
	}
	if inner, ok := outer.Input.(*Project); ok {
		cheap := true
		for _, e := range outer.Exprs {
			WalkExpr(e, func(n expr.Expr) bool {
				if c, ok := n.(*expr.ColRef); ok {
					switch inner.Exprs[c.Idx].(type) {
					case *expr.ColRef, *expr.Const:
					default:
						if _, isCol := e.(*expr.ColRef); !isCol {
							cheap = false
						}
					}
				}
				return cheap
			})
		}
		if cheap {
			c := &Project{Input: inner.Input, Out: outer.Out, Exprs: make([]expr.Expr, len(outer.Exprs))}
			for i, e := range outer.Exprs {
				s, ok := substitute(e, inner.Exprs)
				if !ok {
					return p
				}
				c.Exprs[i] = s
			}
			outer = c
			p = c
		}
	}
	in := outer.Input.Columns()
	if len(outer.Exprs) != len(in) {
		return p
	}
	for i, e := range outer.Exprs {
		c, ok := e.(*expr.ColRef)
		if !ok || c.Idx != i || outer.Out[i] != in[i] {
			return p
		}
	}
	return outer.Input
}

// aggregateOverColumns lets an Aggregate read its input's columns directly
// when the projection under it only selects columns.
func aggregateOverColumns(a *Aggregate) LogicalPlan {
	pr, ok := a.Input.(*Project)
	if !ok {
		return a
	}
	src := make([]int, len(pr.Exprs))
	for i, e := range pr.Exprs {
		c, ok := e.(*expr.ColRef)
		if !ok {
			return a
		}
		src[i] = c.Idx
	}
	c := *a
	c.Input = pr.Input
	c.GroupKeys = make([]int, len(a.GroupKeys))
	for i, k := range a.GroupKeys {
		c.GroupKeys[i] = src[k]
	}
	c.Aggs = make([]AggCall, len(a.Aggs))
	for i, ag := range a.Aggs {
		if ag.Arg >= 0 {
			ag.Arg = src[ag.Arg]
		}
		if ag.FilterCol >= 0 {
			ag.FilterCol = src[ag.FilterCol]
		}
		c.Aggs[i] = ag
	}
	return &c
}
