package batch

import (
	"encoding/binary"
	"math"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

// appendKey appends an encoding of d under which two datums of one type
// are byte-equal exactly when SQL considers them not distinct: NULLs
// match each other, 1.0 matches 1.00, -0 matches 0, and '1 day' matches
// '24 hours' (PostgreSQL compares intervals by their span).
func appendKey(buf []byte, d types.Datum) []byte {
	switch d.K {
	case types.KNull:
		return append(buf, 0)
	case types.KBool, types.KInt, types.KTime, types.KDate:
		buf = append(buf, byte(d.K))
		return binary.BigEndian.AppendUint64(buf, uint64(d.I))
	case types.KFloat:
		f := d.Float()
		switch {
		case f == 0:
			f = 0 // folds -0 into 0
		case math.IsNaN(f):
			f = math.NaN()
		}
		buf = append(buf, byte(d.K))
		return binary.BigEndian.AppendUint64(buf, math.Float64bits(f))
	case types.KDecimal:
		var r apd.Decimal
		r.Reduce(d.Decimal())
		s := "0"
		if !r.IsZero() {
			s = r.String()
		}
		return appendBytes(append(buf, byte(d.K)), s)
	case types.KString, types.KBytes:
		return appendBytes(append(buf, byte(d.K)), d.S)
	case types.KInterval:
		buf = append(buf, byte(d.K))
		return binary.BigEndian.AppendUint64(buf, uint64(d.Interval().ApproxMicros()))
	case types.KArray:
		elems := d.Array()
		buf = append(buf, byte(d.K))
		buf = binary.AppendUvarint(buf, uint64(len(elems)))
		for _, e := range elems {
			buf = appendKey(buf, e)
		}
		return buf
	}
	buf = append(buf, byte(d.K))
	return appendBytes(buf, d.S)
}

func appendBytes(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// rowKey encodes the datums of row at cols (all columns when cols is nil).
func rowKey(buf []byte, row types.Row, cols []int) []byte {
	if cols == nil {
		for _, d := range row {
			buf = appendKey(buf, d)
		}
		return buf
	}
	for _, c := range cols {
		buf = appendKey(buf, row[c])
	}
	return buf
}
