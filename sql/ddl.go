package sql

import (
	"strings"

	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
)

// This file parses the statements the MySQL grammar does not know, by
// recursive descent over tokens. Each method starts at the statement's
// first token and must consume every token.

// finish fails unless every token was consumed.
func (p *stmtParser) finish(s ast.Statement) (ast.Statement, error) {
	if !p.atEnd() {
		return nil, p.errSyntax(p.peek())
	}
	return s, nil
}

// ident parses one identifier: unquoted words are already lower-cased by
// the lexer, quoted ones keep their case.
func (p *stmtParser) ident() (string, error) {
	t := p.peek()
	if !t.isWordLike() {
		return "", p.errSyntax(t)
	}
	p.i++
	return t.val, nil
}

// qualifiedName parses name[.name...], joined with dots.
func (p *stmtParser) qualifiedName() (string, error) {
	name, err := p.ident()
	if err != nil {
		return "", err
	}
	for p.peek().isPunct(".") {
		p.i++
		part, err := p.ident()
		if err != nil {
			return "", err
		}
		name += "." + part
	}
	return name, nil
}

// identList parses `( a, b, ... )`.
func (p *stmtParser) identList() ([]string, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []string
	for {
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.peek().isPunct(",") {
			p.i++
			continue
		}
		return out, p.expectPunct(")")
	}
}

