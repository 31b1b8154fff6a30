package planner

import (
	"fmt"
	"math"
	"strings"
	"time"

	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Streaming joins.
//
// A join operator (OpJoin) reads two inputs: Inputs[0] is the left side,
// Inputs[1] the right side. Each side's rows are kept in keyed state (one
// state table per side) so that a row arriving on one side finds its
// partners on the other. Three shapes share the operator:
//
//   - Regular equi-joins keep every row: state grows with the inputs
//     unless the view sets state.ttl.
//   - Interval joins: the condition bounds one side's event time by the
//     other's (a.ts BETWEEN b.ts - INTERVAL '1' MINUTE AND b.ts). A row
//     that no future row of the other side can match, given that side's
//     watermark, is dropped.
//   - Window joins: both sides are windowed and joined on window_end, a
//     special case of the interval join with an empty interval: a window's
//     rows are dropped when the other side's watermark passes its end.
//
// Without equi-join keys (cross joins, non-equi conditions) the right side
// is broadcast to every subtask of the left side (inner and left joins) or
// both sides are gathered into one subtask (right and full joins).

// JoinSpec joins Inputs[0] (left) with Inputs[1] (right). Output = the left
// input's columns followed by the right input's.
//
// Rows of the two sides match when their key columns are equal (NULL never
// equals anything) and Residual is true. Inserts and deletes of either side
// produce the inserts and deletes of the matching output rows; outer sides
// emit a NULL-padded row while a row has no match, retracted when the
// first partner arrives and restored when the last one leaves (each stored
// row keeps its degree: the number of partner rows it matches).
type JoinSpec struct {
	// Type is JoinInner, JoinLeft, JoinRight or JoinFull (a cross join is
	// an inner join without keys).
	Type JoinType
	// LeftKeys and RightKeys are the equi-join key columns of each input,
	// pairwise of equal datum kinds.
	LeftKeys, RightKeys []int
	// Residual filters matching pairs; it reads the output row (left
	// columns then right columns). Nil: every key match joins.
	Residual expr.Expr
	// LeftStateTableID and RightStateTableID hold each side's rows.
	LeftStateTableID, RightStateTableID uint32
	// LeftBounds and RightBounds make a side's state bounded: a row of the
	// side is dropped as soon as, for one of its bounds, row[Col] + Offset
	// is below the other side's watermark (no future row of the other side
	// can match it). Empty: the side's rows are kept (until the TTL).
	LeftBounds, RightBounds []JoinStateBound
	// LeftWatermarkCol and RightWatermarkCol are the input columns
	// carrying each side's watermark (-1: none); for EXPLAIN.
	LeftWatermarkCol, RightWatermarkCol int
	// OutputSide is the side (0 left, 1 right) whose watermark column is
	// the operator's WatermarkCol, if it has one: the output watermark is
	// min(watermark of that side, watermark of the other side +
	// OutputOffset), in microseconds.
	OutputSide   int
	OutputOffset int64
	// RightBroadcast: the join has no keys and the right input is
	// broadcast, so every subtask holds all right rows (and only its own
	// share of the left rows).
	RightBroadcast bool
	// TTLMicros, when positive, drops a stored row that was not inserted,
	// deleted or matched for that long, by processing time (state.ttl).
	TTLMicros int64
}

// JoinStateBound is one way a side's stored row expires: once row[Col] +
// OffsetMicros < the other side's watermark. It comes from a condition
// `other.watermark_col <= row.Col + Offset` (or an equivalent form).
type JoinStateBound struct {
	Col          int
	OffsetMicros int64
}

// StateTTLOption is the view option that bounds the state of regular joins
// by processing time.
const StateTTLOption = "state.ttl"

// viewStateTTL reads WITH (state.ttl = '1h') from a view's options.
func viewStateTTL(opts []*ast.Option) (int64, error) {
	for _, o := range opts {
		if !strings.EqualFold(o.Key, StateTTLOption) {
			continue
		}
		bad := pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for %s: %q", StateTTLOption, o.Value).
			WithHint("Use a positive interval such as '1h', '30 minutes' or '1 day'.")
		if d, err := time.ParseDuration(strings.TrimSpace(o.Value)); err == nil {
			if d <= 0 {
				return 0, bad
			}
			return d.Microseconds(), nil
		}
		d, err := types.ParseText(o.Value, types.TInterval)
		if err != nil {
			return 0, bad
		}
		iv := d.Interval()
		us := iv.ApproxMicros()
		if iv.Months < 0 || iv.Days < 0 || iv.Micros < 0 || us <= 0 {
			return 0, bad
		}
		return us, nil
	}
	return 0, nil
}

// buildJoin plans a Join node as an OpJoin operator.
func (sp *streamPlanner) buildJoin(n *Join) (streamOut, error) {
	typ := n.Type
	if typ == JoinCross {
		typ = JoinInner
	}
	left, err := sp.build(n.Left)
	if err != nil {
		return left, err
	}
	right, err := sp.build(n.Right)
	if err != nil {
		return right, err
	}
	lcols, rcols := n.Left.Columns(), n.Right.Columns()
	nlLogical := len(lcols)

	// Key expressions that are not plain columns are computed by a
	// projection appending them to their side, and dropped after the join.
	left, lkeys, lin, err := sp.joinKeyCols(left, lcols, n.LeftKeys, "left")
	if err != nil {
		return left, err
	}
	right, rkeys, rin, err := sp.joinKeyCols(right, rcols, n.RightKeys, "right")
	if err != nil {
		return right, err
	}
	nl := len(lin)
	out := make([]types.Column, 0, len(lin)+len(rin))
	out = append(append(out, lin...), rin...)

	spec := &JoinSpec{
		Type: typ, LeftKeys: lkeys, RightKeys: rkeys,
		LeftWatermarkCol: left.wm, RightWatermarkCol: right.wm,
		TTLMicros: sp.opts.StateTTLMicros,
	}
	if n.Residual != nil {
		shift := nl - nlLogical
		spec.Residual = remapCols(n.Residual, func(i int) int {
			if i >= nlLogical {
				return i + shift
			}
			return i
		})
	}
	if sp.opts.NextStateTableID != nil {
		spec.LeftStateTableID = sp.opts.NextStateTableID()
		spec.RightStateTableID = sp.opts.NextStateTableID()
	}
	spec.LeftBounds, spec.RightBounds = joinBounds(n, left.wm, right.wm)

	op := &Operator{Kind: OpJoin, Output: out, Join: spec, WatermarkCol: -1}
	res := streamOut{wm: -1, wend: map[int]bool{}}
	par := sp.opts.Parallelism
	switch {
	case len(lkeys) > 0:
		if left.par == 1 && right.par == 1 && par == 1 {
			op.Inputs = []Input{{From: left.op, Exchange: Forward}, {From: right.op, Exchange: Forward}}
		} else {
			// Both sides must place equal keys on the same subtask, which
			// only hashing both by the keys (in the same order) ensures.
			op.Inputs = []Input{{From: left.op, Exchange: Hash, Keys: lkeys}, {From: right.op, Exchange: Hash, Keys: rkeys}}
		}
		op.Parallelism = par
		switch typ {
		case JoinInner, JoinLeft:
			res.dist = lkeys
		case JoinRight:
			res.dist = shiftCols(rkeys, nl)
		}
	case typ == JoinInner || typ == JoinLeft:
		// Each left row is matched by the subtask it is on, against a
		// full copy of the right side.
		op.Parallelism = left.par
		redge := Input{From: right.op, Exchange: Forward}
		switch {
		case left.par > 1:
			redge.Exchange = Broadcast
			spec.RightBroadcast = true
		case right.par > 1:
			redge.Exchange = Single
		}
		op.Inputs = []Input{{From: left.op, Exchange: Forward}, redge}
		res.dist = left.dist
	default:
		// A right or full join without keys needs each right row's
		// matches from every left row: one subtask sees all.
		op.Parallelism = 1
		single := func(in streamOut) Input {
			if in.par == 1 {
				return Input{From: in.op, Exchange: Forward}
			}
			return Input{From: in.op, Exchange: Single}
		}
		op.Inputs = []Input{single(left), single(right)}
	}
	res.par = op.Parallelism

	// Output watermark: only from a side that is never NULL-padded.
	if b, ok := tightestBound(spec.LeftBounds, left.wm); ok && (typ == JoinInner || typ == JoinLeft) {
		op.WatermarkCol, spec.OutputSide, spec.OutputOffset = left.wm, 0, negSat(b)
	} else if b, ok := tightestBound(spec.RightBounds, right.wm); ok && (typ == JoinInner || typ == JoinRight) {
		op.WatermarkCol, spec.OutputSide, spec.OutputOffset = nl+right.wm, 1, negSat(b)
	}
	res.wm = op.WatermarkCol
	if typ == JoinInner || typ == JoinLeft {
		for c := range left.wend {
			res.wend[c] = true
		}
	}
	if typ == JoinInner || typ == JoinRight {
		for c := range right.wend {
			res.wend[nl+c] = true
		}
	}
	if left.hasKey && right.hasKey {
		res.key = append(append([]int{}, left.key...), shiftCols(right.key, nl)...)
		res.hasKey = true
	}
	res.op = sp.add(op)

	if len(lin) == len(lcols) && len(rin) == len(rcols) {
		return res, nil
	}
	// Drop the computed key columns again.
	exprs := make([]expr.Expr, 0, len(lcols)+len(rcols))
	colMap := make([]int, len(out))
	for i := range colMap {
		colMap[i] = -1
	}
	for i := range lcols {
		colMap[i] = len(exprs)
		exprs = append(exprs, &expr.ColRef{Idx: i, T: out[i].Type, Name: out[i].Name})
	}
	for i := range rcols {
		colMap[nl+i] = len(exprs)
		exprs = append(exprs, &expr.ColRef{Idx: nl + i, T: out[nl+i].Type, Name: out[nl+i].Name})
	}
	outCols := append(append([]types.Column{}, lcols...), rcols...)
	return sp.chain(&Operator{Kind: OpProject, Output: outCols, Project: &ProjectSpec{Exprs: exprs}}, res, colMap)
}

// joinKeyCols returns the columns of in holding keys: a plain column key is
// that column; other key expressions are appended by a projection. cols
// is in's logical schema; the result's schema is returned too.
func (sp *streamPlanner) joinKeyCols(in streamOut, cols []types.Column, keys []expr.Expr, side string) (streamOut, []int, []types.Column, error) {
	out := make([]int, len(keys))
	var extra []expr.Expr
	for i, k := range keys {
		if c, ok := k.(*expr.ColRef); ok {
			out[i] = c.Idx
			continue
		}
		out[i] = len(cols) + len(extra)
		extra = append(extra, k)
	}
	if len(extra) == 0 {
		return in, out, cols, nil
	}
	exprs := make([]expr.Expr, 0, len(cols)+len(extra))
	outCols := append([]types.Column{}, cols...)
	for i, c := range cols {
		exprs = append(exprs, &expr.ColRef{Idx: i, T: c.Type, Name: c.Name})
	}
	for i, e := range extra {
		exprs = append(exprs, e)
		outCols = append(outCols, types.Column{Name: fmt.Sprintf("%s_key%d", side, i), Type: e.Type()})
	}
	res, err := sp.chain(&Operator{Kind: OpProject, Output: outCols, Project: &ProjectSpec{Exprs: exprs}}, in, identityMap(len(cols)))
	return res, out, outCols, err
}

func shiftCols(cols []int, by int) []int {
	if cols == nil {
		return nil
	}
	out := make([]int, len(cols))
	for i, c := range cols {
		out[i] = c + by
	}
	return out
}

// tightestBound returns the smallest offset among bounds on column col.
func tightestBound(bounds []JoinStateBound, col int) (int64, bool) {
	best, ok := int64(math.MaxInt64), false
	for _, b := range bounds {
		if col >= 0 && b.Col == col && b.OffsetMicros <= best {
			best, ok = b.OffsetMicros, true
		}
	}
	return best, ok
}

func negSat(v int64) int64 {
	if v == math.MinInt64 {
		return math.MaxInt64
	}
	return -v
}

// timeTerm is `column + offset` over a timestamp column.
type timeTerm struct {
	col int
	off int64
}

// joinBounds derives the state bounds of each side from the join's
// conditions: a conjunct `A <= B` (or <, >=, >, or a key equality giving
// both directions) where A is one side's watermark column and B a
// timestamp column of the other side, each plus or minus a constant
// interval, means a row of B's side can only match rows of A's side with
// A <= B; once A's watermark passes B, the row is dead. lwm and rwm are
// the sides' watermark columns (in their own schemas, -1 for none); the
// join's columns are the logical left columns followed by the right ones.
func joinBounds(n *Join, lwm, rwm int) (left, right []JoinStateBound) {
	nl := len(n.Left.Columns())
	add := func(a, b timeTerm) { // a.col + a.off <= b.col + b.off
		off, ok := subSat(b.off, a.off)
		if !ok {
			return
		}
		switch {
		case rwm >= 0 && a.col == nl+rwm && b.col < nl:
			left = appendBound(left, JoinStateBound{Col: b.col, OffsetMicros: off})
		case lwm >= 0 && a.col == lwm && b.col >= nl:
			right = appendBound(right, JoinStateBound{Col: b.col - nl, OffsetMicros: off})
		}
	}
	for i := range n.LeftKeys {
		lt, ok1 := asTimeTerm(n.LeftKeys[i])
		rt, ok2 := asTimeTerm(n.RightKeys[i])
		if ok1 && ok2 {
			rt.col += nl
			add(lt, rt)
			add(rt, lt)
		}
	}
	for _, c := range conjuncts(n.Residual) {
		call, ok := c.(*expr.Call)
		if !ok || call.Fn == nil || len(call.Args) != 2 {
			continue
		}
		x, ok1 := asTimeTerm(call.Args[0])
		y, ok2 := asTimeTerm(call.Args[1])
		if !ok1 || !ok2 {
			continue
		}
		// A strict comparison is used as its non-strict form: the row
		// is kept a little longer than necessary, never dropped early.
		switch call.Fn.Name {
		case "<", "<=":
			add(x, y)
		case ">", ">=":
			add(y, x)
		case "=":
			add(x, y)
			add(y, x)
		}
	}
	return left, right
}

func appendBound(bs []JoinStateBound, b JoinStateBound) []JoinStateBound {
	for i, x := range bs {
		if x.Col == b.Col {
			if b.OffsetMicros < x.OffsetMicros {
				bs[i] = b
			}
			return bs
		}
	}
	return append(bs, b)
}

func subSat(a, b int64) (int64, bool) {
	d := a - b
	if (b < 0 && d < a) || (b > 0 && d > a) {
		return 0, false
	}
	return d, true
}

// asTimeTerm recognises a timestamp column, optionally plus or minus a
// constant interval of fixed length.
func asTimeTerm(e expr.Expr) (timeTerm, bool) {
	switch x := e.(type) {
	case *expr.ColRef:
		if x.T.Fam == types.Timestamp || x.T.Fam == types.Timestamptz {
			return timeTerm{col: x.Idx}, true
		}
	case *expr.Call:
		if x.Fn == nil || len(x.Args) != 2 || (x.Fn.Name != "+" && x.Fn.Name != "-") {
			return timeTerm{}, false
		}
		a, b := x.Args[0], x.Args[1]
		if x.Fn.Name == "+" {
			if _, ok := a.(*expr.Const); ok {
				a, b = b, a
			}
		}
		col, ok := a.(*expr.ColRef)
		if !ok || (col.T.Fam != types.Timestamp && col.T.Fam != types.Timestamptz) {
			return timeTerm{}, false
		}
		us, ok := fixedInterval(b, col.T)
		if !ok {
			return timeTerm{}, false
		}
		if x.Fn.Name == "-" {
			us = -us
		}
		return timeTerm{col: col.Idx, off: us}, true
	}
	return timeTerm{}, false
}

// fixedInterval is the length in microseconds of a constant interval
// without months (a day is 24 hours for timestamp without time zone; with
// time zone, days vary with DST and are not accepted).
func fixedInterval(e expr.Expr, t types.T) (int64, bool) {
	c, ok := e.(*expr.Const)
	if !ok || c.D.K != types.KInterval {
		return 0, false
	}
	iv := c.D.Interval()
	if iv.Months != 0 || (iv.Days != 0 && t.Fam == types.Timestamptz) {
		return 0, false
	}
	const dayMicros = 86400 * 1000000
	if iv.Days > math.MaxInt64/dayMicros || iv.Days < math.MinInt64/dayMicros {
		return 0, false
	}
	us := int64(iv.Days) * dayMicros
	sum := us + iv.Micros
	if (iv.Micros > 0 && sum < us) || (iv.Micros < 0 && sum > us) {
		return 0, false
	}
	return sum, true
}

// joinShape names the kind of streaming join for EXPLAIN.
func joinShape(s *JoinSpec) string {
	for i := range s.LeftKeys {
		if s.LeftKeys[i] == s.LeftWatermarkCol && s.RightKeys[i] == s.RightWatermarkCol && s.LeftWatermarkCol >= 0 && s.RightWatermarkCol >= 0 {
			return "window"
		}
	}
	switch {
	case len(s.LeftBounds) > 0 || len(s.RightBounds) > 0:
		return "interval"
	case len(s.LeftKeys) == 0:
		return "nested loop"
	}
	return "regular"
}

// describeJoin renders an OpJoin for EXPLAIN: the join type and shape, the
// keys, and for each side's state what bounds it.
func describeJoin(g *StreamGraph, op *Operator, par, wm string) string {
	s := op.Join
	var lin, rin []types.Column
	if len(op.Inputs) == 2 {
		lin, rin = g.Operators[op.Inputs[0].From].Output, g.Operators[op.Inputs[1].From].Output
	}
	keys := ""
	if len(s.LeftKeys) > 0 {
		parts := make([]string, len(s.LeftKeys))
		for i := range s.LeftKeys {
			parts[i] = colName(lin, s.LeftKeys[i]) + " = " + colName(rin, s.RightKeys[i])
		}
		keys = "[" + strings.Join(parts, ", ") + "]"
	}
	state := func(id uint32, bounds []JoinStateBound, own, other []types.Column, otherWM int, otherName string, replicated bool) string {
		var parts []string
		if replicated {
			parts = append(parts, "replicated")
		}
		for _, b := range bounds {
			parts = append(parts, fmt.Sprintf("dropped when %s < %s watermark on %s",
				timeTermString(colName(own, b.Col), b.OffsetMicros), otherName, colName(other, otherWM)))
		}
		switch {
		case s.TTLMicros > 0:
			parts = append(parts, "ttl "+micros(s.TTLMicros))
		case len(bounds) == 0:
			parts = append(parts, "unbounded")
		}
		return fmt.Sprintf("%d (%s)", id, strings.Join(parts, "; "))
	}
	return node("StreamJoin", "type", s.Type.String(), "kind", joinShape(s), "keys", keys,
		"residual", optExpr(qualifySides(s.Residual, lin, rin)),
		"left state", state(s.LeftStateTableID, s.LeftBounds, lin, rin, s.RightWatermarkCol, "right", false),
		"right state", state(s.RightStateTableID, s.RightBounds, rin, lin, s.LeftWatermarkCol, "left", s.RightBroadcast),
		"parallelism", par, "watermark", wm)
}

func timeTermString(col string, off int64) string {
	switch {
	case off > 0:
		return col + " + " + micros(off)
	case off < 0 && off != math.MinInt64:
		return col + " - " + micros(-off)
	}
	return col
}

// qualifySides renames the column references of a join predicate after
// the inputs' columns, prefixing "left." or "right." to names both sides
// have, so EXPLAIN tells l.ts >= r.ts from r.ts >= l.ts.
func qualifySides(e expr.Expr, lin, rin []types.Column) expr.Expr {
	if e == nil || lin == nil {
		return e
	}
	has := func(cols []types.Column, name string) bool {
		for _, c := range cols {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	out, _ := MapExpr(e, func(n expr.Expr) (expr.Expr, error) {
		c, ok := n.(*expr.ColRef)
		if !ok {
			return n, nil
		}
		name := colName(lin, c.Idx)
		if c.Idx < len(lin) {
			if has(rin, name) {
				name = "left." + name
			}
		} else {
			name = colName(rin, c.Idx-len(lin))
			if has(lin, name) {
				name = "right." + name
			}
		}
		return &expr.ColRef{Idx: c.Idx, T: c.T, Name: name}, nil
	})
	return out
}
