package sql

import (
	"strings"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// PostgreSQL's operator precedence (gram.y), lowest first. Phase 2 uses it
// to find the operands of the operators it rewrites.
const (
	precOr      = 1
	precAnd     = 2
	precNot     = 3
	precIs      = 4 // IS NULL, IS DISTINCT FROM
	precCmp     = 5 // < > = <= >= <>
	precLike    = 6 // LIKE ILIKE IN BETWEEN
	precOther   = 7 // any other operator: || ~ & | <<, ...
	precAdd     = 8
	precMul     = 9
	precExp     = 10
	precAtTZone = 11
	precUnary   = 12
)

// nativeOps are the symbolic operators TiDB parses with a compatible
// meaning and precedence; all others become markers.
var nativeOps = map[string]int{
	"<": precCmp, ">": precCmp, "=": precCmp, "<=": precCmp, ">=": precCmp, "<>": precCmp,
	"+": precAdd, "-": precAdd, "*": precMul, "/": precMul, "%": precMul, "^": precExp,
}

// expr rewrites one expression.
func (u *unit) expr(nodes []node, after token) (*piece, error) {
	if len(nodes) == 0 {
		return nil, u.rw.errSyntax(after)
	}
	u.nest++
	defer func() { u.nest-- }()
	if u.nest > maxParenDepth {
		return nil, errTooComplex(u.rw.pos(nodes[0].tok))
	}
	ps, err := u.phase1(nodes, after)
	if err != nil {
		return nil, err
	}
	return u.phase2All(ps, after)
}

func (u *unit) phase2All(ps []*piece, after token) (*piece, error) {
	out, err := u.phase2(ps, after)
	if err != nil {
		return nil, err
	}
	p := group(out)
	return p, u.checkDepth(p)
}

// ---------------------------------------------------------------- phase 1

// phase1 turns nodes into operand and operator pieces.
func (u *unit) phase1(nodes []node, after token) ([]*piece, error) {
	var out []*piece
	for i := 0; i < len(nodes); {
		ps, j, err := u.term(nodes, i, after)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
		i = j
	}
	return out, nil
}

// term reads the operand or operator at nodes[i].
func (u *unit) term(nodes []node, i int, after token) ([]*piece, int, error) {
	n := nodes[i]
	one := func(p *piece, j int, err error) ([]*piece, int, error) {
		if err != nil {
			return nil, i, err
		}
		p, j, err = u.postfix(p, nodes, j, after)
		if err != nil {
			return nil, i, err
		}
		return []*piece{p}, j, nil
	}
	if n.group {
		if n.tok.val == "[" {
			return nil, i, u.rw.errSyntax(n.tok)
		}
		p, err := u.parenExpr(n)
		return one(p, i+1, err)
	}
	switch n.tok.kind {
	case tString:
		// MySQL would concatenate adjacent constants; PostgreSQL only
		// does so across a newline, which the lexer already handled.
		if i > 0 && !nodes[i-1].group && nodes[i-1].tok.kind == tString {
			return nil, i, u.rw.errSyntax(n.tok)
		}
		if n.tok.prefix != 0 {
			return nil, i, u.rw.errUnsupported(n.tok, "bit string constant")
		}
		return one(u.literal(n.tok, quoteString(n.tok.val)), i+1, nil)
	case tNumber:
		// The value comes from the token (see converter.literal); TiDB
		// only needs a number at this offset, and its decimal code panics
		// on some long inputs.
		return one(u.literal(n.tok, "0"), i+1, nil)
	case tParam:
		if n.tok.num > u.rw.sp.maxParam {
			u.rw.sp.maxParam = n.tok.num
		}
		if n.tok.num == 0 {
			return nil, i, u.rw.errSyntax(n.tok)
		}
		p := newPiece(pOperand, n.tok)
		p.frags = append(p.frags, frag{s: "?", pos: n.tok.pos, param: n.tok.num})
		return one(p, i+1, nil)
	case tOp:
		p, err := u.opPiece(n.tok)
		if err != nil {
			return nil, i, err
		}
		return []*piece{p}, i + 1, nil
	case tQIdent:
		p, j, err := u.nameOrCall(nodes, i, after)
		return one(p, j, err)
	case tIdent:
		return u.word(nodes, i, after, one)
	}
	return nil, i, u.rw.errSyntax(n.tok)
}

func (u *unit) literal(t token, text string) *piece {
	p := newPiece(pOperand, t)
	p.frags = append(p.frags, frag{s: text, pos: t.pos, lit: true, tok: t})
	return p
}

func opPieceOf(tok token, op string, prec int, text string) *piece {
	p := newPiece(pOp, tok)
	p.op, p.prec = op, prec
	return p.t(text, tok.pos)
}

// opPiece classifies a symbolic operator.
func (u *unit) opPiece(t token) (*piece, error) {
	if prec, ok := nativeOps[t.val]; ok {
		return opPieceOf(t, t.val, prec, t.val), nil
	}
	switch t.val {
	case "=>":
		return nil, u.rw.errUnsupported(t, "named function argument")
	case ":=", "$", "\\", "`":
		return nil, u.rw.errSyntax(t)
	}
	p := opPieceOf(t, t.val, precOther, t.val)
	p.rewrite = true
	return p, nil
}

// word handles a keyword or identifier at nodes[i].
func (u *unit) word(nodes []node, i int, after token, one func(*piece, int, error) ([]*piece, int, error)) ([]*piece, int, error) {
	n := nodes[i]
	w := n.tok.val
	at := func(k int) node {
		if k < len(nodes) {
			return nodes[k]
		}
		return node{tok: token{kind: tEOF}}
	}
	nextGroup := at(i + 1).isGroup("(")
	op := func(name string, prec int, text string, j int) ([]*piece, int, error) {
		return []*piece{opPieceOf(n.tok, name, prec, text)}, j, nil
	}
	// Typed literals: INTERVAL '1' MINUTE, DATE '2024-01-01', ...
	if w == "interval" && at(i+1).tok.kind == tString && !at(i+1).group {
		p, j, err := u.intervalLiteral(nodes, i)
		return one(p, j, err)
	}
	if typeStartWords[w] && w != "interval" {
		if tr, j, err := u.typeAt(nodes, i); err == nil && j < len(nodes) && nodes[j].tok.kind == tString && !nodes[j].group && nodes[j].tok.prefix == 0 {
			typ, err := tr.resolve(u.rw.pc)
			if err != nil {
				return nil, i, err
			}
			k := u.rw.addMark(&mark{kind: mkTyped, pos: u.rw.pos(n.tok), typ: typ, typeName: tr.String(), value: nodes[j].tok.val})
			return one(u.markerPiece(k, n.tok), j+1, nil)
		}
	}
	switch w {
	case "case":
		p, j, err := u.caseExpr(nodes, i, after)
		return one(p, j, err)
	case "cast":
		if nextGroup {
			p, err := u.castCall(n, nodes[i+1])
			return one(p, i+2, err)
		}
	case "exists":
		if nextGroup && isQuery(nodes[i+1].kids) {
			g := nodes[i+1]
			q, err := u.query(g.kids, u.tokAt(g.hi-1), false)
			if err != nil {
				return nil, i, err
			}
			p := newPiece(pOperand, n.tok).t("EXISTS (", n.tok.pos).add(q).t(")", u.tokAt(g.hi-1).pos)
			return one(p, i+2, nil)
		}
	case "array":
		if at(i + 1).isGroup("[") {
			p, err := u.arrayExpr(n.tok, nodes[i+1])
			return one(p, i+2, err)
		}
		if nextGroup && isQuery(nodes[i+1].kids) {
			g := nodes[i+1]
			closeTok := u.tokAt(g.hi - 1)
			q, err := u.query(g.kids, closeTok, false)
			if err != nil {
				return nil, i, err
			}
			sub := newPiece(pOperand, g.tok).t("(", g.tok.pos).add(q).t(")", closeTok.pos)
			k := u.rw.addMark(&mark{kind: mkArraySub, pos: u.rw.pos(n.tok)})
			return one(u.markerPiece(k, n.tok, sub), i+2, nil)
		}
		if nextGroup {
			return nil, i, u.rw.errUnsupported(n.tok, "ARRAY(subquery)")
		}
	case "any", "some", "all":
		if nextGroup {
			g := nodes[i+1]
			p := newPiece(pAnyAll, n.tok)
			p.all = w == "all"
			closeTok := u.tokAt(g.hi - 1)
			if isQuery(g.kids) {
				q, err := u.query(g.kids, closeTok, false)
				if err != nil {
					return nil, i, err
				}
				kw := "ANY"
				if p.all {
					kw = "ALL"
				}
				p.subq = true
				p.t(kw+" (", n.tok.pos).add(q).t(")", closeTok.pos)
			} else {
				e, err := u.expr(g.kids, closeTok)
				if err != nil {
					return nil, i, err
				}
				p.inner = e
			}
			return []*piece{p}, i + 2, nil
		}
	case "not":
		switch at(i + 1).word() {
		case "like", "ilike", "in", "between":
			ps, j, err := u.word(nodes, i+1, after, one)
			if err != nil {
				return nil, i, err
			}
			ps[0].op = "not " + ps[0].op
			ps[0].tok = n.tok
			ps[0].frags = append([]frag{{s: "NOT ", pos: n.tok.pos}}, ps[0].frags...)
			return ps, j, nil
		case "similar":
			return nil, i, u.rw.errUnsupported(at(i+1).tok, "SIMILAR TO")
		}
		return op("not", precNot, "NOT", i+1)
	case "and":
		return op("and", precAnd, "AND", i+1)
	case "or":
		return op("or", precOr, "OR", i+1)
	case "is":
		return u.isExpr(nodes, i)
	case "isnull", "notnull":
		p := opPieceOf(n.tok, w, precIs, map[string]string{"isnull": "IS NULL", "notnull": "IS NOT NULL"}[w])
		p.postfix = true
		return []*piece{p}, i + 1, nil
	case "in":
		if !nextGroup {
			return nil, i, u.rw.errSyntax(at(i + 1).tok)
		}
		g := nodes[i+1]
		closeTok := u.tokAt(g.hi - 1)
		list := newPiece(pOperand, g.tok).t("(", g.tok.pos)
		if isQuery(g.kids) {
			q, err := u.query(g.kids, closeTok, false)
			if err != nil {
				return nil, i, err
			}
			list.add(q)
		} else {
			l, err := u.exprList(g.kids, closeTok)
			if err != nil {
				return nil, i, err
			}
			list.add(l)
		}
		list.t(")", closeTok.pos)
		return []*piece{opPieceOf(n.tok, "in", precLike, "IN"), list}, i + 2, nil
	case "between":
		return u.between(nodes, i, after)
	case "like", "ilike":
		return op(w, precLike, strings.ToUpper(w), i+1)
	case "escape":
		// TiDB takes a one-byte string constant; PostgreSQL allows one
		// character or none.
		e := at(i + 1)
		if e.group || e.tok.kind != tString {
			return nil, i, u.rw.errUnsupported(n.tok, "a non-constant ESCAPE")
		}
		switch n := utf8.RuneCountInString(e.tok.val); {
		case n > 1:
			return nil, i, pgerror.New(pgerror.InvalidEscapeSequence, "invalid escape string").
				WithHint("Escape string must be empty or one character.").WithPosition(u.rw.pos(e.tok))
		case len(e.tok.val) > 1:
			return nil, i, u.rw.errUnsupported(e.tok, "a multi-byte ESCAPE character")
		}
		return op(w, precLike, "ESCAPE", i+1)
	case "similar":
		return nil, i, u.rw.errUnsupported(n.tok, "SIMILAR TO")
	case "true", "false", "null":
		return one(u.literal(n.tok, strings.ToUpper(w)), i+1, nil)
	case "at":
		if at(i+1).is("time") && at(i+2).is("zone") {
			p := opPieceOf(n.tok, "at time zone", precAtTZone, "AT TIME ZONE")
			p.rewrite = true
			return []*piece{p}, i + 3, nil
		}
		if at(i + 1).is("local") {
			return nil, i, u.rw.errUnsupported(n.tok, "AT LOCAL")
		}
	case "operator":
		if nextGroup {
			p, err := u.operatorSyntax(n.tok, nodes[i+1])
			return []*piece{p}, i + 2, err
		}
	case "row":
		if nextGroup {
			return nil, i, u.rw.errUnsupported(n.tok, "row constructor")
		}
	case "default":
		return nil, i, u.rw.errUnsupported(n.tok, "DEFAULT in an expression")
	case "grouping":
		if nextGroup {
			return nil, i, u.rw.errUnsupported(n.tok, "GROUPING")
		}
	}
	if f, ok := sqlValueFuncs[w]; ok && !(nextGroup && (w == "current_schema" || w == "current_catalog")) {
		k := u.rw.addMark(&mark{kind: mkSQLFunc, pos: u.rw.pos(n.tok), op: f})
		if nextGroup && (w == "current_time" || w == "current_timestamp" || w == "localtime" || w == "localtimestamp") {
			g := nodes[i+1]
			e, err := u.expr(g.kids, u.tokAt(g.hi-1))
			if err != nil {
				return nil, i, err
			}
			return one(u.markerPiece(k, n.tok, e), i+2, nil)
		}
		return one(u.markerPiece(k, n.tok), i+1, nil)
	}
	if reservedWords[w] && !(funcReserved[w] && nextGroup) {
		return nil, i, u.rw.errSyntax(n.tok)
	}
	p, j, err := u.nameOrCall(nodes, i, after)
	return one(p, j, err)
}

// typeAt parses a type name starting at nodes[i]; it returns the index of
// the node after it.
func (u *unit) typeAt(nodes []node, i int) (typeRef, int, error) {
	if i >= len(nodes) {
		return typeRef{}, i, u.rw.errSyntax(u.after(nodes, u.end))
	}
	tr, endTok, err := parseTypeRef(u.rw.srcCtx, u.toks, nodes[i].lo, u.end)
	if err != nil {
		return tr, i, err
	}
	j := i
	for j < len(nodes) && nodes[j].lo < endTok {
		j++
	}
	if nodes[j-1].hi != endTok {
		return tr, i, u.rw.errSyntax(u.tokAt(endTok))
	}
	return tr, j, nil
}

// postfix applies ::type, [subscript] and COLLATE to operand p.
func (u *unit) postfix(p *piece, nodes []node, j int, after token) (*piece, int, error) {
	for j < len(nodes) {
		n := nodes[j]
		switch {
		case n.isPunct("::"):
			tr, k, err := u.typeAt(nodes, j+1)
			if err != nil {
				return nil, j, err
			}
			m, err := u.castMark(n.tok, tr)
			if err != nil {
				return nil, j, err
			}
			p = u.markerPiece(u.rw.addMark(m), p.tok, p)
			j = k
		case n.isGroup("["):
			for _, k := range n.kids {
				if k.isPunct(":") {
					return nil, j, u.rw.errUnsupported(k.tok, "array slice")
				}
			}
			idx, err := u.expr(n.kids, u.tokAt(n.hi-1))
			if err != nil {
				return nil, j, err
			}
			k := u.rw.addMark(&mark{kind: mkSubscript, pos: u.rw.pos(n.tok)})
			p = u.markerPiece(k, p.tok, p, idx)
			j++
		case n.is("collate"):
			// Collations do not change streamsqld's byte-wise comparison;
			// psql sends COLLATE pg_catalog.default, which is dropped.
			j++
			if j >= len(nodes) || !nodes[j].isName() {
				return nil, j, u.rw.errSyntax(u.after(nodes[:j], after))
			}
			j++
			for j+1 < len(nodes) && nodes[j].isPunct(".") && nodes[j+1].isName() {
				j += 2
			}
		case n.isPunct(".") && j > 0 && nodes[j-1].group:
			if j+1 >= len(nodes) || !nodes[j+1].isName() {
				return nil, j, u.rw.errUnsupported(n.tok, "field selection")
			}
			k := u.rw.addMark(&mark{kind: mkField, pos: u.rw.pos(n.tok), op: nodes[j+1].tok.val})
			p = u.markerPiece(k, p.tok, p)
			j += 2
		default:
			return p, j, nil
		}
		if err := u.checkDepth(p); err != nil {
			return nil, j, err
		}
	}
	return p, j, nil
}

// castMark resolves the target type of a cast.
func (u *unit) castMark(at token, tr typeRef) (*mark, error) {
	m := &mark{kind: mkCast, pos: u.rw.pos(at), typeName: tr.String()}
	typ, err := tr.resolve(u.rw.pc)
	if err != nil {
		if !tr.isCatalogOnlyType() {
			return nil, err
		}
		typ = types.TUnknown
	}
	m.typ = typ
	return m, nil
}

// castCall rewrites CAST(x AS type).
func (u *unit) castCall(kw node, g node) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	as := -1
	for k, n := range g.kids {
		if n.is("as") {
			as = k
		}
	}
	if as <= 0 {
		return nil, u.rw.errSyntax(u.after(g.kids, closeTok))
	}
	x, err := u.expr(g.kids[:as], g.kids[as].tok)
	if err != nil {
		return nil, err
	}
	tr, j, err := u.typeAt(g.kids, as+1)
	if err != nil {
		return nil, err
	}
	if j != len(g.kids) {
		return nil, u.rw.errSyntax(g.kids[j].tok)
	}
	m, err := u.castMark(kw.tok, tr)
	if err != nil {
		return nil, err
	}
	return u.markerPiece(u.rw.addMark(m), kw.tok, x), nil
}