// skipGroup returns the index just past the bracket group opening at
// toks[i], or -1 when it is not closed within the statement.
func (p *stmtParser) skipGroup(i int) int {
	depth := 0
	for ; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.isPunct("(") || t.isPunct("[") {
			depth++
		} else if t.isPunct(")") || t.isPunct("]") {
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

func (p *stmtParser) create() (ast.Statement, error) {
	start := p.next() // CREATE
	switch {
	case p.accept("source"):
		return p.createSource(start)
	case p.accept("table"):
		return p.createTable(start)
	case p.accept("materialized", "view"):
		return p.createMV(start)
	case p.accept("sink"):
		return p.createSink(start)
	case p.peek().is("or") || p.peek().is("temp") || p.peek().is("temporary") || p.peek().is("unlogged"):
		return nil, p.errUnsupported(p.peek(), "CREATE "+strings.ToUpper(p.peek().val))
	}
	t := p.peek()
	if t.kind == tIdent {
		return nil, p.errUnsupported(t, "CREATE "+strings.ToUpper(t.val))
	}
	return nil, p.errSyntax(t)
}

func (p *stmtParser) ifNotExists() bool { return p.accept("if", "not", "exists") }

// tableElements parses the parenthesised column list of CREATE SOURCE and
// CREATE TABLE: column definitions, one WATERMARK FOR and PRIMARY KEY.
func (p *stmtParser) tableElements() ([]*ast.ColumnDef, *ast.WatermarkDef, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, nil, err
	}
	var cols []*ast.ColumnDef
	var wm *ast.WatermarkDef
	var pk []string
	var pkTok token
	for {
		t := p.peek()
		switch {
		case t.is("watermark") && p.peekN(1).is("for"):
			if wm != nil {
				return nil, nil, pgerror.New(pgerror.SyntaxError, "multiple WATERMARK clauses are not allowed").WithPosition(p.pos(t))
			}
			d, err := p.watermark()
			if err != nil {
				return nil, nil, err
			}
			wm = d
		case t.is("primary") && p.peekN(1).is("key"):
			if pk != nil {
				return nil, nil, pgerror.New(codeInvalidTableDefinition, "multiple primary keys are not allowed").WithPosition(p.pos(t))
			}
			pkTok = t
			p.i += 2
			names, err := p.identList()
			if err != nil {
				return nil, nil, err
			}
			pk = names
		case t.is("constraint") || t.is("unique") || t.is("check") || t.is("foreign") || t.is("like") || t.is("exclude"):
			return nil, nil, p.errUnsupported(t, "table constraint "+strings.ToUpper(t.val))
		default:
			c, err := p.columnDef()
			if err != nil {
				return nil, nil, err
			}
			if c.Primary {
				if pk != nil {
					return nil, nil, pgerror.New(codeInvalidTableDefinition, "multiple primary keys are not allowed").WithPosition(c.P)
				}
				pk = []string{c.Name}
			}
			cols = append(cols, c)
		}
		if p.peek().isPunct(",") {
			p.i++
			continue
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, nil, err
		}
		break
	}
	if err := checkColumns(p, cols, pk, pkTok, wm); err != nil {
		return nil, nil, err
	}
	return cols, wm, nil
}

// checkColumns marks the primary key columns and rejects duplicates and
// references to missing columns, with PostgreSQL's codes.
func checkColumns(p *stmtParser, cols []*ast.ColumnDef, pk []string, pkTok token, wm *ast.WatermarkDef) error {
	seen := make(map[string]*ast.ColumnDef, len(cols))
	for _, c := range cols {
		if seen[c.Name] != nil {
			return pgerror.Newf(pgerror.DuplicateColumn, "column \"%s\" specified more than once", c.Name).WithPosition(c.P)
		}
		seen[c.Name] = c
	}
	for _, name := range pk {
		c := seen[name]
		if c == nil {
			return pgerror.Newf(pgerror.UndefinedColumn, "column \"%s\" named in key does not exist", name).WithPosition(p.pos(pkTok))
		}
		c.Primary = true
		c.NotNull = true
	}
	if wm != nil && seen[wm.Column] == nil {
		return pgerror.Newf(pgerror.UndefinedColumn, "column \"%s\" named in WATERMARK does not exist", wm.Column).WithPosition(wm.P)
	}
	return nil
}

// columnDef parses `name type [NOT NULL | NULL | PRIMARY KEY]...`.
func (p *stmtParser) columnDef() (*ast.ColumnDef, error) {
	t := p.peek()
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	tr, next, err := parseTypeRef(p.srcCtx, p.toks, p.i, p.end)
	if err != nil {
		return nil, err
	}
	p.i = next
	typ, err := tr.resolve(p.pc)
	if err != nil {
		return nil, err
	}
	c := &ast.ColumnDef{At: ast.At{P: p.pos(t)}, Name: name, Type: typ}
	for {
		switch {
		case p.accept("not", "null"):
			c.NotNull = true
		case p.accept("null"):
		case p.accept("primary", "key"):
			c.Primary = true
			c.NotNull = true
		case p.peek().is("default") || p.peek().is("unique") || p.peek().is("check") ||
			p.peek().is("references") || p.peek().is("generated") || p.peek().is("constraint") ||
			p.peek().is("collate") || p.peek().is("as"):
			return nil, p.errUnsupported(p.peek(), "column option "+strings.ToUpper(p.peek().val))
		default:
			return c, nil
		}
	}
}

// watermark parses `WATERMARK FOR col AS expr`; the expression runs to the
// next ',' or ')' at this nesting level.
func (p *stmtParser) watermark() (*ast.WatermarkDef, error) {
	t := p.next() // WATERMARK
	p.i++         // FOR
	col, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	lo := p.i
	for p.i < len(p.toks) && !p.peek().isPunct(",") && !p.peek().isPunct(")") {
		if p.peek().isPunct("(") || p.peek().isPunct("[") {
			j := p.skipGroup(p.i)
			if j < 0 {
				return nil, p.errSyntax(p.end)
			}
			p.i = j
			continue
		}
		p.i++
	}
	e, err := newRewriter(p).parseExpr(p.toks[lo:p.i], p.peek())
	if err != nil {
		return nil, err
	}
	return &ast.WatermarkDef{At: ast.At{P: p.pos(t)}, Column: col, Expr: e}, nil
}

// withOptions parses `WITH (key = value, ...)` when present.
func (p *stmtParser) withOptions() ([]*ast.Option, error) {
	if !p.peek().is("with") || !p.peekN(1).isPunct("(") {
		return nil, nil
	}
	p.i += 2
	var opts []*ast.Option
	seen := map[string]bool{}
	for {
		t := p.peek()
		key, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, pgerror.Newf(pgerror.SyntaxError, "option \"%s\" specified more than once", key).WithPosition(p.pos(t))
		}
		seen[key] = true
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		val, err := p.optionValue()
		if err != nil {
			return nil, err
		}
		opts = append(opts, &ast.Option{At: ast.At{P: p.pos(t)}, Key: key, Value: val})
		if p.peek().isPunct(",") {
			p.i++
			continue
		}
		return opts, p.expectPunct(")")
	}
}

