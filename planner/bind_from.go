package planner

import (
	"strings"

	"streamsqld/catalog"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// bindFrom binds a FROM list; several items are cross-joined. A query
// without FROM reads one empty row.
func (b *binder) bindFrom(items []ast.TableExpr, outer *scope) (LogicalPlan, *scope, error) {
	if len(items) == 0 {
		return &Values{Rows: [][]expr.Expr{{}}}, newScope(nil), nil
	}
	plan, sc, err := b.bindTableExpr(items[0], outer)
	if err != nil {
		return nil, nil, err
	}
	for _, it := range items[1:] {
		rp, rsc, err := b.bindTableExpr(it, outer)
		if err != nil {
			return nil, nil, err
		}
		if err := checkDuplicateAliases(sc, rsc, it.Pos()); err != nil {
			return nil, nil, err
		}
		plan = &Join{Type: JoinCross, Left: plan, Right: rp}
		sc = newScope(append(append([]scopeCol(nil), sc.cols...), rsc.cols...))
	}
	return plan, sc, nil
}

func checkDuplicateAliases(l, r *scope, pos int) error {
	for t := range r.tables {
		if l.tables[t] {
			return pgerror.Newf("42712", "table name %q specified more than once", t).WithPosition(pos)
		}
	}
	return nil
}

func (b *binder) bindTableExpr(t ast.TableExpr, outer *scope) (LogicalPlan, *scope, error) {
	switch n := t.(type) {
	case *ast.TableName:
		return b.bindTableName(n)
	case *ast.Subquery:
		p, err := b.bindQuery(n.Query, outer)
		if err != nil {
			return nil, nil, err
		}
		names, err := aliasNames(p.Columns(), n.Columns, n.Alias, n.Pos())
		if err != nil {
			return nil, nil, err
		}
		return p, namedScope(n.Alias, p.Columns(), names), nil
	case *ast.Join:
		return b.bindJoin(n, outer)
	case *ast.WindowTVF:
		return b.bindWindowTVF(n, outer)
	case *ast.TableFunc:
		return b.bindTableFunc(n, outer)
	}
	return nil, nil, unsupported(t.Pos(), "FROM item %T is not supported", t)
}

func namedScope(table string, cols []types.Column, names []string) *scope {
	sc := make([]scopeCol, len(cols))
	for i, c := range cols {
		sc[i] = scopeCol{table: table, name: names[i], typ: c.Type}
	}
	return newScope(sc)
}

func (b *binder) bindTableName(n *ast.TableName) (LogicalPlan, *scope, error) {
	alias := n.Alias
	if alias == "" {
		alias = n.Name
	}
	if n.Schema == "" {
		if d, ok := b.lookupCTE(n.Name); ok {
			return d.plan, namedScope(alias, d.plan.Columns(), d.names), nil
		}
	}
	ref, ok := b.env.lookupRelation(n.Schema, n.Name)
	if !ok {
		name := n.Name
		if n.Schema != "" {
			name = n.Schema + "." + n.Name
		}
		return nil, nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", name).WithPosition(n.Pos())
	}
	var cols []types.Column
	scan := &Scan{Relation: ref.rel, Virtual: ref.virt}
	if ref.virt != nil {
		if b.stream {
			return nil, nil, unsupported(n.Pos(), "system relation %q cannot be used in a materialized view", n.Name)
		}
		cols = ref.virt.Columns
	} else {
		switch ref.rel.Kind {
		case catalog.Source:
			if !b.stream {
				return nil, nil, unsupported(n.Pos(), "cannot SELECT from source %q directly; create a materialized view over it", ref.rel.Name).
					WithHint("CREATE MATERIALIZED VIEW v AS SELECT ... FROM " + ref.rel.Name)
			}
		case catalog.Sink:
			return nil, nil, pgerror.Newf(pgerror.WrongObjectType, "%q is a sink and cannot be read", ref.rel.Name).WithPosition(n.Pos())
		}
		cols = ref.rel.Columns
	}
	scan.Out = append([]types.Column(nil), cols...)
	scan.Cols = make([]int, len(cols))
	for i := range cols {
		scan.Cols[i] = i
	}
	return scan, scopeFor(alias, cols), nil
}

func (b *binder) bindJoin(n *ast.Join, outer *scope) (LogicalPlan, *scope, error) {
	lp, lsc, err := b.bindTableExpr(n.Left, outer)
	if err != nil {
		return nil, nil, err
	}
	rp, rsc, err := b.bindTableExpr(n.Right, outer)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDuplicateAliases(lsc, rsc, n.Right.Pos()); err != nil {
		return nil, nil, err
	}
	nl := len(lsc.cols)
	both := newScope(append(append([]scopeCol(nil), lsc.cols...), rsc.cols...))
	both.outer = outer
	var typ JoinType
	switch strings.ToUpper(string(n.Type)) {
	case "INNER", "":
		typ = JoinInner
	case "LEFT":
		typ = JoinLeft
	case "RIGHT":
		typ = JoinRight
	case "FULL":
		typ = JoinFull
	case "CROSS":
		typ = JoinCross
	default:
		return nil, nil, unsupported(n.Pos(), "%s JOIN is not supported", n.Type)
	}
	if typ == JoinCross || n.On == nil && len(n.Using) == 0 {
		if typ != JoinCross && typ != JoinInner {
			return nil, nil, pgerror.New(pgerror.SyntaxError, "syntax error: JOIN requires an ON or USING clause").WithPosition(n.Pos())
		}
		return &Join{Type: JoinCross, Left: lp, Right: rp}, both, nil
	}
	if n.On != nil {
		cond, err := b.bindExpr(n.On, &exprCtx{sc: both, clause: "JOIN conditions", q: &queryState{}})
		if err != nil {
			return nil, nil, err
		}
		if cond, err = b.coerceBool(cond, "JOIN/ON", n.On.Pos()); err != nil {
			return nil, nil, err
		}
		return makeJoin(typ, lp, rp, cond), both, nil
	}

	// USING (a, b): equate the columns, then output each once (coalesced
	// for FULL joins) followed by both sides' columns; the per-side copies
	// stay reachable only qualified.
	var conds []expr.Expr
	var merged []expr.Expr
	var mergedCols []scopeCol
	usedL, usedR := map[int]bool{}, map[int]bool{}
	for _, name := range n.Using {
		li, err := lsc.resolveLocal("", name, n.Pos())
		if err != nil {
			return nil, nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q specified in USING clause does not exist in left table", name).WithPosition(n.Pos())
		}
		ri, err := rsc.resolveLocal("", name, n.Pos())
		if err != nil {
			return nil, nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q specified in USING clause does not exist in right table", name).WithPosition(n.Pos())
		}
		if usedL[li] {
			return nil, nil, pgerror.Newf(pgerror.DuplicateColumn, "column name %q appears more than once in USING clause", name).WithPosition(n.Pos())
		}
		usedL[li], usedR[ri] = true, true
		l, r := both.colRef(li), both.colRef(nl+ri)
		eq, err := b.bindOp("=", l, r, n.Pos())
		if err != nil {
			return nil, nil, err
		}
		conds = append(conds, eq)
		args := eq.(*expr.Call).Args
		var m expr.Expr
		switch typ {
		case JoinRight:
			m = r
		case JoinFull:
			t, err := commonTypeOf([]types.T{l.T, r.T}, "JOIN/USING", n.Pos())
			if err != nil {
				return nil, nil, err
			}
			lc, _ := b.coerce(l, t, n.Pos())
			rc, _ := b.coerce(r, t, n.Pos())
			m = &expr.Coalesce{Args: []expr.Expr{lc, rc}, T: t}
		default:
			m = l
		}
		_ = args
		merged = append(merged, m)
		mergedCols = append(mergedCols, scopeCol{name: name, typ: m.Type()})
	}
	join := makeJoin(typ, lp, rp, andOf(conds))
	exprs := append([]expr.Expr(nil), merged...)
	scols := append([]scopeCol(nil), mergedCols...)
	for i, c := range both.cols {
		exprs = append(exprs, both.colRef(i))
		if i < nl && usedL[i] || i >= nl && usedR[i-nl] {
			c.hidden, c.noUnqual = true, true
		}
		scols = append(scols, c)
	}
	out := make([]types.Column, len(exprs))
	for i, e := range exprs {
		out[i] = types.Column{Name: scols[i].name, Type: e.Type()}
	}
	return &Project{Input: join, Exprs: exprs, Out: out}, newScope(scols), nil
}

// makeJoin splits an ON condition into equi-join keys, usable by a hash
// join, and a residual predicate.
func makeJoin(typ JoinType, l, r LogicalPlan, cond expr.Expr) *Join {
	nl := len(l.Columns())
	j := &Join{Type: typ, Left: l, Right: r}
	var rest []expr.Expr
	for _, c := range conjuncts(cond) {
		if lk, rk, ok := equiKey(c, nl); ok {
			j.LeftKeys = append(j.LeftKeys, lk)
			j.RightKeys = append(j.RightKeys, remapCols(rk, func(i int) int { return i - nl }))
			continue
		}
		rest = append(rest, c)
	}
	j.Residual = andOf(rest)
	return j
}

// equiKey recognises `lexpr = rexpr` where each side reads only one join
// input (and something of it) and both sides hash alike.
func equiKey(c expr.Expr, nl int) (expr.Expr, expr.Expr, bool) {
	call, ok := c.(*expr.Call)
	if !ok || call.Fn == nil || call.Fn.Name != "=" || len(call.Args) != 2 {
		return nil, nil, false
	}
	side := func(e expr.Expr) int { // 1 left, 2 right, 3 both, 0 none
		s := 0
		WalkExpr(e, func(n expr.Expr) bool {
			if r, ok := n.(*expr.ColRef); ok {
				if r.Idx < nl {
					s |= 1
				} else {
					s |= 2
				}
			}
			return true
		})
		return s
	}
	a, b := call.Args[0], call.Args[1]
	if a.Type().Kind() != b.Type().Kind() || isVolatile(a) || isVolatile(b) {
		return nil, nil, false
	}
	switch sa, sb := side(a), side(b); {
	case sa == 1 && sb == 2:
		return a, b, true
	case sa == 2 && sb == 1:
		return b, a, true
	}
	return nil, nil, false
}

// bindWindowTVF binds TUMBLE/HOP/SESSION: the input's columns plus
// window_start and window_end.
func (b *binder) bindWindowTVF(n *ast.WindowTVF, outer *scope) (LogicalPlan, *scope, error) {
	fn := strings.ToUpper(string(n.Kind))
	in, isc, err := b.bindTableExpr(n.Input, outer)
	if err != nil {
		return nil, nil, err
	}
	tc, err := isc.resolveLocal("", n.TimeCol, n.Pos())
	if err != nil {
		return nil, nil, err
	}
	tt := isc.cols[tc].typ
	if tt.Fam != types.Timestamp && tt.Fam != types.Timestamptz {
		return nil, nil, pgerror.Newf(pgerror.DatatypeMismatch,
			"the time column %q of %s must be of type timestamp or timestamp with time zone, not %s", n.TimeCol, fn, tt).WithPosition(n.Pos())
	}
	wa := &WindowAssign{Input: in, TimeCol: tc}
	if wa.Size, err = b.constInterval(n.Size, fn, "size", true); err != nil {
		return nil, nil, err
	}
	switch n.Kind {
	case ast.WindowTumble:
		wa.Kind, wa.Slide = WindowTumble, wa.Size
	case ast.WindowHop:
		wa.Kind = WindowHop
		if n.Slide == nil {
			return nil, nil, pgerror.New(pgerror.SyntaxError, "HOP requires a slide and a size").WithPosition(n.Pos())
		}
		if wa.Slide, err = b.constInterval(n.Slide, fn, "slide", true); err != nil {
			return nil, nil, err
		}
		if wa.Size%wa.Slide != 0 {
			return nil, nil, pgerror.New(pgerror.InvalidParameterValue, "the size of a HOP window must be a multiple of its slide").WithPosition(n.Size.Pos())
		}
	case ast.WindowSession:
		wa.Kind = WindowSession
		if n.Offset != nil {
			return nil, nil, pgerror.New(pgerror.SyntaxError, "SESSION does not take an offset").WithPosition(n.Offset.Pos())
		}
	default:
		return nil, nil, unsupported(n.Pos(), "window function %s is not supported", n.Kind)
	}
	if n.Offset != nil {
		if wa.Offset, err = b.constInterval(n.Offset, fn, "offset", false); err != nil {
			return nil, nil, err
		}
	}
	cols := append([]scopeCol(nil), isc.cols...)
	qual := n.Alias
	if qual != "" {
		for i := range cols {
			cols[i].table = qual
		}
	} else if len(cols) > 0 {
		qual = cols[0].table
	}
	wt := types.T{Fam: tt.Fam, Mod: -1}
	cols = append(cols, scopeCol{table: qual, name: "window_start", typ: wt}, scopeCol{table: qual, name: "window_end", typ: wt})
	wa.Out = append(append([]types.Column(nil), in.Columns()...),
		types.Column{Name: "window_start", Type: wt}, types.Column{Name: "window_end", Type: wt})
	return wa, newScope(cols), nil
}

// constInterval evaluates a window size, slide or offset, which must be a
// constant interval of fixed length.
func (b *binder) constInterval(e ast.Expr, fn, what string, positive bool) (int64, error) {
	x, err := b.bindExpr(e, &exprCtx{sc: newScope(nil), clause: fn, q: &queryState{}})
	if err != nil {
		return 0, err
	}
	if x, err = b.coerce(x, types.TInterval, e.Pos()); err != nil {
		return 0, err
	}
	if x.Type().Fam != types.Interval {
		return 0, pgerror.Newf(pgerror.DatatypeMismatch, "the %s of %s must be an interval, not %s", what, fn, x.Type()).WithPosition(e.Pos())
	}
	if x, err = expr.Fold(x); err != nil {
		return 0, withPos(err, e.Pos())
	}
	c, ok := x.(*expr.Const)
	if !ok || c.D.IsNull() {
		return 0, unsupported(e.Pos(), "the %s of %s must be a constant interval", what, fn)
	}
	v := c.D.Interval()
	if v.Months != 0 {
		return 0, unsupported(e.Pos(), "the %s of %s cannot be in months or years", what, fn)
	}
	us := v.ApproxMicros()
	if positive && us <= 0 || !positive && us < 0 {
		return 0, pgerror.Newf(pgerror.InvalidParameterValue, "the %s of %s must be positive", what, fn).WithPosition(e.Pos())
	}
	return us, nil
}

// bindTableFunc binds a function in FROM: a set-returning function over a
// single row, or a scalar function as a one-row relation.
func (b *binder) bindTableFunc(n *ast.TableFunc, outer *scope) (LogicalPlan, *scope, error) {
	sc := newScope(nil)
	sc.outer = outer
	q := &queryState{}
	x, err := b.bindExpr(n.Func, &exprCtx{sc: sc, clause: "FROM", q: q, allowSRF: true})
	if err != nil {
		return nil, nil, err
	}
	name := strings.ToLower(n.Func.Name)
	if len(n.Columns) > 0 {
		name = n.Columns[0]
	} else if n.Alias != "" {
		name = n.Alias
	}
	alias := n.Alias
	if alias == "" {
		alias = strings.ToLower(n.Func.Name)
	}
	var plan LogicalPlan = &Values{Rows: [][]expr.Expr{{}}}
	if len(q.srfs) > 0 {
		var cols []int
		plan, cols = buildProjectSets(plan, q.srfs)
		x, _ = MapExpr(x, func(e expr.Expr) (expr.Expr, error) {
			if s, ok := e.(*srfRef); ok {
				return &expr.ColRef{Idx: cols[s.idx], T: s.T, Name: name}, nil
			}
			return e, nil
		})
	}
	if x.Type().Fam == types.Unknown {
		if x, err = b.coerce(x, types.TText, n.Pos()); err != nil {
			return nil, nil, err
		}
	}
	if fields := expr.RecordFields(x.Type()); fields != nil {
		// A function returning several columns: one column per field,
		// renamed by the alias's column list.
		if len(n.Columns) > len(fields) {
			return nil, nil, pgerror.Newf(pgerror.SyntaxError, "table %q has %d columns available but %d columns specified",
				alias, len(fields), len(n.Columns)).WithPosition(n.Pos())
		}
		out := make([]types.Column, len(fields))
		exprs := make([]expr.Expr, len(fields))
		for i, f := range fields {
			out[i] = f
			if i < len(n.Columns) {
				out[i].Name = n.Columns[i]
			}
			exprs[i] = fieldAt(x, i)
		}
		plan = &Project{Input: plan, Exprs: exprs, Out: out}
		return plan, scopeFor(alias, out), nil
	}
	out := []types.Column{{Name: name, Type: x.Type()}}
	plan = &Project{Input: plan, Exprs: []expr.Expr{x}, Out: out}
	return plan, scopeFor(alias, out), nil
}
