// Package batch executes the logical plans of ad-hoc queries (SELECT,
// INSERT's source rows, EXPLAIN-less peeks) over in-memory rows: the
// snapshots of materialized views, the logs of tables and the server's
// system relations.
//
// Execution is a Volcano pipeline of row iterators built from the plan
// (the plan stays data, as in go-mysql-server's rowexec). Blocking
// operators (sort, aggregation, the build side of joins) materialize their
// input. Every operator checks for cancellation every cancelCheckRows rows
// of work, so a CancelRequest stops even a query that returns nothing.
package batch

import (
	"context"
	"errors"

	"streamsqld/catalog"
	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Sources gives the executor the rows of catalog relations. Returned rows
// are read, never modified.
type Sources interface {
	// ViewRows returns the current contents of a materialized view.
	ViewRows(ctx context.Context, rel *catalog.Relation) ([]types.Row, error)
	// TableRows returns the rows inserted into a table.
	TableRows(ctx context.Context, rel *catalog.Relation) ([]types.Row, error)
}

// RowIter streams a query's result rows.
type RowIter interface {
	// Next returns the next row, or nil at the end. The row belongs to the
	// caller.
	Next(ctx context.Context) (types.Row, error)
	// Close releases the iterator.
	Close()
}

// cancelCheckRows is how many rows of work pass between checks of the
// context: often enough to stop within milliseconds, rarely enough to cost
// nothing measurable.
const cancelCheckRows = 1024

// Run executes q to completion and returns its rows.
func Run(ctx context.Context, q *planner.Query, src Sources, ectx *expr.Ctx) ([]types.Row, error) {
	it, err := Open(ctx, q, src, ectx)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows []types.Row
	for {
		row, err := it.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			return rows, nil
		}
		rows = append(rows, row)
	}
}

// Open prepares q for execution and returns an iterator over its rows.
// Uncorrelated subqueries run here, once; correlated ones run per row
// (correlated.go).
func Open(ctx context.Context, q *planner.Query, src Sources, ectx *expr.Ctx) (RowIter, error) {
	if ectx == nil {
		ectx = &expr.Ctx{}
	}
	x := &execCtx{ctx: ctx, src: src, ectx: ectx}
	it, err := x.build(q.Plan)
	if err != nil {
		return nil, err
	}
	return &rootIter{x: x, it: it}, nil
}

type rootIter struct {
	x  *execCtx
	it iter
}

func (r *rootIter) Next(ctx context.Context) (types.Row, error) {
	if r.it == nil {
		return nil, nil
	}
	r.x.ctx = ctx
	row, err := r.it.next()
	if err != nil {
		r.it = nil
		return nil, err
	}
	if row == nil {
		r.it = nil
	}
	return row, nil
}

func (r *rootIter) Close() { r.it = nil }

// execCtx is shared by the iterators of one execution. Execution is single
// threaded, so nothing here is synchronized.
type execCtx struct {
	ctx  context.Context
	src  Sources
	ectx *expr.Ctx
	work int
	// scanned keeps the rows of each relation read, so that a correlated
	// subquery, which scans once per outer row, reads its relations once
	// and every scan of a relation sees the same rows.
	scanned map[any][]types.Row
}

// tick counts one row of work and reports cancellation.
func (x *execCtx) tick() error {
	x.work++
	if x.work%cancelCheckRows != 0 {
		return nil
	}
	return x.checkCancel()
}

func (x *execCtx) checkCancel() error {
	err := x.ctx.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return pgerror.New(pgerror.QueryCanceled, "canceling statement due to statement timeout")
	}
	return pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
}

// iter is one operator of the pipeline: next returns the next row or nil
// at the end. Returned rows are owned by the consumer.
type iter interface {
	next() (types.Row, error)
}

// compile turns a bound expression into an evaluator, after running the
// uncorrelated subqueries it contains and substituting their results;
// correlated ones become calls that run per row.
func (x *execCtx) compile(e expr.Expr) (expr.Eval, error) {
	if e == nil {
		return nil, nil
	}
	e, err := x.resolveSubqueries(e)
	if err != nil {
		return nil, err
	}
	return expr.Compile(e)
}

