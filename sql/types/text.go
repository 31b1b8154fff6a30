package types

import (
	"math"
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
)

// This file holds the text codec: PostgreSQL 15's output and input
// functions with DateStyle ISO, MDY, IntervalStyle postgres, TimeZone UTC,
// bytea_output hex and extra_float_digits 1.

// AppendText appends PostgreSQL's text output of d as type t (NULL must be
// handled by the caller: d is never NULL here). It does not allocate for
// booleans, numbers and datetimes beyond growing buf. A datum whose kind
// does not fit t is printed by its kind, so that a planner bug shows up as
// a wrong value rather than a crash.
func AppendText(buf []byte, d Datum, t T) []byte {
	if d.K != t.Kind() {
		return appendByKind(buf, d)
	}
	switch t.Fam {
	case Bool:
		if d.I != 0 {
			return append(buf, 't')
		}
		return append(buf, 'f')
	case Int2, Int4, Int8:
		return strconv.AppendInt(buf, d.I, 10)
	case RegType:
		if typ, ok := FromOID(uint32(d.I)); ok {
			return append(buf, typ.String()...)
		}
		return strconv.AppendUint(buf, uint64(uint32(d.I)), 10)
	case Oid, RegClass, RegProc:
		// regclass and regproc print names in PostgreSQL; that needs the
		// catalog, so the session layer formats them.
		return strconv.AppendUint(buf, uint64(uint32(d.I)), 10)
	case Float4:
		return appendFloat(buf, d.Float(), 32)
	case Float8:
		return appendFloat(buf, d.Float(), 64)
	case Numeric:
		return AppendNumeric(buf, d.Decimal())
	case Char:
		return appendCharText(buf, d.S)
	case Timestamp:
		return appendTimestamp(buf, d.I, false)
	case Timestamptz:
		return appendTimestamp(buf, d.I, true)
	case Date:
		return appendDateText(buf, d.I)
	case Interval:
		return appendInterval(buf, d.Interval())
	case Bytea:
		return appendByteaHex(buf, d.S)
	case Array:
		return appendArrayText(buf, d.Array(), t.ElemType())
	case Record:
		return appendRecordText(buf, d.Array())
	case Void:
		return buf
	}
	return append(buf, d.S...)
}

// FormatText is AppendText into a new string.
func FormatText(d Datum, t T) string { return string(AppendText(nil, d, t)) }

// TypeOfKind is the type a datum of kind k is printed as when its SQL type
// is not known (record fields): bigint, double precision, numeric, text,
// timestamp, date, interval, bytea or text[].
func TypeOfKind(k Kind) T {
	switch k {
	case KBool:
		return TBool
	case KInt:
		return TInt8
	case KFloat:
		return TFloat8
	case KDecimal:
		return TNumeric
	case KTime:
		return TTimestamp
	case KDate:
		return TDate
	case KInterval:
		return TInterval
	case KArray:
		return TTextArray
	case KBytes:
		return TBytea
	}
	return TText
}

func appendByKind(buf []byte, d Datum) []byte {
	switch d.K {
	case KNull:
		return buf
	case KArray:
		return appendArrayText(buf, d.Array(), arrayTypeOf(d.Array()).ElemType())
	}
	return AppendText(buf, d, TypeOfKind(d.K))
}

// appendFloat prints the shortest decimal that reads back as the same
// float, exactly as PostgreSQL's float4out/float8out do with
// extra_float_digits 1 (see ryu.go).
func appendFloat(buf []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "NaN"...)
	case math.IsInf(f, 1):
		return append(buf, "Infinity"...)
	case math.IsInf(f, -1):
		return append(buf, "-Infinity"...)
	}
	return appendShortestFloat(buf, f, bits == 32)
}

const hexDigits = "0123456789abcdef"

func appendByteaHex(buf []byte, s string) []byte {
	buf = append(buf, '\\', 'x')
	for i := 0; i < len(s); i++ {
		buf = append(buf, hexDigits[s[i]>>4], hexDigits[s[i]&15])
	}
	return buf
}

