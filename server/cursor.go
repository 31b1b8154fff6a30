package server

import (
	"context"
	"strconv"
	"strings"

	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// COPY ... TO STDOUT and SQL cursors (DECLARE / FETCH / MOVE / CLOSE).
// A cursor's query runs to completion at DECLARE: results of ad-hoc
// queries are materialized anyway (view snapshots, table logs), so the
// cursor only keeps the rows and a position, and FETCH can move both ways.

// copyStmt is COPY (query) TO STDOUT or COPY table [(cols)] TO STDOUT.
type copyStmt struct {
	query  *ast.Select
	format wire.CopyFormat
	// forceQuote names the FORCE_QUOTE columns; forceAll is FORCE_QUOTE *.
	forceQuote []string
	forceAll   bool
}

// declareStmt is DECLARE name CURSOR [WITH|WITHOUT HOLD] FOR query.
type declareStmt struct {
	name  string
	hold  bool
	query *ast.Select
}

// fetchStmt is FETCH or MOVE.
type fetchStmt struct {
	name string
	move bool
	dir  fetchDir
	n    int64 // count, or position for ABSOLUTE
}

type fetchDir uint8

const (
	fetchForward fetchDir = iota
	fetchBackward
	fetchAbsolute
	fetchRelative
)

// fetchAll stands for ALL in FORWARD/BACKWARD counts.
const fetchAll = int64(1) << 62

// closeStmt is CLOSE name or CLOSE ALL (name "").
type closeStmt struct{ name string }

// cursor is an open SQL cursor of the session.
type cursor struct {
	cols    []types.Column
	origins []wire.ColumnOrigin
	rows    []types.Row
	hold    bool
	// pos is PostgreSQL's portal position: 0 before the first row, k on
	// row k, len(rows)+1 after the last.
	pos int64
}

// parseUtility parses one COPY, DECLARE, FETCH, MOVE or CLOSE statement.
// numParams is the highest $n of an embedded query.
func parseUtility(stmt string) (handle any, numParams int, err error) {
	toks, err := lexUtility(stmt)
	if err != nil {
		return nil, 0, err
	}
	p := &uparser{src: stmt, toks: toks}
	switch {
	case p.accept("copy"):
		return p.copy()
	case p.accept("declare"):
		return p.declare()
	case p.accept("fetch"):
		st, err := p.fetch(false)
		return st, 0, err
	case p.accept("move"):
		st, err := p.fetch(true)
		return st, 0, err
	case p.accept("close"):
		if p.accept("all") {
			return &closeStmt{}, 0, p.end()
		}
		name, err := p.ident()
		if err != nil {
			return nil, 0, err
		}
		return &closeStmt{name: name}, 0, p.end()
	}
	return nil, 0, p.errSyntax()
}

func (p *uparser) end() error {
	if !p.atEnd() {
		return p.errSyntax()
	}
	return nil
}

// parseSelect parses the query embedded in a utility statement.
func parseSelect(text string) (*ast.Select, int, error) {
	parsed, err := sql.Parse(text)
	if err != nil {
		return nil, 0, err
	}
	if len(parsed) != 1 {
		return nil, 0, pgerror.New(pgerror.SyntaxError, "syntax error at or near \";\"")
	}
	sel, ok := parsed[0].Stmt.(*ast.Select)
	if !ok {
		return nil, 0, pgerror.New(pgerror.FeatureNotSupported, "only queries can be used here")
	}
	return sel, parsed[0].NumParams, nil
}

func (p *uparser) copy() (any, int, error) {
	var st copyStmt
	var query string
	if t := p.peek(); t.kind == 'p' && t.val == "(" {
		text, err := p.group()
		if err != nil {
			return nil, 0, err
		}
		query = text
	} else {
		schema, name, err := p.qualifiedName()
		if err != nil {
			return nil, 0, err
		}
		cols := "*"
		if t := p.peek(); t.kind == 'p' && t.val == "(" {
			text, err := p.group()
			if err != nil {
				return nil, 0, err
			}
			cols = text
		}
		rel := quoteIdent(name)
		if schema != "" {
			rel = quoteIdent(schema) + "." + rel
		}
		query = "SELECT " + cols + " FROM " + rel
	}
	switch {
	case p.accept("to"):
	case p.accept("from"):
		return nil, 0, pgerror.New(pgerror.FeatureNotSupported, "COPY FROM is not supported").
			WithHint("Use INSERT to add rows to a table.")
	default:
		return nil, 0, p.errSyntax()
	}
	if !p.accept("stdout") {
		if p.peek().kind == 's' || p.accept("program") {
			return nil, 0, pgerror.New(pgerror.FeatureNotSupported, "COPY to a file or program is not supported").
				WithHint("Use COPY ... TO STDOUT, or psql's \\copy.")
		}
		return nil, 0, p.errSyntax()
	}
	if err := p.copyOptions(&st); err != nil {
		return nil, 0, err
	}
	sel, n, err := parseSelect(query)
	if err != nil {
		return nil, 0, err
	}
	st.query = sel
	return &st, n, nil
}

// copyOptions reads COPY's options in either syntax: WITH (FORMAT csv,
// HEADER, ...) or the older WITH CSV HEADER DELIMITER ',' ...
func (p *uparser) copyOptions(st *copyStmt) error {
	p.accept("with")
	type opt struct{ name, value string }
	var opts []opt
	if t := p.peek(); t.kind == 'p' && t.val == "(" {
		p.i++
		for {
			name, err := p.ident()
			if err != nil {
				return err
			}
			o := opt{name: strings.ToLower(name)}
			t := p.peek()
			switch {
			case t.kind == 'p' && t.val == "(":
				text, err := p.group()
				if err != nil {
					return err
				}
				o.value = text
			case t.kind == 'p' && t.val == "*":
				p.i++
				o.value = "*"
			case t.kind == 's' || t.kind == 'w' || t.kind == 'q' || t.kind == 'n':
				p.i++
				o.value = t.val
			default:
				o.value = "true"
			}
			opts = append(opts, o)
			if p.acceptPunct(",") {
				continue
			}
			if !p.acceptPunct(")") {
				return p.errSyntax()
			}
			break
		}
	} else {
		for !p.atEnd() {
			switch {
			case p.accept("binary"):
				opts = append(opts, opt{"format", "binary"})
			case p.accept("csv"):
				opts = append(opts, opt{"format", "csv"})
			case p.accept("header"):
				opts = append(opts, opt{"header", "true"})
			case p.accept("force", "quote"):
				if p.acceptPunct("*") {
					opts = append(opts, opt{"force_quote", "*"})
					break
				}
				var names []string
				for {
					n, err := p.ident()
					if err != nil {
						return err
					}
					names = append(names, quoteIdent(n))
					if !p.acceptPunct(",") {
						break
					}
				}
				opts = append(opts, opt{"force_quote", strings.Join(names, ",")})
			default:
				var name string
				for _, w := range []string{"delimiter", "null", "quote", "escape", "encoding"} {
					if p.accept(w) {
						name = w
						break
					}
				}
				if name == "" {
					return p.errSyntax()
				}
				p.accept("as")
				t := p.peek()
				if t.kind != 's' {
					return p.errSyntax()
				}
				p.i++
				opts = append(opts, opt{name, t.val})
			}
		}
	}
	if err := p.end(); err != nil {
		return err
	}
	f := &st.format
	var delim, null, quote, escape *string
	for _, o := range opts {
		v := o.value
		switch o.name {
		case "format":
			switch strings.ToLower(v) {
			case "text":
			case "csv":
				f.CSV = true
			case "binary":
				return pgerror.New(pgerror.FeatureNotSupported, "COPY format \"binary\" is not supported")
			default:
				return pgerror.Newf(pgerror.InvalidParameterValue, "COPY format \"%s\" not recognized", v)
			}
		case "header":
			b, ok := parseBoolOption(v)
			if !ok {
				return pgerror.Newf(pgerror.InvalidParameterValue, "header requires a Boolean value")
			}
			f.Header = b
		case "delimiter":
			delim = &v
		case "null":
			null = &v
		case "quote":
			quote = &v
		case "escape":
			escape = &v
		case "force_quote":
			if v == "*" {
				st.forceAll = true
				break
			}
			for _, n := range strings.Split(v, ",") {
				st.forceQuote = append(st.forceQuote, unquoteIdent(strings.TrimSpace(n)))
			}
		case "encoding":
			if _, err := normalizeEncoding(v); err != nil {
				return err
			}
		case "freeze", "force_not_null", "force_null":
		default:
			return pgerror.Newf(pgerror.SyntaxError, "option \"%s\" not recognized", o.name)
		}
	}
	f.Delimiter, f.Null = '\t', `\N`
	if f.CSV {
		f.Delimiter, f.Null, f.Quote = ',', "", '"'
	}
	single := func(v *string, what string) (byte, error) {
		if len(*v) != 1 {
			return 0, pgerror.Newf(pgerror.FeatureNotSupported, "COPY %s must be a single one-byte character", what)
		}
		return (*v)[0], nil
	}
	var err error
	if delim != nil {
		if f.Delimiter, err = single(delim, "delimiter"); err != nil {
			return err
		}
	}
	if null != nil {
		f.Null = *null
	}
	if quote != nil {
		if !f.CSV {
			return pgerror.New(pgerror.FeatureNotSupported, "COPY quote available only in CSV mode")
		}
		if f.Quote, err = single(quote, "quote"); err != nil {
			return err
		}
	}
	f.Escape = f.Quote
	if escape != nil {
		if !f.CSV {
			return pgerror.New(pgerror.FeatureNotSupported, "COPY escape available only in CSV mode")
		}
		if f.Escape, err = single(escape, "escape"); err != nil {
			return err
		}
	}
	if (st.forceAll || st.forceQuote != nil) && !f.CSV {
		return pgerror.New(pgerror.FeatureNotSupported, "COPY force quote available only in CSV mode")
	}
	return nil
}

func parseBoolOption(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "on", "1", "t", "yes":
		return true, true
	case "false", "off", "0", "f", "no":
		return false, true
	}
	return false, false
}

func unquoteIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

func (p *uparser) declare() (any, int, error) {
	name, err := p.ident()
	if err != nil {
		return nil, 0, err
	}
	if p.accept("binary") {
		return nil, 0, pgerror.New(pgerror.FeatureNotSupported, "binary cursors are not supported")
	}
	_ = p.accept("asensitive") || p.accept("insensitive")
	_ = p.accept("scroll") || p.accept("no", "scroll")
	if !p.accept("cursor") {
		return nil, 0, p.errSyntax()
	}
	st := &declareStmt{name: name}
	switch {
	case p.accept("with", "hold"):
		st.hold = true
	case p.accept("without", "hold"):
	}
	if !p.accept("for") {
		return nil, 0, p.errSyntax()
	}
	t := p.peek()
	if t.kind == 0 {
		return nil, 0, p.errSyntax()
	}
	sel, n, err := parseSelect(p.src[t.pos:])
	if err != nil {
		return nil, 0, shiftPosition(err, charPos(p.src, t.pos)-1)
	}
	st.query = sel
	return st, n, nil
}

// shiftPosition moves an error position reported for a part of a
// statement starting at character off.
func shiftPosition(err error, off int) error {
	if pe := pgerror.Flatten(err); pe.Position > 0 {
		pe.Position += off
		return pe
	}
	return err
}

