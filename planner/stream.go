package planner

import (
	"slices"
	"strings"

	"streamsqld/catalog"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// StreamOptions configure the physical planning of a materialized view.
type StreamOptions struct {
	// Parallelism is the number of subtasks of each parallel operator.
	Parallelism int
	// NextStateTableID allocates the id of an operator's state table; nil
	// leaves ids 0 (EXPLAIN without side effects).
	NextStateTableID func() uint32
	// View is the view's catalog relation, set on the Materialize sink.
	// When nil, PlanView sets a provisional relation (ID 0) holding the
	// view's name, columns, key, dependencies and parallelism, ready to be
	// passed to catalog.Create; replace it with the created relation
	// through Sink().Materialize.View before running the graph.
	View *catalog.Relation
	// StateTTLMicros bounds the state of joins by processing time
	// (JoinSpec.TTLMicros); PlanView sets it from the view's state.ttl
	// option.
	StateTTLMicros int64
}

// Sink returns the graph's last operator: its Materialize, or the Sink of
// a CREATE SINK.
func (g *StreamGraph) Sink() *Operator { return g.Operators[len(g.Operators)-1] }

// PlanView compiles a materialized view's query into a streaming graph.
//
// Event time flows as watermarks on one column per operator. TUMBLE and
// HOP move it from the time column to window_end with the same value:
// future rows have time >= W, hence window_end > W, so W is a valid
// watermark for window_end and an aggregate grouping by window_end can
// close every window whose end is <= W.
func PlanView(stmt *ast.CreateMaterializedView, env Env, opts StreamOptions) (*StreamGraph, error) {
	ttl, err := viewStateTTL(stmt.Options)
	if err != nil {
		return nil, err
	}
	if ttl > 0 {
		opts.StateTTLMicros = ttl
	}
	g, err := PlanStream(stmt.Query, env, opts)
	if err != nil {
		return nil, err
	}
	if m := g.Sink().Materialize; m.View == nil {
		m.View = &catalog.Relation{
			Kind:        catalog.MaterializedView,
			Name:        stmt.Name,
			Columns:     append([]types.Column(nil), g.Output...),
			KeyColumns:  append([]int(nil), m.KeyCols...),
			DependsOn:   Dependencies(g),
			Parallelism: opts.Parallelism,
			StateTables: StateTables(g),
		}
	}
	return g, nil
}

// StateTables lists the state table ids of a graph's operators.
func StateTables(g *StreamGraph) []uint32 {
	var ids []uint32
	for _, op := range g.Operators {
		if op.HashAgg != nil && op.HashAgg.StateTableID != 0 {
			ids = append(ids, op.HashAgg.StateTableID)
		}
		if op.Join != nil && op.Join.LeftStateTableID != 0 {
			ids = append(ids, op.Join.LeftStateTableID, op.Join.RightStateTableID)
		}
	}
	return ids
}

// Dependencies lists the relations a graph reads, in first-use order.
func Dependencies(g *StreamGraph) []uint32 {
	var deps []uint32
	for _, op := range g.Operators {
		if op.Source != nil && op.Source.Relation != nil && !slices.Contains(deps, op.Source.Relation.ID) {
			deps = append(deps, op.Source.Relation.ID)
		}
	}
	return deps
}

// PlanStream is PlanView for a bare query (EXPLAIN): its graph ends in a
// Materialize.
func PlanStream(sel *ast.Select, env Env, opts StreamOptions) (*StreamGraph, error) {
	sp, in, out, err := planQuery(sel, env, &opts)
	if err != nil {
		return nil, err
	}
	sink := &Operator{
		Kind:         OpMaterialize,
		Output:       out,
		WatermarkCol: in.wm,
		Materialize:  &MaterializeSpec{View: opts.View},
	}
	if in.hasKey && len(in.key) > 0 {
		sink.Materialize.KeyCols = in.key
	}
	sp.connect(sink, in, sink.Materialize.KeyCols)
	sp.add(sink)
	return sp.g, nil
}

// planQuery binds and optimizes a streaming query and builds its
// operators up to, not including, the sink operator.
func planQuery(sel *ast.Select, env Env, opts *StreamOptions) (*streamPlanner, streamOut, []types.Column, error) {
	if opts.Parallelism < 1 {
		opts.Parallelism = 1
	}
	b := newBinder(&env, nil, true)
	plan, err := b.bindQuery(sel, nil)
	if err != nil {
		return nil, streamOut{}, nil, err
	}
	if len(b.params) > 0 {
		return nil, streamOut{}, nil, pgerror.New(pgerror.UndefinedParameter, "there is no parameter $1").
			WithDetail("Materialized views cannot have parameters.").WithPosition(sel.Pos())
	}
	seen := map[string]bool{}
	for _, c := range plan.Columns() {
		if seen[c.Name] {
			return nil, streamOut{}, nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", c.Name).
				WithHint("Give the columns distinct names with AS.")
		}
		seen[c.Name] = true
	}
	if plan, err = stripSort(plan); err != nil {
		return nil, streamOut{}, nil, err
	}
	if plan, err = Optimize(plan); err != nil {
		return nil, streamOut{}, nil, err
	}
	sp := &streamPlanner{opts: *opts, g: &StreamGraph{}}
	in, err := sp.build(plan)
	if err != nil {
		return nil, streamOut{}, nil, err
	}
	sp.g.Output = plan.Columns()
	return sp, in, sp.g.Output, nil
}

// stripSort removes ORDER BY, which means nothing for a view (a set of
// rows); LIMIT and OFFSET would need a top-N operator the runtime lacks.
func stripSort(p LogicalPlan) (LogicalPlan, error) {
	switch n := p.(type) {
	case *Sort:
		return stripSort(n.Input)
	case *Limit:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "LIMIT and OFFSET are not supported in materialized views")
	}
	kids := p.Children()
	if len(kids) == 0 {
		return p, nil
	}
	nk := make([]LogicalPlan, len(kids))
	for i, k := range kids {
		var err error
		if nk[i], err = stripSort(k); err != nil {
			return nil, err
		}
	}
	return withInputs(p, nk), nil
}

