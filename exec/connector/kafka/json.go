package kafka

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"streamsqld/sql/types"
)

// Decoder turns JSON objects into rows of a fixed schema in one pass over
// the bytes: top-level keys are matched against the column names
// (case-insensitively, an exact match winning), values are converted
// straight into Datums, and everything else (unknown keys, nested values
// of columns that do not want them) is skipped without being
// materialized. Missing keys and JSON null give NULL; a repeated key keeps
// its last value, as jsonb does.
//
// Conversions follow what a user would expect of an implicit cast:
//   - numbers into integer, float and numeric columns; an integer column
//     takes a float only when it is integral (2.0, 1e3);
//   - strings into any column through the type's text input (so "42" fills
//     an INT and "2024-05-01T10:00:00Z" a TIMESTAMP);
//   - timestamps as RFC 3339 or 'YYYY-MM-DD HH:MM:SS[.ffffff]' strings, or
//     epoch milliseconds numbers; a zone offset is converted to UTC for
//     TIMESTAMP columns too, because an event time is an instant and
//     dropping the offset would reorder events from different zones;
//   - anything into text columns (non-strings as their JSON text) and into
//     json/jsonb columns (as JSON text).
//
// A Decoder reuses its buffers across calls and is not safe for concurrent
// use. Decoding allocates one string per record for all its text values
// (they share it), plus whatever NUMERIC and fallback parsing allocate.
type Decoder struct {
	cols   []types.Column
	exact  map[string]int // column name -> index
	folded map[string]int // lower-cased column name -> first index
	// follow[prev+1] is the column whose key followed column prev's key in
	// the previous record: producers write keys in a stable order, so one
	// comparison usually resolves a key without hashing it.
	follow []int
	text   []bool // column values are gathered in the arena
	// arena collects the text of this record's string values; one string
	// conversion at the end backs every text Datum. span[col] locates the
	// column's text in it (-1: none).
	arena []byte
	span  [][2]int32
	// scratch holds an unescaped key or string that is parsed, not kept;
	// fold a lower-cased key (which may itself live in scratch).
	scratch []byte
	fold    []byte
}

// maxNesting bounds the depth of skipped or embedded JSON values, so
// hostile input cannot exhaust the stack.
const maxNesting = 512

// NewDecoder returns a decoder of rows with the given columns.
func NewDecoder(cols []types.Column) *Decoder {
	d := &Decoder{
		cols:   cols,
		exact:  make(map[string]int, len(cols)),
		folded: make(map[string]int, len(cols)),
		follow: make([]int, len(cols)+1),
		text:   make([]bool, len(cols)),
		span:   make([][2]int32, len(cols)),
	}
	for i, c := range cols {
		if !hasKey(d.exact, c.Name) {
			d.exact[c.Name] = i
		}
		if k := strings.ToLower(c.Name); !hasKey(d.folded, k) {
			d.folded[k] = i
		}
		d.text[i] = isTextFamily(c.Type.Fam)
	}
	for i := range d.follow {
		d.follow[i] = -1
	}
	return d
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

func isTextFamily(f types.Family) bool {
	switch f {
	case types.Text, types.Varchar, types.Unknown, types.Json:
		return true
	}
	return false
}

// DecodeError describes why a record could not be decoded.
type DecodeError struct {
	Column string // empty for syntax errors outside a column's value
	Offset int    // byte offset in the record
	Msg    string
}

func (e *DecodeError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("column %q: %s (at byte %d)", e.Column, e.Msg, e.Offset)
	}
	return fmt.Sprintf("%s (at byte %d)", e.Msg, e.Offset)
}

// errSyntax is the cause of syntax errors; the caller adds the position.
var errSyntax = errors.New("invalid JSON")