// parenExpr rewrites a parenthesised subquery or expression.
func (u *unit) parenExpr(g node) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	p := newPiece(pOperand, g.tok).t("(", g.tok.pos)
	if isQuery(g.kids) {
		q, err := u.query(g.kids, closeTok, false)
		if err != nil {
			return nil, err
		}
		return p.add(q).t(")", closeTok.pos), nil
	}
	for _, k := range g.kids {
		if k.isPunct(",") {
			return nil, u.rw.errUnsupported(g.tok, "row constructor")
		}
	}
	e, err := u.expr(g.kids, closeTok)
	if err != nil {
		return nil, err
	}
	return p.add(e).t(")", closeTok.pos), nil
}

// intervalLiteral rewrites INTERVAL 'text' [unit [TO unit]].
func (u *unit) intervalLiteral(nodes []node, i int) (*piece, int, error) {
	kw := nodes[i].tok
	m := &mark{kind: mkInterval, pos: u.rw.pos(kw), value: nodes[i+1].tok.val}
	j := i + 2
	if j < len(nodes) && !nodes[j].group && isIntervalUnit(nodes[j].tok.val) && nodes[j].tok.kind == tIdent {
		m.unit = intervalUnits[nodes[j].tok.val]
		j++
		if j+1 < len(nodes) && nodes[j].is("to") && isIntervalUnit(nodes[j+1].tok.val) {
			m.unit += " TO " + intervalUnits[nodes[j+1].tok.val]
			j += 2
		}
		if j < len(nodes) && nodes[j].isGroup("(") {
			return nil, j, u.rw.errUnsupported(nodes[j].tok, "interval precision")
		}
	}
	return u.markerPiece(u.rw.addMark(m), kw), j, nil
}

