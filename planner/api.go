package planner

import (
	"streamsqld/catalog"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Query is a bound, optimized ad-hoc query, ready for exec/batch.
type Query struct {
	Plan LogicalPlan
	// Columns are the result columns (names and types).
	Columns []types.Column
	// ParamTypes are the types of $1..$n: the caller's, completed by
	// inference from context (untyped leftovers are text).
	ParamTypes []types.T
	// Origins are the relation columns of Columns (see ColumnOrigin).
	Origins []ColumnOrigin
}

// BindQuery binds and optimizes an ad-hoc SELECT (or VALUES / set
// operation). paramTypes are the client's declared parameter types
// (TUnknown where undeclared).
func BindQuery(sel *ast.Select, env Env, paramTypes []types.T) (*Query, error) {
	b := newBinder(&env, paramTypes, false)
	plan, err := b.bindQuery(sel, nil)
	if err != nil {
		return nil, err
	}
	params := b.finishParams()
	if plan, err = Optimize(plan); err != nil {
		return nil, err
	}
	return &Query{Plan: plan, Columns: plan.Columns(), ParamTypes: params, Origins: columnOrigins(plan)}, nil
}

// InsertPlan is a bound INSERT: Query produces complete rows of Table, in
// the table's column order (NULL for omitted columns).
type InsertPlan struct {
	Table *catalog.Relation
	Query *Query
}

// BindInsert binds INSERT INTO table [(cols)] VALUES ... | query.
func BindInsert(ins *ast.Insert, env Env, paramTypes []types.T) (*InsertPlan, error) {
	b := newBinder(&env, paramTypes, false)
	ref, ok := env.lookupRelation("", ins.Table)
	if !ok || ref.rel == nil {
		return nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", ins.Table)
	}
	rel := ref.rel
	if rel.Kind != catalog.Table {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "cannot insert into %s %q", rel.Kind, rel.Name)
	}
	// target[i] is the table column that the i-th value fills.
	var target []int
	if len(ins.Columns) == 0 {
		for i := range rel.Columns {
			target = append(target, i)
		}
	} else {
		seen := map[int]bool{}
		for _, name := range ins.Columns {
			i := rel.ColumnIndex(name)
			if i < 0 {
				return nil, pgerror.Newf(pgerror.UndefinedColumn, "column %q of relation %q does not exist", name, rel.Name)
			}
			if seen[i] {
				return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", name)
			}
			seen[i] = true
			target = append(target, i)
		}
	}
	targetTypes := make([]types.T, len(target))
	for i, c := range target {
		targetTypes[i] = rel.Columns[c].Type
	}

	sel := ins.Query
	var src LogicalPlan
	var err error
	if sel == nil {
		return nil, pgerror.New(pgerror.SyntaxError, "INSERT requires VALUES or a query").WithPosition(ins.Pos())
	}
	arity := func(n, pos int) error {
		if n > len(target) {
			return pgerror.New(pgerror.SyntaxError, "INSERT has more expressions than target columns").WithPosition(pos)
		}
		if n < len(target) {
			return pgerror.New(pgerror.SyntaxError, "INSERT has more target columns than expressions").WithPosition(pos)
		}
		return nil
	}
	if sel.Values != nil && sel.SetOp == "" && len(sel.OrderBy) == 0 && sel.Limit == nil && sel.Offset == nil && len(sel.With) == 0 {
		for _, row := range sel.Values {
			if err := arity(len(row), rowPos(row)); err != nil {
				return nil, err
			}
		}
		v, err := b.bindValues(sel.Values, nil, targetTypes)
		if err != nil {
			return nil, err
		}
		for r, row := range v.Rows {
			for i := range row {
				if row[i], err = b.assignCoerce(row[i], rel.Columns[target[i]], sel.Values[r][i].Pos()); err != nil {
					return nil, err
				}
			}
		}
		src = v
	} else {
		if src, err = b.bindQuery(sel, nil); err != nil {
			return nil, err
		}
		if err := arity(len(src.Columns()), sel.Pos()); err != nil {
			return nil, err
		}
	}

	// Reorder into table column order, filling omitted columns with NULL.
	srcCols := src.Columns()
	exprs := make([]expr.Expr, len(rel.Columns))
	for i, c := range rel.Columns {
		exprs[i] = &expr.Const{D: types.Null, T: c.Type}
	}
	for i, c := range target {
		var e expr.Expr = &expr.ColRef{Idx: i, T: srcCols[i].Type, Name: srcCols[i].Name}
		if e, err = b.assignCoerce(e, rel.Columns[c], sel.Pos()); err != nil {
			return nil, err
		}
		exprs[c] = e
	}
	var plan LogicalPlan = &Project{Input: src, Exprs: exprs, Out: append([]types.Column(nil), rel.Columns...)}
	params := b.finishParams()
	if plan, err = Optimize(plan); err != nil {
		return nil, err
	}
	return &InsertPlan{Table: rel, Query: &Query{Plan: plan, Columns: plan.Columns(), ParamTypes: params}}, nil
}

// assignCoerce converts a value for storing into col, with PostgreSQL's
// assignment casts: numbers convert among themselves, anything converts
// to a string type, date/time types among themselves; other mismatches
// are 42804.
func (b *binder) assignCoerce(e expr.Expr, col types.Column, pos int) (expr.Expr, error) {
	from, to := e.Type(), col.Type
	if from == to || from.Fam == types.Unknown {
		return b.coerce(e, to, pos)
	}
	ok := from.Fam == to.Fam && from.Elem == to.Elem
	if !ok {
		fc, tc := typeCategory(from.Fam), typeCategory(to.Fam)
		switch {
		case tc == 'S':
			ok = true
		case fc == tc && (fc == 'N' || fc == 'D' || fc == 'U'):
			ok = true
		case to.Fam == types.Oid && from.IsInteger():
			ok = true
		}
	}
	if !ok {
		return nil, pgerror.Newf(pgerror.DatatypeMismatch, "column %q is of type %s but expression is of type %s", col.Name, to, from).
			WithHint("You will need to rewrite or cast the expression.").WithPosition(pos)
	}
	return &expr.CastExpr{E: e, T: to}, nil
}