func (p *uparser) fetch(move bool) (*fetchStmt, error) {
	st := &fetchStmt{move: move, dir: fetchForward, n: 1}
	count := func() (int64, bool) {
		t := p.peek()
		if t.kind != 'n' {
			return 0, false
		}
		v, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil {
			return 0, false
		}
		p.i++
		return v, true
	}
	switch {
	case p.accept("next"):
	case p.accept("prior"):
		st.dir = fetchBackward
	case p.accept("first"):
		st.dir = fetchAbsolute
	case p.accept("last"):
		st.dir, st.n = fetchAbsolute, -1
	case p.accept("absolute"), p.accept("relative"):
		if p.toks[p.i-1].val == "relative" {
			st.dir = fetchRelative
		} else {
			st.dir = fetchAbsolute
		}
		n, ok := count()
		if !ok {
			return nil, p.errSyntax()
		}
		st.n = n
	case p.accept("all"):
		st.n = fetchAll
	case p.accept("forward"), p.accept("backward"):
		if p.toks[p.i-1].val == "backward" {
			st.dir = fetchBackward
		}
		if p.accept("all") {
			st.n = fetchAll
		} else if n, ok := count(); ok {
			st.n = n
		}
	default:
		if n, ok := count(); ok {
			st.n = n
		}
	}
	if st.n < 0 && (st.dir == fetchForward || st.dir == fetchBackward) {
		st.n = -st.n
		st.dir ^= 1 // forward <-> backward
	}
	_ = p.accept("from") || p.accept("in")
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	st.name = name
	return st, p.end()
}

