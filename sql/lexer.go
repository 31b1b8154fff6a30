package sql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
)

// tokKind classifies a token of PostgreSQL's lexical grammar.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // unquoted word; val is lower-cased (keywords are words too)
	tQIdent         // "quoted identifier"; val keeps its case
	tString         // any string constant ('..', E'..', $$..$$); val is unescaped
	tNumber         // numeric constant; val is its text
	tParam          // $n; num holds n
	tOp             // operator (+, <>, ~*, ||, ...); val is its text
	tPunct          // one of ( ) [ ] , ; : :: .
)

// token is one lexical token. pos and end are byte offsets into the whole
// query string that Parse received, so every diagnostic can point into it.
type token struct {
	kind tokKind
	val  string
	pos  int
	end  int
	num  int
	// prefix is the letter before a special string constant: 'b' or 'x'
	// for bit strings, 'u' for U& strings (both unsupported), 0 otherwise.
	prefix byte
}

func (t token) is(word string) bool      { return t.kind == tIdent && t.val == word }
func (t token) isPunct(p string) bool    { return t.kind == tPunct && t.val == p }
func (t token) isOp(op string) bool      { return t.kind == tOp && t.val == op }
func (t token) isWordLike() bool         { return t.kind == tIdent || t.kind == tQIdent }
func (t token) text(query string) string { return query[t.pos:t.end] }

// lexer turns a query string into tokens, following PostgreSQL's scan.l
// with standard_conforming_strings on. It never fails on ordinary input:
// only unterminated constructs and malformed escapes are errors.
type lexer struct {
	src  string
	pos  int
	toks []token
}