type streamPlanner struct {
	opts StreamOptions
	g    *StreamGraph
}

// streamOut describes a built operator's output for its consumer.
type streamOut struct {
	op  int
	par int
	// dist are the columns whose values decide the subtask of a row (nil:
	// unknown).
	dist []int
	wm   int
	// wend marks the columns that are a window's window_end.
	wend map[int]bool
	// key is a unique key of the output rows (hasKey: one is known; an
	// empty key means at most one row).
	key    []int
	hasKey bool
}

func (sp *streamPlanner) add(op *Operator) int {
	op.ID = len(sp.g.Operators)
	sp.g.Operators = append(sp.g.Operators, op)
	return op.ID
}

// connect sets op's input from in, partitioned by keys (nil: any
// partitioning). It uses a Forward edge when in is already partitioned
// compatibly, and sets op's parallelism.
func (sp *streamPlanner) connect(op *Operator, in streamOut, keys []int) {
	edge := Input{From: in.op, Exchange: Forward}
	op.Parallelism = in.par
	switch {
	case keys == nil:
	case len(keys) == 0:
		if in.par != 1 {
			edge.Exchange = Single
			op.Parallelism = 1
		}
	case in.par == 1 && sp.opts.Parallelism == 1:
	case in.par == sp.opts.Parallelism && len(in.dist) > 0 && subset(in.dist, keys):
	default:
		edge.Exchange = Hash
		edge.Keys = keys
		op.Parallelism = sp.opts.Parallelism
	}
	op.Inputs = []Input{edge}
}

func subset(a, b []int) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func notSupported(what string) error {
	return pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported in materialized views", what)
}

