package planner

import (
	"strconv"
	"strings"

	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// binder turns syntax into a typed logical plan. One binder binds one
// statement.
type binder struct {
	env *Env
	// stream is set while binding a materialized view's query: system
	// relations and subquery expressions are refused.
	stream bool
	// params are the $n types known so far; paramRefs the untyped
	// references to patch once a context fixes a parameter's type.
	params    []types.T
	paramRefs map[int][]*expr.Param
	ctes      []map[string]*cteDef
	// colPos remembers where column references were written, for 42803
	// errors raised after binding.
	colPos map[*expr.ColRef]int
	// corr holds the subqueries being bound, innermost last, to resolve
	// their references to enclosing queries (see correlate.go).
	corr []*corrCtx
}

type cteDef struct {
	plan  LogicalPlan
	names []string
}

func newBinder(env *Env, paramTypes []types.T, stream bool) *binder {
	b := &binder{
		env:       env,
		stream:    stream,
		params:    append([]types.T(nil), paramTypes...),
		paramRefs: map[int][]*expr.Param{},
		colPos:    map[*expr.ColRef]int{},
	}
	for i, t := range b.params {
		if t.Fam == types.Void || t.Fam == types.Record {
			b.params[i] = types.TUnknown
		}
	}
	return b
}

func (b *binder) lookupCTE(name string) (*cteDef, bool) {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if d, ok := b.ctes[i][name]; ok {
			return d, true
		}
	}
	return nil, false
}

// bindQuery binds a full query: WITH, a set operation, VALUES or a SELECT,
// with ORDER BY and LIMIT. outer is the enclosing query's scope (for
// subqueries), used only to report correlation.
func (b *binder) bindQuery(sel *ast.Select, outer *scope) (LogicalPlan, error) {
	if len(sel.With) > 0 {
		defs := map[string]*cteDef{}
		b.ctes = append(b.ctes, defs)
		defer func() { b.ctes = b.ctes[:len(b.ctes)-1] }()
		for _, cte := range sel.With {
			if _, dup := defs[cte.Name]; dup {
				return nil, pgerror.Newf(pgerror.DuplicateTable, "WITH query name %q specified more than once", cte.Name).WithPosition(cte.Pos())
			}
			p, err := b.bindQuery(cte.Query, outer)
			if err != nil {
				return nil, err
			}
			names, err := aliasNames(p.Columns(), cte.Columns, cte.Name, cte.Pos())
			if err != nil {
				return nil, err
			}
			defs[cte.Name] = &cteDef{plan: p, names: names}
		}
	}
	switch {
	case sel.SetOp != "":
		p, err := b.bindSetOp(sel, outer)
		if err != nil {
			return nil, err
		}
		return b.bindOutputOrderLimit(p, sel, outer)
	case sel.Values != nil:
		p, err := b.bindValues(sel.Values, outer, nil)
		if err != nil {
			return nil, err
		}
		return b.bindOutputOrderLimit(p, sel, outer)
	}
	return b.bindSelectCore(sel, outer)
}

// aliasNames applies a column alias list to a relation's columns.
func aliasNames(cols []types.Column, aliases []string, rel string, pos int) ([]string, error) {
	if len(aliases) > len(cols) {
		return nil, pgerror.Newf(pgerror.InvalidColumnReference,
			"table %q has %d columns available but %d columns specified", rel, len(cols), len(aliases)).WithPosition(pos)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		if i < len(aliases) {
			names[i] = aliases[i]
		}
	}
	return names, nil
}

// selItem is one select-list entry after `*` expansion.
type selItem struct {
	ast     ast.Expr // nil for a column from `*`
	starCol int      // scope column when ast is nil
	name    string
	pos     int
}