func (p *stmtParser) expectOp(op string) error {
	if !p.peek().isOp(op) {
		return p.errSyntax(p.peek())
	}
	p.i++
	return nil
}

// optionValue parses a literal option or SET value: a string, a signed
// number, or a word (true, on, an identifier).
func (p *stmtParser) optionValue() (string, error) {
	t := p.peek()
	switch t.kind {
	case tString:
		if t.prefix != 0 {
			return "", p.errUnsupported(t, "this kind of string constant")
		}
		p.i++
		return t.val, nil
	case tNumber, tIdent, tQIdent:
		p.i++
		return t.val, nil
	case tOp:
		if (t.val == "-" || t.val == "+") && p.peekN(1).kind == tNumber {
			p.i += 2
			if t.val == "-" {
				return "-" + p.toks[p.i-1].val, nil
			}
			return p.toks[p.i-1].val, nil
		}
	}
	return "", p.errSyntax(t)
}

// formatClause parses `FORMAT f [ENCODE e]`.
func (p *stmtParser) formatClause() (format, encode string, err error) {
	if !p.accept("format") {
		return "", "", nil
	}
	f, err := p.ident()
	if err != nil {
		return "", "", err
	}
	if p.accept("encode") {
		e, err := p.ident()
		if err != nil {
			return "", "", err
		}
		encode = strings.ToUpper(e)
	}
	return strings.ToUpper(f), encode, nil
}

func (p *stmtParser) createSource(start token) (ast.Statement, error) {
	s := &ast.CreateSource{At: ast.At{P: p.pos(start)}, IfNotExists: p.ifNotExists()}
	var err error
	if s.Name, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.peek().isPunct("(") {
		if s.Columns, s.Watermark, err = p.tableElements(); err != nil {
			return nil, err
		}
	}
	if s.Options, err = p.withOptions(); err != nil {
		return nil, err
	}
	if s.Format, s.Encode, err = p.formatClause(); err != nil {
		return nil, err
	}
	return p.finish(s)
}

func (p *stmtParser) createTable(start token) (ast.Statement, error) {
	s := &ast.CreateTable{At: ast.At{P: p.pos(start)}, IfNotExists: p.ifNotExists()}
	var err error
	if s.Name, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.peek().is("as") {
		return nil, p.errUnsupported(p.peek(), "CREATE TABLE AS")
	}
	if s.Columns, s.Watermark, err = p.tableElements(); err != nil {
		return nil, err
	}
	if s.Options, err = p.withOptions(); err != nil {
		return nil, err
	}
	return p.finish(s)
}

