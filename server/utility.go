package server

import (
	"strings"

	"streamsqld/sql/pgerror"
)

// The statements clients use to move result sets around rather than to
// query (COPY ... TO STDOUT, DECLARE/FETCH/MOVE/CLOSE of cursors) are
// recognised here, before the SQL front end: their grammar is small, and
// each wraps an ordinary query, which the front end parses on its own.

// utilityKeywords are the leading keywords of the statements handled here.
var utilityKeywords = map[string]bool{"copy": true, "declare": true, "fetch": true, "move": true, "close": true}

// utok is a token of a utility statement.
type utok struct {
	kind     byte // 'w' word (lower-cased), 'q' quoted identifier, 's' string, 'n' number, 'p' punctuation
	val      string
	pos, end int // byte offsets in the statement text
}

// splitStatements splits a query string at top-level semicolons, keeping
// quoted text, dollar quotes and comments intact. Each piece keeps its
// semicolon out; empty pieces are dropped.
func splitStatements(q string) []string {
	var out []string
	start := 0
	depth := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			i = skipQuoted(q, i)
		case c == '$':
			i = skipDollar(q, i)
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			i = skipLineComment(q, i)
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			i = skipBlockComment(q, i)
		case c == '(':
			depth++
			i++
		case c == ')':
			depth--
			i++
		case c == ';' && depth <= 0:
			if s := strings.TrimSpace(q[start:i]); s != "" {
				out = append(out, q[start:i])
			}
			i++
			start = i
		default:
			i++
		}
	}
	if s := strings.TrimSpace(q[start:]); s != "" {
		out = append(out, q[start:])
	}
	return out
}

