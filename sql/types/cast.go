package types

import (
	"math"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
)

// codeCannotCoerce is SQLSTATE 42846 (cannot_coerce).
const codeCannotCoerce = "42846"

func cannotCast(from, to T) error {
	return pgerror.Newf(codeCannotCoerce, "cannot cast type %s to %s", from, to)
}

// Cast converts d from type from to type to with the semantics of an
// explicit PostgreSQL CAST: numbers round (numeric half away from zero,
// float half to even) and range-check, varchar(n) truncates silently,
// numeric(p,s) rounds to the scale and checks the precision, and every type
// converts to and from text through its text output and input. NULL casts
// to NULL. Pairs PostgreSQL has no cast for fail with 42846.
func Cast(d Datum, from, to T) (Datum, error) {
	if d.K == KNull {
		return Null, nil
	}
	if d.K != from.Kind() {
		return Null, pgerror.Newf(pgerror.InternalError, "cast from %s: unexpected datum kind %d", from, d.K)
	}
	if from.Fam == to.Fam && from.Fam != Array {
		return applyTypmod(d, to)
	}
	if to.IsString() {
		if from.IsString() {
			return castString(d.S, to), nil
		}
		if from.Fam == Json || from.Fam == Jsonb {
			return castString(d.S, to), nil
		}
		if to.Fam == Unknown {
			return Null, cannotCast(from, to)
		}
		if from.Fam == Bool {
			// booltext, not boolout: PostgreSQL spells it out.
			if d.I != 0 {
				return castString("true", to), nil
			}
			return castString("false", to), nil
		}
		return castString(FormatText(d, from), to), nil
	}
	if from.IsString() {
		if to.Fam != Record {
			return ParseText(d.S, to)
		}
		return Null, cannotCast(from, to)
	}
	switch to.Fam {
	case Bool:
		if from.Fam == Int4 {
			return NewBool(d.I != 0), nil
		}
		if from.Fam == Jsonb {
			return jsonbScalarCast(d, from, to)
		}
	case Int2, Int4, Int8:
		switch from.Fam {
		case Int2, Int4, Int8:
			v, err := checkIntRange(d.I, to.Fam)
			if err != nil {
				return Null, err
			}
			return NewInt(v), nil
		case Oid, RegClass, RegType, RegProc:
			if to.Fam == Int8 {
				return NewInt(int64(uint32(d.I))), nil
			}
			if to.Fam == Int4 {
				return NewInt(int64(int32(uint32(d.I)))), nil
			}
		case Bool:
			if to.Fam == Int4 {
				return NewInt(d.I), nil
			}
		case Float4, Float8:
			return floatToInt(d.Float(), to.Fam)
		case Numeric:
			v, err := numericToInt(d.Decimal(), to.Fam)
			if err != nil {
				return Null, err
			}
			return NewInt(v), nil
		case Jsonb:
			return jsonbScalarCast(d, from, to)
		}
	case Float4, Float8:
		switch from.Fam {
		case Int2, Int4, Int8:
			f := float64(d.I)
			if to.Fam == Float4 {
				f = float64(float32(d.I))
			}
			return NewFloat(f), nil
		case Float4:
			return NewFloat(d.Float()), nil
		case Float8:
			return float8ToFloat4(d.Float())
		case Numeric:
			return numericToFloat(d.Decimal(), to.Fam)
		case Jsonb:
			return jsonbScalarCast(d, from, to)
		}
	case Numeric:
		var dec *apd.Decimal
		var err error
		switch from.Fam {
		case Int2, Int4, Int8:
			dec = NumericFromInt(d.I)
		case Float4, Float8:
			dec, err = numericFromFloat(d.Float(), from.Fam == Float4)
		case Jsonb:
			return jsonbScalarCast(d, from, to)
		default:
			return Null, cannotCast(from, to)
		}
		if err != nil {
			return Null, err
		}
		if dec, err = ApplyNumericTypmod(dec, to.Mod); err != nil {
			return Null, err
		}
		return NewDecimal(dec), nil
	case Oid, RegClass, RegType, RegProc:
		switch from.Fam {
		case Oid, RegClass, RegType, RegProc:
			return NewInt(d.I), nil
		case Int2, Int4:
			return NewInt(int64(uint32(int32(d.I)))), nil
		case Int8:
			if d.I < 0 || d.I > math.MaxUint32 {
				return Null, pgerror.New(pgerror.NumericValueOutOfRange, "OID out of range")
			}
			return NewInt(int64(uint32(d.I))), nil
		}
	case Timestamp, Timestamptz:
		switch from.Fam {
		case Timestamp, Timestamptz:
			us, ok := roundTimePrecision(d.I, to.Mod)
			if !ok {
				return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
			}
			return NewTime(us), nil
		case Date:
			return dateToTimestamp(d.I, to.Mod)
		}
	case Date:
		if from.Fam == Timestamp || from.Fam == Timestamptz {
			return timestampToDate(d.I), nil
		}
	case Interval:
		// Only from text, handled above.
	case Json, Jsonb:
		if from.Fam == Json || from.Fam == Jsonb {
			return ParseText(d.S, to)
		}
	case Array:
		if from.Fam == Array {
			return castArray(d.Array(), from.ElemType(), to.ElemType())
		}
	case Bytea:
		// Only from text, handled above.
	}
	return Null, cannotCast(from, to)
}