func (sp *streamPlanner) build(p LogicalPlan) (streamOut, error) {
	switch n := p.(type) {
	case *Scan:
		return sp.buildScan(n)
	case *Filter:
		if a, ok := n.Input.(*Aggregate); ok {
			return sp.buildAgg(a, n.Pred)
		}
		in, err := sp.build(n.Input)
		if err != nil {
			return in, err
		}
		return sp.chain(&Operator{Kind: OpFilter, Output: n.Columns(), Filter: &FilterSpec{Pred: n.Pred}}, in, identityMap(len(n.Columns())))
	case *Project:
		in, err := sp.build(n.Input)
		if err != nil {
			return in, err
		}
		if isIdentity(n) {
			// A projection that only renames is free: the producer takes
			// the new names (names never matter to the runtime).
			op := sp.g.Operators[in.op]
			op.Output = append([]types.Column(nil), op.Output...)
			for i := range op.Output {
				op.Output[i].Name = n.Out[i].Name
			}
			return in, nil
		}
		return sp.chain(&Operator{Kind: OpProject, Output: n.Out, Project: &ProjectSpec{Exprs: n.Exprs}}, in, passthrough(n.Exprs, len(n.Input.Columns())))
	case *ProjectSet:
		in, err := sp.build(n.Input)
		if err != nil {
			return in, err
		}
		spec := &ProjectSetSpec{
			Exprs:    make([]expr.Expr, len(n.Items)),
			SetFuncs: make([]*expr.SetFunc, len(n.Items)),
			SetArgs:  make([][]expr.Expr, len(n.Items)),
		}
		plain := make([]expr.Expr, len(n.Items))
		for i, it := range n.Items {
			spec.Exprs[i], spec.SetFuncs[i], spec.SetArgs[i] = it.Expr, it.Func, it.Args
			plain[i] = it.Expr
		}
		out, err := sp.chain(&Operator{Kind: OpProjectSet, Output: n.Out, ProjectSet: spec}, in, passthrough(plain, len(n.Input.Columns())))
		out.hasKey, out.key = false, nil // one input row becomes many
		return out, err
	case *WindowAssign:
		return sp.buildWindow(n)
	case *Aggregate:
		return sp.buildAgg(n, nil)
	case *Distinct:
		cols := n.Columns()
		keys := identityMap(len(cols))
		return sp.buildAgg(&Aggregate{Input: n.Input, GroupKeys: keys, Out: cols}, nil)
	case *Join:
		return sp.buildJoin(n)
	case *SetOp:
		return streamOut{}, notSupported(strings.ToUpper(n.Kind.String()))
	case *Values:
		return streamOut{}, notSupported("a query without a source, table or materialized view in FROM")
	case *Window:
		return streamOut{}, notSupported("window functions (OVER)")
	case *Limit:
		return streamOut{}, notSupported("LIMIT")
	case *Sort:
		return streamOut{}, notSupported("ORDER BY")
	}
	return streamOut{}, notSupported("this query")
}

// isIdentity reports whether p returns its input's columns unchanged,
// up to names.
func isIdentity(p *Project) bool {
	if len(p.Exprs) != len(p.Input.Columns()) {
		return false
	}
	for i, e := range p.Exprs {
		if c, ok := e.(*expr.ColRef); !ok || c.Idx != i {
			return false
		}
	}
	return true
}

func identityMap(n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i
	}
	return m
}

// passthrough returns, per input column, the first output that is a plain
// reference to it (-1 when none).
func passthrough(exprs []expr.Expr, nIn int) []int {
	m := make([]int, nIn)
	for i := range m {
		m[i] = -1
	}
	for i, e := range exprs {
		if c, ok := e.(*expr.ColRef); ok && m[c.Idx] < 0 {
			m[c.Idx] = i
		}
	}
	return m
}

// chain adds a row-wise operator after in (Forward, same parallelism);
// colMap maps input columns to output columns for tracking partitioning,
// watermark, window ends and keys.
func (sp *streamPlanner) chain(op *Operator, in streamOut, colMap []int) (streamOut, error) {
	sp.connect(op, in, nil)
	out := streamOut{par: op.Parallelism, wm: -1, wend: map[int]bool{}}
	if in.wm >= 0 {
		out.wm = colMap[in.wm]
	}
	for c := range in.wend {
		if colMap[c] >= 0 {
			out.wend[colMap[c]] = true
		}
	}
	out.dist = mapAll(in.dist, colMap)
	if in.hasKey {
		out.key = mapAll(in.key, colMap)
		out.hasKey = out.key != nil || len(in.key) == 0
	}
	op.WatermarkCol = out.wm
	out.op = sp.add(op)
	return out, nil
}

// mapAll maps every column through m, or returns nil if one is lost.
func mapAll(cols []int, m []int) []int {
	if len(cols) == 0 {
		return nil
	}
	out := make([]int, len(cols))
	for i, c := range cols {
		if m[c] < 0 {
			return nil
		}
		out[i] = m[c]
	}
	return out
}

func (sp *streamPlanner) buildScan(n *Scan) (streamOut, error) {
	if n.Relation == nil {
		return streamOut{}, notSupported("reading a system relation")
	}
	rel := n.Relation
	par := sp.opts.Parallelism
	if rel.Kind == catalog.Table {
		par = 1 // a table's log is a single split
	}
	spec := &SourceSpec{Relation: rel, Columns: n.Cols, EventTimeCol: -1}
	if rel.HasWatermark {
		if wc := rel.ColumnIndex(rel.WatermarkColumn); wc >= 0 {
			spec.EventTimeCol = slices.Index(n.Cols, wc)
		}
		spec.DelayMicros = rel.WatermarkDelay.ApproxMicros()
	}
	op := &Operator{Kind: OpSource, Parallelism: par, Output: n.Out, WatermarkCol: spec.EventTimeCol, Source: spec}
	out := streamOut{op: sp.add(op), par: par, wm: spec.EventTimeCol, wend: map[int]bool{}}
	if len(rel.KeyColumns) > 0 {
		pos := make([]int, len(rel.Columns))
		for i := range pos {
			pos[i] = -1
		}
		for i, c := range n.Cols {
			pos[c] = i
		}
		if out.key = mapAll(rel.KeyColumns, pos); out.key != nil {
			out.hasKey = true
		}
	}
	if n.Filter != nil {
		return sp.chain(&Operator{Kind: OpFilter, Output: n.Out, Filter: &FilterSpec{Pred: n.Filter}}, out, identityMap(len(n.Out)))
	}
	return out, nil
}

