package types

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"streamsqld/sql/pgerror"
)

// json values are kept as their input text (after validation), jsonb values
// as PostgreSQL's canonical jsonb output: keys sorted by length then bytes,
// duplicate keys resolved to the last, numbers in NUMERIC form and
// ", " / ": " separators. Comparing canonical texts is therefore equality
// of jsonb values.

// maxJSONDepth bounds nesting so hostile input cannot exhaust memory.
const maxJSONDepth = 6400

type jsonParser struct {
	src   string
	pos   int
	canon bool // build canonical jsonb text
	depth int
	err   error
}

func jsonSyntaxError(detail string) error {
	return pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type json").WithDetail(detail)
}

func validateJSON(s, _ string) error {
	p := &jsonParser{src: s}
	p.value(nil)
	if p.err == nil {
		p.skipSpace()
		if p.pos != len(s) {
			p.fail()
		}
	}
	return p.err
}

func normalizeJSONB(s string) (string, error) {
	p := &jsonParser{src: s, canon: true}
	out := p.value(make([]byte, 0, len(s)+8))
	if p.err == nil {
		p.skipSpace()
		if p.pos != len(s) {
			p.fail()
		}
	}
	if p.err != nil {
		return "", p.err
	}
	return string(out), nil
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// fail records a syntax error at the current token, as PostgreSQL's
// "Token ... is invalid." detail.
func (p *jsonParser) fail() {
	if p.err != nil {
		return
	}
	if p.pos >= len(p.src) {
		p.err = jsonSyntaxError("The input string ended unexpectedly.")
		return
	}
	end := p.pos
	for end < len(p.src) && (isAlpha(p.src[end]) || isDigit(p.src[end])) {
		end++
	}
	if end == p.pos {
		end += utf8Len(p.src[p.pos:])
	}
	p.err = jsonSyntaxError("Token \"" + p.src[p.pos:end] + "\" is invalid.")
}

// value parses one JSON value, appending its canonical form to out when
// canonicalizing.
func (p *jsonParser) value(out []byte) []byte {
	p.skipSpace()
	if p.err != nil {
		return out
	}
	if p.pos >= len(p.src) {
		p.fail()
		return out
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(out)
	case c == '[':
		return p.array(out)
	case c == '"':
		str, ok := p.str()
		if !ok {
			return out
		}
		if p.canon {
			out = appendJSONString(out, str)
		}
		return out
	case c == '-' || isDigit(c):
		return p.number(out)
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if strings.HasPrefix(p.src[p.pos:], lit) {
				end := p.pos + len(lit)
				if end < len(p.src) && (isAlpha(p.src[end]) || isDigit(p.src[end])) {
					break
				}
				p.pos = end
				if p.canon {
					out = append(out, lit...)
				}
				return out
			}
		}
		p.fail()
		return out
	}
}

func (p *jsonParser) enter() bool {
	p.depth++
	if p.depth > maxJSONDepth {
		p.err = pgerror.Newf(pgerror.StatementTooComplex, "stack depth limit exceeded")
		return false
	}
	return true
}

type jsonPair struct {
	key string
	val string
}

func (p *jsonParser) object(out []byte) []byte {
	if !p.enter() {
		return out
	}
	defer func() { p.depth-- }()
	p.pos++ // '{'
	var pairs []jsonPair
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		if p.canon {
			out = append(out, '{', '}')
		}
		return out
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			p.fail()
			return out
		}
		key, ok := p.str()
		if !ok {
			return out
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			p.fail()
			return out
		}
		p.pos++
		var val []byte
		if p.canon {
			val = p.value(nil)
		} else {
			p.value(nil)
		}
		if p.err != nil {
			return out
		}
		if p.canon {
			pairs = append(pairs, jsonPair{key, string(val)})
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.fail()
			return out
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.src[p.pos] != '}' {
			p.fail()
			return out
		}
		p.pos++
		break
	}
	if !p.canon {
		return out
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		a, b := pairs[i].key, pairs[j].key
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	})
	out = append(out, '{')
	first := true
	for i := range pairs {
		if i+1 < len(pairs) && pairs[i+1].key == pairs[i].key {
			continue // a later duplicate wins
		}
		if !first {
			out = append(out, ',', ' ')
		}
		first = false
		out = appendJSONString(out, pairs[i].key)
		out = append(out, ':', ' ')
		out = append(out, pairs[i].val...)
	}
	return append(out, '}')
}