func (p *stmtParser) createMV(start token) (ast.Statement, error) {
	s := &ast.CreateMaterializedView{At: ast.At{P: p.pos(start)}, IfNotExists: p.ifNotExists()}
	var err error
	if s.Name, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.peek().isPunct("(") {
		return nil, p.errUnsupported(p.peek(), "a column list in CREATE MATERIALIZED VIEW")
	}
	if s.Options, err = p.withOptions(); err != nil {
		return nil, err
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	lo := p.i
	s.QueryText = p.restText(lo)
	if s.Query, err = p.query(lo, len(p.toks)); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *stmtParser) createSink(start token) (ast.Statement, error) {
	s := &ast.CreateSink{At: ast.At{P: p.pos(start)}, IfNotExists: p.ifNotExists()}
	var err error
	if s.Name, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	switch {
	case p.accept("from"):
		if s.From, err = p.qualifiedName(); err != nil {
			return nil, err
		}
	case p.accept("as"):
		// The query runs up to the last top-level WITH ( that opens the
		// options; a leading WITH of the query itself is followed by a
		// name, never by '('.
		lo := p.i
		hi := -1
		for i := lo; i < len(p.toks); i++ {
			t := p.toks[i]
			if t.isPunct("(") || t.isPunct("[") {
				j := p.skipGroup(i)
				if j < 0 {
					return nil, p.errSyntax(p.end)
				}
				i = j - 1
				continue
			}
			if t.is("with") && i+1 < len(p.toks) && p.toks[i+1].isPunct("(") {
				hi = i
			}
		}
		if hi < 0 {
			hi = len(p.toks)
			for i := lo; i < len(p.toks); i++ {
				if p.toks[i].is("format") {
					hi = i
				}
			}
		}
		if hi == lo {
			return nil, p.errSyntax(p.tokAt(hi))
		}
		s.QueryText = p.src[p.toks[lo].pos:p.toks[hi-1].end]
		sel, err := p.query(lo, hi)
		if err != nil {
			return nil, err
		}
		s.Query = sel
		p.i = hi
	default:
		return nil, p.errSyntax(p.peek())
	}
	if s.Options, err = p.withOptions(); err != nil {
		return nil, err
	}
	if s.Format, s.Encode, err = p.formatClause(); err != nil {
		return nil, err
	}
	return p.finish(s)
}

func (p *stmtParser) insert() (ast.Statement, error) {
	start := p.next()
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	s := &ast.Insert{At: ast.At{P: p.pos(start)}}
	var err error
	if s.Table, err = p.qualifiedName(); err != nil {
		return nil, err
	}
	if p.peek().is("as") {
		return nil, p.errUnsupported(p.peek(), "an alias in INSERT")
	}
	if p.peek().isPunct("(") && !p.isQueryAt(p.i+1) {
		if s.Columns, err = p.identList(); err != nil {
			return nil, err
		}
	}
	if p.peek().is("default") && p.peekN(1).is("values") {
		return nil, p.errUnsupported(p.peek(), "INSERT ... DEFAULT VALUES")
	}
	if p.peek().is("overriding") {
		return nil, p.errUnsupported(p.peek(), "OVERRIDING")
	}
	lo := p.i
	for i := lo; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.isPunct("(") || t.isPunct("[") {
			j := p.skipGroup(i)
			if j < 0 {
				break
			}
			i = j - 1
			continue
		}
		if t.is("returning") {
			return nil, p.errUnsupported(t, "RETURNING")
		}
		if t.is("on") && i+1 < len(p.toks) && p.toks[i+1].is("conflict") {
			return nil, p.errUnsupported(t, "ON CONFLICT")
		}
	}
	if s.Query, err = p.query(lo, len(p.toks)); err != nil {
		return nil, err
	}
	if s.Query.EmitOnWindowClose {
		return nil, p.errUnsupported(p.toks[len(p.toks)-4], "EMIT ON WINDOW CLOSE in INSERT")
	}
	return s, nil
}

// isQueryAt reports whether toks[i] begins a query (after an opening
// parenthesis: `INSERT INTO t (SELECT ...)`).
func (p *stmtParser) isQueryAt(i int) bool {
	t := p.tokAt(i)
	return t.is("select") || t.is("values") || t.is("with") || t.is("table")
}

