package sql

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pingcap/tidb/pkg/parser"
	tast "github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	driver "github.com/pingcap/tidb/pkg/parser/test_driver"

	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
)

// TiDB parsers are not safe for concurrent use and cost a few allocations
// to build, so sessions share a pool.
var tidbParsers = sync.Pool{New: func() any { return parser.New() }}

// render concatenates p into u.text, recording for every fragment where it
// came from, and the offsets of literals and parameters.
func (u *unit) render(p *piece) {
	var b strings.Builder
	var walk func(p *piece)
	walk = func(p *piece) {
		for _, f := range p.frags {
			if f.p != nil {
				walk(f.p)
				continue
			}
			if f.s == "" {
				continue
			}
			off := b.Len()
			if n := len(u.posmap); n == 0 || u.posmap[n-1].orig != f.pos {
				u.posmap = append(u.posmap, posEntry{out: off, orig: f.pos})
			}
			if f.lit {
				u.lits[off] = f.tok
			}
			if f.param > 0 {
				u.params[off] = f.param
			}
			b.WriteString(f.s)
		}
	}
	walk(p)
	u.text = b.String()
}

// origOffset maps an offset of the rewritten text to the original query.
func (u *unit) origOffset(out int) int {
	k := sort.Search(len(u.posmap), func(i int) bool { return u.posmap[i].out > out }) - 1
	if k < 0 {
		return u.tokAt(0).pos
	}
	return u.posmap[k].orig
}

// pos maps a TiDB node's offset to an ast position.
func (u *unit) pos(n tast.Node) int {
	return u.rw.pc.pos(u.origOffset(n.OriginTextPosition()))
}

// parse renders p and parses it with TiDB.
func (u *unit) parse(p *piece) (tast.StmtNode, error) {
	u.render(p)
	tp := tidbParsers.Get().(*parser.Parser)
	defer tidbParsers.Put(tp)
	tp.SetSQLMode(mysql.ModeANSIQuotes | mysql.ModePipesAsConcat)
	stmts, _, err := tp.ParseSQL(u.text)
	if err != nil {
		return nil, u.tidbError(err)
	}
	if len(stmts) != 1 {
		return nil, u.rw.errSyntax(u.tokAt(0))
	}
	return stmts[0], nil
}

// tidbError turns a TiDB syntax error into PostgreSQL's form, pointing at
// the original token where TiDB stopped. TiDB's message is `line L column
// C near "REST"...` where REST is the rewritten text from the failing
// token on (cut at 2048 bytes, then followed by "(total length N)").
func (u *unit) tidbError(err error) error {
	msg := err.Error()
	off := -1
	if k := strings.Index(msg, " near \""); k >= 0 {
		rest := msg[k+len(" near \""):]
		if t := strings.LastIndex(rest, "(total length "); t >= 0 {
			if n, e := strconv.Atoi(strings.TrimSuffix(rest[t+len("(total length "):], ")")); e == nil {
				off = len(u.text) - n
			}
		} else if strings.HasSuffix(rest, "\" ") {
			off = len(u.text) - (len(rest) - 2)
		}
	}
	if off < 0 || off > len(u.text) {
		return pgerror.Newf(pgerror.SyntaxError, "syntax error: %s", msg).WithPosition(u.rw.pos(u.tokAt(0)))
	}
	if off == len(u.text) {
		return u.rw.errSyntax(u.end)
	}
	orig := u.origOffset(off)
	// The original token at or after orig.
	k := sort.Search(len(u.toks), func(i int) bool { return u.toks[i].end > orig })
	return u.rw.errSyntax(u.tokAt(k))
}

// ---------------------------------------------------------------- conversion

// converter turns one unit's TiDB tree into sql/ast.
type converter struct {
	u     *unit
	depth int
	// windows are the named windows of the enclosing SELECTs, innermost
	// last.
	windows []map[string]*tast.WindowSpec
}

func (c *converter) unsupported(n tast.Node, what string) error {
	return pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", what).WithPosition(c.u.pos(n))
}

func internalErr(format string, args ...any) error {
	return pgerror.Newf(pgerror.InternalError, "parser: "+format, args...)
}

func (c *converter) mark(k int64) (*mark, error) {
	if k < 0 || int(k) >= len(c.u.rw.marks) {
		return nil, internalErr("bad marker %d", k)
	}
	return c.u.rw.marks[k], nil
}