func (p *jsonParser) array(out []byte) []byte {
	if !p.enter() {
		return out
	}
	defer func() { p.depth-- }()
	p.pos++ // '['
	if p.canon {
		out = append(out, '[')
	}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		if p.canon {
			out = append(out, ']')
		}
		return out
	}
	for n := 0; ; n++ {
		if n > 0 && p.canon {
			out = append(out, ',', ' ')
		}
		out = p.value(out)
		if p.err != nil {
			return out
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.fail()
			return out
		}
		if p.src[p.pos] == ',' {
			p.pos++
			continue
		}
		if p.src[p.pos] != ']' {
			p.fail()
			return out
		}
		p.pos++
		if p.canon {
			out = append(out, ']')
		}
		return out
	}
}

// number scans JSON number syntax; jsonb keeps it as NUMERIC text.
func (p *jsonParser) number(out []byte) []byte {
	s := p.src
	start := p.pos
	i := p.pos
	if s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		p.fail()
		return out
	}
	if s[i] == '0' {
		i++
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = start
			p.fail()
			return out
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			p.pos = start
			p.fail()
			return out
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (isAlpha(s[i]) || s[i] == '_') {
		p.fail()
		return out
	}
	p.pos = i
	if p.canon {
		d, err := NumericFromString(s[start:i])
		if err != nil {
			p.err = err
			return out
		}
		out = AppendNumeric(out, d)
	}
	return out
}

// str scans a JSON string at p.pos and returns its decoded value.
func (p *jsonParser) str() (string, bool) {
	s := p.src
	i := p.pos + 1
	start := i
	// Fast path: no escapes.
	for i < len(s) && s[i] != '"' && s[i] != '\\' && s[i] >= 0x20 {
		i++
	}
	if i < len(s) && s[i] == '"' {
		p.pos = i + 1
		return s[start:i], true
	}
	var b strings.Builder
	b.WriteString(s[start:i])
	for {
		if i >= len(s) {
			p.pos = i
			p.fail()
			return "", false
		}
		c := s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), true
		case c < 0x20:
			p.pos = i
			p.err = jsonSyntaxError("Character with value 0x" + strconv.FormatUint(uint64(c)|0x100, 16)[1:] + " must be escaped.")
			return "", false
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			p.pos = i + 1
			p.fail()
			return "", false
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
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
		case 'u':
			r, n, status := decodeUEscape(s[i:])
			switch status {
			case uescBadHex:
				p.pos = i
				p.err = jsonSyntaxError("\"\\u\" must be followed by four hexadecimal digits.")
				return "", false
			case uescBadSurrogate:
				p.pos = i
				p.err = jsonSyntaxError("Unicode low surrogate must follow a high surrogate.")
				return "", false
			}
			if r == 0 && p.canon {
				p.err = pgerror.New("22P05", "unsupported Unicode escape sequence").WithDetail("\\u0000 cannot be converted to text.")
				return "", false
			}
			b.WriteRune(r)
			i += n
			continue
		default:
			p.pos = i
			p.err = jsonSyntaxError("Escape sequence \"\\" + string(e) + "\" is invalid.")
			return "", false
		}
		i += 2
	}
}

const (
	uescOK = iota
	uescBadHex
	uescBadSurrogate
)

// decodeUEscape decodes \uXXXX (and a following low surrogate) at the
// start of s, returning the rune and the bytes consumed.
func decodeUEscape(s string) (rune, int, int) {
	hex4 := func(t string) (rune, bool) {
		if len(t) < 4 {
			return 0, false
		}
		var v rune
		for k := 0; k < 4; k++ {
			h, ok := hexVal(t[k])
			if !ok {
				return 0, false
			}
			v = v<<4 | rune(h)
		}
		return v, true
	}
	r, ok := hex4(s[2:])
	if !ok {
		return 0, 0, uescBadHex
	}
	if utf16.IsSurrogate(r) {
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if r2, ok := hex4(s[8:]); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, 12, uescOK
				}
			}
		}
		return 0, 0, uescBadSurrogate
	}
	return r, 6, uescOK
}

// appendJSONString is PostgreSQL's escape_json.
func appendJSONString(out []byte, s string) []byte {
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			out = append(out, '\\', '"')
		case '\\':
			out = append(out, '\\', '\\')
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			if c < 0x20 {
				out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			} else {
				out = append(out, c)
			}
		}
	}
	return append(out, '"')
}
