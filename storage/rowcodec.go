package storage

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

// Row value encoding: uvarint(column count), then per datum one tag byte
// (the types.Kind) and its payload:
//
//	KNull                -
//	KBool                -  (tag rowTrue for true, KBool for false)
//	KInt, KTime, KDate   zigzag varint
//	KFloat               8 bytes little-endian IEEE 754 bits
//	KDecimal             form byte, then for finite values zigzag varint
//	                     exponent and uvarint-length-prefixed big-endian
//	                     coefficient bytes
//	KString, KBytes      uvarint length, bytes
//	KInterval            zigzag varints months, days, micros
//	KArray               uvarint count, then datums as above
//
// The format is not ordered; keys use AppendKey.

// rowTrue is the tag of a true boolean, so booleans need no payload byte.
const rowTrue byte = 0x80

// Decimal forms in the row encoding; negative values set decNeg.
const (
	decFinite byte = 0
	decInf    byte = 1
	decNaN    byte = 2
	decNeg    byte = 0x10
)

// AppendRow appends the value encoding of row to buf.
func AppendRow(buf []byte, row types.Row) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(row)))
	for i := range row {
		buf = appendDatum(buf, row[i])
	}
	return buf
}

func appendDatum(buf []byte, d types.Datum) []byte {
	switch d.K {
	case types.KNull:
		return append(buf, byte(types.KNull))
	case types.KBool:
		if d.I != 0 {
			return append(buf, rowTrue)
		}
		return append(buf, byte(types.KBool))
	case types.KInt, types.KTime, types.KDate:
		return binary.AppendVarint(append(buf, byte(d.K)), d.I)
	case types.KFloat:
		return binary.LittleEndian.AppendUint64(append(buf, byte(d.K)), uint64(d.I))
	case types.KDecimal:
		buf = append(buf, byte(d.K))
		dec := d.Decimal()
		var form byte
		switch dec.Form {
		case apd.Finite:
			form = decFinite
		case apd.Infinite:
			form = decInf
		default:
			form = decNaN
		}
		if dec.Negative {
			form |= decNeg
		}
		buf = append(buf, form)
		if form&^decNeg != decFinite {
			return buf
		}
		buf = binary.AppendVarint(buf, int64(dec.Exponent))
		if dec.Coeff.IsUint64() {
			// Most coefficients fit a uint64; encode those without the
			// allocation of Bytes.
			var tmp [8]byte
			binary.BigEndian.PutUint64(tmp[:], dec.Coeff.Uint64())
			c := tmp[:]
			for len(c) > 0 && c[0] == 0 {
				c = c[1:]
			}
			buf = binary.AppendUvarint(buf, uint64(len(c)))
			return append(buf, c...)
		}
		c := dec.Coeff.Bytes()
		buf = binary.AppendUvarint(buf, uint64(len(c)))
		return append(buf, c...)
	case types.KString, types.KBytes:
		buf = binary.AppendUvarint(append(buf, byte(d.K)), uint64(len(d.S)))
		return append(buf, d.S...)
	case types.KInterval:
		iv := d.Interval()
		buf = binary.AppendVarint(append(buf, byte(d.K)), int64(iv.Months))
		buf = binary.AppendVarint(buf, int64(iv.Days))
		return binary.AppendVarint(buf, iv.Micros)
	case types.KArray:
		elems := d.Array()
		buf = binary.AppendUvarint(append(buf, byte(d.K)), uint64(len(elems)))
		for i := range elems {
			buf = appendDatum(buf, elems[i])
		}
		return buf
	}
	panic(fmt.Sprintf("storage: cannot encode datum kind %d", d.K))
}

// DecodeRow decodes a row encoded by AppendRow, reusing dst's storage. The
// returned datums never alias b: strings and decimals are copied.
func DecodeRow(b []byte, dst types.Row) (types.Row, error) {
	dst, rest, err := DecodeRowPrefix(b, dst)
	if err != nil {
		return dst, err
	}
	if len(rest) != 0 {
		return dst[:0], fmt.Errorf("%w: %d trailing bytes in row", ErrCorrupt, len(rest))
	}
	return dst, nil
}

// DecodeRowPrefix decodes the row encoded by AppendRow at the start of b
// (rows concatenated) and returns the bytes after it; otherwise as
// DecodeRow.
func DecodeRowPrefix(b []byte, dst types.Row) (types.Row, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return dst[:0], nil, fmt.Errorf("%w: bad row header", ErrCorrupt)
	}
	b = b[k:]
	if cap(dst) >= int(n) {
		dst = dst[:n]
	} else {
		dst = make(types.Row, n)
	}
	var err error
	for i := range dst {
		dst[i], b, err = decodeDatum(b, 0)
		if err != nil {
			return dst[:0], nil, err
		}
	}
	return dst, b, nil
}