// appendCharText is charout: NUL prints as nothing and bytes with the high
// bit set as \ooo.
func appendCharText(buf []byte, s string) []byte {
	if s == "" || s[0] == 0 {
		return buf
	}
	c := s[0]
	if c&0x80 != 0 {
		return append(buf, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
	}
	return append(buf, c)
}

// ParseText parses PostgreSQL's text input of type t; errors carry SQLSTATE
// 22P02/22007/22008/22003. Like PostgreSQL's input functions it applies
// numeric(p,s) and timestamp(p) modifiers; varchar(n) lengths are enforced
// by Cast.
func ParseText(s string, t T) (Datum, error) {
	switch t.Fam {
	case Bool:
		return parseBool(s)
	case Int2, Int4, Int8:
		v, err := parseInt(s, t.Fam)
		if err != nil {
			return Null, err
		}
		return NewInt(v), nil
	case Oid:
		return parseOid(s, "oid")
	case RegClass, RegType, RegProc:
		return parseRegText(s, t)
	case Float4, Float8:
		f, err := parseFloat(s, t.Fam)
		if err != nil {
			return Null, err
		}
		return NewFloat(f), nil
	case Numeric:
		d, err := NumericFromString(s)
		if err != nil {
			return Null, err
		}
		if t.Mod >= 0 {
			if d, err = ApplyNumericTypmod(d, t.Mod); err != nil {
				return Null, err
			}
		}
		return NewDecimal(d), nil
	case Text, Varchar, Unknown:
		return NewString(s), nil
	case Name:
		return NewString(truncateName(s)), nil
	case Char:
		return parseChar(s), nil
	case Json:
		if err := validateJSON(s, "json"); err != nil {
			return Null, err
		}
		return NewString(s), nil
	case Jsonb:
		out, err := normalizeJSONB(s)
		if err != nil {
			return Null, err
		}
		return NewString(out), nil
	case Timestamp, Timestamptz:
		return parseTimestamp(s, t)
	case Date:
		return parseDate(s)
	case Interval:
		return parseInterval(s, t.Mod)
	case Bytea:
		b, err := parseBytea(s)
		if err != nil {
			return Null, err
		}
		return Datum{K: KBytes, S: b}, nil
	case Array:
		return parseArrayText(s, t.ElemType())
	case Void:
		return Null, nil
	}
	return Null, pgerror.Newf(pgerror.FeatureNotSupported, "input of anonymous composite types is not implemented")
}

func invalidSyntax(typ, s string) error {
	return pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", typ, s)
}

// isPGSpace is C isspace, which PostgreSQL's input functions trim.
func isPGSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimPGSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isPGSpace(s[i]) {
		i++
	}
	for j > i && isPGSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// parseBool is boolin: any unique prefix of true/false/yes/no, on/off, 1/0.
func parseBool(s string) (Datum, error) {
	v := trimPGSpace(s)
	if v != "" {
		prefixOf := func(word string, minLen int) bool {
			return len(v) >= minLen && len(v) <= len(word) && strings.EqualFold(v, word[:len(v)])
		}
		c := v[0]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch c {
		case 't':
			if prefixOf("true", 1) {
				return NewBool(true), nil
			}
		case 'f':
			if prefixOf("false", 1) {
				return NewBool(false), nil
			}
		case 'y':
			if prefixOf("yes", 1) {
				return NewBool(true), nil
			}
		case 'n':
			if prefixOf("no", 1) {
				return NewBool(false), nil
			}
		case 'o':
			if prefixOf("on", 2) {
				return NewBool(true), nil
			}
			if prefixOf("off", 2) {
				return NewBool(false), nil
			}
		case '1':
			if v == "1" {
				return NewBool(true), nil
			}
		case '0':
			if v == "0" {
				return NewBool(false), nil
			}
		}
	}
	return Null, invalidSyntax("boolean", s)
}

// parseInt is pg_strtoint16/32/64: optional white space, sign and decimal
// digits, then white space.
func parseInt(s string, fam Family) (int64, error) {
	v := trimPGSpace(s)
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" {
		return 0, invalidSyntax(intTypeName(fam), s)
	}
	// Accumulate negatively so that the minimum value parses.
	var acc int64
	overflow := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) {
			return 0, invalidSyntax(intTypeName(fam), s)
		}
		d := int64(c - '0')
		if acc < (math.MinInt64+d)/10 {
			overflow = true
		}
		if !overflow {
			acc = acc*10 - d
		}
	}
	if !overflow && !neg {
		if acc == math.MinInt64 {
			overflow = true
		}
		acc = -acc
	}
	if !overflow {
		if _, err := checkIntRange(acc, fam); err != nil {
			overflow = true
		}
	}
	if overflow {
		return 0, pgerror.Newf(pgerror.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, intTypeName(fam))
	}
	return acc, nil
}

