// Package sql is streamsqld's SQL front end: it turns PostgreSQL and
// streaming SQL text into the syntax tree of package sql/ast.
//
// The layering, from the bottom:
//
//   - lexer.go is a real PostgreSQL tokenizer (strings with their three
//     quoting styles, nested comments, quoted identifiers, $n parameters,
//     operators). Everything above works on its tokens, never on raw text.
//   - parse.go splits the token stream into statements at top-level ';'
//     and dispatches on the leading keywords.
//   - ddl.go parses streaming DDL and utility statements (CREATE SOURCE,
//     SET, SHOW, ...) by recursive descent over tokens: the MySQL grammar
//     underneath knows none of them.
//   - rewrite.go turns a PostgreSQL query into text that the TiDB (MySQL)
//     grammar accepts. Every PostgreSQL-only construct becomes either plain
//     MySQL syntax or a call of the marker function __pg_m(k, ...), whose
//     first argument indexes a side table describing what was there. The
//     rewrite also decides operator precedence the PostgreSQL way where the
//     two grammars differ, by turning those operators into marker calls.
//   - convert.go parses the rewritten text with TiDB and converts TiDB's
//     tree into sql/ast, replacing marker calls by the nodes they stand for
//     and mapping positions back to the original text.
//
// Positions everywhere (error positions and ast node positions) are
// 1-based character offsets into the whole query string given to Parse,
// which is what PostgreSQL reports for a simple-protocol query.
package sql

import (
	"strings"

	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
)

// Parsed is one statement of a query string.
type Parsed struct {
	Stmt ast.Statement
	// SQL is the statement's own text, without the separating ';' and
	// without surrounding white space or comments.
	SQL string
	// NumParams is the highest $n the statement uses.
	NumParams int
}

// Limits that keep parsing linear and protect the goroutine stack. Deeper
// input fails with SQLSTATE 54001 instead of a stack overflow.
const (
	// maxParenDepth bounds the nesting of ( ) and [ ] in a statement.
	maxParenDepth = 1000
	// maxExprDepth bounds the depth of a converted expression tree, which
	// long operator chains (a+a+a+...) make deep without any parentheses.
	maxExprDepth = 10000
)

func errTooComplex(pos int) error {
	return pgerror.New(pgerror.StatementTooComplex, "statement too complex").WithPosition(pos)
}

// Parse parses a query string that may hold several statements separated
// by ';'. A query with no statement at all (only white space or comments)
// yields one *ast.Empty.
func Parse(query string) (_ []Parsed, err error) {
	// A panic here is a bug, but it must not take the session down with
	// it: report it as an internal error (the fuzz test hunts for these).
	defer func() {
		if r := recover(); r != nil {
			err = pgerror.Newf(pgerror.InternalError, "parser panic: %v", r)
		}
	}()
	toks, err := lex(query)
	if err != nil {
		return nil, err
	}
	sc := &srcCtx{src: query, pc: newPosConv(query)}
	var out []Parsed
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && !toks[i].isPunct(";") {
			continue
		}
		if i > start {
			st := toks[start:i]
			end := token{kind: tEOF, pos: len(query), end: len(query)}
			if i < len(toks) {
				end = toks[i]
			}
			p := &stmtParser{srcCtx: sc, toks: st, end: end}
			stmt, err := p.statement()
			if err != nil {
				return nil, err
			}
			out = append(out, Parsed{
				Stmt:      stmt,
				SQL:       query[st[0].pos:st[len(st)-1].end],
				NumParams: p.maxParam,
			})
		}
		start = i + 1
	}
	if len(out) == 0 {
		out = append(out, Parsed{Stmt: &ast.Empty{}})
	}
	return out, nil
}

// posConv maps byte offsets of the query to 1-based character positions in
// O(1): most queries are ASCII, others get a table built once.
type posConv struct {
	ascii bool
	chars []int32 // byte offset -> character index, for non-ASCII input
}

func newPosConv(src string) *posConv {
	pc := &posConv{ascii: true}
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			pc.ascii = false
			break
		}
	}
	if !pc.ascii {
		pc.chars = make([]int32, len(src)+1)
		n := int32(-1)
		for i := 0; i < len(src); i++ {
			// Continuation bytes belong to the character before them.
			if src[i]&0xC0 != 0x80 || n < 0 {
				n++
			}
			pc.chars[i] = n
		}
		pc.chars[len(src)] = n + 1
	}
	return pc
}

// pos returns the 1-based character position of byte offset off.
func (pc *posConv) pos(off int) int {
	if off < 0 {
		return 0
	}
	if pc.ascii {
		return off + 1
	}
	if off >= len(pc.chars) {
		off = len(pc.chars) - 1
	}
	return int(pc.chars[off]) + 1
}