func (b *binder) bindSelectCore(sel *ast.Select, outer *scope) (LogicalPlan, error) {
	plan, sc, err := b.bindFrom(sel.From, outer)
	if err != nil {
		return nil, err
	}
	sc.outer = outer
	fromPlan := plan
	q := &queryState{}

	if sel.Where != nil {
		w, err := b.bindExpr(sel.Where, &exprCtx{sc: sc, clause: "WHERE", q: q})
		if err != nil {
			return nil, err
		}
		if w, err = b.coerceBool(w, "WHERE", sel.Where.Pos()); err != nil {
			return nil, err
		}
		plan = &Filter{Input: plan, Pred: w}
	}

	items, err := expandStars(sel, sc)
	if err != nil {
		return nil, err
	}

	// GROUP BY items may name an output column by position or alias.
	var groups []expr.Expr
	groupKeys := map[string]int{}
	gctx := &exprCtx{sc: sc, clause: "GROUP BY", q: q}
	for _, g := range sel.GroupBy {
		var ge expr.Expr
		if it, ok, err := outputRef(g, items, "GROUP BY", sc); err != nil {
			return nil, err
		} else if ok {
			if it.ast == nil {
				ge = sc.colRef(it.starCol)
			} else if ge, err = b.bindExpr(it.ast, gctx); err != nil {
				return nil, err
			}
		} else if ge, err = b.bindExpr(g, gctx); err != nil {
			return nil, err
		}
		if containsSRF(ge) {
			return nil, unsupported(g.Pos(), "set-returning functions are not allowed in GROUP BY")
		}
		if ge.Type().Fam == types.Unknown {
			if ge, err = b.coerce(ge, types.TText, g.Pos()); err != nil {
				return nil, err
			}
		}
		k := exprKey(ge)
		if _, dup := groupKeys[k]; dup {
			continue
		}
		groupKeys[k] = len(groups)
		groups = append(groups, ge)
	}

	ictx := &exprCtx{sc: sc, clause: "SELECT", q: q, allowAgg: true, allowSRF: true, allowWindow: true}
	outs := make([]expr.Expr, len(items))
	names := make([]string, len(items))
	for i, it := range items {
		if it.ast == nil {
			ref := sc.colRef(it.starCol)
			b.colPos[ref] = it.pos
			outs[i] = ref
		} else if outs[i], err = b.bindExpr(it.ast, ictx); err != nil {
			return nil, err
		}
		names[i] = it.name
		if s, ok := outs[i].(*Subquery); ok && it.name == "?column?" && s.Kind == SubqueryScalar {
			names[i] = s.Plan.Columns()[0].Name
		}
	}

	var having expr.Expr
	if sel.Having != nil {
		hctx := &exprCtx{sc: sc, clause: "HAVING", q: q, allowAgg: true}
		if having, err = b.bindExpr(sel.Having, hctx); err != nil {
			return nil, err
		}
		if having, err = b.coerceBool(having, "HAVING", sel.Having.Pos()); err != nil {
			return nil, err
		}
	}

	// ORDER BY keys are output columns, or extra expressions computed
	// beside the select list and projected away after sorting.
	var sortKeys []SortKey
	var extras []expr.Expr
	octx := &exprCtx{sc: sc, clause: "ORDER BY", q: q, allowAgg: true, allowWindow: true}
	for _, o := range sel.OrderBy {
		col := -1
		if it, ok, err := outputRef(o.Expr, items, "ORDER BY", nil); err != nil {
			return nil, err
		} else if ok {
			for i := range items {
				if &items[i] == it {
					col = i
				}
			}
		} else {
			oe, err := b.bindExpr(o.Expr, octx)
			if err != nil {
				return nil, err
			}
			k := exprKey(oe)
			for i, e := range outs {
				if exprKey(e) == k {
					col = i
					break
				}
			}
			if col < 0 {
				if sel.Distinct {
					return nil, pgerror.New(pgerror.InvalidColumnReference,
						"for SELECT DISTINCT, ORDER BY expressions must appear in select list").WithPosition(o.Pos())
				}
				if oe.Type().Fam == types.Unknown {
					if oe, err = b.coerce(oe, types.TText, o.Pos()); err != nil {
						return nil, err
					}
				}
				col = len(outs) + len(extras)
				extras = append(extras, oe)
			}
		}
		sortKeys = append(sortKeys, sortKey(col, o))
	}

	grouped := len(groups) > 0 || len(q.aggs) > 0 || having != nil
	if sel.EmitOnWindowClose && !grouped && b.stream {
		return nil, unsupported(sel.Pos(), "EMIT ON WINDOW CLOSE requires an aggregation over a window")
	}
	if wa, ok := fromPlan.(*WindowAssign); ok && wa.Kind == WindowSession && grouped {
		if err := setSessionKeys(wa, groups, sel); err != nil {
			return nil, err
		}
	}
	if grouped {
		if plan, err = b.buildAggregate(plan, sc, q, groups, sel.EmitOnWindowClose); err != nil {
			return nil, err
		}
		rw := b.groupRewriter(sc, groups, len(q.aggs) > 0 || len(groups) > 0)
		for i := range outs {
			if outs[i], err = rewriteTopDown(outs[i], rw); err != nil {
				return nil, err
			}
		}
		for i := range extras {
			if extras[i], err = rewriteTopDown(extras[i], rw); err != nil {
				return nil, err
			}
		}
		for _, s := range q.srfs {
			for i := range s.args {
				if s.args[i], err = rewriteTopDown(s.args[i], rw); err != nil {
					return nil, err
				}
			}
		}
		for _, w := range q.wins {
			if w.arg, err = rewriteTopDown(w.arg, rw); err != nil {
				return nil, err
			}
			for i := range w.partition {
				if w.partition[i], err = rewriteTopDown(w.partition[i], rw); err != nil {
					return nil, err
				}
			}
			for i := range w.order {
				if w.order[i].e, err = rewriteTopDown(w.order[i].e, rw); err != nil {
					return nil, err
				}
			}
		}
		if having != nil {
			if having, err = rewriteTopDown(having, rw); err != nil {
				return nil, err
			}
			plan = &Filter{Input: plan, Pred: having}
		}
	}

	if len(q.wins) > 0 {
		var winCol []int
		plan, winCol = buildWindows(plan, q)
		replace := func(e expr.Expr) (expr.Expr, error) {
			if w, ok := e.(*winRef); ok {
				return &expr.ColRef{Idx: winCol[w.idx], T: w.T, Name: q.wins[w.idx].name}, nil
			}
			return e, nil
		}
		for i := range outs {
			if outs[i], err = MapExpr(outs[i], replace); err != nil {
				return nil, err
			}
		}
		for i := range extras {
			if extras[i], err = MapExpr(extras[i], replace); err != nil {
				return nil, err
			}
		}
		for _, s := range q.srfs {
			for i := range s.args {
				if s.args[i], err = MapExpr(s.args[i], replace); err != nil {
					return nil, err
				}
			}
		}
	}

	if len(q.srfs) > 0 {
		var srfCol []int
		plan, srfCol = buildProjectSets(plan, q.srfs)
		replace := func(e expr.Expr) (expr.Expr, error) {
			if s, ok := e.(*srfRef); ok {
				return &expr.ColRef{Idx: srfCol[s.idx], T: s.T, Name: q.srfs[s.idx].fn.Name}, nil
			}
			return e, nil
		}
		for i := range outs {
			if outs[i], err = MapExpr(outs[i], replace); err != nil {
				return nil, err
			}
		}
		for i := range extras {
			if extras[i], err = MapExpr(extras[i], replace); err != nil {
				return nil, err
			}
		}
	}

	// Output columns of unknown type (SELECT 'a', SELECT NULL) become text.
	for i := range outs {
		if outs[i].Type().Fam == types.Unknown {
			if outs[i], err = b.coerce(outs[i], types.TText, items[i].pos); err != nil {
				return nil, err
			}
		}
	}
	all := append(append([]expr.Expr(nil), outs...), extras...)
	cols := make([]types.Column, len(all))
	for i, e := range all {
		name := exprString(e) // an ORDER BY helper column
		if i < len(names) {
			name = names[i]
		}
		cols[i] = types.Column{Name: name, Type: e.Type()}
	}
	plan = &Project{Input: plan, Exprs: all, Out: cols}
	if sel.Distinct {
		plan = &Distinct{Input: plan}
	}
	return b.orderLimit(plan, sortKeys, len(outs), sel, outer)
}