func (x *execCtx) compileAll(es []expr.Expr) ([]expr.Eval, error) {
	out := make([]expr.Eval, len(es))
	for i, e := range es {
		ev, err := x.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

func (x *execCtx) resolveSubqueries(e expr.Expr) (expr.Expr, error) {
	return planner.MapExpr(e, func(n expr.Expr) (expr.Expr, error) {
		s, ok := n.(*planner.Subquery)
		if !ok {
			return n, nil
		}
		if len(s.Args) > 0 {
			return x.correlated(s)
		}
		it, err := x.build(s.Plan)
		if err != nil {
			return nil, err
		}
		switch s.Kind {
		case planner.SubqueryArray:
			d, err := x.subqueryValue(it, s)
			if err != nil {
				return nil, err
			}
			return &expr.Const{D: d, T: s.T}, nil
		case planner.SubqueryExists:
			row, err := it.next()
			if err != nil {
				return nil, err
			}
			return &expr.Const{D: types.NewBool((row != nil) != s.Negate), T: types.TBool}, nil
		case planner.SubqueryScalar:
			row, err := it.next()
			if err != nil || row == nil {
				return &expr.Const{D: types.Null, T: s.T}, err
			}
			more, err := it.next()
			if err != nil {
				return nil, err
			}
			if more != nil {
				return nil, pgerror.New(pgerror.CardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			return &expr.Const{D: row[0], T: s.T}, nil
		case planner.SubqueryIn:
			t := s.Plan.Columns()[0].Type
			var list []expr.Expr
			seen := map[string]bool{}
			var key []byte
			for {
				row, err := it.next()
				if err != nil {
					return nil, err
				}
				if row == nil {
					break
				}
				key = appendKey(key[:0], row[0])
				if seen[string(key)] {
					continue
				}
				seen[string(key)] = true
				list = append(list, &expr.Const{D: row[0], T: t})
			}
			if len(list) == 0 {
				// x IN (empty) is false even for a NULL x.
				return &expr.Const{D: types.NewBool(s.Negate), T: types.TBool}, nil
			}
			return &expr.InList{E: s.Left, List: list, Negate: s.Negate}, nil
		}
		return nil, pgerror.Newf(pgerror.InternalError, "unknown subquery kind %d", s.Kind)
	})
}

// evalBool evaluates a predicate: only TRUE passes.
func (x *execCtx) evalBool(ev expr.Eval, row types.Row) (bool, error) {
	d, err := ev(x.ectx, row)
	if err != nil {
		return false, err
	}
	return d.K == types.KBool && d.Bool(), nil
}

func (x *execCtx) build(p planner.LogicalPlan) (iter, error) {
	switch n := p.(type) {
	case *planner.Scan:
		return x.buildScan(n)
	case *planner.Values:
		return x.buildValues(n)
	case *planner.Filter:
		in, err := x.build(n.Input)
		if err != nil {
			return nil, err
		}
		pred, err := x.compile(n.Pred)
		if err != nil {
			return nil, err
		}
		return &filterIter{x: x, in: in, pred: pred}, nil
	case *planner.Project:
		in, err := x.build(n.Input)
		if err != nil {
			return nil, err
		}
		evs, err := x.compileAll(n.Exprs)
		if err != nil {
			return nil, err
		}
		return &projectIter{x: x, in: in, exprs: evs}, nil
	case *planner.ProjectSet:
		return x.buildProjectSet(n)
	case *planner.WindowAssign:
		return x.buildWindowAssign(n)
	case *planner.Aggregate:
		return x.buildAggregate(n)
	case *planner.Sort:
		in, err := x.build(n.Input)
		if err != nil {
			return nil, err
		}
		return &sortIter{x: x, in: in, keys: n.Keys}, nil
	case *planner.Limit:
		return x.buildLimit(n)
	case *planner.Distinct:
		in, err := x.build(n.Input)
		if err != nil {
			return nil, err
		}
		return &distinctIter{x: x, in: in, seen: map[string]struct{}{}}, nil
	case *planner.Join:
		return x.buildJoin(n)
	case *planner.SetOp:
		return x.buildSetOp(n)
	case *planner.Window:
		return x.buildWindow(n)
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "plan node %T cannot be executed", p)
}

// ---------------------------------------------------------------- leaves

func (x *execCtx) buildScan(n *planner.Scan) (iter, error) {
	var key any = n.Virtual
	if n.Virtual == nil && n.Relation != nil {
		key = n.Relation.ID
	}
	rows, cached := x.scanned[key]
	var err error
	switch {
	case cached:
	case n.Virtual != nil:
		rows, err = n.Virtual.Rows(x.ctx)
	case n.Relation == nil:
		return nil, pgerror.New(pgerror.InternalError, "scan without a relation")
	default:
		switch n.Relation.Kind {
		case catalog.Table:
			rows, err = x.src.TableRows(x.ctx, n.Relation)
		case catalog.MaterializedView:
			rows, err = x.src.ViewRows(x.ctx, n.Relation)
		case catalog.Source:
			return nil, pgerror.Newf(pgerror.FeatureNotSupported,
				"cannot SELECT from source %q directly; create a materialized view over it", n.Relation.Name)
		default:
			return nil, pgerror.Newf(pgerror.WrongObjectType, "cannot read %s %q", n.Relation.Kind, n.Relation.Name)
		}
	}
	if err != nil {
		return nil, err
	}
	if !cached {
		if x.scanned == nil {
			x.scanned = map[any][]types.Row{}
		}
		x.scanned[key] = rows
	}
	filter, err := x.compile(n.Filter)
	if err != nil {
		return nil, err
	}
	return &scanIter{x: x, rows: rows, cols: n.Cols, filter: filter}, nil
}

type scanIter struct {
	x      *execCtx
	rows   []types.Row
	cols   []int
	filter expr.Eval
	i      int
}

func (s *scanIter) next() (types.Row, error) {
	for s.i < len(s.rows) {
		if err := s.x.tick(); err != nil {
			return nil, err
		}
		src := s.rows[s.i]
		s.i++
		row := make(types.Row, len(s.cols))
		for j, c := range s.cols {
			if c < len(src) {
				row[j] = src[c]
			}
		}
		if s.filter != nil {
			ok, err := s.x.evalBool(s.filter, row)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		return row, nil
	}
	return nil, nil
}

func (x *execCtx) buildValues(n *planner.Values) (iter, error) {
	rows := make([][]expr.Eval, len(n.Rows))
	for i, r := range n.Rows {
		evs, err := x.compileAll(r)
		if err != nil {
			return nil, err
		}
		rows[i] = evs
	}
	return &valuesIter{x: x, rows: rows}, nil
}

type valuesIter struct {
	x    *execCtx
	rows [][]expr.Eval
	i    int
}

func (v *valuesIter) next() (types.Row, error) {
	if v.i >= len(v.rows) {
		return nil, nil
	}
	if err := v.x.tick(); err != nil {
		return nil, err
	}
	evs := v.rows[v.i]
	v.i++
	row := make(types.Row, len(evs))
	for j, ev := range evs {
		d, err := ev(v.x.ectx, nil)
		if err != nil {
			return nil, err
		}
		row[j] = d
	}
	return row, nil
}

// ---------------------------------------------------------------- row-wise

type filterIter struct {
	x    *execCtx
	in   iter
	pred expr.Eval
}

func (f *filterIter) next() (types.Row, error) {
	for {
		row, err := f.in.next()
		if err != nil || row == nil {
			return nil, err
		}
		if err := f.x.tick(); err != nil {
			return nil, err
		}
		ok, err := f.x.evalBool(f.pred, row)
		if err != nil {
			return nil, err
		}
		if ok {
			return row, nil
		}
	}
}

type projectIter struct {
	x     *execCtx
	in    iter
	exprs []expr.Eval
}

func (p *projectIter) next() (types.Row, error) {
	in, err := p.in.next()
	if err != nil || in == nil {
		return nil, err
	}
	out := make(types.Row, len(p.exprs))
	for i, ev := range p.exprs {
		if out[i], err = ev(p.x.ectx, in); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (x *execCtx) buildLimit(n *planner.Limit) (iter, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	l := &limitIter{in: in, limit: -1}
	eval := func(e expr.Expr, what string) (int64, error) {
		if e == nil {
			return -1, nil
		}
		ev, err := x.compile(e)
		if err != nil {
			return 0, err
		}
		d, err := ev(x.ectx, nil)
		if err != nil {
			return 0, err
		}
		if d.IsNull() {
			return -1, nil // LIMIT NULL is LIMIT ALL; OFFSET NULL is 0
		}
		if d.Int() < 0 {
			return 0, pgerror.Newf("2201W", "%s must not be negative", what)
		}
		return d.Int(), nil
	}
	if l.limit, err = eval(n.Limit, "LIMIT"); err != nil {
		return nil, err
	}
	if l.offset, err = eval(n.Offset, "OFFSET"); err != nil {
		return nil, err
	}
	return l, nil
}

type limitIter struct {
	in            iter
	limit, offset int64 // -1: none
	done          int64
}

func (l *limitIter) next() (types.Row, error) {
	for l.offset > 0 {
		row, err := l.in.next()
		if err != nil || row == nil {
			return nil, err
		}
		l.offset--
	}
	if l.limit >= 0 && l.done >= l.limit {
		return nil, nil
	}
	row, err := l.in.next()
	if row != nil {
		l.done++
	}
	return row, err
}

type distinctIter struct {
	x    *execCtx
	in   iter
	seen map[string]struct{}
	key  []byte
}

func (d *distinctIter) next() (types.Row, error) {
	for {
		row, err := d.in.next()
		if err != nil || row == nil {
			return nil, err
		}
		if err := d.x.tick(); err != nil {
			return nil, err
		}
		d.key = rowKey(d.key[:0], row, nil)
		if _, dup := d.seen[string(d.key)]; dup {
			continue
		}
		d.seen[string(d.key)] = struct{}{}
		return row, nil
	}
}

// drain reads every row of it.
func (x *execCtx) drain(it iter) ([]types.Row, error) {
	var rows []types.Row
	for {
		row, err := it.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			return rows, nil
		}
		if err := x.tick(); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
}

// sliceIter returns prepared rows.
type sliceIter struct {
	rows []types.Row
	i    int
}

func (s *sliceIter) next() (types.Row, error) {
	if s.i >= len(s.rows) {
		return nil, nil
	}
	s.i++
	return s.rows[s.i-1], nil
}