// caseExpr rewrites CASE [x] WHEN .. THEN .. [ELSE ..] END, whose parts
// are separate expressions.
func (u *unit) caseExpr(nodes []node, i int, after token) (*piece, int, error) {
	depth := 0
	end := -1
	for j := i; j < len(nodes); j++ {
		switch nodes[j].word() {
		case "case":
			depth++
		case "end":
			depth--
		}
		if depth == 0 {
			end = j
			break
		}
	}
	if end < 0 {
		return nil, i, u.rw.errSyntax(u.after(nodes, after))
	}
	inner := nodes[i+1 : end]
	endTok := nodes[end].tok
	// Split at WHEN/THEN/ELSE outside nested CASEs.
	type part struct {
		kw    string
		tok   token
		nodes []node
	}
	var parts []part
	cur := part{kw: "", tok: nodes[i].tok}
	depth = 0
	start := 0
	for j := 0; j <= len(inner); j++ {
		if j < len(inner) {
			w := inner[j].word()
			if w == "case" {
				depth++
			} else if w == "end" {
				depth--
			}
			if depth != 0 || (w != "when" && w != "then" && w != "else") {
				continue
			}
		}
		cur.nodes = inner[start:j]
		parts = append(parts, cur)
		if j < len(inner) {
			cur = part{kw: inner[j].word(), tok: inner[j].tok}
			start = j + 1
		}
	}
	p := newPiece(pOperand, nodes[i].tok).t("CASE", nodes[i].tok.pos)
	if len(parts[0].nodes) > 0 {
		e, err := u.expr(parts[0].nodes, u.after(parts[0].nodes, endTok))
		if err != nil {
			return nil, i, err
		}
		p.t(" ", nodes[i].tok.pos).add(e)
	}
	want := "when"
	sawWhen := false
	for k, pt := range parts[1:] {
		next := endTok
		if k+2 < len(parts) {
			next = parts[k+2].tok
		}
		ok := pt.kw == want || (pt.kw == "when" && want == "when/else") || (pt.kw == "else" && want == "when/else")
		if !ok {
			return nil, i, u.rw.errSyntax(pt.tok)
		}
		e, err := u.expr(pt.nodes, next)
		if err != nil {
			return nil, i, err
		}
		p.t(" "+strings.ToUpper(pt.kw)+" ", pt.tok.pos).add(e)
		switch pt.kw {
		case "when":
			want = "then"
			sawWhen = true
		case "then":
			want = "when/else"
		case "else":
			want = "end"
		}
	}
	if !sawWhen || want == "then" {
		return nil, i, u.rw.errSyntax(endTok)
	}
	p.t(" END", endTok.pos)
	return p, end + 1, nil
}

