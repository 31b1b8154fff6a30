package types

import (
	"strings"

	"streamsqld/sql/pgerror"
)

// Arrays are []Datum. A multi-dimensional array nests one KArray datum per
// sub-array; all sub-arrays of a level have the same length and lower
// bounds are always 1.

// appendArrayText is array_out: {a,b,"c d",NULL}.
func appendArrayText(buf []byte, elems []Datum, et T) []byte {
	buf = append(buf, '{')
	for i, e := range elems {
		if i > 0 {
			buf = append(buf, ',')
		}
		switch {
		case e.K == KNull:
			buf = append(buf, "NULL"...)
		case e.K == KArray && et.Kind() != KArray:
			buf = appendArrayText(buf, e.Array(), et)
		default:
			start := len(buf)
			buf = AppendText(buf, e, et)
			if arrayElemNeedsQuote(buf[start:]) {
				buf = quoteInPlace(buf, start, false)
			}
		}
	}
	return append(buf, '}')
}

func arrayElemNeedsQuote(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l' {
		return true
	}
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\':
			return true
		}
		if isPGSpace(c) {
			return true
		}
	}
	return false
}

// quoteInPlace wraps buf[start:] in double quotes, escaping '"' and '\'
// with a backslash (arrays) or doubling '"' (records).
func quoteInPlace(buf []byte, start int, record bool) []byte {
	var small [64]byte
	elem := append(small[:0], buf[start:]...)
	buf = append(buf[:start], '"')
	for _, c := range elem {
		switch {
		case c == '"' && record:
			buf = append(buf, '"', '"')
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		default:
			buf = append(buf, c)
		}
	}
	return append(buf, '"')
}

// appendRecordText is record_out for an anonymous record whose field
// types are taken from the datums' kinds: (1,abc,,"x y").
func appendRecordText(buf []byte, fields []Datum) []byte {
	buf = append(buf, '(')
	for i, f := range fields {
		if i > 0 {
			buf = append(buf, ',')
		}
		if f.K == KNull {
			continue
		}
		start := len(buf)
		buf = appendByKind(buf, f)
		if recordFieldNeedsQuote(buf[start:]) {
			buf = quoteInPlace(buf, start, true)
		}
	}
	return append(buf, ')')
}

func recordFieldNeedsQuote(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	for _, c := range s {
		switch c {
		case '"', '\\', '(', ')', ',':
			return true
		}
		if isPGSpace(c) {
			return true
		}
	}
	return false
}

// arrayParser is array_in's scanner over one literal.
type arrayParser struct {
	src  string
	pos  int
	et   T
	dims []int // length at each depth, fixed by the first sub-array seen
	err  error
}

func malformedArray(s, detail string) error {
	return pgerror.Newf(pgerror.InvalidTextRepresentation, "malformed array literal: \"%s\"", s).WithDetail(detail)
}

// parseArrayText is array_in for elements of type et.
func parseArrayText(s string, et T) (Datum, error) {
	p := &arrayParser{src: s, et: et}
	p.skipSpace()
	if p.pos < len(s) && s[p.pos] == '[' {
		// Explicit bounds ([1:3]={...}) are accepted and checked only for
		// syntax: arrays here always start at 1.
		for p.pos < len(s) && s[p.pos] == '[' {
			end := strings.IndexByte(s[p.pos:], ']')
			if end < 0 {
				return Null, malformedArray(s, "Missing \"]\" after array dimensions.")
			}
			p.pos += end + 1
			p.skipSpace()
		}
		if p.pos+1 > len(s) || s[p.pos] != '=' {
			return Null, malformedArray(s, "Missing \"=\" after array dimensions.")
		}
		p.pos++
		p.skipSpace()
	}
	if p.pos >= len(s) || s[p.pos] != '{' {
		return Null, malformedArray(s, "Array value must start with \"{\" or dimension information.")
	}
	elems, err := p.parseLevel(0)
	if err != nil {
		return Null, err
	}
	p.skipSpace()
	if p.pos != len(s) {
		return Null, malformedArray(s, "Junk after closing right brace.")
	}
	return NewArray(elems), nil
}