func (sp *streamPlanner) buildWindow(n *WindowAssign) (streamOut, error) {
	in, err := sp.build(n.Input)
	if err != nil {
		return in, err
	}
	nIn := len(n.Input.Columns())
	wmOut := in.wm
	if in.wm == n.TimeCol {
		wmOut = nIn + 1 // see PlanView: the watermark moves to window_end
	}
	var op *Operator
	var keys []int
	if n.Kind == WindowSession {
		keys = append([]int{}, n.SessionKeys...)
		op = &Operator{Kind: OpSessionWindow, Output: n.Out, SessionWindow: &SessionWindowSpec{
			TimeCol: n.TimeCol, KeyCols: n.SessionKeys, GapMicros: n.Size,
		}}
	} else {
		op = &Operator{Kind: OpWindowAssign, Output: n.Out, WindowAssign: &WindowAssignSpec{
			TimeCol: n.TimeCol, SizeMicros: n.Size, SlideMicros: n.Slide, OffsetMicros: n.Offset,
		}}
	}
	sp.connect(op, in, keys)
	op.WatermarkCol = wmOut
	out := streamOut{par: op.Parallelism, wm: wmOut, wend: map[int]bool{nIn + 1: true}}
	for c := range in.wend {
		out.wend[c] = true
	}
	if keys != nil && op.Inputs[0].Exchange == Hash {
		out.dist = keys
	} else {
		out.dist = in.dist
	}
	out.op = sp.add(op)
	return out, nil
}

func (sp *streamPlanner) buildAgg(n *Aggregate, having expr.Expr) (streamOut, error) {
	in, err := sp.build(n.Input)
	if err != nil {
		return in, err
	}
	if op := sp.g.Operators[in.op]; op.Kind != OpSource {
		// Group keys read straight from a producer keep the query's names
		// for them (a subquery alias), so EXPLAIN reads like the SQL.
		op.Output = append([]types.Column(nil), op.Output...)
		for i, k := range n.GroupKeys {
			op.Output[k].Name = n.Out[i].Name
		}
	}
	spec := &HashAggSpec{
		GroupKeys:         n.GroupKeys,
		WindowEndKey:      -1,
		EmitOnWindowClose: n.EmitOnWindowClose,
		Having:            having,
	}
	for i, k := range n.GroupKeys {
		if in.wend[k] && (spec.WindowEndKey < 0 || k == in.wm) {
			spec.WindowEndKey = i
		}
	}
	if n.EmitOnWindowClose {
		if spec.WindowEndKey < 0 {
			return in, pgerror.New(pgerror.FeatureNotSupported,
				"EMIT ON WINDOW CLOSE requires GROUP BY window_end of a TUMBLE, HOP or SESSION window")
		}
		if in.wm != n.GroupKeys[spec.WindowEndKey] {
			return in, pgerror.New(pgerror.FeatureNotSupported,
				"EMIT ON WINDOW CLOSE requires a watermark on the window's time column").
				WithHint("Declare one in the source: WATERMARK FOR col AS col - INTERVAL '5' SECOND.")
		}
	}
	spec.Aggs = append([]AggCall(nil), n.Aggs...)
	if sp.opts.NextStateTableID != nil {
		spec.StateTableID = sp.opts.NextStateTableID()
	}
	op := &Operator{Kind: OpHashAgg, Output: n.Out, HashAgg: spec, WatermarkCol: -1}
	sp.connect(op, in, append([]int{}, n.GroupKeys...))
	nk := len(n.GroupKeys)
	out := streamOut{par: op.Parallelism, wm: -1, wend: map[int]bool{}, key: identityMap(nk), hasKey: true}
	if spec.WindowEndKey >= 0 && in.wm == n.GroupKeys[spec.WindowEndKey] {
		out.wm = spec.WindowEndKey
		op.WatermarkCol = out.wm
	}
	if spec.WindowEndKey >= 0 {
		out.wend[spec.WindowEndKey] = true
	}
	if nk > 0 {
		out.dist = identityMap(nk)
	}
	out.op = sp.add(op)
	return out, nil
}