// between rewrites [NOT] BETWEEN lo AND hi into one operator piece
// "BETWEEN lo AND" whose right operand is hi, so that the AND inside is
// not taken for a conjunction.
func (u *unit) between(nodes []node, i int, after token) ([]*piece, int, error) {
	kw := nodes[i].tok
	j := i + 1
	if j < len(nodes) && nodes[j].is("symmetric") {
		return nil, i, u.rw.errUnsupported(nodes[j].tok, "BETWEEN SYMMETRIC")
	}
	if j < len(nodes) && nodes[j].is("asymmetric") {
		j++
	}
	and := -1
	for k := j; k < len(nodes); k++ {
		if nodes[k].is("and") {
			and = k
			break
		}
	}
	if and < 0 {
		return nil, i, u.rw.errSyntax(u.after(nodes, after))
	}
	lo, err := u.expr(nodes[j:and], nodes[and].tok)
	if err != nil {
		return nil, i, err
	}
	p := opPieceOf(kw, "between", precLike, "BETWEEN ")
	p.add(lo).t(" AND", nodes[and].tok.pos)
	return []*piece{p}, and + 1, nil
}

// isExpr reads IS [NOT] {NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM}.
func (u *unit) isExpr(nodes []node, i int) ([]*piece, int, error) {
	kw := nodes[i].tok
	j := i + 1
	not := j < len(nodes) && nodes[j].is("not")
	if not {
		j++
	}
	if j >= len(nodes) {
		return nil, i, u.rw.errSyntax(u.after(nodes, u.end))
	}
	w := nodes[j].word()
	switch w {
	case "null", "true", "false", "unknown":
		text := "IS "
		if not {
			text += "NOT "
		}
		p := opPieceOf(kw, "is", precIs, text+strings.ToUpper(w))
		p.postfix = true
		return []*piece{p}, j + 1, nil
	case "distinct":
		if j+1 >= len(nodes) || !nodes[j+1].is("from") {
			return nil, i, u.rw.errSyntax(u.after(nodes[:j+1], u.end))
		}
		op := "distinct"
		if not {
			op = "not distinct"
		}
		p := opPieceOf(kw, op, precIs, "")
		p.rewrite = true
		return []*piece{p}, j + 2, nil
	case "document", "normalized", "json", "nfc_normalized", "nfd_normalized":
		return nil, i, u.rw.errUnsupported(nodes[j].tok, "IS "+strings.ToUpper(w))
	}
	return nil, i, u.rw.errSyntax(nodes[j].tok)
}