// prepareUtility describes a utility statement.
func (s *session) prepareUtility(ctx context.Context, ws *wire.Statement, params []types.T) error {
	switch h := ws.Handle.(type) {
	case *copyStmt:
		q, err := s.bindQuery(h.query, params)
		if err != nil {
			return err
		}
		ws.ParamTypes = q.ParamTypes
	case *declareStmt:
		q, err := s.bindQuery(h.query, params)
		if err != nil {
			return err
		}
		ws.ParamTypes = q.ParamTypes
	case *fetchStmt:
		if !h.move {
			c, ok := s.cursors[h.name]
			if !ok {
				return errNoCursor(h.name)
			}
			ws.Columns, ws.Origins = c.cols, c.origins
		}
	}
	return nil
}

func errNoCursor(name string) error {
	return pgerror.Newf(pgerror.InvalidCursorName, "cursor \"%s\" does not exist", name)
}

// executeUtility runs a utility statement.
func (s *session) executeUtility(ctx context.Context, ws *wire.Statement, params []types.Datum) (*wire.Result, error) {
	switch h := ws.Handle.(type) {
	case *copyStmt:
		q, rows, err := s.runQuery(ctx, h.query, ws.ParamTypes, params)
		if err != nil {
			return nil, err
		}
		f := h.format
		if h.forceAll || h.forceQuote != nil {
			f.ForceQuote = make([]bool, len(q.Columns))
			for i, c := range q.Columns {
				f.ForceQuote[i] = h.forceAll
				for _, n := range h.forceQuote {
					if n == c.Name {
						f.ForceQuote[i] = true
					}
				}
			}
			for _, n := range h.forceQuote {
				found := false
				for _, c := range q.Columns {
					found = found || c.Name == n
				}
				if !found {
					return nil, pgerror.Newf(pgerror.UndefinedColumn, "column \"%s\" does not exist", n)
				}
			}
		}
		return &wire.Result{Columns: q.Columns, Rows: &sliceRows{rows: rows}, Tag: "COPY", Copy: &f}, nil
	case *declareStmt:
		if !s.inTxn && !h.hold {
			return nil, pgerror.New(pgerror.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
		}
		if _, dup := s.cursors[h.name]; dup {
			return nil, pgerror.Newf(pgerror.DuplicateCursor, "cursor \"%s\" already exists", h.name)
		}
		q, rows, err := s.runQuery(ctx, h.query, ws.ParamTypes, params)
		if err != nil {
			return nil, err
		}
		if s.cursors == nil {
			s.cursors = map[string]*cursor{}
		}
		s.cursors[h.name] = &cursor{cols: q.Columns, origins: wireOrigins(q.Origins), rows: rows, hold: h.hold}
		return &wire.Result{Tag: "DECLARE CURSOR"}, nil
	case *fetchStmt:
		c, ok := s.cursors[h.name]
		if !ok {
			return nil, errNoCursor(h.name)
		}
		rows := c.fetch(h)
		if h.move {
			return &wire.Result{Tag: "MOVE " + strconv.Itoa(len(rows))}, nil
		}
		return &wire.Result{Columns: c.cols, Origins: c.origins, Rows: &sliceRows{rows: rows}, Tag: "FETCH"}, nil
	case *closeStmt:
		if h.name == "" {
			s.cursors = nil
			return &wire.Result{Tag: "CLOSE CURSOR ALL"}, nil
		}
		if _, ok := s.cursors[h.name]; !ok {
			return nil, errNoCursor(h.name)
		}
		delete(s.cursors, h.name)
		return &wire.Result{Tag: "CLOSE CURSOR"}, nil
	}
	return nil, pgerror.Newf(pgerror.InternalError, "unknown utility statement %T", ws.Handle)
}

// closeTxnCursors closes the cursors not declared WITH HOLD, at the end of
// a transaction.
func (s *session) closeTxnCursors() {
	for name, c := range s.cursors {
		if !c.hold {
			delete(s.cursors, name)
		}
	}
}

// fetch moves the cursor as st says and returns the rows it passes (for
// FETCH) in the order they are returned.
func (c *cursor) fetch(st *fetchStmt) []types.Row {
	n := int64(len(c.rows))
	at := func(k int64) types.Row { return c.rows[k-1] }
	switch st.dir {
	case fetchForward:
		var out []types.Row
		for k := int64(0); k < st.n && c.pos <= n; k++ {
			c.pos++
			if c.pos > n {
				break
			}
			out = append(out, at(c.pos))
		}
		return out
	case fetchBackward:
		var out []types.Row
		for k := int64(0); k < st.n && c.pos >= 1; k++ {
			c.pos--
			if c.pos < 1 {
				break
			}
			out = append(out, at(c.pos))
		}
		return out
	}
	target := st.n
	if st.dir == fetchRelative {
		if st.n == 0 {
			if c.pos >= 1 && c.pos <= n {
				return []types.Row{at(c.pos)}
			}
			return nil
		}
		target = c.pos + st.n
	} else if target < 0 {
		target = n + 1 + target
	}
	switch {
	case target <= 0:
		c.pos = 0
		return nil
	case target > n:
		c.pos = n + 1
		return nil
	}
	c.pos = target
	return []types.Row{at(target)}
}

// preparePieces prepares a query string that holds utility statements,
// statement by statement.
func (s *session) preparePieces(ctx context.Context, query string, pieces []stmtPiece, paramTypes []types.T) ([]*wire.Statement, error) {
	var out []*wire.Statement
	several := len(pieces) > 1
	for _, piece := range pieces {
		shift := charPos(query, piece.off) - 1
		if !utilityKeywords[leadingKeyword(piece.text)] {
			parsed, err := sql.Parse(piece.text)
			if err != nil {
				return nil, shiftPosition(err, shift)
			}
			sts, err := s.prepareParsed(ctx, parsed, paramTypes, several)
			if err != nil {
				return nil, shiftPosition(err, shift)
			}
			out = append(out, sts...)
			continue
		}
		text := strings.TrimSpace(piece.text)
		h, n, err := parseUtility(text)
		if err != nil {
			return nil, shiftPosition(err, shift)
		}
		pt := make([]types.T, n)
		for i := range pt {
			pt[i] = types.TUnknown
			if i < len(paramTypes) {
				pt[i] = paramTypes[i]
			}
		}
		ws := &wire.Statement{SQL: text, Handle: h, ParamTypes: resolveUnknown(pt)}
		if err := s.prepareUtility(ctx, ws, pt); err != nil && !several {
			return nil, err
		}
		out = append(out, ws)
	}
	return out, nil
}