func sortKey(col int, o *ast.OrderItem) SortKey {
	k := SortKey{Col: col, Desc: o.Desc, NullsFirst: o.Desc}
	if o.NullsFirst != nil {
		k.NullsFirst = *o.NullsFirst
	}
	return k
}

// orderLimit adds Sort and Limit over plan, then drops the columns beyond
// width that only served as sort keys.
func (b *binder) orderLimit(plan LogicalPlan, keys []SortKey, width int, sel *ast.Select, outer *scope) (LogicalPlan, error) {
	if len(keys) > 0 {
		plan = &Sort{Input: plan, Keys: keys}
	}
	if sel.Limit != nil || sel.Offset != nil {
		lim := &Limit{Input: plan}
		var err error
		if lim.Limit, err = b.bindLimit(sel.Limit, "LIMIT", outer); err != nil {
			return nil, err
		}
		if lim.Offset, err = b.bindLimit(sel.Offset, "OFFSET", outer); err != nil {
			return nil, err
		}
		plan = lim
	}
	if cols := plan.Columns(); len(cols) > width {
		exprs := make([]expr.Expr, width)
		for i := range exprs {
			exprs[i] = &expr.ColRef{Idx: i, T: cols[i].Type, Name: cols[i].Name}
		}
		plan = &Project{Input: plan, Exprs: exprs, Out: append([]types.Column(nil), cols[:width]...)}
	}
	return plan, nil
}

// bindLimit binds a LIMIT or OFFSET count: an int8 constant or parameter.
func (b *binder) bindLimit(e ast.Expr, clause string, outer *scope) (expr.Expr, error) {
	if e == nil {
		return nil, nil
	}
	sc := newScope(nil)
	sc.outer = outer
	x, err := b.bindExpr(e, &exprCtx{sc: sc, clause: clause, q: &queryState{}})
	if err != nil {
		return nil, err
	}
	if !x.Type().IsInteger() && x.Type().Fam != types.Unknown && x.Type().Fam != types.Numeric {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "argument of %s must be type bigint, not type %s", clause, x.Type()).WithPosition(e.Pos())
	}
	if x, err = b.coerce(x, types.TInt8, e.Pos()); err != nil {
		return nil, err
	}
	if x, err = expr.Fold(x); err != nil {
		return nil, withPos(err, e.Pos())
	}
	switch c := x.(type) {
	case *expr.Const:
		if !c.D.IsNull() && c.D.Int() < 0 {
			return nil, pgerror.Newf("2201W", "%s must not be negative", clause).WithPosition(e.Pos())
		}
		return x, nil
	case *expr.Param:
		return x, nil
	}
	return nil, unsupported(e.Pos(), "%s must be a constant or a parameter", clause)
}