// operatorSyntax reads OPERATOR(schema.op) as the operator op.
func (u *unit) operatorSyntax(kw token, g node) (*piece, error) {
	k := g.kids
	if len(k) == 3 && k[0].isName() && k[1].isPunct(".") && k[2].tok.kind == tOp {
		k = k[2:]
	}
	if len(k) != 1 || k[0].group || k[0].tok.kind != tOp {
		return nil, u.rw.errSyntax(g.tok)
	}
	p, err := u.opPiece(k[0].tok)
	if err != nil {
		return nil, err
	}
	p.tok = kw
	return p, nil
}

// arrayExpr rewrites ARRAY[a, b] (with nested [..] sub-arrays).
func (u *unit) arrayExpr(kw token, g node) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	k := u.rw.addMark(&mark{kind: mkArray, pos: u.rw.pos(kw)})
	var elems []*piece
	if len(g.kids) > 0 {
		parts, err := u.splitComma(g.kids, closeTok)
		if err != nil {
			return nil, err
		}
		for _, part := range parts {
			if len(part) == 1 && part[0].isGroup("[") {
				e, err := u.arrayExpr(part[0].tok, part[0])
				if err != nil {
					return nil, err
				}
				elems = append(elems, e)
				continue
			}
			e, err := u.expr(part, u.after(part, closeTok))
			if err != nil {
				return nil, err
			}
			elems = append(elems, e)
		}
	}
	return u.markerPiece(k, kw, elems...), nil
}

// nameOrCall reads a dotted name, `t.*`, or a function call with its
// FILTER and OVER clauses.
func (u *unit) nameOrCall(nodes []node, i int, after token) (*piece, int, error) {
	parts := []token{nodes[i].tok}
	j := i + 1
	star := false
	for j+1 < len(nodes) && nodes[j].isPunct(".") {
		nx := nodes[j+1]
		if nx.isName() {
			parts = append(parts, nx.tok)
			j += 2
			continue
		}
		if nx.isOp("*") {
			star = true
			j += 2
		}
		break
	}
	if !star && j < len(nodes) && nodes[j].isGroup("(") {
		if len(parts) > 2 {
			return nil, i, u.rw.errSyntax(nodes[j].tok)
		}
		return u.call(parts, nodes, j, after)
	}
	if len(parts) > 3 || star && len(parts) > 2 {
		return nil, i, pgerror.New(pgerror.SyntaxError, "improper qualified name (too many dotted names)").WithPosition(u.rw.pos(parts[0]))
	}
	names := make([]string, len(parts))
	for k, t := range parts {
		names[k] = quoteIdent(t.val)
	}
	s := strings.Join(names, ".")
	if star {
		s += ".*"
	}
	p := newPiece(pOperand, parts[0]).t(s, parts[0].pos)
	if len(parts) == 1 && !star {
		p.bare = parts[0].val
	}
	return p, j, nil
}