// Decode decodes the JSON object b into row, which must have one Datum per
// column. b is not retained. On error row holds partial values.
func (d *Decoder) Decode(b []byte, row types.Row) error {
	if len(row) != len(d.cols) {
		return fmt.Errorf("kafka: row has %d values for %d columns", len(row), len(d.cols))
	}
	for i := range row {
		row[i] = types.Null
		d.span[i][0] = -1
	}
	d.arena = d.arena[:0]
	p := skipWS(b, 0)
	if p >= len(b) || b[p] != '{' {
		if p >= len(b) {
			return &DecodeError{Offset: p, Msg: "empty record"}
		}
		return &DecodeError{Offset: p, Msg: "record is not a JSON object"}
	}
	p = skipWS(b, p+1)
	prev := -1
	if p < len(b) && b[p] == '}' {
		p++
	} else {
		for {
			if p >= len(b) || b[p] != '"' {
				return syntaxErr(b, p, "expected an object key")
			}
			key, np, err := d.key(b, p)
			if err != nil {
				return &DecodeError{Offset: p, Msg: err.Error()}
			}
			col := d.lookup(key, prev)
			p = skipWS(b, np)
			if p >= len(b) || b[p] != ':' {
				return syntaxErr(b, p, "expected ':'")
			}
			p = skipWS(b, p+1)
			start := p
			if col < 0 {
				p, err = skipValue(b, p, 0)
			} else {
				prev = col
				p, err = d.field(b, p, col, row)
			}
			if err != nil {
				de := &DecodeError{Offset: start, Msg: err.Error()}
				if col >= 0 && !errors.Is(err, errSyntax) {
					de.Column = d.cols[col].Name
				}
				return de
			}
			p = skipWS(b, p)
			if p < len(b) && b[p] == ',' {
				p = skipWS(b, p+1)
				continue
			}
			if p < len(b) && b[p] == '}' {
				p++
				break
			}
			return syntaxErr(b, p, "expected ',' or '}'")
		}
	}
	if p = skipWS(b, p); p != len(b) {
		return syntaxErr(b, p, "unexpected data after the object")
	}
	if len(d.arena) > 0 {
		s := string(d.arena)
		for i, sp := range d.span {
			if sp[0] >= 0 {
				row[i] = types.NewString(s[sp[0]:sp[1]])
			}
		}
	}
	return nil
}

func syntaxErr(b []byte, p int, what string) error {
	if p >= len(b) {
		return &DecodeError{Offset: p, Msg: "invalid JSON: unexpected end of record, " + what}
	}
	return &DecodeError{Offset: p, Msg: fmt.Sprintf("invalid JSON: unexpected %q, %s", b[p], what)}
}

// lookup returns the column of key, or -1; prev is the column of the
// previous matched key (-1 at the start of the record).
func (d *Decoder) lookup(key []byte, prev int) int {
	slot := &d.follow[prev+1]
	if c := *slot; c >= 0 && string(key) == d.cols[c].Name {
		return c
	}
	c, ok := d.exact[string(key)]
	if !ok {
		c = d.lookupFold(key)
	}
	if c >= 0 {
		*slot = c
	}
	return c
}