// applyTypmod converts between two types of one family that may differ
// only in their modifiers.
func applyTypmod(d Datum, to T) (Datum, error) {
	switch to.Fam {
	case Varchar:
		if to.Mod >= 0 {
			return NewString(truncateChars(d.S, int(to.Mod))), nil
		}
	case Numeric:
		if to.Mod >= 0 {
			dec, err := ApplyNumericTypmod(d.Decimal(), to.Mod)
			if err != nil {
				return Null, err
			}
			return NewDecimal(dec), nil
		}
	case Timestamp, Timestamptz:
		us, ok := roundTimePrecision(d.I, to.Mod)
		if !ok {
			return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
		}
		return NewTime(us), nil
	case Interval:
		if to.Mod >= 0 && to.Mod < 6 {
			v := d.Interval()
			v.Micros = roundIntervalMicros(v.Micros, to.Mod)
			return NewInterval(v), nil
		}
	}
	return d, nil
}

// castString converts a character string to a character type: varchar(n)
// truncates to n characters (explicit-cast semantics), name to 63 bytes,
// "char" to the first byte.
func castString(s string, to T) Datum {
	switch to.Fam {
	case Varchar:
		if to.Mod >= 0 {
			return NewString(truncateChars(s, int(to.Mod)))
		}
	case Name:
		return NewString(truncateName(s))
	case Char:
		if s == "" {
			return NewString("")
		}
		return NewString(s[:1])
	}
	return NewString(s)
}

// truncateChars keeps the first n characters of s.
func truncateChars(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// CheckVarcharLength enforces varchar(n) for assignment (INSERT, UPDATE),
// where PostgreSQL errors instead of truncating unless the excess is only
// spaces, which are dropped.
func CheckVarcharLength(s string, t T) (string, error) {
	if t.Fam != Varchar || t.Mod < 0 || len(s) <= int(t.Mod) {
		return s, nil
	}
	if utf8.RuneCountInString(s) <= int(t.Mod) {
		return s, nil
	}
	cut := truncateChars(s, int(t.Mod))
	for i := len(cut); i < len(s); i++ {
		if s[i] != ' ' {
			return "", pgerror.Newf(pgerror.StringDataRightTruncation, "value too long for type character varying(%d)", t.Mod)
		}
	}
	return cut, nil
}

// floatToInt rounds half to even (rint) and range-checks.
func floatToInt(f float64, fam Family) (Datum, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Null, intOutOfRange(fam)
	}
	r := math.RoundToEven(f)
	// float64(MaxInt64) rounds up to 2^63, which is out of range.
	if r < -9223372036854775808.0 || r >= 9223372036854775808.0 {
		return Null, intOutOfRange(fam)
	}
	v, err := checkIntRange(int64(r), fam)
	if err != nil {
		return Null, err
	}
	return NewInt(v), nil
}

func float8ToFloat4(f float64) (Datum, error) {
	r := float32(f)
	if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
		return Null, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && f != 0 {
		return Null, pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: underflow")
	}
	return NewFloat(float64(r)), nil
}

// numericToFloat goes through the text form, as numeric_float8 does.
func numericToFloat(d *apd.Decimal, fam Family) (Datum, error) {
	var tmp [64]byte
	s := AppendNumeric(tmp[:0], d)
	f, err := parseFloat(string(s), fam)
	if err != nil {
		return Null, err
	}
	if fam == Float4 {
		f = float64(float32(f))
	}
	return NewFloat(f), nil
}

func dateToTimestamp(days int64, mod int32) (Datum, error) {
	switch days {
	case DateInfinity:
		return NewTime(TimeInfinity), nil
	case DateNegInfinity:
		return NewTime(TimeNegInfinity), nil
	}
	us, ok := mulAdd(days, microsPerDay, 0)
	if !ok || us < minTime || us == TimeInfinity {
		return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range for timestamp")
	}
	return NewTime(us), nil
}

func timestampToDate(us int64) Datum {
	switch us {
	case TimeInfinity:
		return NewDate(DateInfinity)
	case TimeNegInfinity:
		return NewDate(DateNegInfinity)
	}
	return NewDate(floorDiv(us, microsPerDay))
}

func castArray(elems []Datum, from, to T) (Datum, error) {
	out := make([]Datum, len(elems))
	for i, e := range elems {
		if e.K == KArray && from.Kind() != KArray {
			sub, err := castArray(e.Array(), from, to)
			if err != nil {
				return Null, err
			}
			out[i] = sub
			continue
		}
		v, err := Cast(e, from, to)
		if err != nil {
			return Null, err
		}
		out[i] = v
	}
	return NewArray(out), nil
}

// jsonbScalarCast converts a jsonb number or boolean to a SQL scalar, like
// PostgreSQL's jsonb_numeric / jsonb_bool family.
func jsonbScalarCast(d Datum, from, to T) (Datum, error) {
	s := d.S
	kind := "string"
	switch {
	case s == "true" || s == "false":
		kind = "boolean"
		if to.Fam == Bool {
			return NewBool(s == "true"), nil
		}
	case s == "null":
		kind = "null"
	case len(s) > 0 && (s[0] == '-' || isDigit(s[0])):
		kind = "numeric"
		if to.Fam != Bool {
			dec, err := NumericFromString(s)
			if err != nil {
				return Null, err
			}
			return Cast(NewDecimal(dec), TNumeric, to)
		}
	case len(s) > 0 && s[0] == '{':
		kind = "object"
	case len(s) > 0 && s[0] == '[':
		kind = "array"
	}
	return Null, pgerror.Newf(pgerror.InvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to)
}