// call rewrites name(args) at nodes[j] (the group) and what follows it.
func (u *unit) call(parts []token, nodes []node, j int, after token) (*piece, int, error) {
	g := nodes[j]
	closeTok := u.tokAt(g.hi - 1)
	nameTok := parts[len(parts)-1]
	name := nameTok.val
	schema := ""
	if len(parts) == 2 {
		schema = parts[0].val
	}
	head := quoteIdent(name)
	if schema != "" {
		head = quoteIdent(schema) + "." + head
	}
	kids := g.kids
	builtin := schema == "" || schema == "pg_catalog"
	plain := func(args []*piece) *piece {
		p := newPiece(pOperand, parts[0]).t(head+"(", parts[0].pos)
		for k, a := range args {
			if k > 0 {
				p.t(", ", a.tok.pos)
			}
			p.add(a)
		}
		return p.t(")", closeTok.pos)
	}
	var p *piece
	var err error
	switch {
	case builtin && name == "extract":
		p, err = u.extract(nameTok, g)
	case builtin && name == "position" && hasWord(kids, "in"):
		p, err = u.specialArgs(g, plain, []string{"in"}, func(a [][]node) ([][]node, error) {
			if len(a) != 2 {
				return nil, u.rw.errSyntax(g.tok)
			}
			return [][]node{a[1], a[0]}, nil // position(sub IN str) is position(str, sub)
		})
	case builtin && name == "substring" && (hasWord(kids, "from") || hasWord(kids, "for")):
		p, err = u.substring(g, plain)
	case builtin && name == "trim":
		p, err = u.trim(parts[0], g, closeTok)
	case builtin && name == "overlay" && hasWord(kids, "placing"):
		p, err = u.specialArgs(g, plain, []string{"placing", "from", "for"}, func(a [][]node) ([][]node, error) {
			if len(a) < 3 {
				return nil, u.rw.errSyntax(g.tok)
			}
			return a, nil
		})
	default:
		p, err = u.genericCall(parts, head, g, plain)
	}
	if err != nil {
		return nil, j, err
	}
	return u.callSuffix(p, nodes, j+1, after)
}

func hasWord(nodes []node, w string) bool {
	for _, n := range nodes {
		if n.is(w) {
			return true
		}
	}
	return false
}

// specialArgs splits a SQL-standard argument list at its keywords and
// emits a plain call with the parts reordered by order.
func (u *unit) specialArgs(g node, plain func([]*piece) *piece, kws []string, order func([][]node) ([][]node, error)) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	var segs [][]node
	start := 0
	for k := 0; k <= len(g.kids); k++ {
		if k < len(g.kids) {
			isKw := false
			for _, w := range kws {
				if g.kids[k].is(w) {
					isKw = true
				}
			}
			if !isKw {
				continue
			}
		}
		seg := g.kids[start:k]
		if len(seg) == 0 {
			return nil, u.rw.errSyntax(u.tokAt(g.kids[max(k-1, 0)].hi))
		}
		segs = append(segs, seg)
		start = k + 1
	}
	segs, err := order(segs)
	if err != nil {
		return nil, err
	}
	var args []*piece
	for _, s := range segs {
		e, err := u.expr(s, u.after(s, closeTok))
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return plain(args), nil
}