func (d *Decoder) lookupFold(key []byte) int {
	ascii := true
	upper := false
	for _, c := range key {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if ascii && !upper {
		if c, ok := d.folded[string(key)]; ok {
			return c
		}
		return -1
	}
	var lower []byte
	if ascii {
		lower = append(d.fold[:0], key...)
		for i, c := range lower {
			if 'A' <= c && c <= 'Z' {
				lower[i] = c + 'a' - 'A'
			}
		}
		d.fold = lower
	} else {
		lower = bytes.ToLower(key)
	}
	if c, ok := d.folded[string(lower)]; ok {
		return c
	}
	return -1
}

// key scans the object key at b[p] == '"' and returns its unescaped bytes
// (valid until the next scratch use) and the position after it.
func (d *Decoder) key(b []byte, p int) ([]byte, int, error) {
	end, esc, err := scanString(b, p)
	if err != nil {
		return nil, 0, err
	}
	if !esc {
		return b[p+1 : end-1], end, nil
	}
	k, err := unescape(d.scratch[:0], b[p+1:end-1])
	if err != nil {
		return nil, 0, err
	}
	d.scratch = k
	return k, end, nil
}

// field decodes the value at b[p] into column col.
func (d *Decoder) field(b []byte, p, col int, row types.Row) (int, error) {
	d.span[col][0] = -1
	row[col] = types.Null
	if d.text[col] {
		return d.textField(b, p, col)
	}
	v, np, err := d.value(b, p, d.cols[col].Type)
	if err != nil {
		return 0, err
	}
	row[col] = v
	return np, nil
}

// textField decodes the value at b[p] into the text column col: its text
// goes to the arena and becomes a string when the record is complete.
func (d *Decoder) textField(b []byte, p, col int) (int, error) {
	start := len(d.arena)
	arena, end, null, err := appendText(d.arena, b, p, d.cols[col].Type)
	if err != nil {
		return 0, err
	}
	d.arena = arena
	if null {
		return end, nil
	}
	if len(d.arena) > math.MaxInt32 {
		return 0, errors.New("record too large")
	}
	d.span[col] = [2]int32{int32(start), int32(len(d.arena))}
	return end, nil
}

// appendText appends the text of the JSON value at b[p] for a column of
// text family t: strings unescaped (json columns keep the quoted JSON
// text), anything else as its JSON text. null reports a JSON null, which
// appends nothing.
func appendText(dst, b []byte, p int, t types.T) (_ []byte, end int, null bool, err error) {
	if p >= len(b) {
		return dst, 0, false, errSyntax
	}
	start := len(dst)
	switch c := b[p]; {
	case c == 'n':
		if !hasLiteral(b, p, "null") {
			return dst, 0, false, errSyntax
		}
		return dst, p + 4, true, nil
	case c == '"' && t.Fam != types.Json:
		var esc bool
		if end, esc, err = scanString(b, p); err != nil {
			return dst, 0, false, err
		}
		if esc {
			if dst, err = unescape(dst, b[p+1:end-1]); err != nil {
				return dst, 0, false, err
			}
		} else {
			dst = append(dst, b[p+1:end-1]...)
		}
	default:
		if end, err = skipValue(b, p, 0); err != nil {
			return dst, 0, false, err
		}
		dst = append(dst, b[p:end]...)
	}
	if t.Fam == types.Varchar && t.Mod >= 0 {
		if err := checkVarchar(dst[start:], t); err != nil {
			return dst, 0, false, err
		}
	}
	return dst, end, false, nil
}

// checkVarchar enforces varchar(n) as an INSERT would: excess characters
// make the record invalid unless they are spaces.
func checkVarchar(s []byte, t types.T) error {
	if len(s) <= int(t.Mod) {
		return nil
	}
	if _, err := types.CheckVarcharLength(unsafeString(s), t); err != nil {
		return err
	}
	return nil
}

// value decodes the JSON value at b[p] into a Datum of type t, which is
// not a text family (those go through textField).
func (d *Decoder) value(b []byte, p int, t types.T) (types.Datum, int, error) {
	if p >= len(b) {
		return types.Null, 0, errSyntax
	}
	switch c := b[p]; {
	case c == '"':
		end, esc, err := scanString(b, p)
		if err != nil {
			return types.Null, 0, err
		}
		s := b[p+1 : end-1]
		if esc {
			if s, err = unescape(d.scratch[:0], s); err != nil {
				return types.Null, 0, err
			}
			d.scratch = s
		}
		v, err := fromString(s, b[p:end], t)
		return v, end, err
	case c == '-' || ('0' <= c && c <= '9'):
		end, isInt, err := scanNumber(b, p)
		if err != nil {
			return types.Null, 0, err
		}
		v, err := fromNumber(b[p:end], isInt, t)
		return v, end, err
	case c == 't' || c == 'f':
		lit := "false"
		if c == 't' {
			lit = "true"
		}
		if !hasLiteral(b, p, lit) {
			return types.Null, 0, errSyntax
		}
		v, err := fromBool(c == 't', lit, t)
		return v, p + len(lit), err
	case c == 'n':
		if !hasLiteral(b, p, "null") {
			return types.Null, 0, errSyntax
		}
		return types.Null, p + 4, nil
	case c == '[' && t.Fam == types.Array:
		return d.array(b, p, t)
	case c == '{' || c == '[':
		end, err := skipValue(b, p, 0)
		if err != nil {
			return types.Null, 0, err
		}
		if t.Fam == types.Jsonb {
			v, err := types.ParseText(string(b[p:end]), t)
			return v, end, err
		}
		what := "an object"
		if c == '[' {
			what = "an array"
		}
		return types.Null, 0, fmt.Errorf("cannot convert %s to %s", what, t)
	}
	return types.Null, 0, errSyntax
}

// array decodes a JSON array into an SQL array of t's element type.
func (d *Decoder) array(b []byte, p int, t types.T) (types.Datum, int, error) {
	et := t.ElemType()
	elems := []types.Datum{}
	p = skipWS(b, p+1)
	if p < len(b) && b[p] == ']' {
		return types.NewArray(elems), p + 1, nil
	}
	for {
		var v types.Datum
		var err error
		if isTextFamily(et.Fam) {
			v, p, err = d.textValue(b, p, et)
		} else {
			v, p, err = d.value(b, p, et)
		}
		if err != nil {
			return types.Null, 0, err
		}
		elems = append(elems, v)
		p = skipWS(b, p)
		if p < len(b) && b[p] == ',' {
			p = skipWS(b, p+1)
			continue
		}
		if p < len(b) && b[p] == ']' {
			return types.NewArray(elems), p + 1, nil
		}
		return types.Null, 0, errSyntax
	}
}

// textValue decodes an array element of text family t into its own
// string.
func (d *Decoder) textValue(b []byte, p int, t types.T) (types.Datum, int, error) {
	s, end, null, err := appendText(d.scratch[:0], b, p, t)
	d.scratch = s
	if err != nil || null {
		return types.Null, end, err
	}
	return types.NewString(string(s)), end, nil
}

// fromString converts the unescaped string s (raw: its quoted JSON text)
// to type t.
func fromString(s, raw []byte, t types.T) (types.Datum, error) {
	switch t.Fam {
	case types.Int2, types.Int4, types.Int8:
		if v, ok := parseIntFast(s); ok {
			return intDatum(v, t)
		}
	case types.Timestamp, types.Timestamptz:
		if us, ok := parseTimestampFast(s); ok {
			return timeDatum(us, t)
		}
		// Zones are honoured for TIMESTAMP too (see Decoder).
		v, err := types.ParseText(string(s), types.TTimestamptz)
		if err != nil {
			return types.Null, err
		}
		return timeDatum(v.I, t)
	case types.Jsonb:
		return types.ParseText(string(raw), t)
	case types.Record, types.RegClass, types.RegProc, types.RegType, types.Void:
		return types.Null, fmt.Errorf("cannot convert a JSON string to %s", t)
	}
	return types.ParseText(string(s), t)
}

// fromNumber converts the JSON number num to type t.
func fromNumber(num []byte, isInt bool, t types.T) (types.Datum, error) {
	switch t.Fam {
	case types.Int2, types.Int4, types.Int8:
		if isInt {
			if v, ok := parseIntFast(num); ok {
				return intDatum(v, t)
			}
			return types.Null, fmt.Errorf("value %s is out of range for type %s", num, t)
		}
		f, err := strconv.ParseFloat(unsafeString(num), 64)
		if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
			return types.Null, fmt.Errorf("value %s is not a valid %s", num, t)
		}
		return intDatum(int64(f), t)
	case types.Float8, types.Float4:
		f, err := strconv.ParseFloat(unsafeString(num), 64)
		if err != nil {
			return types.Null, fmt.Errorf("value %s is out of range for type %s", num, t)
		}
		if t.Fam == types.Float4 {
			f32 := float32(f)
			if math.IsInf(float64(f32), 0) {
				return types.Null, fmt.Errorf("value %s is out of range for type real", num)
			}
			f = float64(f32)
		}
		return types.NewFloat(f), nil
	case types.Numeric:
		return types.ParseText(string(num), t)
	case types.Timestamp, types.Timestamptz:
		// Epoch milliseconds.
		if isInt {
			ms, ok := parseIntFast(num)
			if !ok || ms > math.MaxInt64/1000 || ms < math.MinInt64/1000 {
				return types.Null, fmt.Errorf("epoch milliseconds %s out of range", num)
			}
			return timeDatum(ms*1000, t)
		}
		f, err := strconv.ParseFloat(unsafeString(num), 64)
		us := math.Round(f * 1000)
		if err != nil || us >= 1<<62 || us <= -(1<<62) {
			return types.Null, fmt.Errorf("epoch milliseconds %s out of range", num)
		}
		return timeDatum(int64(us), t)
	case types.Date:
		if !isInt {
			break
		}
		ms, ok := parseIntFast(num)
		if !ok {
			return types.Null, fmt.Errorf("epoch milliseconds %s out of range", num)
		}
		days := ms / 86400000
		if ms%86400000 < 0 {
			days--
		}
		return types.NewDate(days), nil
	case types.Bool:
		if isInt && len(num) == 1 && (num[0] == '0' || num[0] == '1') {
			return types.NewBool(num[0] == '1'), nil
		}
	case types.Jsonb:
		return types.ParseText(string(num), t)
	case types.Oid:
		return types.ParseText(string(num), t)
	}
	return types.Null, fmt.Errorf("cannot convert number %s to %s", num, t)
}