// markerOf returns the mark of a marker call, nil for any other node.
func (c *converter) markerOf(e tast.ExprNode) (*mark, []tast.ExprNode, error) {
	f, ok := e.(*tast.FuncCallExpr)
	if !ok || f.FnName.L != markerFunc || f.Schema.L != "" || len(f.Args) == 0 {
		return nil, nil, nil
	}
	v, ok := f.Args[0].(*driver.ValueExpr)
	if !ok {
		return nil, nil, internalErr("marker without index")
	}
	m, err := c.mark(v.GetInt64())
	return m, f.Args[1:], err
}

func (c *converter) firstField(stmt tast.StmtNode) (ast.Expr, error) {
	s, ok := stmt.(*tast.SelectStmt)
	if !ok || s.Fields == nil || len(s.Fields.Fields) != 1 || s.Fields.Fields[0].Expr == nil {
		return nil, internalErr("expression did not parse as one field")
	}
	return c.expr(s.Fields.Fields[0].Expr)
}

// resultSet converts a query.
func (c *converter) resultSet(n tast.Node) (*ast.Select, error) {
	switch n := n.(type) {
	case *tast.SelectStmt:
		return c.selectStmt(n)
	case *tast.SetOprStmt:
		sel, err := c.setOprList(n.SelectList.Selects)
		if err != nil {
			return nil, err
		}
		return c.queryTail(sel, n.With, n.OrderBy, n.Limit)
	case *tast.SetOprSelectList:
		sel, err := c.setOprList(n.Selects)
		if err != nil {
			return nil, err
		}
		return c.queryTail(sel, n.With, n.OrderBy, n.Limit)
	}
	return nil, internalErr("unexpected query node %T", n)
}