// bindOutputOrderLimit handles ORDER BY and LIMIT over a set operation or
// VALUES, whose sort keys can only be result columns.
func (b *binder) bindOutputOrderLimit(plan LogicalPlan, sel *ast.Select, outer *scope) (LogicalPlan, error) {
	cols := plan.Columns()
	items := make([]selItem, len(cols))
	for i, c := range cols {
		items[i] = selItem{starCol: i, name: c.Name}
	}
	var keys []SortKey
	for _, o := range sel.OrderBy {
		it, ok, err := outputRef(o.Expr, items, "ORDER BY", nil)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, unsupported(o.Pos(), "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
				WithDetail("Only result column names can be used, not expressions or functions.")
		}
		keys = append(keys, sortKey(it.starCol, o))
	}
	return b.orderLimit(plan, keys, len(cols), sel, outer)
}

// outputRef resolves GROUP BY / ORDER BY items that name a select-list
// entry: an integer position, or a bare name equal to an output alias.
// For GROUP BY (sc set) an input column of that name wins, as in
// PostgreSQL.
func outputRef(e ast.Expr, items []selItem, clause string, sc *scope) (*selItem, bool, error) {
	switch n := e.(type) {
	case *ast.Literal:
		if n.Kind != ast.LitInt {
			return nil, false, nil
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil || i < 1 || i > len(items) {
			return nil, false, pgerror.Newf(pgerror.InvalidColumnReference, "%s position %s is not in select list", clause, n.Value).WithPosition(n.Pos())
		}
		return &items[i-1], true, nil
	case *ast.ColumnRef:
		if n.Table != "" {
			return nil, false, nil
		}
		if sc != nil {
			if _, err := sc.resolveLocal("", n.Column, n.Pos()); err == nil || pgerror.Code(err) != pgerror.UndefinedColumn {
				return nil, false, nil
			}
		}
		var found *selItem
		for i := range items {
			if items[i].name != n.Column {
				continue
			}
			if found != nil && !sameItem(found, &items[i]) {
				return nil, false, pgerror.Newf(pgerror.AmbiguousColumn, "%s %q is ambiguous", clause, n.Column).WithPosition(n.Pos())
			}
			if found == nil {
				found = &items[i]
			}
		}
		return found, found != nil, nil
	}
	return nil, false, nil
}

func sameItem(a, b *selItem) bool {
	if a.ast == nil || b.ast == nil {
		return a.ast == nil && b.ast == nil && a.starCol == b.starCol
	}
	ca, ok1 := a.ast.(*ast.ColumnRef)
	cb, ok2 := b.ast.(*ast.ColumnRef)
	return ok1 && ok2 && *ca == *cb
}

// expandStars lists the select items with `*` and `t.*` expanded.
func expandStars(sel *ast.Select, sc *scope) ([]selItem, error) {
	var items []selItem
	for _, it := range sel.Items {
		if !it.Star {
			name := it.Alias
			if name == "" {
				name = figureName(it.Expr)
			}
			items = append(items, selItem{ast: it.Expr, name: name, pos: it.Pos()})
			continue
		}
		if it.Table == "" && len(sc.cols) == 0 {
			return nil, pgerror.New(pgerror.SyntaxError, "SELECT * with no tables specified is not valid").WithPosition(it.Pos())
		}
		table := it.Table
		if i := strings.LastIndexByte(table, '.'); i >= 0 {
			table = table[i+1:]
		}
		n := 0
		for i, c := range sc.cols {
			if table == "" && c.hidden || table != "" && c.table != table {
				continue
			}
			items = append(items, selItem{starCol: i, name: c.name, pos: it.Pos()})
			n++
		}
		if table != "" && n == 0 && !sc.hasTable(table) {
			return nil, pgerror.Newf(pgerror.UndefinedTable, "missing FROM-clause entry for table %q", table).WithPosition(it.Pos())
		}
	}
	return items, nil
}

// figureName names an unaliased select-list expression like PostgreSQL's
// FigureColname.
func figureName(e ast.Expr) string {
	name, _ := figureNameStrength(e)
	return name
}

// figureNameStrength is PostgreSQL's FigureColnameInternal: the name and
// how strongly the expression suggests it (2: a column, function or
// construct name; 1: a type or "case"; 0: none). A CASE takes the name of
// its ELSE result when that is strong, as in PostgreSQL.
func figureNameStrength(e ast.Expr) (string, int) {
	switch n := e.(type) {
	case *ast.ColumnRef:
		return n.Column, 2
	case *ast.FuncCall:
		return strings.ToLower(n.Name), 2
	case *ast.Cast:
		if s, st := figureNameStrength(n.Expr); st > 1 {
			return s, st
		}
		if n.Type.Fam != types.Unknown {
			if name := internalTypeName(n.Type); name != "?column?" {
				return name, 1
			}
		}
		tn := strings.ToLower(n.TypeName)
		if i := strings.LastIndexByte(tn, '.'); i >= 0 {
			tn = tn[i+1:]
		}
		if j := strings.IndexAny(tn, "([ "); j >= 0 {
			tn = tn[:j]
		}
		if tn != "" {
			return tn, 1
		}
		return "?column?", 0
	case *ast.CaseExpr:
		if n.Else != nil {
			if s, st := figureNameStrength(n.Else); st > 1 {
				return s, st
			}
		}
		return "case", 1
	case *ast.ArrayExpr:
		return "array", 2
	case *ast.Extract:
		return "extract", 2
	case *ast.SubqueryExpr:
		if n.Exists {
			return "exists", 2
		}
		if n.Array {
			return "array", 2
		}
	case *ast.FieldSelect:
		return n.Field, 2
	case *ast.Subscript:
		return figureNameStrength(n.Expr)
	case *ast.Literal:
		switch n.Kind {
		case ast.LitTyped:
			return internalTypeName(n.Type), 1
		case ast.LitInterval:
			return "interval", 1
		case ast.LitBool:
			return "bool", 1
		}
	}
	return "?column?", 0
}

// internalTypeName is a type's pg_type.typname, which PostgreSQL uses to
// name a cast column (SELECT '1'::int gives "int4").
func internalTypeName(t types.T) string {
	names := map[types.Family]string{
		types.Bool: "bool", types.Int2: "int2", types.Int4: "int4", types.Int8: "int8",
		types.Float4: "float4", types.Float8: "float8", types.Numeric: "numeric", types.Text: "text",
		types.Varchar: "varchar", types.Timestamp: "timestamp", types.Timestamptz: "timestamptz",
		types.Interval: "interval", types.Date: "date", types.Bytea: "bytea", types.Json: "json",
		types.Jsonb: "jsonb", types.Name: "name", types.Char: "char", types.Oid: "oid",
		types.RegClass: "regclass", types.RegType: "regtype", types.RegProc: "regproc",
	}
	if t.Fam == types.Array {
		if n, ok := names[t.Elem]; ok {
			return "_" + n
		}
	}
	if n, ok := names[t.Fam]; ok {
		return n
	}
	return "?column?"
}

// buildAggregate puts a projection of the group keys, aggregate arguments
// and filters under an Aggregate.
func (b *binder) buildAggregate(plan LogicalPlan, sc *scope, q *queryState, groups []expr.Expr, eowc bool) (LogicalPlan, error) {
	var pre []expr.Expr
	var preCols []types.Column
	add := func(e expr.Expr, name string) int {
		k := exprKey(e)
		for i, p := range pre {
			if exprKey(p) == k {
				return i
			}
		}
		pre = append(pre, e)
		preCols = append(preCols, types.Column{Name: name, Type: e.Type()})
		return len(pre) - 1
	}
	var outCols []types.Column
	for _, g := range groups {
		pre = append(pre, g)
		c := types.Column{Name: groupName(g), Type: g.Type()}
		preCols = append(preCols, c)
		outCols = append(outCols, c)
	}
	aggs := make([]AggCall, len(q.aggs))
	for i, a := range q.aggs {
		call := AggCall{Fn: a.fn, Arg: -1, FilterCol: -1}
		if a.arg != nil {
			call.Arg = add(a.arg, exprString(a.arg))
		}
		if a.filter != nil {
			call.FilterCol = add(a.filter, exprString(a.filter))
		}
		aggs[i] = call
		outCols = append(outCols, types.Column{Name: a.fn.Name, Type: a.fn.Ret})
	}
	keys := make([]int, len(groups))
	for i := range keys {
		keys[i] = i
	}
	return &Aggregate{
		Input:             &Project{Input: plan, Exprs: pre, Out: preCols},
		GroupKeys:         keys,
		Aggs:              aggs,
		EmitOnWindowClose: eowc,
		Out:               outCols,
	}, nil
}

func groupName(g expr.Expr) string {
	if c, ok := g.(*expr.ColRef); ok {
		return c.Name
	}
	return exprString(g)
}

// groupRewriter maps an expression over the FROM scope to one over the
// Aggregate's output: group expressions and aggregates become columns; a
// bare column anywhere else is the classic grouping error.
func (b *binder) groupRewriter(sc *scope, groups []expr.Expr, _ bool) func(expr.Expr) (expr.Expr, bool, error) {
	keys := make(map[string]int, len(groups))
	for i, g := range groups {
		keys[exprKey(g)] = i
	}
	return func(e expr.Expr) (expr.Expr, bool, error) {
		if i, ok := keys[exprKey(e)]; ok {
			return &expr.ColRef{Idx: i, T: groups[i].Type(), Name: groupName(groups[i])}, true, nil
		}
		switch n := e.(type) {
		case *aggRef:
			return &expr.ColRef{Idx: len(groups) + n.idx, T: n.T, Name: n.name}, true, nil
		case *winRef:
			return e, true, nil
		case *expr.ColRef:
			c := sc.cols[n.Idx]
			return nil, false, pgerror.Newf(pgerror.GroupingError,
				"column %q must appear in the GROUP BY clause or be used in an aggregate function", quoteColumn(c.table, c.name)).
				WithPosition(b.colPos[n])
		}
		return e, false, nil
	}
}

// setSessionKeys partitions a SESSION window by the grouping columns of
// the aggregation above it.
func setSessionKeys(wa *WindowAssign, groups []expr.Expr, sel *ast.Select) error {
	nIn := len(wa.Input.Columns())
	wa.SessionKeys = nil
	for _, g := range groups {
		c, ok := g.(*expr.ColRef)
		if !ok {
			return unsupported(sel.Pos(), "GROUP BY over a SESSION window must list columns, not expressions")
		}
		if c.Idx < nIn {
			wa.SessionKeys = append(wa.SessionKeys, c.Idx)
		}
	}
	return nil
}

// buildProjectSets evaluates set-returning functions in layers: an SRF
// whose arguments contain SRFs runs in a ProjectSet above theirs. It
// returns the plan and, per SRF, its output column.
func buildProjectSets(plan LogicalPlan, srfs []*srfEntry) (LogicalPlan, []int) {
	srfCol := make([]int, len(srfs))
	maxLevel := 0
	for _, s := range srfs {
		if s.level > maxLevel {
			maxLevel = s.level
		}
	}
	for level := 1; level <= maxLevel; level++ {
		in := plan.Columns()
		items := make([]SetItem, 0, len(in)+len(srfs))
		out := make([]types.Column, 0, len(in)+len(srfs))
		for i, c := range in {
			items = append(items, SetItem{Expr: &expr.ColRef{Idx: i, T: c.Type, Name: c.Name}})
			out = append(out, c)
		}
		for i, s := range srfs {
			if s.level != level {
				continue
			}
			args := make([]expr.Expr, len(s.args))
			for j, a := range s.args {
				args[j], _ = MapExpr(a, func(e expr.Expr) (expr.Expr, error) {
					if r, ok := e.(*srfRef); ok {
						return &expr.ColRef{Idx: srfCol[r.idx], T: r.T, Name: srfs[r.idx].fn.Name}, nil
					}
					return e, nil
				})
			}
			srfCol[i] = len(items)
			items = append(items, SetItem{Func: s.fn, Args: args})
			out = append(out, types.Column{Name: s.fn.Name, Type: s.fn.Ret})
		}
		plan = &ProjectSet{Input: plan, Items: items, Out: out}
	}
	return plan, srfCol
}

func (b *binder) bindSetOp(sel *ast.Select, outer *scope) (LogicalPlan, error) {
	op := strings.ToUpper(sel.SetOp)
	all := strings.HasSuffix(op, " ALL")
	base := strings.TrimSuffix(op, " ALL")
	var kind SetOpKind
	switch base {
	case "UNION":
		kind = SetUnion
	case "INTERSECT":
		kind = SetIntersect
	case "EXCEPT":
		kind = SetExcept
	default:
		return nil, unsupported(sel.Pos(), "set operation %s is not supported", sel.SetOp)
	}
	l, err := b.bindQuery(sel.Left, outer)
	if err != nil {
		return nil, err
	}
	r, err := b.bindQuery(sel.Right, outer)
	if err != nil {
		return nil, err
	}
	lc, rc := l.Columns(), r.Columns()
	if len(lc) != len(rc) {
		return nil, pgerror.Newf(pgerror.SyntaxError, "each %s query must have the same number of columns", base).WithPosition(sel.Right.Pos())
	}
	out := make([]types.Column, len(lc))
	for i := range lc {
		t, err := commonTypeOf([]types.T{lc[i].Type, rc[i].Type}, base, sel.Right.Pos())
		if err != nil {
			return nil, err
		}
		out[i] = types.Column{Name: lc[i].Name, Type: t}
	}
	if l, err = b.castPlan(l, out); err != nil {
		return nil, err
	}
	if r, err = b.castPlan(r, out); err != nil {
		return nil, err
	}
	return &SetOp{Kind: kind, All: all, Left: l, Right: r, Out: out}, nil
}

// castPlan projects plan's columns to the given types where they differ.
func (b *binder) castPlan(plan LogicalPlan, want []types.Column) (LogicalPlan, error) {
	cols := plan.Columns()
	same := true
	exprs := make([]expr.Expr, len(cols))
	out := make([]types.Column, len(cols))
	for i, c := range cols {
		ref := &expr.ColRef{Idx: i, T: c.Type, Name: c.Name}
		exprs[i] = ref
		out[i] = types.Column{Name: c.Name, Type: want[i].Type}
		if c.Type != want[i].Type {
			same = false
			exprs[i] = &expr.CastExpr{E: ref, T: want[i].Type}
		}
	}
	if same {
		return plan, nil
	}
	if v, ok := plan.(*Values); ok {
		// Coerce the constants themselves, so untyped literals parse as
		// the target type instead of being cast from text.
		nv := &Values{Out: out, Rows: make([][]expr.Expr, len(v.Rows))}
		for r, row := range v.Rows {
			nv.Rows[r] = make([]expr.Expr, len(row))
			for i, e := range row {
				x, err := b.coerce(e, want[i].Type, 0)
				if err != nil {
					return nil, err
				}
				nv.Rows[r][i] = x
			}
		}
		return nv, nil
	}
	return &Project{Input: plan, Exprs: exprs, Out: out}, nil
}

// bindValues binds VALUES rows. With target types (INSERT) each value is
// coerced by assignment to its column; otherwise each column takes the
// common type of its values.
func (b *binder) bindValues(rows [][]ast.Expr, outer *scope, target []types.T) (*Values, error) {
	sc := newScope(nil)
	sc.outer = outer
	c := &exprCtx{sc: sc, clause: "VALUES", q: &queryState{}}
	v := &Values{Rows: make([][]expr.Expr, len(rows))}
	width := -1
	for r, row := range rows {
		if width >= 0 && len(row) != width {
			return nil, pgerror.New(pgerror.SyntaxError, "VALUES lists must all be the same length").WithPosition(rowPos(row))
		}
		width = len(row)
		bound, err := b.bindExprs(row, c)
		if err != nil {
			return nil, err
		}
		v.Rows[r] = bound
	}
	if width < 0 {
		width = 0
	}
	v.Out = make([]types.Column, width)
	for i := 0; i < width; i++ {
		var t types.T
		if target != nil {
			t = target[i]
		} else {
			col := make([]expr.Expr, len(v.Rows))
			for r := range v.Rows {
				col[r] = v.Rows[r][i]
			}
			var err error
			if t, err = b.commonType(col, "VALUES", rowPos(rows[0])); err != nil {
				return nil, err
			}
			for r := range v.Rows {
				if v.Rows[r][i], err = b.coerce(v.Rows[r][i], t, rows[r][i].Pos()); err != nil {
					return nil, err
				}
			}
		}
		v.Out[i] = types.Column{Name: "column" + strconv.Itoa(i+1), Type: t}
	}
	return v, nil
}

func rowPos(row []ast.Expr) int {
	if len(row) > 0 {
		return row[0].Pos()
	}
	return 0
}

func (b *binder) bindSubqueryExpr(n *ast.SubqueryExpr, c *exprCtx) (expr.Expr, error) {
	if b.stream {
		return nil, unsupported(n.Pos(), "subqueries in expressions are not supported in materialized views")
	}
	p, args, err := b.bindSubqueryPlan(func() (LogicalPlan, error) { return b.bindQuery(n.Query, c.sc) }, c.sc)
	if err != nil {
		return nil, err
	}
	if n.Exists {
		return &Subquery{Kind: SubqueryExists, Plan: p, T: types.TBool, Args: args}, nil
	}
	cols := p.Columns()
	if len(cols) != 1 {
		return nil, pgerror.New(pgerror.SyntaxError, "subquery must return only one column").WithPosition(n.Pos())
	}
	if n.Array {
		t := cols[0].Type
		if t.Fam == types.Unknown {
			t = types.TText
			p = &Project{Input: p, Exprs: []expr.Expr{&expr.CastExpr{E: &expr.ColRef{Idx: 0, T: cols[0].Type, Name: cols[0].Name}, T: t}},
				Out: []types.Column{{Name: cols[0].Name, Type: t}}}
		}
		if t.Fam == types.Array || t.Fam == types.Record {
			return nil, unsupported(n.Pos(), "ARRAY(subquery) of %s values is not supported", t)
		}
		return &Subquery{Kind: SubqueryArray, Plan: p, T: types.ArrayOf(t.Fam), Args: args}, nil
	}
	return &Subquery{Kind: SubqueryScalar, Plan: p, T: cols[0].Type, Args: args}, nil
}

func (b *binder) bindInSubquery(x expr.Expr, q *ast.Select, not bool, c *exprCtx, pos int) (expr.Expr, error) {
	if b.stream {
		return nil, unsupported(pos, "subqueries in expressions are not supported in materialized views")
	}
	p, corrArgs, err := b.bindSubqueryPlan(func() (LogicalPlan, error) { return b.bindQuery(q, c.sc) }, c.sc)
	if err != nil {
		return nil, err
	}
	cols := p.Columns()
	if len(cols) != 1 {
		return nil, pgerror.New(pgerror.SyntaxError, "subquery has too many columns").WithPosition(pos)
	}
	probe := &expr.ColRef{Idx: 0, T: cols[0].Type, Name: cols[0].Name}
	eq, err := b.bindOp("=", x, probe, pos)
	if err != nil {
		return nil, err
	}
	args := eq.(*expr.Call).Args
	if args[1] != probe {
		p = &Project{Input: p, Exprs: []expr.Expr{args[1]}, Out: []types.Column{{Name: cols[0].Name, Type: args[1].Type()}}}
	}
	return &Subquery{Kind: SubqueryIn, Plan: p, Left: args[0], Negate: not, T: types.TBool, Args: corrArgs}, nil
}

// bindWindowFunc binds `f(...) OVER (PARTITION BY ... ORDER BY ...)`:
// row_number(), rank(), dense_rank() or an aggregate over the window,
// with the default frame.
func (b *binder) bindWindowFunc(f *ast.FuncCall, c *exprCtx) (expr.Expr, error) {
	name := strings.ToLower(f.Name)
	if b.stream {
		return nil, unsupported(f.Pos(), "window functions (OVER) are not supported in materialized views")
	}
	if !c.allowWindow {
		return nil, pgerror.Newf("42P20", "window functions are not allowed in %s", c.clause).WithPosition(f.Pos())
	}
	if f.Over.Frame != "" {
		return nil, unsupported(f.Over.Pos(), "window frame clauses are not supported")
	}
	if f.Distinct || len(f.OrderBy) > 0 {
		return nil, unsupported(f.Pos(), "DISTINCT and ORDER BY are not supported in window functions")
	}
	if f.Filter != nil {
		return nil, unsupported(f.Filter.Pos(), "FILTER is not supported in window functions")
	}
	wc := &exprCtx{sc: c.sc, clause: "window functions", q: c.q, allowAgg: c.allowAgg}
	w := &winEntry{name: name}
	var err error
	switch name {
	case "row_number", "rank", "dense_rank":
		if len(f.Args) > 0 || f.Star {
			return nil, pgerror.Newf(pgerror.UndefinedFunction, "function %s does not take arguments", name).WithPosition(f.Pos())
		}
		w.ret = types.TInt8
	default:
		if !expr.IsAggregate(name) {
			return nil, pgerror.Newf(pgerror.WrongObjectType, "OVER specified, but %s is not a window function nor an aggregate function", name).WithPosition(f.Pos())
		}
		if len(f.Args) > 1 {
			return nil, unsupported(f.Pos(), "aggregate %s with %d arguments is not supported", name, len(f.Args))
		}
		var argTypes []types.T
		if !f.Star && len(f.Args) == 1 {
			if w.arg, err = b.bindExpr(f.Args[0], wc); err != nil {
				return nil, err
			}
			argTypes = []types.T{w.arg.Type()}
		}
		if w.agg, err = expr.ResolveAgg(name, argTypes, false); err != nil {
			return nil, withPos(err, f.Pos())
		}
		if w.arg != nil && w.agg.Arg.Fam != types.Unknown {
			if w.arg, err = b.coerce(w.arg, w.agg.Arg, f.Args[0].Pos()); err != nil {
				return nil, err
			}
		}
		w.ret = w.agg.Ret
	}
	if w.partition, err = b.bindExprs(f.Over.PartitionBy, wc); err != nil {
		return nil, err
	}
	for _, o := range f.Over.OrderBy {
		e, err := b.bindExpr(o.Expr, wc)
		if err != nil {
			return nil, err
		}
		k := sortKey(0, o)
		w.order = append(w.order, winOrder{e: e, desc: k.Desc, nullsFirst: k.NullsFirst})
	}
	for i, p := range w.partition {
		if p.Type().Fam == types.Unknown {
			if w.partition[i], err = b.coerce(p, types.TText, f.Pos()); err != nil {
				return nil, err
			}
		}
	}
	for i, o := range w.order {
		if o.e.Type().Fam == types.Unknown {
			if w.order[i].e, err = b.coerce(o.e, types.TText, f.Pos()); err != nil {
				return nil, err
			}
		}
	}
	c.q.wins = append(c.q.wins, w)
	return &winRef{idx: len(c.q.wins) - 1, T: w.ret, name: name + "() OVER (...)"}, nil
}

// buildWindows computes the window functions of q over plan, one Window
// node per function, and returns each function's output column.
func buildWindows(plan LogicalPlan, q *queryState) (LogicalPlan, []int) {
	cols := make([]int, len(q.wins))
	for i, w := range q.wins {
		in := plan.Columns()
		var pre []expr.Expr
		var preCols []types.Column
		for j, c := range in {
			pre = append(pre, &expr.ColRef{Idx: j, T: c.Type, Name: c.Name})
			preCols = append(preCols, c)
		}
		add := func(e expr.Expr) int {
			if c, ok := e.(*expr.ColRef); ok {
				return c.Idx
			}
			pre = append(pre, e)
			preCols = append(preCols, types.Column{Name: exprString(e), Type: e.Type()})
			return len(pre) - 1
		}
		win := &Window{}
		for _, p := range w.partition {
			win.PartitionBy = append(win.PartitionBy, add(p))
		}
		for _, o := range w.order {
			win.OrderBy = append(win.OrderBy, SortKey{Col: add(o.e), Desc: o.desc, NullsFirst: o.nullsFirst})
		}
		fn := WindowFunc{Name: w.name, Agg: w.agg, Arg: -1, Ret: w.ret}
		if w.arg != nil {
			fn.Arg = add(w.arg)
		}
		win.Funcs = []WindowFunc{fn}
		win.Input = &Project{Input: plan, Exprs: pre, Out: preCols}
		win.Out = append(append([]types.Column(nil), preCols...), types.Column{Name: w.name, Type: w.ret})
		cols[i] = len(preCols)
		plan = win
	}
	return plan, cols
}