func fromBool(v bool, lit string, t types.T) (types.Datum, error) {
	switch t.Fam {
	case types.Bool:
		return types.NewBool(v), nil
	case types.Jsonb:
		return types.NewString(lit), nil
	}
	return types.Null, fmt.Errorf("cannot convert %s to %s", lit, t)
}

func intDatum(v int64, t types.T) (types.Datum, error) {
	switch t.Fam {
	case types.Int2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return types.Null, errors.New("smallint out of range")
		}
	case types.Int4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return types.Null, errors.New("integer out of range")
		}
	}
	return types.NewInt(v), nil
}

// minTimeMicros is PostgreSQL's lowest timestamp, 4714-11-24 00:00:00 BC;
// its highest lies beyond int64 microseconds from 1970.
const minTimeMicros = -210866803200000000

func timeDatum(us int64, t types.T) (types.Datum, error) {
	if us != types.TimeNegInfinity && us < minTimeMicros {
		return types.Null, errors.New("timestamp out of range")
	}
	v := types.NewTime(us)
	if t.Mod >= 0 {
		return types.Cast(v, types.T{Fam: t.Fam, Mod: -1}, t)
	}
	return v, nil
}

// parseIntFast parses an optionally signed decimal integer without
// spaces; ok is false on syntax errors and overflow.
func parseIntFast(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// parseTimestampFast parses YYYY-MM-DD[T ]HH:MM[:SS[.fraction]] with an
// optional Z or ±HH[[:]MM] zone, returning microseconds since the epoch in
// UTC. ok is false for anything else (left to the full parser).
func parseTimestampFast(s []byte) (int64, bool) {
	if len(s) < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || s[13] != ':' {
		return 0, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || year == 0 || month < 1 || month > 12 || day < 1 ||
		day > daysIn(year, month) || hour > 23 || minute > 59 {
		return 0, false
	}
	i := 16
	var sec, frac int64
	if i < len(s) && s[i] == ':' {
		if i+3 > len(s) {
			return 0, false
		}
		v, ok := digits(s[i+1 : i+3])
		if !ok || v > 59 {
			return 0, false
		}
		sec = v
		i += 3
		if i < len(s) && s[i] == '.' {
			i++
			n := 0
			for i < len(s) && '0' <= s[i] && s[i] <= '9' {
				if n < 7 {
					frac = frac*10 + int64(s[i]-'0')
				}
				n++
				i++
			}
			if n == 0 {
				return 0, false
			}
			for ; n < 7; n++ {
				frac *= 10
			}
			// Seven digits kept: round half up to microseconds.
			frac = (frac + 5) / 10
		}
	}
	var off int64
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z':
			i++
		case '+', '-':
			sign := int64(1)
			if s[i] == '-' {
				sign = -1
			}
			i++
			if i+2 > len(s) {
				return 0, false
			}
			oh, ok := digits(s[i : i+2])
			if !ok || oh > 15 {
				return 0, false
			}
			i += 2
			var om int64
			if i < len(s) {
				if s[i] == ':' {
					i++
				}
				if i+2 > len(s) {
					return 0, false
				}
				if om, ok = digits(s[i : i+2]); !ok || om > 59 {
					return 0, false
				}
				i += 2
			}
			off = sign * (oh*3600 + om*60)
		default:
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	days := types.DaysFromCivil(year, int(month), int(day))
	secs := days*86400 + hour*3600 + minute*60 + sec - off
	return secs*1e6 + frac, true
}

func digits(s []byte) (int64, bool) {
	var v int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

func daysIn(year, month int64) int64 {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// unsafeString views b as a string for parsing calls that do not retain
// it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func skipWS(b []byte, p int) int {
	for p < len(b) {
		switch b[p] {
		case ' ', '\t', '\n', '\r':
			p++
		default:
			return p
		}
	}
	return p
}

func hasLiteral(b []byte, p int, lit string) bool {
	return len(b)-p >= len(lit) && string(b[p:p+len(lit)]) == lit
}

// scanString scans the string starting at b[p] == '"' and returns the
// position after its closing quote and whether it contains escapes. It
// rejects control characters and invalid UTF-8, which PostgreSQL text
// cannot hold.
func scanString(b []byte, p int) (end int, esc bool, err error) {
	i := p + 1
	nonASCII := false
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			if nonASCII && !utf8.Valid(b[p+1:i]) {
				return 0, false, errors.New("invalid UTF-8 in string")
			}
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			i += 2
			continue
		case c < 0x20:
			return 0, false, fmt.Errorf("%w: control character in string", errSyntax)
		case c >= utf8.RuneSelf:
			nonASCII = true
		}
		i++
	}
	return 0, false, fmt.Errorf("%w: unterminated string", errSyntax)
}

// unescape appends the unescaped content of a JSON string (without its
// quotes) to dst.
func unescape(dst, s []byte) ([]byte, error) {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := bytes.IndexByte(s[i:], '\\')
			if j < 0 {
				return append(dst, s[i:]...), nil
			}
			dst = append(dst, s[i:i+j]...)
			i += j
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("%w: bad escape", errSyntax)
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n, ok := decodeU(s[i:])
			if !ok {
				return nil, fmt.Errorf("%w: bad \\u escape", errSyntax)
			}
			if r == 0 {
				return nil, errors.New(`\u0000 cannot be converted to text`)
			}
			dst = utf8.AppendRune(dst, r)
			i += n
			continue
		default:
			return nil, fmt.Errorf("%w: bad escape \\%c", errSyntax, e)
		}
		i += 2
	}
	return dst, nil
}

