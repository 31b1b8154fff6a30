package batch

import (
	"sort"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// ---------------------------------------------------------------- project set

type setItem struct {
	fn   *expr.SetFunc
	args []expr.Eval
	e    expr.Eval
}

func (x *execCtx) buildProjectSet(n *planner.ProjectSet) (iter, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	items := make([]setItem, len(n.Items))
	for i, it := range n.Items {
		if it.Func != nil {
			if items[i].args, err = x.compileAll(it.Args); err != nil {
				return nil, err
			}
			items[i].fn = it.Func
		} else if items[i].e, err = x.compile(it.Expr); err != nil {
			return nil, err
		}
	}
	return &projectSetIter{x: x, in: in, items: items, vals: make([][]types.Datum, len(items))}, nil
}

// projectSetIter zips the set-returning functions of one input row, padding
// the shorter ones with NULL (PostgreSQL 10+); an input row for which
// every function returns nothing produces nothing.
type projectSetIter struct {
	x     *execCtx
	in    iter
	items []setItem
	row   types.Row
	vals  [][]types.Datum // per SRF item, the values for the current row
	n, i  int
	args  []types.Datum
}

func (p *projectSetIter) next() (types.Row, error) {
	for p.i >= p.n {
		if err := p.load(); err != nil || p.row == nil {
			return nil, err
		}
	}
	out := make(types.Row, len(p.items))
	for j, it := range p.items {
		if it.fn == nil {
			d, err := it.e(p.x.ectx, p.row)
			if err != nil {
				return nil, err
			}
			out[j] = d
		} else if p.i < len(p.vals[j]) {
			out[j] = p.vals[j][p.i]
		}
	}
	p.i++
	return out, nil
}

func (p *projectSetIter) load() error {
	row, err := p.in.next()
	if err != nil || row == nil {
		p.row = nil
		return err
	}
	p.row, p.n, p.i = row, 0, 0
	for j, it := range p.items {
		p.vals[j] = p.vals[j][:0]
		if it.fn == nil {
			continue
		}
		p.args = p.args[:0]
		for _, a := range it.args {
			d, err := a(p.x.ectx, row)
			if err != nil {
				return err
			}
			p.args = append(p.args, d)
		}
		err := it.fn.Eval(p.x.ectx, p.args, func(d types.Datum) error {
			p.vals[j] = append(p.vals[j], d)
			return p.x.tick()
		})
		if err != nil {
			return err
		}
		if len(p.vals[j]) > p.n {
			p.n = len(p.vals[j])
		}
	}
	return nil
}

// ---------------------------------------------------------------- windows

func (x *execCtx) buildWindowAssign(n *planner.WindowAssign) (iter, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	if n.Kind == planner.WindowSession {
		rows, err := x.drain(in)
		if err != nil {
			return nil, err
		}
		return &sliceIter{rows: sessionize(rows, n)}, nil
	}
	return &windowIter{in: in, n: n}, nil
}

// windowIter assigns TUMBLE and HOP windows: the windows [start, start +
// size) with start = offset + k*slide that contain the row's time.
type windowIter struct {
	in      iter
	n       *planner.WindowAssign
	row     types.Row
	pending []int64 // window starts left for row
}

func (w *windowIter) next() (types.Row, error) {
	for len(w.pending) == 0 {
		row, err := w.in.next()
		if err != nil || row == nil {
			return nil, err
		}
		t := row[w.n.TimeCol]
		if t.IsNull() {
			continue // no window holds a row without time
		}
		w.row = row
		ts := t.Micros()
		last := floorDiv(ts-w.n.Offset, w.n.Slide)*w.n.Slide + w.n.Offset
		for s := last; s > ts-w.n.Size; s -= w.n.Slide {
			w.pending = append(w.pending, s)
		}
	}
	// Emit in ascending window order.
	s := w.pending[len(w.pending)-1]
	w.pending = w.pending[:len(w.pending)-1]
	out := make(types.Row, len(w.row)+2)
	copy(out, w.row)
	out[len(w.row)] = types.NewTime(s)
	out[len(w.row)+1] = types.NewTime(s + w.n.Size)
	return out, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// sessionize assigns SESSION windows per key: rows of one key whose times
// are less than the gap apart share a session [first time, last time +
// gap). Output is ordered by key (first appearance) then time.
func sessionize(rows []types.Row, n *planner.WindowAssign) []types.Row {
	type group struct{ rows []types.Row }
	var order []*group
	groups := map[string]*group{}
	var key []byte
	for _, r := range rows {
		if r[n.TimeCol].IsNull() {
			continue
		}
		key = rowKey(key[:0], r, n.SessionKeys)
		if n.SessionKeys == nil {
			key = key[:0]
		}
		g := groups[string(key)]
		if g == nil {
			g = &group{}
			groups[string(key)] = g
			order = append(order, g)
		}
		g.rows = append(g.rows, r)
	}
	var out []types.Row
	for _, g := range order {
		sort.SliceStable(g.rows, func(i, j int) bool { return g.rows[i][n.TimeCol].Micros() < g.rows[j][n.TimeCol].Micros() })
		for i := 0; i < len(g.rows); {
			start := g.rows[i][n.TimeCol].Micros()
			end := start + n.Size
			j := i + 1
			for j < len(g.rows) && g.rows[j][n.TimeCol].Micros() < end {
				end = g.rows[j][n.TimeCol].Micros() + n.Size
				j++
			}
			for _, r := range g.rows[i:j] {
				row := make(types.Row, len(r)+2)
				copy(row, r)
				row[len(r)] = types.NewTime(start)
				row[len(r)+1] = types.NewTime(end)
				out = append(out, row)
			}
			i = j
		}
	}
	return out
}

// ---------------------------------------------------------------- aggregate

type aggGroup struct {
	key  types.Row
	accs []expr.Accumulator
}

func (x *execCtx) buildAggregate(n *planner.Aggregate) (iter, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	newGroup := func(row types.Row) *aggGroup {
		g := &aggGroup{key: make(types.Row, len(n.GroupKeys)), accs: make([]expr.Accumulator, len(n.Aggs))}
		for i, k := range n.GroupKeys {
			g.key[i] = row[k]
		}
		for i, a := range n.Aggs {
			g.accs[i] = a.Fn.New()
		}
		return g
	}
	groups := map[string]*aggGroup{}
	var order []*aggGroup
	if len(n.GroupKeys) == 0 {
		// Without GROUP BY there is exactly one group, even for no rows.
		g := newGroup(nil)
		groups[""] = g
		order = append(order, g)
	}
	var key []byte
	countStar := types.NewInt(1)
	for {
		row, err := in.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			break
		}
		if err := x.tick(); err != nil {
			return nil, err
		}
		key = rowKey(key[:0], row, n.GroupKeys)
		g := groups[string(key)]
		if g == nil {
			g = newGroup(row)
			groups[string(key)] = g
			order = append(order, g)
		}
		for i, a := range n.Aggs {
			if a.FilterCol >= 0 {
				if f := row[a.FilterCol]; f.K != types.KBool || !f.Bool() {
					continue
				}
			}
			v := countStar
			if a.Arg >= 0 {
				v = row[a.Arg]
			}
			if err := g.accs[i].Add(v); err != nil {
				return nil, err
			}
		}
	}
	rows := make([]types.Row, len(order))
	for i, g := range order {
		row := make(types.Row, 0, len(g.key)+len(g.accs))
		row = append(row, g.key...)
		for _, acc := range g.accs {
			row = append(row, acc.Result())
		}
		rows[i] = row
	}
	return &sliceIter{rows: rows}, nil
}

// ---------------------------------------------------------------- sort

type sortIter struct {
	x      *execCtx
	in     iter
	keys   []planner.SortKey
	sorted *sliceIter
}

func (s *sortIter) next() (types.Row, error) {
	if s.sorted == nil {
		rows, err := s.x.drain(s.in)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(rows, func(i, j int) bool { return compareRows(rows[i], rows[j], s.keys) < 0 })
		if err := s.x.checkCancel(); err != nil {
			return nil, err
		}
		s.sorted = &sliceIter{rows: rows}
	}
	return s.sorted.next()
}

// compareRows orders two rows by keys, with NULLs placed per key.
func compareRows(a, b types.Row, keys []planner.SortKey) int {
	for _, k := range keys {
		da, db := a[k.Col], b[k.Col]
		var c int
		switch an, bn := da.IsNull(), db.IsNull(); {
		case an && bn:
			continue
		case an:
			c = 1
			if k.NullsFirst {
				c = -1
			}
			return c
		case bn:
			c = -1
			if k.NullsFirst {
				c = 1
			}
			return c
		}
		c = types.Compare(da, db)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// ---------------------------------------------------------------- join

func (x *execCtx) buildJoin(n *planner.Join) (iter, error) {
	left, err := x.build(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := x.build(n.Right)
	if err != nil {
		return nil, err
	}
	j := &joinIter{x: x, left: left, typ: n.Type,
		nl: len(n.Left.Columns()), nr: len(n.Right.Columns())}
	if j.lkeys, err = x.compileAll(n.LeftKeys); err != nil {
		return nil, err
	}
	if j.rkeys, err = x.compileAll(n.RightKeys); err != nil {
		return nil, err
	}
	if j.residual, err = x.compile(n.Residual); err != nil {
		return nil, err
	}
	if j.right, err = x.drain(right); err != nil {
		return nil, err
	}
	j.matched = make([]bool, len(j.right))
	if len(j.lkeys) > 0 {
		j.table = map[string][]int{}
		var key []byte
		for i, r := range j.right {
			var null bool
			if key, null, err = j.keyOf(key[:0], j.rkeys, r); err != nil {
				return nil, err
			}
			if !null { // a NULL key never equals anything
				j.table[string(key)] = append(j.table[string(key)], i)
			}
		}
	}
	return j, nil
}

// joinIter is a hash join (with equi-keys) or a nested-loop join over the
// materialized right input; the left input streams.
type joinIter struct {
	x                 *execCtx
	typ               planner.JoinType
	left              iter
	right             []types.Row
	nl, nr            int
	lkeys, rkeys      []expr.Eval
	residual          expr.Eval
	table             map[string][]int
	matched           []bool
	lrow              types.Row
	cands             []int // right rows to try against lrow
	ci                int
	lmatched          bool
	leftDone          bool
	ri                int // scan position over unmatched right rows
	key               []byte
	allRight          []int
	allRightPopulated bool
}

func (j *joinIter) keyOf(buf []byte, evs []expr.Eval, row types.Row) ([]byte, bool, error) {
	for _, ev := range evs {
		d, err := ev(j.x.ectx, row)
		if err != nil {
			return nil, false, err
		}
		if d.IsNull() {
			return buf, true, nil
		}
		buf = appendKey(buf, d)
	}
	return buf, false, nil
}

func (j *joinIter) concat(l, r types.Row) types.Row {
	out := make(types.Row, j.nl+j.nr)
	copy(out, l)
	copy(out[j.nl:], r)
	return out
}

func (j *joinIter) next() (types.Row, error) {
	for !j.leftDone {
		if j.lrow == nil {
			row, err := j.left.next()
			if err != nil {
				return nil, err
			}
			if row == nil {
				j.leftDone = true
				break
			}
			j.lrow, j.ci, j.lmatched = row, 0, false
			if j.table != nil {
				var null bool
				if j.key, null, err = j.keyOf(j.key[:0], j.lkeys, row); err != nil {
					return nil, err
				}
				j.cands = nil
				if !null {
					j.cands = j.table[string(j.key)]
				}
			} else {
				if !j.allRightPopulated {
					j.allRight = make([]int, len(j.right))
					for i := range j.allRight {
						j.allRight[i] = i
					}
					j.allRightPopulated = true
				}
				j.cands = j.allRight
			}
		}
		for j.ci < len(j.cands) {
			ri := j.cands[j.ci]
			j.ci++
			if err := j.x.tick(); err != nil {
				return nil, err
			}
			out := j.concat(j.lrow, j.right[ri])
			if j.residual != nil {
				ok, err := j.x.evalBool(j.residual, out)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			j.lmatched = true
			j.matched[ri] = true
			return out, nil
		}
		l := j.lrow
		j.lrow = nil
		if !j.lmatched && (j.typ == planner.JoinLeft || j.typ == planner.JoinFull) {
			return j.concat(l, nil), nil
		}
	}
	if j.typ == planner.JoinRight || j.typ == planner.JoinFull {
		for j.ri < len(j.right) {
			ri := j.ri
			j.ri++
			if !j.matched[ri] {
				out := make(types.Row, j.nl+j.nr)
				copy(out[j.nl:], j.right[ri])
				return out, nil
			}
		}
	}
	return nil, nil
}

// ---------------------------------------------------------------- set operations

func (x *execCtx) buildSetOp(n *planner.SetOp) (iter, error) {
	left, err := x.build(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := x.build(n.Right)
	if err != nil {
		return nil, err
	}
	if n.Kind == planner.SetUnion {
		var it iter = &concatIter{its: []iter{left, right}}
		if !n.All {
			it = &distinctIter{x: x, in: it, seen: map[string]struct{}{}}
		}
		return it, nil
	}
	rrows, err := x.drain(right)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	var key []byte
	for _, r := range rrows {
		key = rowKey(key[:0], r, nil)
		counts[string(key)]++
	}
	return &setOpIter{x: x, in: left, kind: n.Kind, all: n.All, counts: counts, emitted: map[string]bool{}}, nil
}

type concatIter struct {
	its []iter
}

func (c *concatIter) next() (types.Row, error) {
	for len(c.its) > 0 {
		row, err := c.its[0].next()
		if err != nil || row != nil {
			return row, err
		}
		c.its = c.its[1:]
	}
	return nil, nil
}

// setOpIter computes INTERSECT and EXCEPT with multiset semantics for ALL
// and set semantics otherwise.
type setOpIter struct {
	x       *execCtx
	in      iter
	kind    planner.SetOpKind
	all     bool
	counts  map[string]int
	emitted map[string]bool
	key     []byte
}

func (s *setOpIter) next() (types.Row, error) {
	for {
		row, err := s.in.next()
		if err != nil || row == nil {
			return nil, err
		}
		if err := s.x.tick(); err != nil {
			return nil, err
		}
		s.key = rowKey(s.key[:0], row, nil)
		k := string(s.key)
		c := s.counts[k]
		if s.kind == planner.SetIntersect {
			if c == 0 {
				continue
			}
			if s.all {
				s.counts[k] = c - 1
				return row, nil
			}
			if !s.emitted[k] {
				s.emitted[k] = true
				return row, nil
			}
			continue
		}
		// EXCEPT
		if s.all {
			if c > 0 {
				s.counts[k] = c - 1
				continue
			}
			return row, nil
		}
		if c > 0 || s.emitted[k] {
			continue
		}
		s.emitted[k] = true
		return row, nil
	}
}
