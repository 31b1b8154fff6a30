package sql

import (
	"strconv"
	"strings"

	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// The rewrite turns PostgreSQL query tokens into MySQL text for TiDB's
// parser. It works level by level on a tree of bracket groups:
//
//   - Clause structure (SELECT list, FROM, WHERE, ORDER BY, LIMIT, set
//     operations, WITH) is recognised here and re-emitted in MySQL order,
//     so PostgreSQL-only clause forms (NULLS LAST, FETCH FIRST, OFFSET
//     before LIMIT, table functions in FROM, column alias lists) never
//     reach TiDB.
//   - Expressions go through two phases. Phase 1 builds "pieces": whole
//     operands (literals, names, calls, casts, CASE ... END, subqueries)
//     and operators. Phase 2 finds the operands of the operators TiDB does
//     not know or ranks differently (~, ||, IS DISTINCT FROM, = ANY(array),
//     AT TIME ZONE) by PostgreSQL's precedence and replaces each by a
//     marker call, so TiDB sees a primary expression and cannot regroup it.
//
// A marker is `__pg_m(k, args...)`: k indexes rewriter.marks, which says
// what the call stands for. Every identifier is emitted back-quoted and
// every function name too, so MySQL keywords never collide with names and
// TiDB's special function grammars never apply.

// markKind says what a marker call stands for.
type markKind uint8

const (
	mkCast        markKind = iota + 1 // (x): x::type
	mkInterval                        // (): INTERVAL '..' unit
	mkTyped                           // (): DATE '..'
	mkBinOp                           // (l, r): operator TiDB lacks
	mkUnaryOp                         // (x): prefix operator TiDB lacks
	mkDistinct                        // (l, r): IS [NOT] DISTINCT FROM
	mkAnyAll                          // (l, array): l op ANY|ALL (array)
	mkArray                           // (elems...): ARRAY[...]
	mkSubscript                       // (x, i): x[i]
	mkExtract                         // (x): EXTRACT(field FROM x)
	mkSQLFunc                         // (args...): CURRENT_TIMESTAMP and friends
	mkStar                            // (f()): f(*)
	mkAggDistinct                     // (f(args)): f(DISTINCT args)
	mkAggOrder                        // (f(args), keys...): f(args ORDER BY keys)
	mkFilter                          // (f, cond): f FILTER (WHERE cond)
	mkOver                            // (f, row_number() OVER spec): f OVER spec
	mkNulls                           // (x): ORDER BY x NULLS FIRST|LAST
	mkValuesRow                       // (exprs...): one row of VALUES
	mkFullJoin                        // (cond): ON cond of a FULL JOIN
	mkTimezone                        // (x, zone): x AT TIME ZONE zone
	mkLimit                           // LIMIT k: side-parsed LIMIT/OFFSET
	mkTableFunc                       // table `__pg_tvf_k`: a function in FROM
	mkAlias                           // alias `__pg_alias_k`: alias (columns)
	mkSelect                          // (): first field of every SELECT, for its position
	mkStarItem                        // `__pg_star_k`.*: * or t.* in a select list
	mkIdentity                        // (x): x; keeps ORDER BY 1 from becoming TiDB's position node
	mkArraySub                        // ((subquery)): ARRAY(subquery)
	mkField                           // (x): (x).field
)

// mark describes one marker.
type mark struct {
	kind     markKind
	pos      int // ast position of the construct
	typ      types.T
	typeName string
	op       string // operator, SQL function name or EXTRACT field
	not      bool
	all      bool
	value    string
	unit     string
	desc     []bool  // mkAggOrder
	nulls    []*bool // mkAggOrder; mkNulls uses nulls[0]
	frame    string  // mkOver
	limit    ast.Expr
	offset   ast.Expr
	table    ast.TableExpr // mkTableFunc
	alias    string        // mkAlias
	columns  []string      // mkAlias
	emit     bool          // mkSelect: the query ends in EMIT ON WINDOW CLOSE
}

const markerFunc = "__pg_m"

// rewriter holds the markers of one statement; every TiDB parse of the
// statement (the query itself and side-parsed pieces such as LIMIT
// expressions) is a unit sharing them.
type rewriter struct {
	*srcCtx
	sp    *stmtParser
	marks []*mark
}

func newRewriter(p *stmtParser) *rewriter { return &rewriter{srcCtx: p.srcCtx, sp: p} }

func (rw *rewriter) addMark(m *mark) int {
	rw.marks = append(rw.marks, m)
	return len(rw.marks) - 1
}

// unit is one text handed to TiDB: its tokens and, once rendered, the maps
// from offsets in the rewritten text back to the original.
type unit struct {
	rw   *rewriter
	nest int // nesting of expr and query calls, bounded by maxParenDepth
	toks []token
	end  token // the token after toks, for "at or near"

	text   string
	posmap []posEntry
	lits   map[int]token     // offset of a literal -> its token
	params map[int]int       // offset of a '?' -> parameter number
	tables map[string][]int  // table name -> ast positions, in text order
	frames map[string]string // named window -> frame clause
}

type posEntry struct{ out, orig int }

func (rw *rewriter) newUnit(toks []token, end token) *unit {
	return &unit{
		rw: rw, toks: toks, end: end,
		lits: map[int]token{}, params: map[int]int{},
		tables: map[string][]int{}, frames: map[string]string{},
	}
}

func (u *unit) tokAt(i int) token {
	if i < len(u.toks) {
		return u.toks[i]
	}
	return u.end
}

// ---------------------------------------------------------------- tree

// node is a token, or a bracket group with its contents.
type node struct {
	tok   token // the token, or a group's opening bracket
	kids  []node
	group bool
	lo    int // token index range [lo, hi) in unit.toks, brackets included
	hi    int
}

func (n node) isGroup(open string) bool { return n.group && n.tok.val == open }
func (n node) is(word string) bool      { return !n.group && n.tok.is(word) }
func (n node) isPunct(p string) bool    { return !n.group && n.tok.isPunct(p) }
func (n node) isOp(op string) bool      { return !n.group && n.tok.isOp(op) }
func (n node) word() string {
	if !n.group && n.tok.kind == tIdent {
		return n.tok.val
	}
	return ""
}
func (n node) isName() bool { return !n.group && n.tok.isWordLike() }

// tree groups u.toks by brackets, rejecting unbalanced ones and nesting
// deeper than maxParenDepth.
func (u *unit) tree() ([]node, error) {
	// Names with the marker prefix would be taken for the rewrite's own
	// markers and placeholders.
	for _, t := range u.toks {
		if t.isWordLike() && strings.HasPrefix(t.val, "__pg_") {
			return nil, pgerror.Newf(pgerror.InvalidName, "names beginning with \"__pg_\" are reserved: \"%s\"", t.val).WithPosition(u.rw.pos(t))
		}
	}
	i := 0
	nodes, err := u.treeLevel(&i, 0, "")
	if err != nil {
		return nil, err
	}
	return nodes, nil
}

func (u *unit) treeLevel(i *int, depth int, close string) ([]node, error) {
	var out []node
	for *i < len(u.toks) {
		t := u.toks[*i]
		switch {
		case t.isPunct("(") || t.isPunct("["):
			if depth >= maxParenDepth {
				return nil, errTooComplex(u.rw.pos(t))
			}
			lo := *i
			*i++
			want := ")"
			if t.val == "[" {
				want = "]"
			}
			kids, err := u.treeLevel(i, depth+1, want)
			if err != nil {
				return nil, err
			}
			if *i >= len(u.toks) {
				return nil, u.rw.errSyntax(u.end)
			}
			*i++
			out = append(out, node{tok: t, kids: kids, group: true, lo: lo, hi: *i})
		case t.isPunct(")") || t.isPunct("]"):
			if t.val != close {
				return nil, u.rw.errSyntax(t)
			}
			return out, nil
		default:
			out = append(out, node{tok: t, lo: *i, hi: *i + 1})
			*i++
		}
	}
	if close != "" {
		return nil, u.rw.errSyntax(u.end)
	}
	return out, nil
}

// after is the token following nodes, for error messages about a missing
// continuation; dflt when nodes is empty.
func (u *unit) after(nodes []node, dflt token) token {
	if len(nodes) == 0 {
		return dflt
	}
	return u.tokAt(nodes[len(nodes)-1].hi)
}

// splitComma splits nodes at top-level commas; empty parts are errors.
func (u *unit) splitComma(nodes []node, after token) ([][]node, error) {
	var parts [][]node
	start := 0
	for i := 0; i <= len(nodes); i++ {
		if i < len(nodes) && !nodes[i].isPunct(",") {
			continue
		}
		if i == start {
			if i < len(nodes) {
				return nil, u.rw.errSyntax(nodes[i].tok)
			}
			return nil, u.rw.errSyntax(after)
		}
		parts = append(parts, nodes[start:i])
		start = i + 1
	}
	return parts, nil
}

// ---------------------------------------------------------------- pieces

type pkind uint8

const (
	pOperand pkind = iota // a complete operand
	pOp                   // an operator (symbolic or keyword)
	pAnyAll               // ANY|SOME|ALL (group), the right side of a comparison
)

// piece is a fragment of rewritten text with what phase 2 needs to know
// about it.
type piece struct {
	kind    pkind
	op      string // pOp: lower-case operator ("~", "and", "not like", "is", "at time zone")
	prec    int    // pOp: binary (or postfix) precedence
	postfix bool   // pOp: IS NULL and friends
	rewrite bool   // pOp: TiDB lacks it; phase 2 makes it a marker
	all     bool   // pAnyAll
	subq    bool   // pAnyAll: the group is a subquery
	inner   *piece // pAnyAll: the group's rewritten contents
	bare    string // pOperand: an unqualified name (candidate bare alias)
	tok     token  // first token, for positions
	frags   []frag
	depth   int
}

// frag is a text fragment (s) standing for original byte offset pos, or a
// nested piece (p). lit and param ask render to record the offset.
type frag struct {
	s     string
	pos   int
	p     *piece
	lit   bool
	tok   token
	param int
}

func newPiece(kind pkind, tok token) *piece { return &piece{kind: kind, tok: tok} }

// t appends text standing for original offset pos.
func (p *piece) t(s string, pos int) *piece {
	p.frags = append(p.frags, frag{s: s, pos: pos})
	return p
}

// add appends a nested piece.
func (p *piece) add(q *piece) *piece {
	p.frags = append(p.frags, frag{p: q, pos: q.tok.pos})
	if q.depth+1 > p.depth {
		p.depth = q.depth + 1
	}
	return p
}

// addAll appends pieces separated by spaces.
func (p *piece) addAll(qs []*piece) *piece {
	for i, q := range qs {
		if i > 0 {
			p.t(" ", q.tok.pos)
		}
		p.add(q)
	}
	return p
}

func (u *unit) checkDepth(p *piece) error {
	if p.depth > maxExprDepth {
		return errTooComplex(u.rw.pos(p.tok))
	}
	return nil
}

// quoteIdent back-quotes a name for MySQL.
func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// quoteString renders s as a MySQL string constant: backslash is an
// escape character there, so it is doubled.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// markerPiece builds `__pg_m(k, arg, ...)`.
func (u *unit) markerPiece(k int, tok token, args ...*piece) *piece {
	p := newPiece(pOperand, tok)
	p.t(quoteIdent(markerFunc)+"("+strconv.Itoa(k), tok.pos)
	for _, a := range args {
		p.t(", ", tok.pos)
		p.add(a)
	}
	p.t(")", tok.pos)
	return p
}

// group wraps pieces into one operand piece.
func group(ps []*piece) *piece {
	if len(ps) == 1 {
		return ps[0]
	}
	p := newPiece(pOperand, ps[0].tok)
	return p.addAll(ps)
}

// ---------------------------------------------------------------- keywords

// reservedWords are PostgreSQL's reserved keywords (both "reserved" and
// "reserved, can be function or type"): they are never column names or
// bare aliases.
var reservedWords = toSet(`all analyse analyze and any array as asc asymmetric both case cast
check collate column constraint create current_catalog current_date current_role current_time
current_timestamp current_user default deferrable desc distinct do else end except false fetch
for foreign from grant group having in initially intersect into lateral leading limit localtime
localtimestamp not null offset on only or order placing primary references returning select
session_user some symmetric system_user table then to trailing true union unique user using
variadic when where window with authorization binary collation concurrently cross
current_schema freeze full ilike inner is isnull join left like natural notnull outer overlaps
right similar tablesample verbose`)

// funcReserved are reserved words that may still name a function.
var funcReserved = toSet(`left right collation current_schema binary`)

// sqlValueFuncs are the functions PostgreSQL calls without parentheses.
var sqlValueFuncs = map[string]string{
	"current_date": "current_date", "current_time": "current_time",
	"current_timestamp": "current_timestamp", "localtime": "localtime",
	"localtimestamp": "localtimestamp", "current_user": "current_user",
	"session_user": "session_user", "user": "current_user", "current_role": "current_role",
	"current_catalog": "current_catalog", "current_schema": "current_schema",
	"system_user": "system_user",
}

// joinWords start a join clause in FROM.
var joinWords = toSet(`join inner left right full cross natural`)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// ---------------------------------------------------------------- entry points

// parseQuery parses toks as a query; emit allows a trailing EMIT ON
// WINDOW CLOSE (see unit.query).
func (rw *rewriter) parseQuery(toks []token, end token, emit bool) (*ast.Select, error) {
	u := rw.newUnit(toks, end)
	nodes, err := u.tree()
	if err != nil {
		return nil, err
	}
	if !isQuery(nodes) {
		return nil, rw.errSyntax(u.tokAt(0))
	}
	p, err := u.query(nodes, end, emit)
	if err != nil {
		return nil, err
	}
	stmt, err := u.parse(p)
	if err != nil {
		return nil, err
	}
	c := &converter{u: u}
	return c.resultSet(stmt)
}

// parseExpr parses toks as one scalar expression.
func (rw *rewriter) parseExpr(toks []token, end token) (ast.Expr, error) {
	u := rw.newUnit(toks, end)
	nodes, err := u.tree()
	if err != nil {
		return nil, err
	}
	e, err := u.expr(nodes, end)
	if err != nil {
		return nil, err
	}
	p := newPiece(pOperand, u.tokAt(0))
	p.t("SELECT ", u.tokAt(0).pos).add(e)
	stmt, err := u.parse(p)
	if err != nil {
		return nil, err
	}
	c := &converter{u: u}
	return c.firstField(stmt)
}

// sideExpr parses the token range of nodes as an expression in a unit of
// its own (for clauses whose MySQL form cannot hold an expression).
func (u *unit) sideExpr(nodes []node, after token) (ast.Expr, error) {
	if len(nodes) == 0 {
		return nil, u.rw.errSyntax(after)
	}
	return u.rw.parseExpr(u.toks[nodes[0].lo:nodes[len(nodes)-1].hi], u.after(nodes, after))
}

// sideQuery is sideExpr for a query, which may end in EMIT ON WINDOW
// CLOSE (it is a relation: the input of a window function).
func (u *unit) sideQuery(nodes []node, after token) (*ast.Select, error) {
	if len(nodes) == 0 {
		return nil, u.rw.errSyntax(after)
	}
	return u.rw.parseQuery(u.toks[nodes[0].lo:nodes[len(nodes)-1].hi], u.after(nodes, after), true)
}

// isEmit reports whether nodes[i:] starts with EMIT ON WINDOW CLOSE.
func isEmit(nodes []node, i int) bool {
	return i+3 < len(nodes) && nodes[i].is("emit") && nodes[i+1].is("on") && nodes[i+2].is("window") && nodes[i+3].is("close")
}

func errEmitSetOp(rw *rewriter, t token) error {
	return rw.errUnsupported(t, "EMIT ON WINDOW CLOSE on a set operation or VALUES")
}

// isQuery reports whether nodes form a query rather than an expression.
func isQuery(nodes []node) bool {
	if len(nodes) == 0 {
		return false
	}
	switch nodes[0].word() {
	case "select", "values", "with", "table":
		return true
	}
	if nodes[0].isGroup("(") && isQuery(nodes[0].kids) {
		if len(nodes) == 1 {
			return true
		}
		switch nodes[1].word() {
		case "union", "intersect", "except", "order", "limit", "offset", "fetch":
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- queries

// clauseWord returns the clause keyword at nodes[i], "" if none. FROM of
// IS DISTINCT FROM and GROUP of WITHIN GROUP are not clause starts.
func clauseWord(nodes []node, i int) string {
	w := nodes[i].word()
	if i > 0 && nodes[i-1].is("as") {
		return "" // `AS from` is a column label
	}
	switch w {
	case "select", "where", "having", "window", "limit", "offset", "fetch",
		"union", "intersect", "except", "for", "into":
		return w
	case "from":
		if i >= 2 && nodes[i-1].is("distinct") && (nodes[i-2].is("is") || nodes[i-2].is("not")) {
			return ""
		}
		return w
	case "group":
		if i+1 < len(nodes) && nodes[i+1].is("by") && (i == 0 || !nodes[i-1].is("within")) {
			return w
		}
	case "order":
		if i+1 < len(nodes) && nodes[i+1].is("by") {
			return w
		}
	}
	return ""
}

// query rewrites a whole query: [WITH ...] body [ORDER BY] [LIMIT ...]
// [EMIT ON WINDOW CLOSE]. The EMIT clause is accepted only where the query
// is a relation of its own (emit set: a derived table, a WITH query, a
// parenthesised set operand) and only on a SELECT, whose mkSelect mark
// then carries it to the converter; anywhere else it is a syntax error.
func (u *unit) query(nodes []node, after token, emit bool) (*piece, error) {
	u.nest++
	defer func() { u.nest-- }()
	if u.nest > maxParenDepth {
		return nil, errTooComplex(u.rw.pos(nodes[0].tok))
	}
	hasEmit := false
	if n := len(nodes); n > 4 && isEmit(nodes, n-4) {
		if !emit {
			return nil, u.rw.errSyntax(nodes[n-4].tok)
		}
		hasEmit = true
		after = nodes[n-4].tok
		nodes = nodes[:n-4]
	}
	for j := range nodes {
		if isEmit(nodes, j) {
			return nil, u.rw.errSyntax(nodes[j].tok)
		}
	}
	p := newPiece(pOperand, nodes[0].tok)
	i := 0
	if nodes[0].is("with") {
		var err error
		if i, err = u.with(nodes, p); err != nil {
			return nil, err
		}
		if i >= len(nodes) {
			return nil, u.rw.errSyntax(after)
		}
	}
	// The tail (ORDER BY, LIMIT, OFFSET, FETCH) follows the last set
	// operand; set operands cannot hold one without parentheses.
	tail := len(nodes)
scan:
	for j := i; j < len(nodes); j++ {
		switch clauseWord(nodes, j) {
		case "order", "limit", "offset", "fetch":
			tail = j
			break scan
		}
	}
	if hasEmit {
		for j := i; j < tail; j++ {
			switch nodes[j].word() {
			case "union", "intersect", "except":
				return nil, errEmitSetOp(u.rw, nodes[j].tok)
			}
		}
		if !nodes[i].is("select") {
			return nil, errEmitSetOp(u.rw, nodes[i].tok)
		}
	}
	head := len(u.rw.marks)
	if err := u.setOps(nodes[i:tail], u.after(nodes[i:tail], after), p); err != nil {
		return nil, err
	}
	if hasEmit {
		// The body is one SELECT: the first mark it added is its head.
		m := u.rw.marks[head]
		if m.kind != mkSelect {
			return nil, internalErr("EMIT ON WINDOW CLOSE without a SELECT mark")
		}
		m.emit = true
	}
	if tail < len(nodes) {
		if err := u.queryTail(nodes[tail:], after, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// with rewrites WITH name [(cols)] AS [[NOT] MATERIALIZED] (query), ...
// and returns the index of the query body.
func (u *unit) with(nodes []node, p *piece) (int, error) {
	p.t("WITH ", nodes[0].tok.pos)
	i := 1
	if i < len(nodes) && nodes[i].is("recursive") {
		return 0, u.rw.errUnsupported(nodes[i].tok, "WITH RECURSIVE")
	}
	for {
		if i >= len(nodes) || !nodes[i].isName() {
			return 0, u.rw.errSyntax(u.after(nodes[:i], u.end))
		}
		p.t(quoteIdent(nodes[i].tok.val), nodes[i].tok.pos)
		i++
		if i < len(nodes) && nodes[i].isGroup("(") {
			cols, err := u.nameList(nodes[i])
			if err != nil {
				return 0, err
			}
			p.t("("+strings.Join(quoteAll(cols), ", ")+")", nodes[i].tok.pos)
			i++
		}
		if i >= len(nodes) || !nodes[i].is("as") {
			return 0, u.rw.errSyntax(u.after(nodes[:i], u.end))
		}
		i++
		if i+1 < len(nodes) && nodes[i].is("not") && nodes[i+1].is("materialized") {
			i += 2
		} else if i < len(nodes) && nodes[i].is("materialized") {
			i++
		}
		if i >= len(nodes) || !nodes[i].isGroup("(") || !isQuery(nodes[i].kids) {
			return 0, u.rw.errSyntax(u.after(nodes[:i], u.end))
		}
		q, err := u.query(nodes[i].kids, u.tokAt(nodes[i].hi-1), true)
		if err != nil {
			return 0, err
		}
		p.t(" AS (", nodes[i].tok.pos).add(q).t(")", nodes[i].tok.pos)
		i++
		if i < len(nodes) && nodes[i].isPunct(",") {
			p.t(", ", nodes[i].tok.pos)
			i++
			continue
		}
		p.t(" ", u.after(nodes[:i], u.end).pos)
		return i, nil
	}
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}

// nameList reads a parenthesised list of plain names.
func (u *unit) nameList(g node) ([]string, error) {
	parts, err := u.splitComma(g.kids, u.tokAt(g.hi-1))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(parts))
	for i, part := range parts {
		if len(part) != 1 || !part[0].isName() {
			return nil, u.rw.errSyntax(part[min(1, len(part)-1)].tok)
		}
		names[i] = part[0].tok.val
	}
	return names, nil
}

// setOps rewrites operands joined by UNION/INTERSECT/EXCEPT [ALL|DISTINCT].
func (u *unit) setOps(nodes []node, after token, p *piece) error {
	start := 0
	for i := 0; i <= len(nodes); i++ {
		if i < len(nodes) {
			switch nodes[i].word() {
			case "union", "intersect", "except":
			default:
				continue
			}
		}
		seg := nodes[start:i]
		if len(seg) == 0 {
			if i < len(nodes) {
				return u.rw.errSyntax(nodes[i].tok)
			}
			return u.rw.errSyntax(after)
		}
		q, err := u.setOperand(seg, u.after(seg, after))
		if err != nil {
			return err
		}
		p.add(q)
		if i == len(nodes) {
			return nil
		}
		op := strings.ToUpper(nodes[i].tok.val)
		if i+1 < len(nodes) && nodes[i+1].is("all") {
			op += " ALL"
			i++
		} else if i+1 < len(nodes) && nodes[i+1].is("distinct") {
			i++
		}
		p.t(" "+op+" ", nodes[i].tok.pos)
		start = i + 1
	}
	return nil
}

// setOperand rewrites one SELECT, VALUES, TABLE or parenthesised query.
func (u *unit) setOperand(nodes []node, after token) (*piece, error) {
	n := nodes[0]
	switch {
	case n.is("select"):
		return u.selectCore(nodes, after)
	case n.is("values"):
		return u.values(nodes, after)
	case n.is("table"):
		if len(nodes) < 2 || !nodes[1].isName() {
			return nil, u.rw.errSyntax(u.after(nodes[:1], after))
		}
		k := u.rw.addMark(&mark{kind: mkStarItem, pos: u.rw.pos(n.tok)})
		p := u.selectHead(n.tok).t(", "+quoteIdent("__pg_star_"+strconv.Itoa(k))+".* FROM ", n.tok.pos)
		tbl, j, err := u.tableName(nodes, 1)
		if err != nil {
			return nil, err
		}
		if j != len(nodes) {
			return nil, u.rw.errSyntax(nodes[j].tok)
		}
		return p.add(tbl), nil
	case n.isGroup("(") && len(nodes) == 1 && isQuery(n.kids):
		q, err := u.query(n.kids, u.tokAt(n.hi-1), true)
		if err != nil {
			return nil, err
		}
		return newPiece(pOperand, n.tok).t("(", n.tok.pos).add(q).t(")", u.tokAt(n.hi-1).pos), nil
	case n.is("with"):
		return u.query(nodes, after, false)
	}
	if len(nodes) > 1 && n.isGroup("(") {
		return nil, u.rw.errSyntax(nodes[1].tok)
	}
	return nil, u.rw.errSyntax(n.tok)
}

// selectCore rewrites SELECT ... FROM ... WHERE ... GROUP BY ... HAVING
// ... WINDOW ....
func (u *unit) selectCore(nodes []node, after token) (*piece, error) {
	i := 1
	var opts []string
	if i < len(nodes) && nodes[i].is("all") {
		i++
	} else if i < len(nodes) && nodes[i].is("distinct") {
		if i+1 < len(nodes) && nodes[i+1].is("on") {
			return nil, u.rw.errUnsupported(nodes[i].tok, "DISTINCT ON")
		}
		opts = []string{"DISTINCT"}
		i++
	}
	// The head's mark is the first one the SELECT adds (see query).
	p := u.selectHead(nodes[0].tok, opts...)
	p.t(", ", nodes[0].tok.pos)
	// Cut the rest into clauses.
	type clause struct {
		word  string
		tok   token
		nodes []node
	}
	var clauses []clause
	cur := clause{word: "select", tok: nodes[0].tok}
	start := i
	for j := i; j <= len(nodes); j++ {
		w := ""
		if j < len(nodes) {
			if w = clauseWord(nodes, j); w == "" {
				continue
			}
		}
		cur.nodes = nodes[start:j]
		clauses = append(clauses, cur)
		if j == len(nodes) {
			break
		}
		cur = clause{word: w, tok: nodes[j].tok}
		start = j + 1
		if w == "group" {
			start++ // BY
		}
	}
	seen := map[string]bool{}
	for ci, c := range clauses {
		cAfter := after
		if ci+1 < len(clauses) {
			cAfter = clauses[ci+1].tok
		}
		if seen[c.word] {
			return nil, u.rw.errSyntax(c.tok)
		}
		seen[c.word] = true
		switch c.word {
		case "select":
			if len(c.nodes) == 0 {
				return nil, u.rw.errUnsupported(c.tok, "an empty select list")
			}
			tl, err := u.targetList(c.nodes, cAfter)
			if err != nil {
				return nil, err
			}
			p.add(tl)
		case "from":
			if len(c.nodes) == 0 {
				return nil, u.rw.errSyntax(cAfter)
			}
			f, err := u.fromClause(c.nodes, cAfter)
			if err != nil {
				return nil, err
			}
			p.t(" FROM ", c.tok.pos).add(f)
		case "where", "having":
			e, err := u.expr(c.nodes, cAfter)
			if err != nil {
				return nil, err
			}
			p.t(" "+strings.ToUpper(c.word)+" ", c.tok.pos).add(e)
		case "group":
			if len(c.nodes) > 0 {
				switch c.nodes[0].word() {
				case "rollup", "cube", "grouping":
					return nil, u.rw.errUnsupported(c.nodes[0].tok, strings.ToUpper(c.nodes[0].tok.val))
				case "all", "distinct":
					return nil, u.rw.errUnsupported(c.nodes[0].tok, "GROUP BY "+strings.ToUpper(c.nodes[0].tok.val))
				}
			}
			l, err := u.groupBy(c.nodes, cAfter)
			if err != nil {
				return nil, err
			}
			p.t(" GROUP BY ", c.tok.pos).add(l)
		case "window":
			w, err := u.windowClause(c.nodes, cAfter)
			if err != nil {
				return nil, err
			}
			p.t(" WINDOW ", c.tok.pos).add(w)
		case "into":
			return nil, u.rw.errUnsupported(c.tok, "SELECT INTO")
		case "for":
			return nil, u.rw.errUnsupported(c.tok, "SELECT FOR UPDATE/SHARE")
		default:
			return nil, u.rw.errSyntax(c.tok)
		}
	}
	return p, nil
}

// selectHead starts a SELECT with a hidden first field, a marker that
// carries the SELECT keyword's position (TiDB records none for statements).
func (u *unit) selectHead(kw token, opts ...string) *piece {
	k := u.rw.addMark(&mark{kind: mkSelect, pos: u.rw.pos(kw)})
	head := "SELECT "
	for _, o := range opts {
		head += o + " "
	}
	p := newPiece(pOperand, kw).t(head, kw.pos)
	return p.add(u.markerPiece(k, kw))
}

// targetList rewrites the select list; aliases are emitted with AS.
func (u *unit) targetList(nodes []node, after token) (*piece, error) {
	items, err := u.splitComma(nodes, after)
	if err != nil {
		return nil, err
	}
	p := newPiece(pOperand, nodes[0].tok)
	for k, item := range items {
		if k > 0 {
			p.t(", ", item[0].tok.pos)
		}
		if star, ok := u.starItem(item); ok {
			p.add(star)
			continue
		}
		alias := ""
		var aliasTok token
		if n := len(item); n >= 3 && item[n-2].is("as") && item[n-1].isName() {
			alias, aliasTok = item[n-1].tok.val, item[n-1].tok
			item = item[:n-2]
		} else if n >= 2 && item[n-1].is("as") {
			return nil, u.rw.errSyntax(u.after(item, after))
		}
		ps, err := u.phase1(item, u.after(item, after))
		if err != nil {
			return nil, err
		}
		// A trailing bare name after a complete operand is an alias.
		if alias == "" && len(ps) >= 2 && ps[len(ps)-1].bare != "" && endsOperand(ps[len(ps)-2]) {
			last := ps[len(ps)-1]
			alias, aliasTok = last.bare, last.tok
			ps = ps[:len(ps)-1]
		}
		e, err := u.phase2All(ps, u.after(item, after))
		if err != nil {
			return nil, err
		}
		p.add(e)
		if alias != "" {
			p.t(" AS "+quoteIdent(alias), aliasTok.pos)
		}
	}
	return p, nil
}

// starItem rewrites `*` and `t.*` items as `__pg_star_k`.*, whose mark
// keeps the qualifier and the position.
func (u *unit) starItem(item []node) (*piece, bool) {
	var qual []string
	switch {
	case len(item) == 1 && item[0].isOp("*"):
	case len(item) == 3 && item[0].isName() && item[1].isPunct(".") && item[2].isOp("*"):
		qual = []string{item[0].tok.val}
	case len(item) == 5 && item[0].isName() && item[1].isPunct(".") && item[2].isName() && item[3].isPunct(".") && item[4].isOp("*"):
		qual = []string{item[0].tok.val, item[2].tok.val}
	default:
		return nil, false
	}
	k := u.rw.addMark(&mark{kind: mkStarItem, pos: u.rw.pos(item[0].tok), columns: qual})
	return newPiece(pOperand, item[0].tok).t(quoteIdent("__pg_star_"+strconv.Itoa(k))+".*", item[0].tok.pos), true
}

// values rewrites VALUES (..), (..) as a SELECT of row markers.
func (u *unit) values(nodes []node, after token) (*piece, error) {
	k := u.rw.addMark(&mark{kind: mkValuesRow, pos: u.rw.pos(nodes[0].tok)})
	p := u.selectHead(nodes[0].tok).t(", ", nodes[0].tok.pos)
	rows, err := u.splitComma(nodes[1:], after)
	if err != nil {
		return nil, err
	}
	if len(nodes) == 1 {
		return nil, u.rw.errSyntax(after)
	}
	for i, row := range rows {
		if len(row) != 1 || !row[0].isGroup("(") {
			return nil, u.rw.errSyntax(row[min(1, len(row)-1)].tok)
		}
		g := row[0]
		cols, err := u.splitComma(g.kids, u.tokAt(g.hi-1))
		if err != nil {
			return nil, err
		}
		if len(cols) == 0 {
			return nil, u.rw.errSyntax(u.tokAt(g.hi - 1))
		}
		var args []*piece
		for _, c := range cols {
			if len(c) == 1 && c[0].is("default") {
				return nil, u.rw.errUnsupported(c[0].tok, "DEFAULT in VALUES")
			}
			e, err := u.expr(c, u.after(c, u.end))
			if err != nil {
				return nil, err
			}
			args = append(args, e)
		}
		if i > 0 {
			p.t(", ", g.tok.pos)
		}
		p.add(u.markerPiece(k, g.tok, args...))
	}
	return p, nil
}

// queryTail rewrites ORDER BY and the LIMIT/OFFSET/FETCH clauses, which
// become one `LIMIT k` whose mark holds the side-parsed expressions.
func (u *unit) queryTail(nodes []node, after token, p *piece) error {
	i := 0
	if clauseWord(nodes, 0) == "order" {
		j := 2
		for j < len(nodes) {
			if w := clauseWord(nodes, j); w != "" {
				break
			}
			j++
		}
		items, err := u.orderItems(nodes[2:j], u.after(nodes[:j], after))
		if err != nil {
			return err
		}
		p.t(" ORDER BY ", nodes[0].tok.pos).add(items)
		i = j
	}
	if i == len(nodes) {
		return nil
	}
	m := &mark{kind: mkLimit, pos: u.rw.pos(nodes[i].tok)}
	seenLimit, seenOffset := false, false
	for i < len(nodes) {
		kw := nodes[i]
		j := i + 1
		for j < len(nodes) {
			w := clauseWord(nodes, j)
			if w == "limit" || w == "offset" || w == "fetch" || w == "order" || w == "for" {
				break
			}
			j++
		}
		body := nodes[i+1 : j]
		bodyAfter := u.after(nodes[:j], after)
		switch clauseWord(nodes, i) {
		case "limit":
			if seenLimit {
				return pgerror.New(pgerror.SyntaxError, "multiple LIMIT clauses not allowed").WithPosition(u.rw.pos(kw.tok))
			}
			seenLimit = true
			if len(body) == 1 && body[0].is("all") {
				break
			}
			e, err := u.sideExpr(body, bodyAfter)
			if err != nil {
				return err
			}
			m.limit = e
		case "offset":
			if seenOffset {
				return pgerror.New(pgerror.SyntaxError, "multiple OFFSET clauses not allowed").WithPosition(u.rw.pos(kw.tok))
			}
			seenOffset = true
			if n := len(body); n > 1 && (body[n-1].is("row") || body[n-1].is("rows")) {
				body = body[:n-1]
			}
			e, err := u.sideExpr(body, bodyAfter)
			if err != nil {
				return err
			}
			m.offset = e
		case "fetch":
			if seenLimit {
				return pgerror.New(pgerror.SyntaxError, "multiple LIMIT clauses not allowed").WithPosition(u.rw.pos(kw.tok))
			}
			seenLimit = true
			e, err := u.fetch(kw, body, bodyAfter)
			if err != nil {
				return err
			}
			m.limit = e
		case "for":
			return u.rw.errUnsupported(kw.tok, "SELECT FOR UPDATE/SHARE")
		default:
			return u.rw.errSyntax(kw.tok)
		}
		i = j
	}
	k := u.rw.addMark(m)
	p.t(" LIMIT "+strconv.Itoa(k), nodes[0].tok.pos)
	return nil
}

// fetch parses FETCH {FIRST|NEXT} [n] {ROW|ROWS} ONLY.
func (u *unit) fetch(kw node, body []node, after token) (ast.Expr, error) {
	if len(body) < 3 || !(body[0].is("first") || body[0].is("next")) {
		return nil, u.rw.errSyntax(u.after([]node{kw}, after))
	}
	n := len(body)
	if body[n-2].is("with") && body[n-1].is("ties") {
		return nil, u.rw.errUnsupported(body[n-2].tok, "FETCH ... WITH TIES")
	}
	if !body[n-1].is("only") {
		return nil, u.rw.errSyntax(u.after(body, after))
	}
	if !body[n-2].is("row") && !body[n-2].is("rows") {
		return nil, u.rw.errSyntax(body[n-2].tok)
	}
	count := body[1 : n-2]
	if len(count) == 0 {
		return &ast.Literal{At: ast.At{P: u.rw.pos(body[0].tok)}, Kind: ast.LitInt, Value: "1"}, nil
	}
	return u.sideExpr(count, body[n-2].tok)
}

// orderItems rewrites ORDER BY items; NULLS FIRST/LAST wraps the key in
// an mkNulls marker.
func (u *unit) orderItems(nodes []node, after token) (*piece, error) {
	items, err := u.splitComma(nodes, after)
	if err != nil {
		return nil, err
	}
	p := newPiece(pOperand, u.after(nil, after))
	for k, item := range items {
		if k > 0 {
			p.t(", ", item[0].tok.pos)
		}
		key, desc, nulls, err := u.orderItem(item, u.after(item, after))
		if err != nil {
			return nil, err
		}
		if nulls != nil || isNumberKey(item[:1]) {
			m := u.rw.addMark(&mark{kind: mkNulls, pos: u.rw.pos(item[0].tok), nulls: []*bool{nulls}})
			key = u.markerPiece(m, item[0].tok, key)
		}
		p.add(key)
		if desc {
			p.t(" DESC", item[len(item)-1].tok.pos)
		}
	}
	if len(items) > 0 {
		p.tok = items[0][0].tok
	}
	return p, nil
}

// isNumberKey reports an ORDER BY or GROUP BY key that is a bare integer,
// which TiDB would turn into a position node without a source offset.
func isNumberKey(item []node) bool {
	return len(item) == 1 && item[0].tok.kind == tNumber && !item[0].group
}

// orderItem splits `expr [ASC|DESC] [NULLS FIRST|LAST]`.
func (u *unit) orderItem(item []node, after token) (key *piece, desc bool, nulls *bool, err error) {
	n := len(item)
	if n >= 3 && item[n-2].is("nulls") && (item[n-1].is("first") || item[n-1].is("last")) {
		first := item[n-1].is("first")
		nulls = &first
		item = item[:n-2]
		n -= 2
	}
	if n >= 2 && (item[n-1].is("asc") || item[n-1].is("desc")) {
		desc = item[n-1].is("desc")
		item = item[:n-1]
		n--
	}
	for _, x := range item {
		if x.is("using") {
			return nil, false, nil, u.rw.errUnsupported(x.tok, "ORDER BY ... USING")
		}
	}
	key, err = u.expr(item, after)
	return key, desc, nulls, err
}

// groupBy rewrites GROUP BY keys, protecting bare integers.
func (u *unit) groupBy(nodes []node, after token) (*piece, error) {
	parts, err := u.splitComma(nodes, after)
	if err != nil {
		return nil, err
	}
	p := newPiece(pOperand, parts[0][0].tok)
	for k, part := range parts {
		if k > 0 {
			p.t(", ", part[0].tok.pos)
		}
		e, err := u.expr(part, u.after(part, after))
		if err != nil {
			return nil, err
		}
		if isNumberKey(part) {
			m := u.rw.addMark(&mark{kind: mkIdentity, pos: u.rw.pos(part[0].tok)})
			e = u.markerPiece(m, part[0].tok, e)
		}
		p.add(e)
	}
	return p, nil
}

// exprList rewrites comma-separated expressions.
func (u *unit) exprList(nodes []node, after token) (*piece, error) {
	parts, err := u.splitComma(nodes, after)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, u.rw.errSyntax(after)
	}
	p := newPiece(pOperand, parts[0][0].tok)
	for k, part := range parts {
		if k > 0 {
			p.t(", ", part[0].tok.pos)
		}
		e, err := u.expr(part, u.after(part, after))
		if err != nil {
			return nil, err
		}
		p.add(e)
	}
	return p, nil
}

// ---------------------------------------------------------------- windows

// windowClause rewrites WINDOW name AS (spec), ...
func (u *unit) windowClause(nodes []node, after token) (*piece, error) {
	defs, err := u.splitComma(nodes, after)
	if err != nil {
		return nil, err
	}
	p := newPiece(pOperand, nodes[0].tok)
	for k, d := range defs {
		if len(d) != 3 || !d[0].isName() || !d[1].is("as") || !d[2].isGroup("(") {
			return nil, u.rw.errSyntax(d[min(1, len(d)-1)].tok)
		}
		spec, frame, err := u.windowSpec(d[2])
		if err != nil {
			return nil, err
		}
		if frame != "" {
			u.frames[d[0].tok.val] = frame
		}
		if k > 0 {
			p.t(", ", d[0].tok.pos)
		}
		p.t(quoteIdent(d[0].tok.val)+" AS ", d[0].tok.pos).add(spec)
	}
	return p, nil
}

// windowSpec rewrites `( [name] [PARTITION BY ..] [ORDER BY ..] [frame] )`.
// The frame clause is returned as normalised text instead of being handed
// to TiDB, whose frame grammar is narrower than PostgreSQL's.
func (u *unit) windowSpec(g node) (*piece, string, error) {
	closeTok := u.tokAt(g.hi - 1)
	nodes := g.kids
	p := newPiece(pOperand, g.tok).t("(", g.tok.pos)
	i := 0
	isFrame := func(n node) bool { return n.is("rows") || n.is("range") || n.is("groups") }
	if i < len(nodes) && nodes[i].isName() && !nodes[i].is("partition") && !nodes[i].is("order") && !isFrame(nodes[i]) {
		p.t(quoteIdent(nodes[i].tok.val)+" ", nodes[i].tok.pos)
		i++
	}
	// end of a section: the next section keyword.
	sectionEnd := func(from int) int {
		for j := from; j < len(nodes); j++ {
			if (nodes[j].is("order") && j+1 < len(nodes) && nodes[j+1].is("by")) || isFrame(nodes[j]) {
				return j
			}
		}
		return len(nodes)
	}
	if i+1 < len(nodes) && nodes[i].is("partition") && nodes[i+1].is("by") {
		j := sectionEnd(i + 2)
		l, err := u.exprList(nodes[i+2:j], u.after(nodes[:j], closeTok))
		if err != nil {
			return nil, "", err
		}
		p.t("PARTITION BY ", nodes[i].tok.pos).add(l).t(" ", nodes[i].tok.pos)
		i = j
	}
	if i+1 < len(nodes) && nodes[i].is("order") && nodes[i+1].is("by") {
		j := i + 2
		for j < len(nodes) && !isFrame(nodes[j]) {
			j++
		}
		o, err := u.orderItems(nodes[i+2:j], u.after(nodes[:j], closeTok))
		if err != nil {
			return nil, "", err
		}
		p.t("ORDER BY ", nodes[i].tok.pos).add(o)
		i = j
	}
	frame := ""
	if i < len(nodes) {
		if !isFrame(nodes[i]) {
			return nil, "", u.rw.errSyntax(nodes[i].tok)
		}
		frame = u.frameText(nodes[i:])
	}
	p.t(")", closeTok.pos)
	return p, frame, nil
}

// frameText normalises a frame clause: keywords upper-cased, one space
// between tokens.
func (u *unit) frameText(nodes []node) string {
	var parts []string
	for t := nodes[0].lo; t < nodes[len(nodes)-1].hi; t++ {
		tok := u.toks[t]
		s := tok.text(u.rw.src)
		if tok.kind == tIdent {
			s = strings.ToUpper(tok.val)
		}
		parts = append(parts, s)
	}
	s := strings.Join(parts, " ")
	s = strings.ReplaceAll(s, "( ", "(")
	return strings.ReplaceAll(s, " )", ")")
}

// ---------------------------------------------------------------- FROM

// fromClause rewrites a FROM list with its joins.
func (u *unit) fromClause(nodes []node, after token) (*piece, error) {
	p := newPiece(pOperand, nodes[0].tok)
	i := 0
	item, j, err := u.fromItem(nodes, i, after)
	if err != nil {
		return nil, err
	}
	p.add(item)
	i = j
	for i < len(nodes) {
		n := nodes[i]
		if n.isPunct(",") {
			p.t(", ", n.tok.pos)
			item, j, err := u.fromItem(nodes, i+1, u.after(nodes[:i+1], after))
			if err != nil {
				return nil, err
			}
			p.add(item)
			i = j
			continue
		}
		if !joinWords[n.word()] {
			return nil, u.rw.errSyntax(n.tok)
		}
		// [NATURAL] {[INNER] | {LEFT|RIGHT|FULL} [OUTER] | CROSS} JOIN
		kind := ""
		k := i
		if nodes[k].is("natural") {
			return nil, u.rw.errUnsupported(nodes[k].tok, "NATURAL JOIN")
		}
		switch nodes[k].word() {
		case "inner":
			kind = "JOIN"
			k++
		case "left", "right", "full":
			kind = strings.ToUpper(nodes[k].word()) + " JOIN"
			k++
			if k < len(nodes) && nodes[k].is("outer") {
				k++
			}
		case "cross":
			kind = "CROSS JOIN"
			k++
		case "join":
			kind = "JOIN"
		}
		if k >= len(nodes) || !nodes[k].is("join") {
			return nil, u.rw.errSyntax(u.after(nodes[:k], after))
		}
		k++
		full := kind == "FULL JOIN"
		if full {
			// TiDB has no FULL JOIN: emit LEFT JOIN and mark the condition.
			p.t(" LEFT JOIN ", n.tok.pos)
		} else {
			p.t(" "+kind+" ", n.tok.pos)
		}
		item, j, err := u.fromItem(nodes, k, u.after(nodes[:k], after))
		if err != nil {
			return nil, err
		}
		p.add(item)
		i = j
		if kind == "CROSS JOIN" {
			continue
		}
		switch {
		case i < len(nodes) && nodes[i].is("on"):
			j := i + 1
			for j < len(nodes) && !nodes[j].isPunct(",") && !joinWords[nodes[j].word()] {
				j++
			}
			cond, err := u.expr(nodes[i+1:j], u.after(nodes[:j], after))
			if err != nil {
				return nil, err
			}
			if full {
				m := u.rw.addMark(&mark{kind: mkFullJoin, pos: u.rw.pos(n.tok)})
				cond = u.markerPiece(m, nodes[i].tok, cond)
			}
			p.t(" ON ", nodes[i].tok.pos).add(cond)
			i = j
		case i+1 < len(nodes) && nodes[i].is("using") && nodes[i+1].isGroup("("):
			if full {
				return nil, u.rw.errUnsupported(nodes[i].tok, "FULL JOIN ... USING")
			}
			cols, err := u.nameList(nodes[i+1])
			if err != nil {
				return nil, err
			}
			p.t(" USING ("+strings.Join(quoteAll(cols), ", ")+")", nodes[i].tok.pos)
			i += 2
		default:
			return nil, u.rw.errSyntax(u.after(nodes[:i], after))
		}
	}
	return p, nil
}

// fromItem rewrites one FROM item with its alias; it returns the index
// after it.
func (u *unit) fromItem(nodes []node, i int, after token) (*piece, int, error) {
	if i >= len(nodes) {
		return nil, i, u.rw.errSyntax(after)
	}
	n := nodes[i]
	switch {
	case n.is("lateral"):
		return nil, i, u.rw.errUnsupported(n.tok, "LATERAL")
	case n.is("only"):
		return u.fromItem(nodes, i+1, after)
	case n.is("rows") && i+1 < len(nodes) && nodes[i+1].is("from"):
		return nil, i, u.rw.errUnsupported(n.tok, "ROWS FROM")
	}
	var p *piece
	var tvf *mark // table function: alias goes to its mark
	isTable := false
	j := i
	switch {
	case n.isGroup("("):
		closeTok := u.tokAt(n.hi - 1)
		if isQuery(n.kids) {
			q, err := u.query(n.kids, closeTok, true)
			if err != nil {
				return nil, i, err
			}
			p = newPiece(pOperand, n.tok).t("(", n.tok.pos).add(q).t(")", closeTok.pos)
		} else {
			if len(n.kids) == 0 {
				return nil, i, u.rw.errSyntax(closeTok)
			}
			inner, err := u.fromClause(n.kids, closeTok)
			if err != nil {
				return nil, i, err
			}
			p = newPiece(pOperand, n.tok).t("(", n.tok.pos).add(inner).t(")", closeTok.pos)
		}
		j = i + 1
	case n.is("table") && i+1 < len(nodes) && nodes[i+1].isGroup("("):
		// Flink: TABLE(TUMBLE(TABLE src, DESCRIPTOR(col), size)).
		g := nodes[i+1]
		if len(g.kids) != 2 || !g.kids[1].isGroup("(") {
			return nil, i, u.rw.errSyntax(g.tok)
		}
		m, err := u.windowTVF(g.kids[0], g.kids[1])
		if err != nil {
			return nil, i, err
		}
		tvf = m
		j = i + 2
	case n.isName() && i+1 < len(nodes) && nodes[i+1].isGroup("("),
		n.isName() && i+3 < len(nodes) && nodes[i+1].isPunct(".") && nodes[i+2].isName() && nodes[i+3].isGroup("("):
		// A function in FROM.
		end := i + 1
		if !nodes[i+1].isGroup("(") {
			end = i + 3
		}
		var m *mark
		var err error
		switch w := n.word(); {
		case end == i+1 && (w == "tumble" || w == "hop" || w == "session"):
			m, err = u.windowTVF(n, nodes[end])
		case end == i+1 && reservedWords[w] && !funcReserved[w]:
			return nil, i, u.rw.errSyntax(n.tok)
		default:
			var e ast.Expr
			e, err = u.sideExpr(nodes[i:end+1], u.after(nodes[:end+1], after))
			if err == nil {
				f, ok := e.(*ast.FuncCall)
				if !ok {
					return nil, i, u.rw.errSyntax(n.tok)
				}
				m = &mark{kind: mkTableFunc, table: &ast.TableFunc{At: f.At, Func: f}}
			}
		}
		if err != nil {
			return nil, i, err
		}
		tvf = m
		j = end + 1
		if j+1 < len(nodes) && nodes[j].is("with") && nodes[j+1].is("ordinality") {
			return nil, i, u.rw.errUnsupported(nodes[j].tok, "WITH ORDINALITY")
		}
	case n.isName():
		if reservedWords[n.word()] {
			return nil, i, u.rw.errSyntax(n.tok)
		}
		var err error
		p, j, err = u.tableName(nodes, i)
		if err != nil {
			return nil, i, err
		}
		isTable = true
	default:
		return nil, i, u.rw.errSyntax(n.tok)
	}
	// [AS] alias [(columns)]
	alias := ""
	var aliasTok token
	var cols []string
	if j < len(nodes) && nodes[j].is("as") {
		if j+1 >= len(nodes) || !nodes[j+1].isName() {
			return nil, i, u.rw.errSyntax(u.after(nodes[:j+1], after))
		}
		alias, aliasTok = nodes[j+1].tok.val, nodes[j+1].tok
		j += 2
	} else if j < len(nodes) && nodes[j].isName() && !reservedWords[nodes[j].word()] {
		alias, aliasTok = nodes[j].tok.val, nodes[j].tok
		j++
	}
	if alias != "" && j < len(nodes) && nodes[j].isGroup("(") {
		var err error
		if cols, err = u.nameList(nodes[j]); err != nil {
			return nil, i, err
		}
		j++
	}
	if tvf != nil {
		k := u.rw.addMark(tvf)
		switch t := tvf.table.(type) {
		case *ast.WindowTVF:
			if cols != nil {
				return nil, i, u.rw.errUnsupported(aliasTok, "column aliases for a window function")
			}
			t.Alias = alias
		case *ast.TableFunc:
			t.Alias, t.Columns = alias, cols
		}
		return newPiece(pOperand, n.tok).t(quoteIdent("__pg_tvf_"+strconv.Itoa(k)), n.tok.pos), j, nil
	}
	if alias == "" {
		return p, j, nil
	}
	if n.isGroup("(") && !isQuery(n.kids) {
		return nil, i, u.rw.errUnsupported(aliasTok, "an alias for a parenthesized join")
	}
	if cols != nil {
		if isTable {
			return nil, i, u.rw.errUnsupported(aliasTok, "column aliases for a table")
		}
		k := u.rw.addMark(&mark{kind: mkAlias, alias: alias, columns: cols})
		alias = "__pg_alias_" + strconv.Itoa(k)
	}
	q := newPiece(pOperand, p.tok).add(p)
	q.t(" AS "+quoteIdent(alias), aliasTok.pos)
	return q, j, nil
}

// tableName rewrites [schema.]name and records its position for the
// converter.
func (u *unit) tableName(nodes []node, i int) (*piece, int, error) {
	parts := []token{nodes[i].tok}
	j := i + 1
	for j+1 < len(nodes) && nodes[j].isPunct(".") && nodes[j+1].isName() {
		parts = append(parts, nodes[j+1].tok)
		j += 2
	}
	if len(parts) > 2 {
		return nil, i, u.rw.errUnsupported(parts[0], "a cross-database reference")
	}
	var names []string
	for _, t := range parts {
		names = append(names, quoteIdent(t.val))
	}
	key := parts[len(parts)-1].val
	if len(parts) == 2 {
		key = parts[0].val + "." + key
	}
	u.tables[key] = append(u.tables[key], u.rw.pos(parts[0]))
	return newPiece(pOperand, parts[0]).t(strings.Join(names, "."), parts[0].pos), j, nil
}

// windowTVF parses TUMBLE/HOP/SESSION(args) in FROM, in RisingWave's form
// (src, col, ...) or Flink's (TABLE src, DESCRIPTOR(col), ...).
func (u *unit) windowTVF(name node, g node) (*mark, error) {
	closeTok := u.tokAt(g.hi - 1)
	args, err := u.splitComma(g.kids, closeTok)
	if err != nil {
		return nil, err
	}
	w := &ast.WindowTVF{At: ast.At{P: u.rw.pos(name.tok)}}
	want := ""
	switch name.word() {
	case "tumble":
		w.Kind = ast.WindowTumble
		if len(args) != 3 && len(args) != 4 {
			want = "3 or 4"
		}
	case "hop":
		w.Kind = ast.WindowHop
		if len(args) != 4 && len(args) != 5 {
			want = "4 or 5"
		}
	case "session":
		w.Kind = ast.WindowSession
		if len(args) != 3 {
			want = "3"
		}
	default:
		return nil, u.rw.errUnsupported(name.tok, "table function "+name.tok.val+" in TABLE()")
	}
	if want != "" {
		return nil, pgerror.Newf(pgerror.UndefinedFunction, "%s expects %s arguments", w.Kind, want).WithPosition(u.rw.pos(name.tok))
	}
	for _, a := range args {
		if len(a) > 1 && a[1].isOp("=>") {
			return nil, u.rw.errUnsupported(a[1].tok, "named argument")
		}
	}
	// Input relation.
	src := args[0]
	if len(src) >= 1 && src[0].is("table") {
		src = src[1:]
	}
	switch {
	case len(src) == 1 && src[0].isGroup("(") && isQuery(src[0].kids):
		q, err := u.sideQuery(src[0].kids, u.tokAt(src[0].hi-1))
		if err != nil {
			return nil, err
		}
		w.Input = &ast.Subquery{At: ast.At{P: u.rw.pos(src[0].tok)}, Query: q}
	case len(src) == 1 && src[0].isName():
		w.Input = &ast.TableName{At: ast.At{P: u.rw.pos(src[0].tok)}, Name: src[0].tok.val}
	case len(src) == 3 && src[0].isName() && src[1].isPunct(".") && src[2].isName():
		w.Input = &ast.TableName{At: ast.At{P: u.rw.pos(src[0].tok)}, Schema: src[0].tok.val, Name: src[2].tok.val}
	default:
		return nil, u.rw.errSyntax(args[0][0].tok)
	}
	// Time column.
	col := args[1]
	switch {
	case len(col) == 2 && col[0].is("descriptor") && col[1].isGroup("(") && len(col[1].kids) == 1 && col[1].kids[0].isName():
		w.TimeCol = col[1].kids[0].tok.val
	case len(col) == 1 && col[0].isName():
		w.TimeCol = col[0].tok.val
	default:
		return nil, u.rw.errSyntax(col[0].tok)
	}
	exprs := make([]ast.Expr, 0, 3)
	for _, a := range args[2:] {
		e, err := u.sideExpr(a, u.after(a, closeTok))
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, e)
	}
	switch w.Kind {
	case ast.WindowHop:
		w.Slide, w.Size = exprs[0], exprs[1]
		if len(exprs) == 3 {
			w.Offset = exprs[2]
		}
	default:
		w.Size = exprs[0]
		if len(exprs) == 2 {
			w.Offset = exprs[1]
		}
	}
	return &mark{kind: mkTableFunc, table: w}, nil
}