// decodeU decodes \uXXXX (and a following low surrogate) at s[0].
func decodeU(s []byte) (rune, int, bool) {
	hex4 := func(s []byte) (rune, bool) {
		if len(s) < 4 {
			return 0, false
		}
		var r rune
		for _, c := range s[:4] {
			switch {
			case '0' <= c && c <= '9':
				r = r<<4 | rune(c-'0')
			case 'a' <= c && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case 'A' <= c && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	r, ok := hex4(s[2:])
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if r >= 0xDC00 || len(s) < 12 || s[6] != '\\' || s[7] != 'u' {
		return 0, 0, false
	}
	r2, ok := hex4(s[8:])
	if !ok {
		return 0, 0, false
	}
	dec := utf16.DecodeRune(r, r2)
	if dec == utf8.RuneError {
		return 0, 0, false
	}
	return dec, 12, true
}

// scanNumber scans a JSON number at b[p] and returns the position after
// it and whether it is an integer (no fraction or exponent).
func scanNumber(b []byte, p int) (int, bool, error) {
	i := p
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return 0, false, fmt.Errorf("%w: bad number", errSyntax)
	}
	isInt := true
	if i < len(b) && b[i] == '.' {
		isInt = false
		i++
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == s {
			return 0, false, fmt.Errorf("%w: bad number", errSyntax)
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		isInt = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == s {
			return 0, false, fmt.Errorf("%w: bad number", errSyntax)
		}
	}
	return i, isInt, nil
}

// skipValue validates and skips the JSON value at b[p].
func skipValue(b []byte, p, depth int) (int, error) {
	if p >= len(b) {
		return 0, fmt.Errorf("%w: unexpected end of record", errSyntax)
	}
	switch c := b[p]; {
	case c == '"':
		end, _, err := scanString(b, p)
		return end, err
	case c == '-' || ('0' <= c && c <= '9'):
		end, _, err := scanNumber(b, p)
		return end, err
	case c == 't':
		if hasLiteral(b, p, "true") {
			return p + 4, nil
		}
	case c == 'f':
		if hasLiteral(b, p, "false") {
			return p + 5, nil
		}
	case c == 'n':
		if hasLiteral(b, p, "null") {
			return p + 4, nil
		}
	case c == '{' || c == '[':
		if depth >= maxNesting {
			return 0, errors.New("JSON nested too deeply")
		}
		obj := c == '{'
		closer := byte(']')
		if obj {
			closer = '}'
		}
		p = skipWS(b, p+1)
		if p < len(b) && b[p] == closer {
			return p + 1, nil
		}
		for {
			var err error
			if obj {
				if p >= len(b) || b[p] != '"' {
					return 0, fmt.Errorf("%w: expected an object key", errSyntax)
				}
				if p, _, err = scanString(b, p); err != nil {
					return 0, err
				}
				p = skipWS(b, p)
				if p >= len(b) || b[p] != ':' {
					return 0, fmt.Errorf("%w: expected ':'", errSyntax)
				}
				p = skipWS(b, p+1)
			}
			if p, err = skipValue(b, p, depth+1); err != nil {
				return 0, err
			}
			p = skipWS(b, p)
			if p < len(b) && b[p] == ',' {
				p = skipWS(b, p+1)
				continue
			}
			if p < len(b) && b[p] == closer {
				return p + 1, nil
			}
			return 0, fmt.Errorf("%w: expected ',' or '%c'", errSyntax, closer)
		}
	}
	return 0, fmt.Errorf("%w: unexpected %q", errSyntax, b[p])
}