// skipQuoted returns the offset after the quoted text starting at i ('..'
// with ” or, after E, backslash escapes; ".." with "").
func skipQuoted(q string, i int) int {
	quote := q[i]
	escapes := quote == '\'' && i > 0 && (q[i-1] == 'e' || q[i-1] == 'E') && (i < 2 || !isWordByte(q[i-2]))
	for j := i + 1; j < len(q); j++ {
		switch {
		case escapes && q[j] == '\\':
			j++
		case q[j] == quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipDollar skips a dollar-quoted string ($tag$...$tag$) at i; a $ that
// starts none ($1) is one byte.
func skipDollar(q string, i int) int {
	j := i + 1
	for j < len(q) && (isWordByte(q[j]) && !(j == i+1 && q[j] >= '0' && q[j] <= '9')) {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return i + 1
	}
	tag := q[i : j+1]
	if end := strings.Index(q[j+1:], tag); end >= 0 {
		return j + 1 + end + len(tag)
	}
	return len(q)
}

func skipLineComment(q string, i int) int {
	if nl := strings.IndexByte(q[i:], '\n'); nl >= 0 {
		return i + nl + 1
	}
	return len(q)
}

func skipBlockComment(q string, i int) int {
	depth := 0
	for j := i; j+1 < len(q); j++ {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j++
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(q)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// leadingKeyword returns the first word of a statement, lower-cased.
func leadingKeyword(stmt string) string {
	i := skipSpaceAndComments(stmt, 0)
	j := i
	for j < len(stmt) && isWordByte(stmt[j]) {
		j++
	}
	return strings.ToLower(stmt[i:j])
}

func skipSpaceAndComments(q string, i int) int {
	for i < len(q) {
		switch {
		case q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r' || q[i] == '\f' || q[i] == '\v':
			i++
		case strings.HasPrefix(q[i:], "--"):
			i = skipLineComment(q, i)
		case strings.HasPrefix(q[i:], "/*"):
			i = skipBlockComment(q, i)
		default:
			return i
		}
	}
	return i
}

// lexUtility splits a utility statement into tokens. Parenthesised text is
// kept as tokens too; callers cut the text of an embedded query out of the
// statement by offsets.
func lexUtility(q string) ([]utok, error) {
	var toks []utok
	for i := skipSpaceAndComments(q, 0); i < len(q); i = skipSpaceAndComments(q, i) {
		c := q[i]
		switch {
		case (c == 'e' || c == 'E') && i+1 < len(q) && q[i+1] == '\'':
			end := skipQuoted(q, i+1)
			if end-1 <= i+1 || q[end-1] != '\'' {
				return nil, errUnterminated(q, i)
			}
			s, err := unescapeE(q[i+2 : end-1])
			if err != nil {
				return nil, err
			}
			toks = append(toks, utok{kind: 's', val: s, pos: i, end: end})
			i = end
		case c == '\'':
			end := skipQuoted(q, i)
			if end-1 <= i || q[end-1] != '\'' {
				return nil, errUnterminated(q, i)
			}
			toks = append(toks, utok{kind: 's', val: strings.ReplaceAll(q[i+1:end-1], "''", "'"), pos: i, end: end})
			i = end
		case c == '"':
			end := skipQuoted(q, i)
			if end-1 <= i || q[end-1] != '"' {
				return nil, errUnterminated(q, i)
			}
			toks = append(toks, utok{kind: 'q', val: strings.ReplaceAll(q[i+1:end-1], `""`, `"`), pos: i, end: end})
			i = end
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			toks = append(toks, utok{kind: 'n', val: q[i:j], pos: i, end: j})
			i = j
		case isWordByte(c):
			j := i
			for j < len(q) && isWordByte(q[j]) {
				j++
			}
			toks = append(toks, utok{kind: 'w', val: strings.ToLower(q[i:j]), pos: i, end: j})
			i = j
		default:
			toks = append(toks, utok{kind: 'p', val: q[i : i+1], pos: i, end: i + 1})
			i++
		}
	}
	return toks, nil
}

func errUnterminated(q string, i int) error {
	return pgerror.New(pgerror.SyntaxError, "unterminated quoted string at or near \""+q[i:]+"\"").WithPosition(charPos(q, i))
}

// unescapeE decodes the common backslash escapes of an E” string.
func unescapeE(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return strings.ReplaceAll(s, "''", "'"), nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' && i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// charPos converts a byte offset into PostgreSQL's 1-based character
// position.
func charPos(q string, off int) int {
	return len([]rune(q[:off])) + 1
}

// uparser walks the tokens of one utility statement.
type uparser struct {
	src  string
	toks []utok
	i    int
}

func (p *uparser) peek() utok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return utok{kind: 0, pos: len(p.src), end: len(p.src)}
}

func (p *uparser) atEnd() bool { return p.i >= len(p.toks) }

// accept consumes the words ws if they come next.
func (p *uparser) accept(ws ...string) bool {
	for k, w := range ws {
		if p.i+k >= len(p.toks) {
			return false
		}
		t := p.toks[p.i+k]
		if t.kind != 'w' || t.val != w {
			return false
		}
	}
	p.i += len(ws)
	return true
}

func (p *uparser) acceptPunct(s string) bool {
	if t := p.peek(); t.kind == 'p' && t.val == s {
		p.i++
		return true
	}
	return false
}

func (p *uparser) errSyntax() error {
	t := p.peek()
	if t.kind == 0 {
		return pgerror.New(pgerror.SyntaxError, "syntax error at end of input").WithPosition(charPos(p.src, len(strings.TrimRight(p.src, " \t\r\n"))))
	}
	return pgerror.Newf(pgerror.SyntaxError, "syntax error at or near \"%s\"", p.src[t.pos:t.end]).WithPosition(charPos(p.src, t.pos))
}

// ident reads a name: a word or a quoted identifier.
func (p *uparser) ident() (string, error) {
	t := p.peek()
	if t.kind != 'w' && t.kind != 'q' {
		return "", p.errSyntax()
	}
	p.i++
	return t.val, nil
}

// qualifiedName reads [schema.]name.
func (p *uparser) qualifiedName() (schema, name string, err error) {
	name, err = p.ident()
	if err != nil {
		return "", "", err
	}
	if p.acceptPunct(".") {
		schema = name
		if name, err = p.ident(); err != nil {
			return "", "", err
		}
	}
	return schema, name, nil
}

// group returns the text inside the parentheses opening at the current
// token and moves past them.
func (p *uparser) group() (string, error) {
	t := p.peek()
	if t.kind != 'p' || t.val != "(" {
		return "", p.errSyntax()
	}
	depth := 0
	for j := p.i; j < len(p.toks); j++ {
		switch {
		case p.toks[j].kind == 'p' && p.toks[j].val == "(":
			depth++
		case p.toks[j].kind == 'p' && p.toks[j].val == ")":
			depth--
			if depth == 0 {
				text := p.src[t.end:p.toks[j].pos]
				p.i = j + 1
				return text, nil
			}
		}
	}
	p.i = len(p.toks)
	return "", p.errSyntax()
}

// utilityPieces splits a query string into statements when one of them is
// a utility statement handled here; ok is false otherwise, and the front
// end parses the string whole.
func utilityPieces(query string) (pieces []stmtPiece, ok bool) {
	if !mayHaveUtility(query) {
		return nil, false
	}
	for _, p := range splitStatementOffsets(query) {
		if utilityKeywords[leadingKeyword(p.text)] {
			ok = true
		}
		pieces = append(pieces, p)
	}
	return pieces, ok
}

// mayHaveUtility is a cheap filter: whether a utility keyword occurs at
// all.
func mayHaveUtility(q string) bool {
	l := strings.ToLower(q)
	for kw := range utilityKeywords {
		if strings.Contains(l, kw) {
			return true
		}
	}
	return false
}

// stmtPiece is one statement of a query string and its byte offset.
type stmtPiece struct {
	text string
	off  int
}

func splitStatementOffsets(q string) []stmtPiece {
	var out []stmtPiece
	off := 0
	for _, s := range splitStatements(q) {
		i := strings.Index(q[off:], s) + off
		out = append(out, stmtPiece{text: s, off: i})
		off = i + len(s)
	}
	return out
}