// objectKind parses the object kind of DROP and SHOW CREATE.
func (p *stmtParser) objectKind(allowView bool) (ast.ObjectKind, error) {
	t := p.peek()
	switch {
	case p.accept("source"):
		return ast.ObjSource, nil
	case p.accept("table"):
		return ast.ObjTable, nil
	case p.accept("materialized", "view"):
		return ast.ObjMaterializedView, nil
	case p.accept("sink"):
		return ast.ObjSink, nil
	case allowView && p.accept("view"):
		return ast.ObjView, nil
	}
	if t.kind == tIdent {
		return "", p.errUnsupported(t, strings.ToUpper(t.val))
	}
	return "", p.errSyntax(t)
}

func (p *stmtParser) drop() (ast.Statement, error) {
	start := p.next()
	kind, err := p.objectKind(true)
	if err != nil {
		if pe := pgerror.Flatten(err); pe.Code == pgerror.FeatureNotSupported {
			pe.Message = "DROP " + pe.Message
		}
		return nil, err
	}
	s := &ast.Drop{At: ast.At{P: p.pos(start)}, Kind: kind, IfExists: p.accept("if", "exists")}
	for {
		n, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		s.Names = append(s.Names, n)
		if p.peek().isPunct(",") {
			p.i++
			continue
		}
		break
	}
	if p.accept("cascade") {
		s.Cascade = true
	} else {
		p.accept("restrict")
	}
	return p.finish(s)
}

func (p *stmtParser) show() (ast.Statement, error) {
	start := p.next()
	at := ast.At{P: p.pos(start)}
	list := func(kind string) (ast.Statement, error) {
		return p.finish(&ast.Show{At: at, List: ast.ObjectKind(kind)})
	}
	switch {
	case p.atEnd():
		return nil, p.errSyntax(p.peek())
	case p.accept("sources"):
		return list("SOURCES")
	case p.accept("tables"):
		return list("TABLES")
	case p.accept("materialized", "views"):
		return list("MATERIALIZED VIEWS")
	case p.accept("sinks"):
		return list("SINKS")
	case p.accept("jobs"):
		return list("JOBS")
	case p.peek().is("create") && !p.peekN(1).isPunct(".") && p.i+1 < len(p.toks):
		p.i++
		kind, err := p.objectKind(false)
		if err != nil {
			return nil, err
		}
		name, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		return p.finish(&ast.ShowCreate{At: at, Kind: kind, Name: name})
	case p.accept("transaction", "isolation", "level"):
		return p.finish(&ast.Show{At: at, Var: "transaction_isolation"})
	case p.accept("time", "zone"):
		return p.finish(&ast.Show{At: at, Var: "timezone"})
	case p.accept("session", "authorization"):
		return p.finish(&ast.Show{At: at, Var: "session_authorization"})
	}
	name, err := p.varName()
	if err != nil {
		return nil, err
	}
	return p.finish(&ast.Show{At: at, Var: name})
}

// varName parses a configuration parameter name; names are
// case-insensitive even when quoted.
func (p *stmtParser) varName() (string, error) {
	n, err := p.qualifiedName()
	return strings.ToLower(n), err
}