// substring rewrites SUBSTRING(x FROM a FOR b) to substring(x, a, b).
func (u *unit) substring(g node, plain func([]*piece) *piece) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	var x, from, forN []node
	cur := &x
	for _, n := range g.kids {
		switch {
		case n.is("from"):
			cur = &from
			continue
		case n.is("for"):
			cur = &forN
			continue
		case n.is("similar"):
			return nil, u.rw.errUnsupported(n.tok, "SUBSTRING ... SIMILAR")
		}
		*cur = append(*cur, n)
	}
	var args []*piece
	for _, s := range [][]node{x, from} {
		if len(s) == 0 {
			continue
		}
		e, err := u.expr(s, u.after(s, closeTok))
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(x) == 0 {
		return nil, u.rw.errSyntax(g.kids[0].tok)
	}
	if len(forN) > 0 {
		if len(from) == 0 {
			args = append(args, u.literal(token{kind: tNumber, val: "1", pos: g.tok.pos, end: g.tok.pos}, "1"))
		}
		e, err := u.expr(forN, closeTok)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return plain(args), nil
}

// trim rewrites TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) to
// btrim/ltrim/rtrim(x[, chars]), as PostgreSQL's grammar does.
func (u *unit) trim(at token, g node, closeTok token) (*piece, error) {
	kids := g.kids
	fn := "btrim"
	if len(kids) > 0 {
		switch kids[0].word() {
		case "both":
			kids = kids[1:]
		case "leading":
			fn = "ltrim"
			kids = kids[1:]
		case "trailing":
			fn = "rtrim"
			kids = kids[1:]
		}
	}
	var chars, src []node
	from := -1
	for k, n := range kids {
		if n.is("from") {
			from = k
			break
		}
	}
	if from >= 0 {
		chars, src = kids[:from], kids[from+1:]
	} else {
		src = kids
	}
	if len(src) == 0 {
		return nil, u.rw.errSyntax(closeTok)
	}
	parts, err := u.splitComma(src, closeTok)
	if err != nil {
		return nil, err
	}
	var args []*piece
	for _, s := range parts {
		e, err := u.expr(s, u.after(s, closeTok))
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(chars) > 0 {
		e, err := u.expr(chars, kids[from].tok)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	p := newPiece(pOperand, at).t(quoteIdent(fn)+"(", at.pos)
	for k, a := range args {
		if k > 0 {
			p.t(", ", a.tok.pos)
		}
		p.add(a)
	}
	return p.t(")", closeTok.pos), nil
}

// extract rewrites EXTRACT(field FROM x).
func (u *unit) extract(kw token, g node) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	k := g.kids
	if len(k) < 3 || !k[1].is("from") || k[0].group || !(k[0].tok.isWordLike() || k[0].tok.kind == tString) {
		return nil, u.rw.errSyntax(g.tok)
	}
	x, err := u.expr(k[2:], closeTok)
	if err != nil {
		return nil, err
	}
	m := u.rw.addMark(&mark{kind: mkExtract, pos: u.rw.pos(kw), op: strings.ToUpper(k[0].tok.val)})
	return u.markerPiece(m, kw, x), nil
}

// genericCall rewrites name([DISTINCT|ALL] args [ORDER BY keys]) and
// name(*).
func (u *unit) genericCall(parts []token, head string, g node, plain func([]*piece) *piece) (*piece, error) {
	closeTok := u.tokAt(g.hi - 1)
	kids := g.kids
	at := parts[0]
	if len(kids) == 1 && kids[0].isOp("*") {
		k := u.rw.addMark(&mark{kind: mkStar, pos: u.rw.pos(at)})
		return u.markerPiece(k, at, plain(nil)), nil
	}
	distinct := false
	if len(kids) > 0 && kids[0].is("distinct") {
		distinct = true
		kids = kids[1:]
	} else if len(kids) > 0 && kids[0].is("all") {
		kids = kids[1:]
	}
	var orderNodes []node
	var orderTok token
	for k := 0; k+1 < len(kids); k++ {
		if kids[k].is("order") && kids[k+1].is("by") {
			orderTok = kids[k].tok
			orderNodes = kids[k+2:]
			kids = kids[:k]
			break
		}
	}
	var args []*piece
	if len(kids) > 0 {
		parts, err := u.splitComma(kids, closeTok)
		if err != nil {
			return nil, err
		}
		for _, a := range parts {
			if a[0].is("variadic") {
				return nil, u.rw.errUnsupported(a[0].tok, "VARIADIC")
			}
			e, err := u.expr(a, u.after(a, closeTok))
			if err != nil {
				return nil, err
			}
			args = append(args, e)
		}
	} else if distinct || orderNodes != nil {
		return nil, u.rw.errSyntax(closeTok)
	}
	p := plain(args)
	if orderNodes != nil {
		items, err := u.splitComma(orderNodes, closeTok)
		if err != nil {
			return nil, err
		}
		m := &mark{kind: mkAggOrder, pos: u.rw.pos(orderTok)}
		keys := []*piece{p}
		for _, it := range items {
			key, desc, nulls, err := u.orderItem(it, u.after(it, closeTok))
			if err != nil {
				return nil, err
			}
			m.desc = append(m.desc, desc)
			m.nulls = append(m.nulls, nulls)
			keys = append(keys, key)
		}
		p = u.markerPiece(u.rw.addMark(m), at, keys...)
	}
	if distinct {
		k := u.rw.addMark(&mark{kind: mkAggDistinct, pos: u.rw.pos(at)})
		p = u.markerPiece(k, at, p)
	}
	return p, nil
}

// callSuffix applies WITHIN GROUP, FILTER (WHERE ..) and OVER to a call.
func (u *unit) callSuffix(p *piece, nodes []node, j int, after token) (*piece, int, error) {
	at := func(k int) node {
		if k < len(nodes) {
			return nodes[k]
		}
		return node{tok: token{kind: tEOF}}
	}
	if at(j).is("within") && at(j+1).is("group") {
		return nil, j, u.rw.errUnsupported(at(j).tok, "WITHIN GROUP")
	}
	if at(j).is("filter") && at(j+1).isGroup("(") {
		g := nodes[j+1]
		if len(g.kids) < 2 || !g.kids[0].is("where") {
			return nil, j, u.rw.errSyntax(g.tok)
		}
		cond, err := u.expr(g.kids[1:], u.tokAt(g.hi-1))
		if err != nil {
			return nil, j, err
		}
		k := u.rw.addMark(&mark{kind: mkFilter, pos: u.rw.pos(nodes[j].tok)})
		p = u.markerPiece(k, p.tok, p, cond)
		j += 2
	}
	if at(j).is("over") {
		ov := nodes[j].tok
		m := &mark{kind: mkOver, pos: u.rw.pos(ov)}
		dummy := newPiece(pOperand, ov).t("row_number() OVER ", ov.pos)
		switch {
		case at(j + 1).isGroup("("):
			spec, frame, err := u.windowSpec(nodes[j+1])
			if err != nil {
				return nil, j, err
			}
			m.frame = frame
			dummy.add(spec)
		case at(j + 1).isName():
			m.op = nodes[j+1].tok.val
			dummy.t(quoteIdent(nodes[j+1].tok.val), nodes[j+1].tok.pos)
		default:
			return nil, j, u.rw.errSyntax(at(j + 1).tok)
		}
		p = u.markerPiece(u.rw.addMark(m), p.tok, p, dummy)
		j += 2
	}
	return p, j, nil
}

// ---------------------------------------------------------------- phase 2

func isOperandPiece(p *piece) bool { return p.kind == pOperand || p.kind == pAnyAll }

// endsOperand reports whether an expression can end with p.
func endsOperand(p *piece) bool { return isOperandPiece(p) || p.kind == pOp && p.postfix }

func unaryPrec(p *piece) int {
	if p.op == "not" {
		return precNot
	}
	return precUnary
}

// phase2 replaces the operators TiDB lacks (or ranks differently) by
// marker calls over their PostgreSQL operands.
func (u *unit) phase2(in []*piece, after token) ([]*piece, error) {
	var out []*piece
	for i := 0; i < len(in); i++ {
		pc := in[i]
		if pc.kind == pAnyAll {
			return nil, u.rw.errSyntax(pc.tok)
		}
		if pc.kind != pOp || pc.postfix {
			out = append(out, pc)
			continue
		}
		binary := len(out) > 0 && endsOperand(out[len(out)-1])
		if !binary {
			switch {
			case pc.op == "not" || pc.op == "-" || pc.op == "+" || pc.op == "~":
				out = append(out, pc)
			case pc.rewrite && pc.op != "distinct" && pc.op != "not distinct" && pc.op != "at time zone":
				r, next, err := u.takeRight(in, i+1, precUnary, after)
				if err != nil {
					return nil, err
				}
				if r, err = u.phase2(r, after); err != nil {
					return nil, err
				}
				k := u.rw.addMark(&mark{kind: mkUnaryOp, pos: u.rw.pos(pc.tok), op: pc.op})
				out = append(out, u.markerPiece(k, pc.tok, group(r)))
				i = next - 1
			default:
				return nil, u.rw.errSyntax(pc.tok)
			}
			continue
		}
		if i+1 < len(in) && in[i+1].kind == pAnyAll {
			aa := in[i+1]
			if aa.subq {
				if pc.rewrite || pc.prec != precCmp {
					return nil, u.rw.errUnsupported(pc.tok, "operator "+pc.op+" with ANY/ALL (subquery)")
				}
				out = append(out, pc, aa)
				i++
				continue
			}
			l := u.popLeft(&out, pc.prec)
			if len(l) == 0 {
				return nil, u.rw.errSyntax(pc.tok)
			}
			k := u.rw.addMark(&mark{kind: mkAnyAll, pos: u.rw.pos(pc.tok), op: pc.op, all: aa.all})
			out = append(out, u.markerPiece(k, l[0].tok, group(l), aa.inner))
			i++
			continue
		}
		if !pc.rewrite {
			out = append(out, pc)
			continue
		}
		l := u.popLeft(&out, pc.prec)
		if len(l) == 0 {
			return nil, u.rw.errSyntax(pc.tok)
		}
		r, next, err := u.takeRight(in, i+1, pc.prec, after)
		if err != nil {
			return nil, err
		}
		if r, err = u.phase2(r, after); err != nil {
			return nil, err
		}
		m := &mark{pos: u.rw.pos(pc.tok), op: pc.op}
		switch pc.op {
		case "distinct", "not distinct":
			m.kind, m.not = mkDistinct, pc.op == "not distinct"
		case "at time zone":
			m.kind = mkTimezone
		default:
			m.kind = mkBinOp
		}
		mp := u.markerPiece(u.rw.addMark(m), l[0].tok, group(l), group(r))
		if err := u.checkDepth(mp); err != nil {
			return nil, err
		}
		out = append(out, mp)
		i = next - 1
	}
	return out, nil
}

// popLeft removes from *out the left operand of a binary operator of
// precedence p (left-associative: operators of the same level belong to
// the left operand).
func (u *unit) popLeft(out *[]*piece, p int) []*piece {
	o := *out
	j := len(o)
	expectOperand := true
	for j > 0 {
		q := o[j-1]
		if expectOperand {
			if isOperandPiece(q) {
				j--
				expectOperand = false
				continue
			}
			if q.kind == pOp && q.postfix && q.prec >= p {
				j--
				continue
			}
			break
		}
		if q.kind != pOp || q.postfix {
			break
		}
		if j >= 2 && endsOperand(o[j-2]) {
			if q.prec >= p {
				j--
				expectOperand = true
				continue
			}
			break
		}
		if unaryPrec(q) >= p {
			j--
			continue
		}
		break
	}
	l := o[j:]
	*out = o[:j]
	return l
}

// takeRight returns the right operand of an operator of precedence p that
// starts at in[k], and the index after it.
func (u *unit) takeRight(in []*piece, k int, p int, after token) ([]*piece, int, error) {
	start := k
	expectOperand := true
	for k < len(in) {
		q := in[k]
		if expectOperand {
			if q.kind == pOp && !q.postfix {
				k++
				continue
			}
			if isOperandPiece(q) {
				k++
				expectOperand = false
				continue
			}
			break
		}
		if q.kind == pOp && q.prec > p {
			k++
			if !q.postfix {
				expectOperand = true
			}
			continue
		}
		break
	}
	if expectOperand {
		if k < len(in) {
			return nil, k, u.rw.errSyntax(in[k].tok)
		}
		return nil, k, u.rw.errSyntax(after)
	}
	return in[start:k], k, nil
}