// maxArrayDepth bounds recursion on corrupt input.
const maxArrayDepth = 16

func decodeDatum(b []byte, depth int) (types.Datum, []byte, error) {
	if len(b) == 0 {
		return types.Null, nil, fmt.Errorf("%w: truncated row", ErrCorrupt)
	}
	tag := b[0]
	b = b[1:]
	if tag == rowTrue {
		return types.NewBool(true), b, nil
	}
	switch types.Kind(tag) {
	case types.KNull:
		return types.Null, b, nil
	case types.KBool:
		return types.NewBool(false), b, nil
	case types.KInt, types.KTime, types.KDate:
		v, k := binary.Varint(b)
		if k <= 0 {
			return types.Null, nil, fmt.Errorf("%w: bad integer", ErrCorrupt)
		}
		return types.Datum{K: types.Kind(tag), I: v}, b[k:], nil
	case types.KFloat:
		if len(b) < 8 {
			return types.Null, nil, fmt.Errorf("%w: bad float", ErrCorrupt)
		}
		return types.Datum{K: types.KFloat, I: int64(binary.LittleEndian.Uint64(b))}, b[8:], nil
	case types.KDecimal:
		return decodeDecimalValue(b)
	case types.KString, types.KBytes:
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return types.Null, nil, fmt.Errorf("%w: bad string", ErrCorrupt)
		}
		s := string(b[k : k+int(n)])
		return types.Datum{K: types.Kind(tag), S: s}, b[k+int(n):], nil
	case types.KInterval:
		var v [3]int64
		for i := range v {
			x, k := binary.Varint(b)
			if k <= 0 {
				return types.Null, nil, fmt.Errorf("%w: bad interval", ErrCorrupt)
			}
			v[i], b = x, b[k:]
		}
		if v[0] != int64(int32(v[0])) || v[1] != int64(int32(v[1])) {
			return types.Null, nil, fmt.Errorf("%w: bad interval", ErrCorrupt)
		}
		return types.NewInterval(types.IntervalValue{Months: int32(v[0]), Days: int32(v[1]), Micros: v[2]}), b, nil
	case types.KArray:
		if depth >= maxArrayDepth {
			return types.Null, nil, fmt.Errorf("%w: arrays nested too deeply", ErrCorrupt)
		}
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return types.Null, nil, fmt.Errorf("%w: bad array", ErrCorrupt)
		}
		b = b[k:]
		elems := make([]types.Datum, n)
		var err error
		for i := range elems {
			elems[i], b, err = decodeDatum(b, depth+1)
			if err != nil {
				return types.Null, nil, err
			}
		}
		return types.NewArray(elems), b, nil
	}
	return types.Null, nil, fmt.Errorf("%w: unknown datum tag %d", ErrCorrupt, tag)
}

func decodeDecimalValue(b []byte) (types.Datum, []byte, error) {
	if len(b) == 0 {
		return types.Null, nil, fmt.Errorf("%w: bad decimal", ErrCorrupt)
	}
	form := b[0]
	b = b[1:]
	dec := new(apd.Decimal)
	dec.Negative = form&decNeg != 0
	switch form &^ decNeg {
	case decInf:
		dec.Form = apd.Infinite
		return types.NewDecimal(dec), b, nil
	case decNaN:
		dec.Form = apd.NaN
		return types.NewDecimal(dec), b, nil
	case decFinite:
	default:
		return types.Null, nil, fmt.Errorf("%w: bad decimal form %d", ErrCorrupt, form)
	}
	exp, k := binary.Varint(b)
	if k <= 0 || exp != int64(int32(exp)) {
		return types.Null, nil, fmt.Errorf("%w: bad decimal exponent", ErrCorrupt)
	}
	b = b[k:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return types.Null, nil, fmt.Errorf("%w: bad decimal coefficient", ErrCorrupt)
	}
	c := b[k : k+int(n)]
	if len(c) <= 8 {
		var u uint64
		for _, x := range c {
			u = u<<8 | uint64(x)
		}
		dec.Coeff.SetUint64(u)
	} else {
		dec.Coeff.SetBytes(c)
	}
	dec.Exponent = int32(exp)
	return types.NewDecimal(dec), b[k+int(n):], nil
}

// float64 helpers shared with the key codec.
func floatBits(d types.Datum) float64 { return math.Float64frombits(uint64(d.I)) }