func (p *stmtParser) set() (ast.Statement, error) {
	start := p.next()
	at := ast.At{P: p.pos(start)}
	if p.peek().is("session") && p.peekN(1).is("characteristics") && p.peekN(2).is("as") {
		o, err := p.other(at, 2)
		if err == nil && len(o.(*ast.Other).Args) > 0 {
			o.(*ast.Other).Args = o.(*ast.Other).Args[1:] // AS
		}
		return o, err
	}
	local := false
	switch {
	case p.peek().is("local") && !p.peekN(1).isOp("=") && !p.peekN(1).is("to"):
		p.i++
		local = true
	case p.peek().is("session") && !p.peekN(1).isOp("=") && !p.peekN(1).is("to") && !p.peekN(1).is("authorization"):
		p.i++
	}
	switch {
	case p.peek().is("transaction"):
		return p.other(at, 1)
	case p.peek().is("role") && !p.peekN(1).isOp("=") && !p.peekN(1).is("to"):
		return p.other(at, 1)
	case p.peek().is("session") && p.peekN(1).is("authorization"):
		return p.other(at, 2)
	case p.accept("time", "zone"):
		s := &ast.SetVar{At: at, Name: "timezone", Local: local}
		if p.accept("local") || p.accept("default") {
			s.Default = true
			return p.finish(s)
		}
		if p.peek().is("interval") {
			return nil, p.errUnsupported(p.peek(), "SET TIME ZONE INTERVAL")
		}
		v, err := p.optionValue()
		if err != nil {
			return nil, err
		}
		s.Values = []string{v}
		return p.finish(s)
	case p.accept("names"):
		s := &ast.SetVar{At: at, Name: "client_encoding", Local: local}
		if p.accept("default") {
			s.Default = true
			return p.finish(s)
		}
		v, err := p.optionValue()
		if err != nil {
			return nil, err
		}
		s.Values = []string{v}
		return p.finish(s)
	case p.peek().is("schema") && p.peekN(1).kind == tString:
		p.i++
		v, _ := p.optionValue()
		return p.finish(&ast.SetVar{At: at, Name: "search_path", Values: []string{v}, Local: local})
	}
	name, err := p.varName()
	if err != nil {
		return nil, err
	}
	if !p.accept("to") {
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
	}
	s := &ast.SetVar{At: at, Name: name, Local: local}
	if p.accept("default") {
		s.Default = true
		return p.finish(s)
	}
	for {
		v, err := p.optionValue()
		if err != nil {
			return nil, err
		}
		s.Values = append(s.Values, v)
		if p.peek().isPunct(",") {
			p.i++
			continue
		}
		return p.finish(s)
	}
}

// other makes an ast.Other whose Verb is the SET keyword plus the next n
// words and whose Args are the remaining tokens' texts.
func (p *stmtParser) other(at ast.At, n int) (ast.Statement, error) {
	verb := []string{"SET"}
	for range n {
		t := p.next()
		if t.kind != tIdent {
			return nil, p.errSyntax(t)
		}
		verb = append(verb, strings.ToUpper(t.val))
	}
	o := &ast.Other{At: at, Verb: strings.Join(verb, " ")}
	for !p.atEnd() {
		t := p.next()
		if t.isPunct(",") {
			continue
		}
		o.Args = append(o.Args, t.val)
	}
	return o, nil
}

func (p *stmtParser) reset() (ast.Statement, error) {
	start := p.next()
	at := ast.At{P: p.pos(start)}
	switch {
	case p.accept("all"):
		return p.finish(&ast.ResetVar{At: at, Name: "all"})
	case p.accept("time", "zone"):
		return p.finish(&ast.ResetVar{At: at, Name: "timezone"})
	case p.accept("session", "authorization"):
		return p.finish(&ast.ResetVar{At: at, Name: "session_authorization"})
	case p.accept("transaction", "isolation", "level"):
		return p.finish(&ast.ResetVar{At: at, Name: "transaction_isolation"})
	}
	name, err := p.varName()
	if err != nil {
		return nil, err
	}
	return p.finish(&ast.ResetVar{At: at, Name: name})
}