// lex tokenizes the whole query. Comments and white space are dropped.
func lex(src string) ([]token, error) {
	l := &lexer{src: src, toks: make([]token, 0, len(src)/5+4)}
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.pos >= len(src) {
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isOpChar reports the characters PostgreSQL allows in operator names.
func isOpChar(c byte) bool { return strings.IndexByte("+-*/<>=~!@#%^&|`?", c) >= 0 }

func (l *lexer) errAt(pos int, format string, args ...any) error {
	return pgerror.Newf(pgerror.SyntaxError, format, args...).WithPosition(charPos(l.src, pos))
}

// nearText is the text PostgreSQL quotes after "at or near": the rest of
// the input from pos, cut at a reasonable length.
func nearText(src string, pos int) string {
	s := src[pos:]
	if len(s) > 40 {
		s = s[:40]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func (l *lexer) skipSpace() error {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '-' && strings.HasPrefix(l.src[l.pos:], "--"):
			nl := strings.IndexByte(l.src[l.pos:], '\n')
			if nl < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += nl + 1
			}
		case c == '/' && strings.HasPrefix(l.src[l.pos:], "/*"):
			start := l.pos
			depth := 0
			for {
				if l.pos >= len(l.src) {
					return l.errAt(start, "unterminated /* comment at or near %q", nearText(l.src, start))
				}
				if strings.HasPrefix(l.src[l.pos:], "/*") {
					depth++
					l.pos += 2
				} else if strings.HasPrefix(l.src[l.pos:], "*/") {
					depth--
					l.pos += 2
					if depth == 0 {
						break
					}
				} else {
					l.pos++
				}
			}
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) emit(kind tokKind, val string, start int) {
	l.toks = append(l.toks, token{kind: kind, val: val, pos: start, end: l.pos})
}

func (l *lexer) next() error {
	src := l.src
	start := l.pos
	c := src[start]
	switch {
	case c == '\'':
		s, err := l.quoted(false)
		if err != nil {
			return err
		}
		l.emit(tString, s, start)
		return nil
	case c == '"':
		return l.quotedIdent()
	case (c == 'e' || c == 'E') && l.peek(1) == '\'':
		l.pos++
		s, err := l.quoted(true)
		if err != nil {
			return err
		}
		// Escapes can spell any byte; the result must still be text.
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return pgerror.New(codeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"").WithPosition(charPos(src, start))
		}
		l.emit(tString, s, start)
		return nil
	case (c == 'n' || c == 'N') && l.peek(1) == '\'':
		l.pos++
		s, err := l.quoted(false)
		if err != nil {
			return err
		}
		l.emit(tString, s, start)
		return nil
	case (c == 'b' || c == 'B' || c == 'x' || c == 'X') && l.peek(1) == '\'':
		l.pos++
		s, err := l.quoted(false)
		if err != nil {
			return err
		}
		l.emit(tString, s, start)
		l.toks[len(l.toks)-1].prefix = c | 0x20
		return nil
	case (c == 'u' || c == 'U') && l.peek(1) == '&' && (l.peek(2) == '\'' || l.peek(2) == '"'):
		l.pos += 2
		s, err := l.quoted(false)
		if l.src[l.pos-1] == '"' || err != nil {
			// U&"..." identifiers are rare enough to leave unsupported.
			return pgerror.New(pgerror.FeatureNotSupported, "Unicode escape strings (U&) are not supported").WithPosition(charPos(src, start))
		}
		l.emit(tString, s, start)
		l.toks[len(l.toks)-1].prefix = 'u'
		return nil
	case isIdentStart(c):
		for l.pos < len(src) && isIdentCont(src[l.pos]) {
			l.pos++
		}
		l.emit(tIdent, lowerASCII(src[start:l.pos]), start)
		return nil
	case isDigit(c) || c == '.' && isDigit(l.peek(1)):
		return l.number()
	case c == '$':
		if isDigit(l.peek(1)) {
			l.pos++
			for l.pos < len(src) && isDigit(src[l.pos]) {
				l.pos++
			}
			n, err := strconv.Atoi(src[start+1 : l.pos])
			if err != nil || n > 65535 {
				return pgerror.Newf(pgerror.SyntaxError, "parameter number too large").WithPosition(charPos(src, start))
			}
			l.emit(tParam, src[start:l.pos], start)
			l.toks[len(l.toks)-1].num = n
			return nil
		}
		if tag, ok := l.dollarTag(); ok {
			return l.dollarString(tag)
		}
		l.pos++
		l.emit(tOp, "$", start)
		return nil
	case c == ':':
		if l.peek(1) == ':' {
			l.pos += 2
			l.emit(tPunct, "::", start)
			return nil
		}
		if l.peek(1) == '=' {
			l.pos += 2
			l.emit(tOp, ":=", start)
			return nil
		}
		l.pos++
		l.emit(tPunct, ":", start)
		return nil
	case strings.IndexByte("()[],;.", c) >= 0:
		l.pos++
		l.emit(tPunct, string(c), start)
		return nil
	case isOpChar(c):
		l.operator()
		return nil
	}
	// Anything else (a stray backslash, a control character) is a token of
	// its own so the parser reports it with PostgreSQL's wording.
	_, size := utf8.DecodeRuneInString(src[start:])
	l.pos += size
	l.emit(tOp, src[start:l.pos], start)
	return nil
}

func (l *lexer) peek(n int) byte {
	if l.pos+n < len(l.src) {
		return l.src[l.pos+n]
	}
	return 0
}

// lowerASCII lower-cases ASCII letters only, as PostgreSQL's
// downcase_identifier does in a UTF-8 database.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// quoted scans a '...' constant starting at l.pos (the opening quote),
// including PostgreSQL's continuation of constants separated by white
// space that contains a newline.
func (l *lexer) quoted(escapes bool) (string, error) {
	src := l.src
	start := l.pos
	var b strings.Builder
	l.pos++ // opening quote
	for {
		if l.pos >= len(src) {
			return "", l.errAt(start, "unterminated quoted string at or near %q", nearText(src, start))
		}
		c := src[l.pos]
		switch {
		case c == '\'':
			if l.peek(1) == '\'' {
				b.WriteByte('\'')
				l.pos += 2
				continue
			}
			l.pos++
			// 'foo'
			// 'bar' is one constant when a newline separates the parts.
			j, newline := l.pos, false
			for j < len(src) && isSpace(src[j]) {
				if src[j] == '\n' || src[j] == '\r' {
					newline = true
				}
				j++
			}
			if newline && j < len(src) && src[j] == '\'' {
				l.pos = j + 1
				continue
			}
			return b.String(), nil
		case c == '\\' && escapes:
			if err := l.backslash(&b); err != nil {
				return "", err
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// backslash decodes one escape of an E'...' constant at l.pos.
func (l *lexer) backslash(b *strings.Builder) error {
	src := l.src
	start := l.pos
	l.pos++
	if l.pos >= len(src) {
		return l.errAt(start, "unterminated quoted string at or near %q", nearText(src, start))
	}
	c := src[l.pos]
	l.pos++
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := int(c - '0')
		for i := 0; i < 2 && l.pos < len(src) && src[l.pos] >= '0' && src[l.pos] <= '7'; i++ {
			v = v*8 + int(src[l.pos]-'0')
			l.pos++
		}
		b.WriteByte(byte(v))
	case 'x':
		v, n := 0, 0
		for n < 2 && l.pos < len(src) && isHex(src[l.pos]) {
			v = v*16 + hexVal(src[l.pos])
			l.pos++
			n++
		}
		if n == 0 {
			b.WriteByte('x')
		} else {
			b.WriteByte(byte(v))
		}
	case 'u', 'U':
		n := 4
		if c == 'U' {
			n = 8
		}
		v := 0
		for i := 0; i < n; i++ {
			if l.pos >= len(src) || !isHex(src[l.pos]) {
				return l.errAt(start, "invalid Unicode escape at or near %q", nearText(src, start))
			}
			v = v*16 + hexVal(src[l.pos])
			l.pos++
		}
		if v == 0 || v > utf8.MaxRune || v >= 0xD800 && v <= 0xDFFF {
			return l.errAt(start, "invalid Unicode escape value at or near %q", nearText(src, start))
		}
		b.WriteRune(rune(v))
	default:
		b.WriteByte(c)
	}
	return nil
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

func (l *lexer) quotedIdent() error {
	src := l.src
	start := l.pos
	var b strings.Builder
	l.pos++
	for {
		if l.pos >= len(src) {
			return l.errAt(start, "unterminated quoted identifier at or near %q", nearText(src, start))
		}
		c := src[l.pos]
		if c == '"' {
			if l.peek(1) == '"' {
				b.WriteByte('"')
				l.pos += 2
				continue
			}
			l.pos++
			break
		}
		b.WriteByte(c)
		l.pos++
	}
	if b.Len() == 0 {
		return l.errAt(start, "zero-length delimited identifier at or near %q", `""`)
	}
	l.emit(tQIdent, b.String(), start)
	return nil
}

// dollarTag recognises the opening $tag$ of a dollar-quoted constant.
func (l *lexer) dollarTag() (string, bool) {
	src := l.src
	j := l.pos + 1
	if j < len(src) && src[j] == '$' {
		return "$$", true
	}
	if j >= len(src) || !isIdentStart(src[j]) {
		return "", false
	}
	for j < len(src) && (isIdentStart(src[j]) || isDigit(src[j])) {
		j++
	}
	if j < len(src) && src[j] == '$' {
		return src[l.pos : j+1], true
	}
	return "", false
}

func (l *lexer) dollarString(tag string) error {
	start := l.pos
	body := l.pos + len(tag)
	end := strings.Index(l.src[body:], tag)
	if end < 0 {
		return l.errAt(start, "unterminated dollar-quoted string at or near %q", nearText(l.src, start))
	}
	l.pos = body + end + len(tag)
	l.emit(tString, l.src[body:body+end], start)
	return nil
}

func (l *lexer) number() error {
	src := l.src
	start := l.pos
	for l.pos < len(src) && isDigit(src[l.pos]) {
		l.pos++
	}
	// "1..5" is not a decimal followed by ".5"; keep the dots apart.
	if l.pos < len(src) && src[l.pos] == '.' && l.peek(1) != '.' {
		l.pos++
		for l.pos < len(src) && isDigit(src[l.pos]) {
			l.pos++
		}
	}
	if l.pos < len(src) && (src[l.pos] == 'e' || src[l.pos] == 'E') {
		j := l.pos + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && isDigit(src[j]) {
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			l.pos = j
		}
	}
	if l.pos < len(src) && isIdentStart(src[l.pos]) {
		// PostgreSQL 15 rejects "123abc" rather than reading "123 AS abc".
		for l.pos < len(src) && isIdentCont(src[l.pos]) {
			l.pos++
		}
		return l.errAt(start, "trailing junk after numeric literal at or near %q", src[start:l.pos])
	}
	l.emit(tNumber, src[start:l.pos], start)
	return nil
}

// operator scans an operator with PostgreSQL's rules: the longest run of
// operator characters, stopping before a comment, and not ending in + or -
// unless the operator also holds one of ~ ! @ # % ^ & | ` ?.
func (l *lexer) operator() {
	src := l.src
	start := l.pos
	end := start
	for end < len(src) && isOpChar(src[end]) {
		if end > start && (strings.HasPrefix(src[end:], "--") || strings.HasPrefix(src[end:], "/*")) {
			break
		}
		end++
	}
	op := src[start:end]
	if len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') && !strings.ContainsAny(op, "~!@#%^&|`?") {
		for len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') {
			op = op[:len(op)-1]
		}
	}
	l.pos = start + len(op)
	if op == "!=" {
		op = "<>"
	}
	l.emit(tOp, op, start)
}

// charPos converts a byte offset into the 1-based character position
// PostgreSQL reports in error messages.
func charPos(src string, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		return 0
	}
	return utf8.RuneCountInString(src[:off]) + 1
}

// codeCharacterNotInRepertoire is PostgreSQL's character_not_in_repertoire
// (invalid byte sequence), which package pgerror does not name.
const codeCharacterNotInRepertoire = "22021"