// queryTail attaches WITH, ORDER BY and LIMIT to sel, wrapping it when it
// already has its own (parenthesised operands).
func (c *converter) queryTail(sel *ast.Select, with *tast.WithClause, order *tast.OrderByClause, limit *tast.Limit) (*ast.Select, error) {
	if with == nil && order == nil && limit == nil {
		return sel, nil
	}
	if (with != nil && sel.With != nil) || (order != nil && sel.OrderBy != nil) || (limit != nil && (sel.Limit != nil || sel.Offset != nil)) {
		sel = &ast.Select{At: sel.At, Items: []*ast.SelectItem{{At: sel.At, Star: true}},
			From: []ast.TableExpr{&ast.Subquery{At: sel.At, Query: sel}}}
	}
	var err error
	if with != nil {
		if sel.With, err = c.with(with); err != nil {
			return nil, err
		}
	}
	if order != nil {
		if sel.OrderBy, err = c.orderBy(order.Items); err != nil {
			return nil, err
		}
	}
	if limit != nil {
		if err := c.limit(sel, limit); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// setOprList folds UNION/EXCEPT/INTERSECT operands left to right,
// INTERSECT binding tighter as in PostgreSQL.
func (c *converter) setOprList(nodes []tast.Node) (*ast.Select, error) {
	type operand struct {
		sel *ast.Select
		op  string
	}
	var ops []operand
	for _, n := range nodes {
		var sel *ast.Select
		var after *tast.SetOprType
		var err error
		switch n := n.(type) {
		case *tast.SelectStmt:
			after = n.AfterSetOperator
			sel, err = c.selectStmt(n)
		case *tast.SetOprSelectList:
			after = n.AfterSetOperator
			sel, err = c.resultSet(n)
		default:
			return nil, internalErr("unexpected set operand %T", n)
		}
		if err != nil {
			return nil, err
		}
		op := ""
		if after != nil {
			op = after.String()
		}
		ops = append(ops, operand{sel: sel, op: op})
	}
	if len(ops) == 0 {
		return nil, internalErr("empty set operation")
	}
	combine := func(l, r *ast.Select, op string) *ast.Select {
		return &ast.Select{At: l.At, SetOp: op, Left: l, Right: r}
	}
	// First INTERSECT runs, then the rest left to right.
	var terms []operand
	for _, o := range ops {
		if strings.HasPrefix(o.op, "INTERSECT") && len(terms) > 0 {
			last := &terms[len(terms)-1]
			last.sel = combine(last.sel, o.sel, o.op)
			continue
		}
		terms = append(terms, o)
	}
	sel := terms[0].sel
	for _, t := range terms[1:] {
		sel = combine(sel, t.sel, t.op)
	}
	return sel, nil
}

func (c *converter) with(w *tast.WithClause) ([]*ast.CTE, error) {
	if w.IsRecursive {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "WITH RECURSIVE is not supported")
	}
	out := make([]*ast.CTE, 0, len(w.CTEs))
	for _, cte := range w.CTEs {
		q, err := c.resultSet(cte.Query.Query)
		if err != nil {
			return nil, err
		}
		d := &ast.CTE{At: ast.At{P: c.u.pos(cte.Query)}, Name: cte.Name.O, Query: q}
		for _, col := range cte.ColNameList {
			d.Columns = append(d.Columns, col.O)
		}
		out = append(out, d)
	}
	return out, nil
}

func (c *converter) selectStmt(s *tast.SelectStmt) (*ast.Select, error) {
	if s.Kind != tast.SelectStmtKindSelect {
		return nil, internalErr("unexpected %s statement", s.Kind.String())
	}
	if s.LockInfo != nil && s.LockInfo.LockType != tast.SelectLockNone {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "SELECT FOR UPDATE/SHARE is not supported")
	}
	sel := &ast.Select{Distinct: s.Distinct}
	// Named windows are visible to the select list and ORDER BY.
	if len(s.WindowSpecs) > 0 {
		m := map[string]*tast.WindowSpec{}
		for i := range s.WindowSpecs {
			m[s.WindowSpecs[i].Name.O] = &s.WindowSpecs[i]
		}
		c.windows = append(c.windows, m)
		defer func() { c.windows = c.windows[:len(c.windows)-1] }()
	}
	var err error
	if s.With != nil {
		if sel.With, err = c.with(s.With); err != nil {
			return nil, err
		}
	}
	if s.Fields != nil {
		if err := c.fields(sel, s.Fields.Fields); err != nil {
			return nil, err
		}
	}
	if s.From != nil && s.From.TableRefs != nil {
		if sel.From, err = c.fromList(s.From.TableRefs); err != nil {
			return nil, err
		}
	}
	if s.Where != nil {
		if sel.Where, err = c.expr(s.Where); err != nil {
			return nil, err
		}
	}
	if s.GroupBy != nil {
		if s.GroupBy.Rollup {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "ROLLUP is not supported")
		}
		for _, it := range s.GroupBy.Items {
			e, err := c.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			sel.GroupBy = append(sel.GroupBy, e)
		}
	}
	if s.Having != nil {
		if sel.Having, err = c.expr(s.Having.Expr); err != nil {
			return nil, err
		}
	}
	if s.OrderBy != nil {
		if sel.OrderBy, err = c.orderBy(s.OrderBy.Items); err != nil {
			return nil, err
		}
	}
	if s.Limit != nil {
		if err := c.limit(sel, s.Limit); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// fields converts the select list; a list of VALUES row markers makes the
// select a VALUES list.
func (c *converter) fields(sel *ast.Select, fields []*tast.SelectField) error {
	for _, f := range fields {
		if f.WildCard != nil {
			k, ok := strings.CutPrefix(f.WildCard.Table.O, "__pg_star_")
			n, err := strconv.Atoi(k)
			if !ok || err != nil || f.WildCard.Schema.O != "" {
				return internalErr("unexpected wildcard")
			}
			m, err := c.mark(int64(n))
			if err != nil {
				return err
			}
			sel.Items = append(sel.Items, &ast.SelectItem{At: ast.At{P: m.pos}, Star: true, Table: strings.Join(m.columns, ".")})
			continue
		}
		m, args, err := c.markerOf(f.Expr)
		if err != nil {
			return err
		}
		if m != nil && m.kind == mkSelect {
			sel.At = ast.At{P: m.pos}
			sel.EmitOnWindowClose = m.emit
			continue
		}
		if m != nil && m.kind == mkValuesRow {
			row := make([]ast.Expr, len(args))
			for i, a := range args {
				if row[i], err = c.expr(a); err != nil {
					return err
				}
			}
			if len(sel.Values) > 0 && len(row) != len(sel.Values[0]) {
				return pgerror.New(pgerror.SyntaxError, "VALUES lists must all be the same length").WithPosition(c.u.pos(f.Expr))
			}
			sel.Values = append(sel.Values, row)
			continue
		}
		e, err := c.expr(f.Expr)
		if err != nil {
			return err
		}
		sel.Items = append(sel.Items, &ast.SelectItem{At: ast.At{P: c.u.pos(f.Expr)}, Expr: e, Alias: f.AsName.O})
	}
	if sel.Values != nil && sel.Items != nil {
		return internalErr("mixed VALUES and select list")
	}
	return nil
}

func (c *converter) orderBy(items []*tast.ByItem) ([]*ast.OrderItem, error) {
	out := make([]*ast.OrderItem, 0, len(items))
	for _, it := range items {
		o, err := c.orderItem(it.Expr, it.Desc, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// orderItem converts an ORDER BY key, unwrapping its NULLS marker.
func (c *converter) orderItem(e tast.ExprNode, desc bool, nulls *bool) (*ast.OrderItem, error) {
	m, args, err := c.markerOf(e)
	if err != nil {
		return nil, err
	}
	if m != nil && m.kind == mkNulls {
		nulls = m.nulls[0]
		e = args[0]
	}
	x, err := c.expr(e)
	if err != nil {
		return nil, err
	}
	return &ast.OrderItem{At: ast.At{P: c.u.pos(e)}, Expr: x, Desc: desc, NullsFirst: nulls}, nil
}

func (c *converter) limit(sel *ast.Select, l *tast.Limit) error {
	v, ok := l.Count.(*driver.ValueExpr)
	if !ok || l.Offset != nil {
		return internalErr("unexpected LIMIT")
	}
	m, err := c.mark(int64(v.GetUint64()))
	if err != nil {
		return err
	}
	if m.kind != mkLimit {
		return internalErr("LIMIT marker of kind %d", m.kind)
	}
	sel.Limit, sel.Offset = m.limit, m.offset
	return nil
}

// ---------------------------------------------------------------- FROM

// fromList flattens the comma (cross) joins at the top of FROM.
func (c *converter) fromList(j *tast.Join) ([]ast.TableExpr, error) {
	var out []ast.TableExpr
	var walk func(n tast.ResultSetNode) error
	walk = func(n tast.ResultSetNode) error {
		if j, ok := n.(*tast.Join); ok && (j.Right == nil || j.Tp == tast.CrossJoin && j.On == nil && j.Using == nil && !j.NaturalJoin) {
			if err := walk(j.Left); err != nil {
				return err
			}
			if j.Right != nil {
				return walk(j.Right)
			}
			return nil
		}
		t, err := c.tableExpr(n)
		if err != nil {
			return err
		}
		out = append(out, t)
		return nil
	}
	return out, walk(j)
}

func (c *converter) tableExpr(n tast.ResultSetNode) (ast.TableExpr, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxExprDepth {
		return nil, errTooComplex(0)
	}
	switch n := n.(type) {
	case *tast.Join:
		if n.Right == nil {
			return c.tableExpr(n.Left)
		}
		if n.NaturalJoin {
			return nil, pgerror.New(pgerror.FeatureNotSupported, "NATURAL JOIN is not supported")
		}
		l, err := c.tableExpr(n.Left)
		if err != nil {
			return nil, err
		}
		r, err := c.tableExpr(n.Right)
		if err != nil {
			return nil, err
		}
		j := &ast.Join{At: ast.At{P: l.Pos()}, Left: l, Right: r}
		switch n.Tp {
		case tast.LeftJoin:
			j.Type = ast.JoinLeft
		case tast.RightJoin:
			j.Type = ast.JoinRight
		default:
			j.Type = ast.JoinInner
			if n.On == nil && n.Using == nil {
				j.Type = ast.JoinCross
			}
		}
		if n.On != nil {
			cond := n.On.Expr
			m, args, err := c.markerOf(cond)
			if err != nil {
				return nil, err
			}
			if m != nil && m.kind == mkFullJoin {
				j.Type = ast.JoinFull
				cond = args[0]
			}
			if j.On, err = c.expr(cond); err != nil {
				return nil, err
			}
		}
		for _, u := range n.Using {
			j.Using = append(j.Using, u.Name.O)
		}
		return j, nil
	case *tast.TableSource:
		return c.tableSource(n)
	}
	return nil, internalErr("unexpected FROM item %T", n)
}

func (c *converter) tableSource(ts *tast.TableSource) (ast.TableExpr, error) {
	alias := ts.AsName.O
	var cols []string
	if k, ok := strings.CutPrefix(alias, "__pg_alias_"); ok {
		n, _ := strconv.Atoi(k)
		m, err := c.mark(int64(n))
		if err != nil {
			return nil, err
		}
		alias, cols = m.alias, m.columns
	}
	switch src := ts.Source.(type) {
	case *tast.TableName:
		if k, ok := strings.CutPrefix(src.Name.O, "__pg_tvf_"); ok && src.Schema.O == "" {
			n, _ := strconv.Atoi(k)
			m, err := c.mark(int64(n))
			if err != nil {
				return nil, err
			}
			return m.table, nil
		}
		key := src.Name.O
		if src.Schema.O != "" {
			key = src.Schema.O + "." + key
		}
		t := &ast.TableName{Schema: src.Schema.O, Name: src.Name.O, Alias: alias}
		if q := c.u.tables[key]; len(q) > 0 {
			t.P = q[0]
			c.u.tables[key] = q[1:]
		}
		return t, nil
	case *tast.SelectStmt, *tast.SetOprStmt:
		q, err := c.resultSet(src)
		if err != nil {
			return nil, err
		}
		return &ast.Subquery{At: q.At, Query: q, Alias: alias, Columns: cols}, nil
	case *tast.Join:
		return c.tableExpr(src)
	}
	return nil, internalErr("unexpected table source %T", ts.Source)
}

// ---------------------------------------------------------------- expressions

var binaryOps = map[opcode.Op]string{
	opcode.LogicAnd: "AND", opcode.LogicOr: "OR",
	opcode.GE: ">=", opcode.LE: "<=", opcode.EQ: "=", opcode.NE: "<>", opcode.LT: "<", opcode.GT: ">",
	opcode.Plus: "+", opcode.Minus: "-", opcode.Mul: "*", opcode.Div: "/", opcode.Mod: "%",
	// TiDB's ^ is bitwise XOR; the rewrite only emits it for PostgreSQL's
	// exponentiation, which has the same precedence.
	opcode.Xor: "^",
}

func (c *converter) exprs(in []tast.ExprNode) ([]ast.Expr, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]ast.Expr, 0, len(in))
	for _, e := range in {
		x, err := c.expr(e)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// expr converts one expression; depth is bounded so that downstream
// recursion over the tree is safe.
func (c *converter) expr(e tast.ExprNode) (ast.Expr, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxExprDepth {
		return nil, errTooComplex(c.u.pos(e))
	}
	at := ast.At{P: c.u.pos(e)}
	switch e := e.(type) {
	case *tast.ParenthesesExpr:
		return c.expr(e.Expr)
	case *tast.ColumnNameExpr:
		return &ast.ColumnRef{At: at, Schema: e.Name.Schema.O, Table: e.Name.Table.O, Column: e.Name.Name.O}, nil
	case *driver.ParamMarkerExpr:
		n, ok := c.u.params[e.Offset]
		if !ok {
			return nil, internalErr("unknown parameter at %d", e.Offset)
		}
		return &ast.Param{At: at, Index: n}, nil
	case *driver.ValueExpr:
		return c.literal(e, at)
	case *tast.BinaryOperationExpr:
		op, ok := binaryOps[e.Op]
		if !ok {
			return nil, c.unsupported(e, "operator "+e.Op.String())
		}
		l, err := c.expr(e.L)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(e.R)
		if err != nil {
			return nil, err
		}
		return &ast.BinaryExpr{At: at, Op: op, Left: l, Right: r}, nil
	case *tast.UnaryOperationExpr:
		var op string
		switch e.Op {
		case opcode.Minus:
			op = "-"
		case opcode.Plus:
			op = "+"
		case opcode.Not, opcode.Not2:
			op = "NOT"
		case opcode.BitNeg:
			op = "~"
		default:
			return nil, c.unsupported(e, "operator "+e.Op.String())
		}
		x, err := c.expr(e.V)
		if err != nil {
			return nil, err
		}
		return &ast.UnaryExpr{At: at, Op: op, Expr: x}, nil
	case *tast.IsNullExpr:
		x, err := c.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		return &ast.IsExpr{At: at, Expr: x, Not: e.Not, What: "NULL"}, nil
	case *tast.IsTruthExpr:
		x, err := c.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		what := "FALSE"
		if e.True != 0 {
			what = "TRUE"
		}
		return &ast.IsExpr{At: at, Expr: x, Not: e.Not, What: what}, nil
	case *tast.PatternInExpr:
		x, err := c.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		in := &ast.InList{At: at, Expr: x, Not: e.Not}
		if e.Sel != nil {
			sq, ok := e.Sel.(*tast.SubqueryExpr)
			if !ok {
				return nil, internalErr("IN with %T", e.Sel)
			}
			if in.Query, err = c.resultSet(sq.Query); err != nil {
				return nil, err
			}
			return in, nil
		}
		if in.List, err = c.exprs(e.List); err != nil {
			return nil, err
		}
		return in, nil
	case *tast.BetweenExpr:
		x, err := c.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		lo, err := c.expr(e.Left)
		if err != nil {
			return nil, err
		}
		hi, err := c.expr(e.Right)
		if err != nil {
			return nil, err
		}
		return &ast.Between{At: at, Expr: x, Lo: lo, Hi: hi, Not: e.Not}, nil
	case *tast.PatternLikeOrIlikeExpr:
		x, err := c.expr(e.Expr)
		if err != nil {
			return nil, err
		}
		pat, err := c.expr(e.Pattern)
		if err != nil {
			return nil, err
		}
		l := &ast.Like{At: at, Expr: x, Pattern: pat, Not: e.Not, CaseFold: !e.IsLike}
		// PostgreSQL's default escape is the backslash, as TiDB's.
		if e.Escape != '\\' {
			esc := ""
			if e.Escape != 0 {
				esc = string([]byte{e.Escape})
			}
			l.Escape = &ast.Literal{At: ast.At{P: pat.Pos()}, Kind: ast.LitString, Value: esc}
		}
		return l, nil
	case *tast.CaseExpr:
		ce := &ast.CaseExpr{At: at}
		var err error
		if e.Value != nil {
			if ce.Operand, err = c.expr(e.Value); err != nil {
				return nil, err
			}
		}
		for _, w := range e.WhenClauses {
			cond, err := c.expr(w.Expr)
			if err != nil {
				return nil, err
			}
			res, err := c.expr(w.Result)
			if err != nil {
				return nil, err
			}
			ce.Whens = append(ce.Whens, &ast.When{At: ast.At{P: cond.Pos()}, Cond: cond, Result: res})
		}
		if e.ElseClause != nil {
			if ce.Else, err = c.expr(e.ElseClause); err != nil {
				return nil, err
			}
		}
		return ce, nil
	case *tast.SubqueryExpr:
		q, err := c.resultSet(e.Query)
		if err != nil {
			return nil, err
		}
		return &ast.SubqueryExpr{At: at, Query: q, Exists: e.Exists}, nil
	case *tast.ExistsSubqueryExpr:
		sq, ok := e.Sel.(*tast.SubqueryExpr)
		if !ok {
			return nil, internalErr("EXISTS with %T", e.Sel)
		}
		q, err := c.resultSet(sq.Query)
		if err != nil {
			return nil, err
		}
		var x ast.Expr = &ast.SubqueryExpr{At: at, Query: q, Exists: true}
		if e.Not {
			x = &ast.UnaryExpr{At: at, Op: "NOT", Expr: x}
		}
		return x, nil
	case *tast.CompareSubqueryExpr:
		op, ok := binaryOps[e.Op]
		if !ok {
			return nil, c.unsupported(e, "operator "+e.Op.String())
		}
		l, err := c.expr(e.L)
		if err != nil {
			return nil, err
		}
		sq, ok := e.R.(*tast.SubqueryExpr)
		if !ok {
			return nil, internalErr("ANY with %T", e.R)
		}
		q, err := c.resultSet(sq.Query)
		if err != nil {
			return nil, err
		}
		return &ast.AnyAll{At: at, Left: l, Op: op, All: e.All, Query: q}, nil
	case *tast.PositionExpr:
		return &ast.Literal{At: at, Kind: ast.LitInt, Value: strconv.Itoa(e.N)}, nil
	case *tast.FuncCallExpr:
		return c.funcCall(e, at)
	case *tast.RowExpr:
		return nil, c.unsupported(e, "row constructor")
	case *tast.DefaultExpr:
		return nil, c.unsupported(e, "DEFAULT")
	}
	return nil, c.unsupported(e, fmt.Sprintf("expression %T", e))
}

// literal converts a constant using the token it came from, so the
// value is exactly what was written.
func (c *converter) literal(e *driver.ValueExpr, at ast.At) (ast.Expr, error) {
	t, ok := c.u.lits[e.OriginTextPosition()]
	if !ok {
		return nil, internalErr("constant without source token")
	}
	switch t.kind {
	case tString:
		return &ast.Literal{At: at, Kind: ast.LitString, Value: t.val}, nil
	case tNumber:
		kind := ast.LitInt
		if strings.ContainsAny(t.val, "eE") {
			kind = ast.LitFloat
		} else if strings.Contains(t.val, ".") {
			kind = ast.LitDecimal
		}
		return &ast.Literal{At: at, Kind: kind, Value: t.val}, nil
	case tIdent:
		switch t.val {
		case "true", "false":
			return &ast.Literal{At: at, Kind: ast.LitBool, Value: t.val}, nil
		case "null":
			return &ast.Literal{At: at, Kind: ast.LitNull}, nil
		}
	}
	return nil, internalErr("unexpected constant %q", t.val)
}

func (c *converter) funcCall(e *tast.FuncCallExpr, at ast.At) (ast.Expr, error) {
	m, args, err := c.markerOf(e)
	if err != nil {
		return nil, err
	}
	if m == nil {
		xs, err := c.exprs(e.Args)
		if err != nil {
			return nil, err
		}
		return &ast.FuncCall{At: at, Schema: e.Schema.O, Name: e.FnName.O, Args: xs}, nil
	}
	mat := ast.At{P: m.pos}
	arg := func(i int) (ast.Expr, error) {
		if i >= len(args) {
			return nil, internalErr("marker %d lacks argument %d", m.kind, i)
		}
		return c.expr(args[i])
	}
	// call converts the marker's first argument, which must be a call.
	call := func() (*ast.FuncCall, error) {
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		f, ok := x.(*ast.FuncCall)
		if !ok {
			return nil, internalErr("marker %d around %T", m.kind, x)
		}
		return f, nil
	}
	switch m.kind {
	case mkCast:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		return &ast.Cast{At: mat, Expr: x, Type: m.typ, TypeName: m.typeName}, nil
	case mkInterval:
		return &ast.Literal{At: mat, Kind: ast.LitInterval, Value: m.value, Unit: m.unit}, nil
	case mkTyped:
		return &ast.Literal{At: mat, Kind: ast.LitTyped, Type: m.typ, Value: m.value}, nil
	case mkBinOp, mkDistinct, mkTimezone, mkAnyAll:
		l, err := arg(0)
		if err != nil {
			return nil, err
		}
		r, err := arg(1)
		if err != nil {
			return nil, err
		}
		lat := at
		switch m.kind {
		case mkDistinct:
			return &ast.DistinctFrom{At: lat, Left: l, Right: r, Not: m.not}, nil
		case mkTimezone:
			return &ast.FuncCall{At: mat, Name: "timezone", Args: []ast.Expr{r, l}}, nil
		case mkAnyAll:
			return &ast.AnyAll{At: lat, Left: l, Op: anyAllOp(m.op), All: m.all, Array: r}, nil
		}
		return &ast.BinaryExpr{At: lat, Op: m.op, Left: l, Right: r}, nil
	case mkIdentity:
		return arg(0)
	case mkArraySub:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		sq, ok := x.(*ast.SubqueryExpr)
		if !ok || sq.Exists {
			return nil, internalErr("ARRAY marker around %T", x)
		}
		sq.At, sq.Array = mat, true
		return sq, nil
	case mkField:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		return &ast.FieldSelect{At: mat, Expr: x, Field: m.op}, nil
	case mkUnaryOp:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		return &ast.UnaryExpr{At: mat, Op: m.op, Expr: x}, nil
	case mkArray:
		xs, err := c.exprs(args)
		if err != nil {
			return nil, err
		}
		return &ast.ArrayExpr{At: mat, Elems: xs}, nil
	case mkSubscript:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		i, err := arg(1)
		if err != nil {
			return nil, err
		}
		return &ast.Subscript{At: at, Expr: x, Index: i}, nil
	case mkExtract:
		x, err := arg(0)
		if err != nil {
			return nil, err
		}
		return &ast.Extract{At: mat, Field: m.op, Expr: x}, nil
	case mkSQLFunc:
		xs, err := c.exprs(args)
		if err != nil {
			return nil, err
		}
		return &ast.FuncCall{At: mat, Name: m.op, Args: xs}, nil
	case mkStar:
		f, err := call()
		if err != nil {
			return nil, err
		}
		f.Star = true
		return f, nil
	case mkAggDistinct:
		f, err := call()
		if err != nil {
			return nil, err
		}
		f.Distinct = true
		return f, nil
	case mkAggOrder:
		f, err := call()
		if err != nil {
			return nil, err
		}
		for i, k := range args[1:] {
			o, err := c.orderItem(k, m.desc[i], m.nulls[i])
			if err != nil {
				return nil, err
			}
			f.OrderBy = append(f.OrderBy, o)
		}
		return f, nil
	case mkFilter:
		f, err := call()
		if err != nil {
			return nil, err
		}
		if f.Filter, err = arg(1); err != nil {
			return nil, err
		}
		return f, nil
	case mkOver:
		f, err := call()
		if err != nil {
			return nil, err
		}
		if len(args) != 2 {
			return nil, internalErr("OVER marker arity")
		}
		wf, ok := args[1].(*tast.WindowFuncExpr)
		if !ok {
			return nil, internalErr("OVER marker with %T", args[1])
		}
		if f.Over, err = c.windowSpec(&wf.Spec, m.frame, mat); err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, internalErr("marker of kind %d in an expression", m.kind)
}

// anyAllOp spells the operator of op ANY/ALL as ast.AnyAll expects.
func anyAllOp(op string) string {
	switch op {
	case "like", "ilike", "not like", "not ilike":
		return strings.ToUpper(op)
	}
	return op
}

// windowSpec converts an OVER clause, resolving references to named
// windows (whose definitions are inlined) and attaching the frame text.
func (c *converter) windowSpec(s *tast.WindowSpec, frame string, at ast.At) (*ast.WindowSpec, error) {
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > maxExprDepth {
		return nil, errTooComplex(at.P)
	}
	out := &ast.WindowSpec{At: at, Frame: frame}
	// `OVER w` is an alias-only spec named w; `OVER (w ...)` refers to w;
	// a WINDOW clause definition carries its own name in Name.
	name := s.Ref.O
	if s.OnlyAlias {
		name = s.Name.O
	}
	if name != "" {
		var def *tast.WindowSpec
		for i := len(c.windows) - 1; i >= 0 && def == nil; i-- {
			def = c.windows[i][name]
		}
		if def == nil {
			return nil, pgerror.Newf(pgerror.UndefinedObject, "window \"%s\" does not exist", name).WithPosition(at.P)
		}
		base, err := c.windowSpec(def, c.u.frames[name], at)
		if err != nil {
			return nil, err
		}
		if s.PartitionBy != nil {
			return nil, pgerror.Newf(codeWindowingError, "cannot override PARTITION BY clause of window \"%s\"", name).WithPosition(at.P)
		}
		if s.OrderBy != nil && base.OrderBy != nil {
			return nil, pgerror.Newf(codeWindowingError, "cannot override ORDER BY clause of window \"%s\"", name).WithPosition(at.P)
		}
		out.PartitionBy = base.PartitionBy
		out.OrderBy = base.OrderBy
		if out.Frame == "" {
			out.Frame = base.Frame
		}
	}
	if s.PartitionBy != nil {
		for _, it := range s.PartitionBy.Items {
			x, err := c.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			out.PartitionBy = append(out.PartitionBy, x)
		}
	}
	if s.OrderBy != nil {
		o, err := c.orderBy(s.OrderBy.Items)
		if err != nil {
			return nil, err
		}
		out.OrderBy = o
	}
	return out, nil
}

// codeWindowingError is PostgreSQL's windowing_error, which package
// pgerror does not name.
const codeWindowingError = "42P20"
