package types

import (
	"encoding/binary"
	"math"

	"streamsqld/sql/pgerror"
)

// This file holds PostgreSQL's binary send/receive formats: big-endian
// integers, IEEE floats, the base-10000 NUMERIC layout, datetimes counted
// from 2000-01-01 and the array header with dimensions.

func errBinary(typ string) error {
	return pgerror.Newf(pgerror.InvalidBinaryRepresentation, "incorrect binary data format for type %s", typ)
}

// AppendBinary appends PostgreSQL's binary send format of d as type t.
func AppendBinary(buf []byte, d Datum, t T) ([]byte, error) {
	if d.K != t.Kind() {
		return buf, pgerror.Newf(pgerror.InternalError, "binary output of %s: unexpected datum kind %d", t, d.K)
	}
	switch t.Fam {
	case Bool:
		if d.I != 0 {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	case Int2:
		return binary.BigEndian.AppendUint16(buf, uint16(d.I)), nil
	case Int4:
		return binary.BigEndian.AppendUint32(buf, uint32(d.I)), nil
	case Int8:
		return binary.BigEndian.AppendUint64(buf, uint64(d.I)), nil
	case Oid, RegClass, RegType, RegProc:
		return binary.BigEndian.AppendUint32(buf, uint32(d.I)), nil
	case Float4:
		f := d.Float()
		if f != f {
			// One NaN bit pattern, the one C's NAN has, as PostgreSQL sends.
			return binary.BigEndian.AppendUint32(buf, 0x7fc00000), nil
		}
		return binary.BigEndian.AppendUint32(buf, math.Float32bits(float32(f))), nil
	case Float8:
		if f := d.Float(); f != f {
			return binary.BigEndian.AppendUint64(buf, 0x7ff8000000000000), nil
		}
		return binary.BigEndian.AppendUint64(buf, uint64(d.I)), nil
	case Numeric:
		return appendNumericBinary(buf, d.Decimal()), nil
	case Text, Varchar, Name, Unknown, Json, Bytea:
		return append(buf, d.S...), nil
	case Char:
		if d.S == "" {
			return append(buf, 0), nil
		}
		return append(buf, d.S[0]), nil
	case Jsonb:
		return append(append(buf, 1), d.S...), nil
	case Timestamp, Timestamptz:
		return binary.BigEndian.AppendUint64(buf, uint64(timeToPG(d.I))), nil
	case Date:
		return binary.BigEndian.AppendUint32(buf, uint32(dateToPG(d.I))), nil
	case Interval:
		v := d.Interval()
		buf = binary.BigEndian.AppendUint64(buf, uint64(v.Micros))
		buf = binary.BigEndian.AppendUint32(buf, uint32(v.Days))
		return binary.BigEndian.AppendUint32(buf, uint32(v.Months)), nil
	case Array:
		return appendArrayBinary(buf, d.Array(), t.ElemType())
	case Record:
		return appendRecordBinary(buf, d.Array())
	case Void:
		return buf, nil
	}
	return buf, pgerror.Newf(pgerror.FeatureNotSupported, "no binary output function available for type %s", t)
}

// timeToPG shifts microseconds since 1970 to PostgreSQL's 2000 epoch,
// keeping the infinities.
func timeToPG(us int64) int64 {
	if us == TimeInfinity || us == TimeNegInfinity {
		return us
	}
	return us - pgEpochMicros
}

func timeFromPG(us int64) (int64, bool) {
	if us == math.MaxInt64 || us == math.MinInt64 {
		return us, true
	}
	r := us + pgEpochMicros
	if us > 0 && r < us || r < minTime || r == TimeInfinity {
		return 0, false
	}
	return r, true
}

func dateToPG(days int64) int32 {
	switch days {
	case DateInfinity:
		return math.MaxInt32
	case DateNegInfinity:
		return math.MinInt32
	}
	return int32(days - pgEpochDays)
}

func dateFromPG(days int32) (int64, bool) {
	switch days {
	case math.MaxInt32:
		return DateInfinity, true
	case math.MinInt32:
		return DateNegInfinity, true
	}
	r := int64(days) + pgEpochDays
	return r, r >= minDate && r < endDate
}

// ParseBinary decodes PostgreSQL's binary receive format of type t. b is
// not retained.
func ParseBinary(b []byte, t T) (Datum, error) {
	switch t.Fam {
	case Bool:
		if len(b) != 1 {
			return Null, errBinary("boolean")
		}
		return NewBool(b[0] != 0), nil
	case Int2:
		if len(b) != 2 {
			return Null, errBinary("smallint")
		}
		return NewInt(int64(int16(binary.BigEndian.Uint16(b)))), nil
	case Int4:
		if len(b) != 4 {
			return Null, errBinary("integer")
		}
		return NewInt(int64(int32(binary.BigEndian.Uint32(b)))), nil
	case Int8:
		if len(b) != 8 {
			return Null, errBinary("bigint")
		}
		return NewInt(int64(binary.BigEndian.Uint64(b))), nil
	case Oid, RegClass, RegType, RegProc:
		if len(b) != 4 {
			return Null, errBinary(t.Fam.info().name)
		}
		return NewInt(int64(binary.BigEndian.Uint32(b))), nil
	case Float4:
		if len(b) != 4 {
			return Null, errBinary("real")
		}
		return NewFloat(float64(math.Float32frombits(binary.BigEndian.Uint32(b)))), nil
	case Float8:
		if len(b) != 8 {
			return Null, errBinary("double precision")
		}
		return NewFloat(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case Numeric:
		dec, err := parseNumericBinary(b)
		if err != nil {
			return Null, err
		}
		if t.Mod >= 0 {
			if dec, err = ApplyNumericTypmod(dec, t.Mod); err != nil {
				return Null, err
			}
		}
		return NewDecimal(dec), nil
	case Text, Varchar, Unknown:
		return NewString(string(b)), nil
	case Name:
		return NewString(truncateName(string(b))), nil
	case Char:
		switch len(b) {
		case 0:
			return NewString(""), nil
		case 1:
			return charDatum(b[0]), nil
		}
		return Null, errBinary(`"char"`)
	case Json:
		s := string(b)
		if err := validateJSON(s, "json"); err != nil {
			return Null, err
		}
		return NewString(s), nil
	case Jsonb:
		if len(b) == 0 || b[0] != 1 {
			return Null, pgerror.New(pgerror.InvalidBinaryRepresentation, "unsupported jsonb version number")
		}
		s, err := normalizeJSONB(string(b[1:]))
		if err != nil {
			return Null, err
		}
		return NewString(s), nil
	case Bytea:
		return NewBytes(b), nil
	case Timestamp, Timestamptz:
		if len(b) != 8 {
			return Null, errBinary(t.Fam.info().name)
		}
		us, ok := timeFromPG(int64(binary.BigEndian.Uint64(b)))
		if !ok {
			return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
		}
		if us, ok = roundTimePrecision(us, t.Mod); !ok {
			return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
		}
		return NewTime(us), nil
	case Date:
		if len(b) != 4 {
			return Null, errBinary("date")
		}
		days, ok := dateFromPG(int32(binary.BigEndian.Uint32(b)))
		if !ok {
			return Null, pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range")
		}
		return NewDate(days), nil
	case Interval:
		if len(b) != 16 {
			return Null, errBinary("interval")
		}
		return NewInterval(IntervalValue{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}), nil
	case Array:
		return parseArrayBinary(b, t.ElemType())
	case Void:
		return Null, nil
	}
	return Null, pgerror.Newf(pgerror.FeatureNotSupported, "no binary input function available for type %s", t)
}

// maxArrayDims is PostgreSQL's MAXDIM.
const maxArrayDims = 6

// arrayShape returns the dimensions of a (possibly nested) array and
// whether any leaf is NULL.
func arrayShape(elems []Datum, et T, dims []int) ([]int, bool, bool) {
	dims = append(dims, len(elems))
	if len(elems) == 0 {
		return dims, false, true
	}
	if elems[0].K == KArray && et.Kind() != KArray {
		var sub []int
		hasNull := false
		for i, e := range elems {
			if e.K != KArray {
				return nil, false, false
			}
			d, hn, ok := arrayShape(e.Array(), et, nil)
			if !ok || (i > 0 && !equalInts(d, sub)) {
				return nil, false, false
			}
			sub = d
			hasNull = hasNull || hn
		}
		return append(dims, sub...), hasNull, true
	}
	hasNull := false
	for _, e := range elems {
		if e.K == KNull {
			hasNull = true
		} else if e.K == KArray && et.Kind() != KArray {
			return nil, false, false
		}
	}
	return dims, hasNull, true
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// appendArrayBinary is array_send: int32 ndim, int32 has-nulls flag,
// uint32 element OID, (int32 length, int32 lower bound) per dimension, then
// each element as int32 length (-1 for NULL) and its bytes.
func appendArrayBinary(buf []byte, elems []Datum, et T) ([]byte, error) {
	var dimBuf [maxArrayDims]int
	dims, hasNull, ok := arrayShape(elems, et, dimBuf[:0])
	if !ok {
		return buf, pgerror.New(pgerror.InvalidParameterValue, "multidimensional arrays must have array expressions with matching dimensions")
	}
	if len(dims) > maxArrayDims {
		return buf, pgerror.Newf(pgerror.ProgramLimitExceeded, "number of array dimensions (%d) exceeds the maximum allowed (%d)", len(dims), maxArrayDims)
	}
	if len(elems) == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint32(buf, 0)
		return binary.BigEndian.AppendUint32(buf, et.OID()), nil
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(dims)))
	flag := uint32(0)
	if hasNull {
		flag = 1
	}
	buf = binary.BigEndian.AppendUint32(buf, flag)
	buf = binary.BigEndian.AppendUint32(buf, et.OID())
	for _, n := range dims {
		buf = binary.BigEndian.AppendUint32(buf, uint32(n))
		buf = binary.BigEndian.AppendUint32(buf, 1)
	}
	return appendArrayElemsBinary(buf, elems, et)
}

func appendArrayElemsBinary(buf []byte, elems []Datum, et T) ([]byte, error) {
	for _, e := range elems {
		if e.K == KNull {
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		if e.K == KArray && et.Kind() != KArray {
			var err error
			if buf, err = appendArrayElemsBinary(buf, e.Array(), et); err != nil {
				return buf, err
			}
			continue
		}
		lenAt := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = AppendBinary(buf, e, et); err != nil {
			return buf, err
		}
		binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
	}
	return buf, nil
}

// parseArrayBinary is array_recv. Lower bounds other than 1 are accepted
// and dropped.
func parseArrayBinary(b []byte, et T) (Datum, error) {
	if len(b) < 12 {
		return Null, errBinary(ArrayOf(et.Fam).String())
	}
	ndim := int32(binary.BigEndian.Uint32(b))
	flags := int32(binary.BigEndian.Uint32(b[4:]))
	elemOID := binary.BigEndian.Uint32(b[8:])
	if ndim < 0 || ndim > maxArrayDims {
		return Null, pgerror.Newf(pgerror.InvalidBinaryRepresentation, "invalid number of dimensions: %d", ndim)
	}
	if flags != 0 && flags != 1 {
		return Null, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid array flags")
	}
	if elemOID != et.OID() {
		return Null, pgerror.Newf(pgerror.DatatypeMismatch, "binary data has array element type %d instead of expected %d", elemOID, et.OID())
	}
	b = b[12:]
	if len(b) < int(ndim)*8 {
		return Null, errBinary(ArrayOf(et.Fam).String())
	}
	var dimBuf [maxArrayDims]int
	dims := dimBuf[:ndim]
	total := 1
	for i := range dims {
		n := int32(binary.BigEndian.Uint32(b[i*8:]))
		if n < 0 {
			return Null, errBinary(ArrayOf(et.Fam).String())
		}
		dims[i] = int(n)
		total *= int(n)
		if total > len(b) { // each element needs at least 4 bytes
			return Null, errBinary(ArrayOf(et.Fam).String())
		}
	}
	b = b[ndim*8:]
	if ndim == 0 || total == 0 {
		if len(b) != 0 {
			return Null, errBinary(ArrayOf(et.Fam).String())
		}
		return NewArray([]Datum{}), nil
	}
	flat := make([]Datum, total)
	for i := range flat {
		if len(b) < 4 {
			return Null, errBinary(ArrayOf(et.Fam).String())
		}
		n := int32(binary.BigEndian.Uint32(b))
		b = b[4:]
		if n == -1 {
			continue
		}
		if n < 0 || int(n) > len(b) {
			return Null, errBinary(ArrayOf(et.Fam).String())
		}
		d, err := ParseBinary(b[:n], et)
		if err != nil {
			return Null, err
		}
		flat[i] = d
		b = b[n:]
	}
	if len(b) != 0 {
		return Null, errBinary(ArrayOf(et.Fam).String())
	}
	return NewArray(nestArray(flat, dims)), nil
}

// nestArray splits a flat row-major element list into nested sub-arrays.
func nestArray(flat []Datum, dims []int) []Datum {
	if len(dims) <= 1 {
		return flat
	}
	n := dims[0]
	step := len(flat) / n
	out := make([]Datum, n)
	for i := range out {
		out[i] = NewArray(nestArray(flat[i*step:(i+1)*step:(i+1)*step], dims[1:]))
	}
	return out
}

// appendRecordBinary is record_send for an anonymous record, with field
// types taken from the datums' kinds.
func appendRecordBinary(buf []byte, fields []Datum) ([]byte, error) {
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(fields)))
	for _, f := range fields {
		if f.K == KNull {
			buf = binary.BigEndian.AppendUint32(buf, OIDText)
			buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32)
			continue
		}
		ft := TypeOfKind(f.K)
		if f.K == KArray {
			ft = arrayTypeOf(f.Array())
		}
		buf = binary.BigEndian.AppendUint32(buf, ft.OID())
		lenAt := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		if buf, err = AppendBinary(buf, f, ft); err != nil {
			return buf, err
		}
		binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
	}
	return buf, nil
}

// arrayTypeOf guesses an array's type from its first non-NULL leaf.
func arrayTypeOf(elems []Datum) T {
	for _, e := range elems {
		switch e.K {
		case KNull:
			continue
		case KArray:
			if t := arrayTypeOf(e.Array()); t != TTextArray {
				return t
			}
			continue
		}
		return ArrayOf(TypeOfKind(e.K).Fam)
	}
	return TTextArray
}
