package planner

import (
	"fmt"
	"strings"
	"time"

	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// treeWriter renders a plan tree, one node per line, children indented
// under their parent.
type treeWriter struct {
	b strings.Builder
}

func (w *treeWriter) line(depth int, s string) {
	if depth > 0 {
		w.b.WriteString(strings.Repeat("  ", depth-1))
		w.b.WriteString("└─")
	}
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

// node formats `Name { k: v, ... }` from alternating keys and values,
// skipping empty values.
func node(name string, kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			parts = append(parts, kv[i]+": "+kv[i+1])
		}
	}
	if len(parts) == 0 {
		return name
	}
	return name + " { " + strings.Join(parts, ", ") + " }"
}

func exprList(es []expr.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = exprString(e)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func colNames(cols []types.Column, idx []int) string {
	parts := make([]string, len(idx))
	for i, c := range idx {
		if c >= 0 && c < len(cols) {
			parts[i] = cols[c].Name
		} else {
			parts[i] = fmt.Sprintf("$%d", c)
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func colName(cols []types.Column, c int) string {
	if c >= 0 && c < len(cols) {
		return cols[c].Name
	}
	return fmt.Sprintf("$%d", c)
}

func allNames(cols []types.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func micros(us int64) string {
	return time.Duration(us * int64(time.Microsecond)).String()
}

func optExpr(e expr.Expr) string {
	if e == nil {
		return ""
	}
	return exprString(e)
}

// ---------------------------------------------------------------- stream

// ExplainStream renders a streaming graph as a tree from the sink: one
// line per operator, with non-forward exchanges as their own lines.
func ExplainStream(g *StreamGraph) string {
	if len(g.Operators) == 0 {
		return ""
	}
	w := &treeWriter{}
	var walk func(id, depth int)
	walk = func(id, depth int) {
		op := g.Operators[id]
		w.line(depth, describeOp(g, op))
		for _, in := range op.Inputs {
			d := depth + 1
			src := g.Operators[in.From]
			switch in.Exchange {
			case Hash:
				w.line(d, "HashExchange(keys: "+colNames(src.Output, in.Keys)+")")
				d++
			case Single:
				w.line(d, "SingleExchange")
				d++
			case Broadcast:
				w.line(d, "BroadcastExchange")
				d++
			}
			walk(in.From, d)
		}
	}
	walk(len(g.Operators)-1, 0)
	return w.b.String()
}

func describeOp(g *StreamGraph, op *Operator) string {
	wm := ""
	if op.WatermarkCol >= 0 && op.WatermarkCol < len(op.Output) {
		wm = op.Output[op.WatermarkCol].Name
	}
	par := fmt.Sprint(op.Parallelism)
	var in []types.Column
	if len(op.Inputs) > 0 {
		in = g.Operators[op.Inputs[0].From].Output
	}
	switch op.Kind {
	case OpSource:
		s := op.Source
		rel, kind := "?", ""
		if s.Relation != nil {
			rel, kind = s.Relation.Name, s.Relation.Kind.String()
		}
		delay := ""
		if s.EventTimeCol >= 0 {
			delay = micros(s.DelayMicros)
		}
		return node("Source", "relation", rel, "kind", kind, "columns", allNames(op.Output),
			"delay", delay, "parallelism", par, "watermark", wm)
	case OpFilter:
		return node("Filter", "predicate", exprString(op.Filter.Pred), "parallelism", par, "watermark", wm)
	case OpProject:
		return node("Project", "exprs", exprList(op.Project.Exprs), "parallelism", par, "watermark", wm)
	case OpProjectSet:
		s := op.ProjectSet
		parts := make([]string, len(s.Exprs))
		for i := range s.Exprs {
			if s.SetFuncs[i] != nil {
				parts[i] = s.SetFuncs[i].Name + "(" + strings.TrimSuffix(strings.TrimPrefix(exprList(s.SetArgs[i]), "["), "]") + ")"
			} else {
				parts[i] = exprString(s.Exprs[i])
			}
		}
		return node("ProjectSet", "exprs", "["+strings.Join(parts, ", ")+"]", "parallelism", par, "watermark", wm)
	case OpWindowAssign:
		s := op.WindowAssign
		kind, slide := "tumble", ""
		if s.SlideMicros != s.SizeMicros {
			kind, slide = "hop", micros(s.SlideMicros)
		}
		offset := ""
		if s.OffsetMicros != 0 {
			offset = micros(s.OffsetMicros)
		}
		return node("WindowAssign", "kind", kind, "time", colName(in, s.TimeCol),
			"size", micros(s.SizeMicros), "slide", slide, "offset", offset, "parallelism", par, "watermark", wm)
	case OpSessionWindow:
		s := op.SessionWindow
		return node("SessionWindow", "time", colName(in, s.TimeCol),
			"keys", colNames(in, s.KeyCols), "gap", micros(s.GapMicros), "parallelism", par, "watermark", wm)
	case OpHashAgg:
		s := op.HashAgg
		aggs := make([]string, len(s.Aggs))
		for i, a := range s.Aggs {
			aggs[i] = aggName(a.Fn, a.Arg, a.FilterCol, in)
		}
		wend, emit := "", ""
		if s.WindowEndKey >= 0 {
			wend = op.Output[s.WindowEndKey].Name
		}
		if s.EmitOnWindowClose {
			emit = "on window close"
		}
		return node("HashAgg", "group", colNames(in, s.GroupKeys), "aggs", "["+strings.Join(aggs, ", ")+"]",
			"having", optExpr(s.Having), "window_end", wend, "emit", emit, "state", fmt.Sprint(s.StateTableID),
			"parallelism", par, "watermark", wm)
	case OpJoin:
		return describeJoin(g, op, par, wm)
	case OpMaterialize:
		s := op.Materialize
		view, key := "", ""
		if s.View != nil {
			view = s.View.Name
		}
		if s.KeyCols != nil {
			key = colNames(op.Output, s.KeyCols)
		}
		return node("Materialize", "view", view, "columns", allNames(op.Output), "key", key, "parallelism", par, "watermark", wm)
	case OpSink:
		s := op.Sink
		name, conn, typ, key := "", "", SinkAppendOnly, ""
		if s.Sink != nil {
			name, conn = s.Sink.Name, s.Sink.Connector
		}
		if s.Upsert {
			typ = SinkUpsert
		}
		if s.KeyCols != nil {
			key = colNames(op.Output, s.KeyCols)
		}
		return node("Sink", "sink", name, "connector", conn, "type", typ, "columns", allNames(op.Output), "key", key,
			"parallelism", par, "watermark", wm)
	}
	return fmt.Sprintf("Operator(kind %d)", op.Kind)
}

func aggName(fn *expr.AggFunc, arg, filter int, in []types.Column) string {
	s := fn.Name + "("
	if fn.Distinct {
		s += "DISTINCT "
	}
	if arg < 0 {
		s += "*"
	} else {
		s += colNames(in, []int{arg})[1 : len(colNames(in, []int{arg}))-1]
	}
	s += ")"
	if filter >= 0 {
		s += " FILTER (WHERE " + colName(in, filter) + ")"
	}
	return s
}

// ---------------------------------------------------------------- batch

// ExplainBatch renders an ad-hoc query's plan as a tree, followed by the
// plans of its subqueries.
func ExplainBatch(q *Query) string { return ExplainPlan(q.Plan) }

// ExplainPlan renders a logical plan as a tree, followed by the plans of
// its subqueries.
func ExplainPlan(p LogicalPlan) string {
	w := &treeWriter{}
	var subs []*Subquery
	collect := func(es ...expr.Expr) {
		for _, e := range es {
			WalkExpr(e, func(n expr.Expr) bool {
				if s, ok := n.(*Subquery); ok {
					subs = append(subs, s)
				}
				return true
			})
		}
	}
	var walk func(p LogicalPlan, depth int)
	walk = func(p LogicalPlan, depth int) {
		w.line(depth, describeLogical(p, collect))
		for _, c := range p.Children() {
			walk(c, depth+1)
		}
	}
	walk(p, 0)
	for i := 0; i < len(subs); i++ {
		fmt.Fprintf(&w.b, "Subquery %d:\n", i+1)
		walk(subs[i].Plan, 1)
	}
	return w.b.String()
}

func describeLogical(p LogicalPlan, collect func(...expr.Expr)) string {
	switch n := p.(type) {
	case *Scan:
		collect(n.Filter)
		name := ""
		if n.Relation != nil {
			name = n.Relation.Name
		} else if n.Virtual != nil {
			name = n.Virtual.Schema + "." + n.Virtual.Name
		}
		return node("Scan", "relation", name, "columns", allNames(n.Out), "filter", optExpr(n.Filter))
	case *Values:
		rows := make([]string, len(n.Rows))
		for i, r := range n.Rows {
			collect(r...)
			rows[i] = exprList(r)
		}
		s := strings.Join(rows, ", ")
		if len(n.Rows) > 4 {
			s = strings.Join(rows[:3], ", ") + fmt.Sprintf(", ... (%d rows)", len(n.Rows))
		}
		return node("Values", "rows", "["+s+"]")
	case *Filter:
		collect(n.Pred)
		return node("Filter", "predicate", exprString(n.Pred))
	case *Project:
		collect(n.Exprs...)
		return node("Project", "exprs", exprList(n.Exprs))
	case *ProjectSet:
		parts := make([]string, len(n.Items))
		for i, it := range n.Items {
			if it.Func != nil {
				collect(it.Args...)
				parts[i] = it.Func.Name + "(" + strings.TrimSuffix(strings.TrimPrefix(exprList(it.Args), "["), "]") + ")"
			} else {
				collect(it.Expr)
				parts[i] = exprString(it.Expr)
			}
		}
		return node("ProjectSet", "exprs", "["+strings.Join(parts, ", ")+"]")
	case *WindowAssign:
		in := n.Input.Columns()
		slide, offset, keys := "", "", ""
		if n.Kind == WindowHop {
			slide = micros(n.Slide)
		}
		if n.Offset != 0 {
			offset = micros(n.Offset)
		}
		if n.Kind == WindowSession {
			keys = colNames(in, n.SessionKeys)
		}
		return node("WindowAssign", "kind", n.Kind.String(), "time", in[n.TimeCol].Name, "size", micros(n.Size),
			"slide", slide, "offset", offset, "keys", keys)
	case *Aggregate:
		in := n.Input.Columns()
		aggs := make([]string, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = aggName(a.Fn, a.Arg, a.FilterCol, in)
		}
		emit := ""
		if n.EmitOnWindowClose {
			emit = "on window close"
		}
		return node("Aggregate", "group", colNames(in, n.GroupKeys), "aggs", "["+strings.Join(aggs, ", ")+"]", "emit", emit)
	case *Sort:
		return node("Sort", "keys", sortKeys(n.Keys, n.Input.Columns()))
	case *Limit:
		return node("Limit", "limit", optExpr(n.Limit), "offset", optExpr(n.Offset))
	case *Distinct:
		return "Distinct"
	case *Join:
		collect(n.LeftKeys...)
		collect(n.RightKeys...)
		collect(n.Residual)
		name := "NestedLoopJoin"
		keys := ""
		if len(n.LeftKeys) > 0 {
			name = "HashJoin"
			parts := make([]string, len(n.LeftKeys))
			for i := range n.LeftKeys {
				parts[i] = exprString(n.LeftKeys[i]) + " = " + exprString(n.RightKeys[i])
			}
			keys = "[" + strings.Join(parts, ", ") + "]"
		}
		return node(name, "type", n.Type.String(), "keys", keys, "residual", optExpr(n.Residual))
	case *SetOp:
		k := n.Kind.String()
		if n.All {
			k += " all"
		}
		return node("SetOp", "kind", k)
	case *Window:
		in := n.Input.Columns()
		funcs := make([]string, len(n.Funcs))
		for i, f := range n.Funcs {
			if f.Agg != nil {
				funcs[i] = aggName(f.Agg, f.Arg, -1, in)
			} else {
				funcs[i] = f.Name + "()"
			}
		}
		return node("Window", "funcs", "["+strings.Join(funcs, ", ")+"]", "partition", colNames(in, n.PartitionBy), "order", sortKeys(n.OrderBy, in))
	}
	return fmt.Sprintf("%T", p)
}

func sortKeys(keys []SortKey, cols []types.Column) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		s := cols[k.Col].Name
		if k.Desc {
			s += " DESC"
		}
		if k.NullsFirst != k.Desc {
			if k.NullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		parts[i] = s
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