func (p *arrayParser) skipSpace() {
	for p.pos < len(p.src) && isPGSpace(p.src[p.pos]) {
		p.pos++
	}
}

// parseLevel parses {...} at p.pos at the given nesting depth.
func (p *arrayParser) parseLevel(depth int) ([]Datum, error) {
	s := p.src
	p.pos++ // '{'
	var elems []Datum
	nested := -1 // unknown; then 0 (scalars) or 1 (sub-arrays)
	p.skipSpace()
	if p.pos < len(s) && s[p.pos] == '}' {
		p.pos++
		if depth > 0 {
			return nil, malformedArray(s, "Multidimensional arrays must have sub-arrays with matching dimensions.")
		}
		return []Datum{}, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(s) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		c := s[p.pos]
		switch {
		case c == '{':
			if nested == 0 {
				return nil, malformedArray(s, "Unexpected \"{\" character.")
			}
			nested = 1
			sub, err := p.parseLevel(depth + 1)
			if err != nil {
				return nil, err
			}
			elems = append(elems, NewArray(sub))
		case c == '}' || c == ',':
			return nil, malformedArray(s, "Unexpected \""+string(c)+"\" character.")
		default:
			if nested == 1 {
				return nil, malformedArray(s, "Unexpected array element.")
			}
			nested = 0
			d, err := p.parseElem()
			if err != nil {
				return nil, err
			}
			elems = append(elems, d)
		}
		p.skipSpace()
		if p.pos >= len(s) {
			return nil, malformedArray(s, "Unexpected end of input.")
		}
		switch s[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			if err := p.checkDim(depth, len(elems)); err != nil {
				return nil, err
			}
			return elems, nil
		default:
			return nil, malformedArray(s, "Unexpected \""+string(s[p.pos])+"\" character.")
		}
	}
}

func (p *arrayParser) checkDim(depth, n int) error {
	for len(p.dims) <= depth {
		p.dims = append(p.dims, -1)
	}
	if p.dims[depth] == -1 {
		p.dims[depth] = n
		return nil
	}
	if p.dims[depth] != n {
		return malformedArray(p.src, "Multidimensional arrays must have sub-arrays with matching dimensions.")
	}
	return nil
}

// parseElem reads one quoted or unquoted element and parses it as p.et.
func (p *arrayParser) parseElem() (Datum, error) {
	s := p.src
	var b strings.Builder
	if s[p.pos] == '"' {
		p.pos++
		for {
			if p.pos >= len(s) {
				return Null, malformedArray(s, "Unexpected end of input.")
			}
			c := s[p.pos]
			if c == '\\' {
				if p.pos+1 >= len(s) {
					return Null, malformedArray(s, "Unexpected end of input.")
				}
				b.WriteByte(s[p.pos+1])
				p.pos += 2
				continue
			}
			p.pos++
			if c == '"' {
				break
			}
			b.WriteByte(c)
		}
	} else {
		// Unquoted: up to ',' or '}', trailing unescaped white space dropped.
		keep := 0 // length of b up to the last escaped or non-space byte
		escaped := false
		for p.pos < len(s) {
			c := s[p.pos]
			if c == ',' || c == '}' {
				break
			}
			if c == '"' || c == '{' {
				return Null, malformedArray(s, "Unexpected \""+string(c)+"\" character.")
			}
			if c == '\\' {
				if p.pos+1 >= len(s) {
					return Null, malformedArray(s, "Unexpected end of input.")
				}
				b.WriteByte(s[p.pos+1])
				p.pos += 2
				keep = b.Len()
				escaped = true
				continue
			}
			b.WriteByte(c)
			p.pos++
			if !isPGSpace(c) {
				keep = b.Len()
			}
		}
		str := b.String()[:keep]
		if !escaped && strings.EqualFold(str, "null") {
			return Null, nil
		}
		return ParseText(str, p.et)
	}
	return ParseText(b.String(), p.et)
}