// parseOid is oidin: strtoul semantics, so "-1" is 4294967295.
func parseOid(s, typ string) (Datum, error) {
	v := trimPGSpace(s)
	neg := false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		neg = v[0] == '-'
		v = v[1:]
	}
	if v == "" {
		return Null, invalidSyntax(typ, s)
	}
	var acc uint64
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return Null, invalidSyntax(typ, s)
		}
		acc = acc*10 + uint64(v[i]-'0')
		if acc > math.MaxUint32 {
			return Null, pgerror.Newf(pgerror.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typ)
		}
	}
	if neg {
		if acc > 1<<31 {
			return Null, pgerror.Newf(pgerror.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typ)
		}
		acc = uint64(uint32(-int64(acc)))
	}
	return NewInt(int64(acc)), nil
}

// parseRegText accepts numeric OIDs for the reg* types and, for regtype,
// the names of built-in types. Relation and function names need the
// catalog and are resolved by the caller.
func parseRegText(s string, t T) (Datum, error) {
	v := trimPGSpace(s)
	if v != "" && isDigit(v[0]) {
		return parseOid(s, t.Fam.info().name)
	}
	switch t.Fam {
	case RegType:
		typ, err := ParseTypeName(v, nil)
		if err != nil {
			return Null, err
		}
		return NewInt(int64(typ.OID())), nil
	case RegProc:
		return Null, pgerror.Newf(pgerror.UndefinedFunction, "function \"%s\" does not exist", v)
	}
	return Null, pgerror.Newf(pgerror.UndefinedTable, "relation \"%s\" does not exist", v)
}

// parseFloat is float4in/float8in: strtod syntax plus NaN/Infinity, with
// overflow and underflow to zero reported as out of range.
func parseFloat(s string, fam Family) (float64, error) {
	typ := "double precision"
	bits := 64
	if fam == Float4 {
		typ, bits = "real", 32
	}
	v := trimPGSpace(s)
	if v == "" || strings.IndexByte(v, '_') >= 0 {
		return 0, invalidSyntax(typ, s)
	}
	f, err := strconv.ParseFloat(v, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, pgerror.Newf(pgerror.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typ)
		}
		return 0, invalidSyntax(typ, s)
	}
	if f == 0 && hasNonZeroMantissa(v) {
		return 0, pgerror.Newf(pgerror.NumericValueOutOfRange, "\"%s\" is out of range for type %s", v, typ)
	}
	return f, nil
}

func hasNonZeroMantissa(v string) bool {
	if len(v) > 2 && (strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") ||
		strings.HasPrefix(v[1:], "0x") || strings.HasPrefix(v[1:], "0X")) {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == 'e' || c == 'E' {
			return false
		}
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}

// nameDataLen-1 is the longest name PostgreSQL keeps (NAMEDATALEN 64).
const maxNameBytes = 63

// truncateName clips to 63 bytes without splitting a UTF-8 character, as
// namein does.
func truncateName(s string) string {
	if len(s) <= maxNameBytes {
		return s
	}
	n := maxNameBytes
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// parseChar is charin: \ooo, or the first byte. The NUL byte, which is
// also what the empty string gives, is kept as "".
func parseChar(s string) Datum {
	if len(s) == 4 && s[0] == '\\' && isOctal(s[1]) && isOctal(s[2]) && isOctal(s[3]) && s[1] <= '3' {
		return charDatum((s[1]-'0')<<6 | (s[2]-'0')<<3 | (s[3] - '0'))
	}
	if s == "" {
		return NewString("")
	}
	return charDatum(s[0])
}

func charDatum(c byte) Datum {
	if c == 0 {
		return NewString("")
	}
	return NewString(string([]byte{c}))
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// parseBytea is byteain: \x followed by hex pairs (white space allowed
// between pairs), or the escape format with \\ and \ooo.
func parseBytea(s string) (string, error) {
	if len(s) >= 2 && s[0] == '\\' && s[1] == 'x' {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if isPGSpace(c) {
				i++
				continue
			}
			hi, ok := hexVal(c)
			if !ok {
				return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[i:i+utf8Len(s[i:])])
			}
			if i+1 >= len(s) {
				return "", pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := hexVal(s[i+1])
			if !ok {
				if isPGSpace(s[i+1]) {
					return "", pgerror.New(pgerror.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
				}
				return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[i+1:i+1+utf8Len(s[i+1:])])
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return string(out), nil
	}
	if strings.IndexByte(s, '\\') < 0 {
		return s, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		default:
			return "", pgerror.New(pgerror.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return string(out), nil
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// utf8Len is the byte length of the UTF-8 sequence starting s, for quoting
// a whole character in error messages.
func utf8Len(s string) int {
	if s == "" {
		return 0
	}
	c := s[0]
	n := 1
	switch {
	case c >= 0xF0:
		n = 4
	case c >= 0xE0:
		n = 3
	case c >= 0xC0:
		n = 2
	}
	return min(n, len(s))
}