// stmtParser parses one statement. toks excludes the terminating ';'; end
// is that ';' (or an EOF token) so "syntax error at or near" can name it.
type stmtParser struct {
	*srcCtx
	toks     []token
	i        int
	end      token
	maxParam int
}

func (p *stmtParser) peek() token { return p.peekN(0) }

func (p *stmtParser) peekN(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.end
}

func (p *stmtParser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *stmtParser) atEnd() bool { return p.i >= len(p.toks) }

// accept consumes the given keywords if they come next.
func (p *stmtParser) accept(words ...string) bool {
	for n, w := range words {
		if !p.peekN(n).is(w) {
			return false
		}
	}
	p.i += len(words)
	return true
}

func (p *stmtParser) expect(words ...string) error {
	for _, w := range words {
		if !p.peek().is(w) {
			return p.errSyntax(p.peek())
		}
		p.i++
	}
	return nil
}

func (p *stmtParser) expectPunct(s string) error {
	if !p.peek().isPunct(s) {
		return p.errSyntax(p.peek())
	}
	p.i++
	return nil
}

// srcCtx is the query string being parsed, for error messages and
// positions.
type srcCtx struct {
	src string
	pc  *posConv
}

// errSyntax is PostgreSQL's generic syntax error at token t.
func (sc *srcCtx) errSyntax(t token) error {
	if t.kind == tEOF {
		return pgerror.New(pgerror.SyntaxError, "syntax error at end of input").WithPosition(sc.pc.pos(t.pos))
	}
	return pgerror.Newf(pgerror.SyntaxError, "syntax error at or near \"%s\"", t.text(sc.src)).WithPosition(sc.pc.pos(t.pos))
}

// errUnsupported is SQLSTATE 0A000 naming the construct at token t.
func (sc *srcCtx) errUnsupported(t token, what string) error {
	return pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", what).WithPosition(sc.pc.pos(t.pos))
}

// pos is the ast position of token t.
func (sc *srcCtx) pos(t token) int { return sc.pc.pos(t.pos) }

// restText is the original text from token i to the end of the statement.
func (p *stmtParser) restText(i int) string {
	if i >= len(p.toks) {
		return ""
	}
	return p.src[p.toks[i].pos:p.toks[len(p.toks)-1].end]
}

// statement dispatches on the leading keyword.
func (p *stmtParser) statement() (ast.Statement, error) {
	t := p.peek()
	if t.isPunct("(") {
		return p.query(p.i, len(p.toks))
	}
	if t.kind != tIdent {
		return nil, p.errSyntax(t)
	}
	switch t.val {
	case "select", "values", "with", "table":
		return p.query(p.i, len(p.toks))
	case "create":
		return p.create()
	case "insert":
		return p.insert()
	case "drop":
		return p.drop()
	case "show":
		return p.show()
	case "set":
		return p.set()
	case "reset":
		return p.reset()
	case "begin", "start", "commit", "end", "rollback", "abort":
		return p.transaction()
	case "discard":
		return p.discard()
	case "deallocate":
		return p.deallocate()
	case "explain":
		return p.explain()
	case "update", "delete", "alter", "grant", "revoke", "truncate", "copy", "vacuum", "analyze",
		"savepoint", "release", "prepare", "execute", "listen", "notify", "unlisten", "lock",
		"comment", "declare", "fetch", "close", "move", "merge", "call", "do", "refresh", "checkpoint",
		"cluster", "reindex", "load", "import", "security", "reassign":
		return nil, p.errUnsupported(t, strings.ToUpper(t.val))
	}
	return nil, p.errSyntax(t)
}

// query parses toks[lo:hi] as a query (SELECT, VALUES, WITH ...),
// recognising a trailing EMIT ON WINDOW CLOSE.
func (p *stmtParser) query(lo, hi int) (*ast.Select, error) {
	if lo >= hi {
		return nil, p.errSyntax(p.tokAt(lo))
	}
	emit := false
	if hi-lo > 4 && p.toks[hi-4].is("emit") && p.toks[hi-3].is("on") && p.toks[hi-2].is("window") && p.toks[hi-1].is("close") {
		emit = true
		hi -= 4
	}
	rw := newRewriter(p)
	sel, err := rw.parseQuery(p.toks[lo:hi], p.tokAt(hi), false)
	if err != nil {
		return nil, err
	}
	sel.EmitOnWindowClose = emit
	p.i = len(p.toks)
	return sel, nil
}

func (p *stmtParser) tokAt(i int) token {
	if i < len(p.toks) {
		return p.toks[i]
	}
	return p.end
}