func (p *stmtParser) transaction() (ast.Statement, error) {
	start := p.next()
	s := &ast.Transaction{At: ast.At{P: p.pos(start)}}
	switch start.val {
	case "begin":
		s.Kind = ast.TxnBegin
		if !p.accept("work") {
			p.accept("transaction")
		}
		return p.txnModes(s)
	case "start":
		s.Kind = ast.TxnStart
		if err := p.expect("transaction"); err != nil {
			return nil, err
		}
		return p.txnModes(s)
	case "commit", "end":
		s.Kind = ast.TxnCommit
		if start.val == "commit" && p.peek().is("prepared") {
			return nil, p.errUnsupported(p.peek(), "COMMIT PREPARED")
		}
	default: // rollback, abort
		s.Kind = ast.TxnRollback
		if start.val == "rollback" && p.peek().is("prepared") {
			return nil, p.errUnsupported(p.peek(), "ROLLBACK PREPARED")
		}
	}
	if !p.accept("work") {
		p.accept("transaction")
	}
	if start.val == "rollback" && p.peek().is("to") {
		return nil, p.errUnsupported(p.peek(), "ROLLBACK TO SAVEPOINT")
	}
	if p.accept("and", "no", "chain") {
		return p.finish(s)
	}
	if p.peek().is("and") && p.peekN(1).is("chain") {
		return nil, p.errUnsupported(p.peek(), "AND CHAIN")
	}
	return p.finish(s)
}

// txnModes accepts PostgreSQL's transaction modes. streamsqld runs every
// transaction the same way, so they are validated and dropped.
func (p *stmtParser) txnModes(s *ast.Transaction) (ast.Statement, error) {
	for !p.atEnd() {
		switch {
		case p.accept("isolation", "level"):
			switch {
			case p.accept("serializable"), p.accept("repeatable", "read"),
				p.accept("read", "committed"), p.accept("read", "uncommitted"):
			default:
				return nil, p.errSyntax(p.peek())
			}
		case p.accept("read", "only"), p.accept("read", "write"),
			p.accept("deferrable"), p.accept("not", "deferrable"):
		default:
			return nil, p.errSyntax(p.peek())
		}
		if p.peek().isPunct(",") {
			p.i++
		}
	}
	return s, nil
}

func (p *stmtParser) discard() (ast.Statement, error) {
	start := p.next()
	t := p.next()
	switch {
	case t.is("all"), t.is("plans"), t.is("sequences"), t.is("temp"), t.is("temporary"):
		w := strings.ToUpper(t.val)
		if w == "TEMPORARY" {
			w = "TEMP"
		}
		return p.finish(&ast.Other{At: ast.At{P: p.pos(start)}, Verb: "DISCARD " + w})
	}
	return nil, p.errSyntax(t)
}

func (p *stmtParser) deallocate() (ast.Statement, error) {
	start := p.next()
	at := ast.At{P: p.pos(start)}
	p.accept("prepare")
	if p.accept("all") {
		return p.finish(&ast.Other{At: at, Verb: "DEALLOCATE ALL"})
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	return p.finish(&ast.Other{At: at, Verb: "DEALLOCATE", Args: []string{name}})
}

func (p *stmtParser) explain() (ast.Statement, error) {
	start := p.next()
	t := p.peek()
	switch {
	case t.isPunct("("):
		return nil, p.errUnsupported(t, "EXPLAIN options")
	case t.is("analyze") || t.is("analyse"):
		return nil, p.errUnsupported(t, "EXPLAIN ANALYZE")
	case t.is("verbose"):
		return nil, p.errUnsupported(t, "EXPLAIN VERBOSE")
	}
	var target ast.Statement
	var err error
	switch {
	case t.is("select") || t.is("values") || t.is("with") || t.is("table") || t.isPunct("("):
		target, err = p.query(p.i, len(p.toks))
	case t.is("create") && (p.peekN(1).is("materialized") || p.peekN(1).is("sink")):
		target, err = p.create()
	case t.kind == tIdent:
		return nil, p.errUnsupported(t, "EXPLAIN "+strings.ToUpper(t.val))
	default:
		return nil, p.errSyntax(t)
	}
	if err != nil {
		return nil, err
	}
	return &ast.Explain{At: ast.At{P: p.pos(start)}, Target: target}, nil
}

// codeInvalidTableDefinition is PostgreSQL's invalid_table_definition,
// which package pgerror does not name.
const codeInvalidTableDefinition = "42P16"
