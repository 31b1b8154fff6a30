package expr

import (
	"encoding/binary"
	"math"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Aggregate state is checkpointed with a small kind-tagged datum encoding
// of its own, so that this package does not depend on the storage layer:
// one tag byte (the types.Kind) and its payload:
//
//	KNull                        -
//	KBool, KInt, KTime, KDate    zigzag varint
//	KFloat                       8 bytes little-endian IEEE 754 bits
//	KDecimal                     form byte (bit 4: negative), then for finite
//	                             values zigzag varint exponent and
//	                             uvarint-length-prefixed coefficient bytes
//	KString, KBytes              uvarint length, bytes
//	KInterval                    zigzag varints months, days, micros
//	KArray                       uvarint count, then datums

var errCorruptState = pgerror.New(pgerror.InternalError, "corrupt aggregate state")

func appendDatum(buf []byte, d types.Datum) []byte {
	buf = append(buf, byte(d.K))
	switch d.K {
	case types.KBool, types.KInt, types.KTime, types.KDate:
		buf = binary.AppendVarint(buf, d.I)
	case types.KFloat:
		buf = binary.LittleEndian.AppendUint64(buf, uint64(d.I))
	case types.KDecimal:
		x := d.Decimal()
		form := byte(x.Form)
		if x.Negative {
			form |= 0x10
		}
		buf = append(buf, form)
		if x.Form == apd.Finite {
			buf = binary.AppendVarint(buf, int64(x.Exponent))
			c := x.Coeff.Bytes()
			buf = binary.AppendUvarint(buf, uint64(len(c)))
			buf = append(buf, c...)
		}
	case types.KString, types.KBytes:
		buf = binary.AppendUvarint(buf, uint64(len(d.S)))
		buf = append(buf, d.S...)
	case types.KInterval:
		v := d.Interval()
		buf = binary.AppendVarint(buf, int64(v.Months))
		buf = binary.AppendVarint(buf, int64(v.Days))
		buf = binary.AppendVarint(buf, v.Micros)
	case types.KArray:
		elems := d.Array()
		buf = binary.AppendUvarint(buf, uint64(len(elems)))
		for _, e := range elems {
			buf = appendDatum(buf, e)
		}
	}
	return buf
}

// stateReader decodes state written with the append helpers; the first
// error sticks and later reads return zero values.
type stateReader struct {
	b   []byte
	err error
}

func (r *stateReader) fail() {
	if r.err == nil {
		r.err = errCorruptState
	}
	r.b = nil
}

func (r *stateReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *stateReader) byte1() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *stateReader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *stateReader) float() float64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

func (r *stateReader) datum() types.Datum {
	k := types.Kind(r.byte1())
	if r.err != nil {
		return types.Null
	}
	switch k {
	case types.KNull:
		return types.Null
	case types.KBool, types.KInt, types.KTime, types.KDate:
		return types.Datum{K: k, I: r.varint()}
	case types.KFloat:
		b := r.bytes(8)
		if b == nil {
			return types.Null
		}
		return types.Datum{K: k, I: int64(binary.LittleEndian.Uint64(b))}
	case types.KDecimal:
		form := r.byte1()
		x := &apd.Decimal{Form: apd.Form(form & 0x0f), Negative: form&0x10 != 0}
		if x.Form == apd.Finite {
			x.Exponent = int32(r.varint())
			x.Coeff.SetBytes(r.bytes(r.uvarint()))
		}
		return types.NewDecimal(x)
	case types.KString, types.KBytes:
		return types.Datum{K: k, S: string(r.bytes(r.uvarint()))}
	case types.KInterval:
		m, d, u := r.varint(), r.varint(), r.varint()
		return types.NewInterval(types.IntervalValue{Months: int32(m), Days: int32(d), Micros: u})
	case types.KArray:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.fail()
			return types.Null
		}
		out := make([]types.Datum, n)
		for i := range out {
			out[i] = r.datum()
		}
		return types.NewArray(out)
	}
	r.fail()
	return types.Null
}

// distinctKey encodes d so that values PostgreSQL considers equal
// (numeric 1.0 and 1.00, float 0 and -0) share one key.
func distinctKey(buf []byte, d types.Datum) []byte {
	switch d.K {
	case types.KDecimal:
		x := d.Decimal()
		if x.Form == apd.Finite {
			var r apd.Decimal
			r.Reduce(x)
			if r.Coeff.Sign() == 0 {
				r.Negative, r.Exponent = false, 0
			}
			return appendDatum(buf, types.NewDecimal(&r))
		}
	case types.KFloat:
		f := d.Float()
		switch {
		case f == 0:
			return appendDatum(buf, types.NewFloat(0))
		case math.IsNaN(f):
			return appendDatum(buf, types.NewFloat(math.NaN()))
		}
	case types.KInterval:
		// '1 day' equals '24 hours': key by the span.
		days, micros := intervalSpan(d.Interval())
		buf = append(buf, byte(types.KInterval))
		buf = binary.AppendVarint(buf, days)
		return binary.AppendVarint(buf, micros)
	case types.KArray:
		buf = append(buf, byte(types.KArray))
		elems := d.Array()
		buf = binary.AppendUvarint(buf, uint64(len(elems)))
		for _, e := range elems {
			buf = distinctKey(buf, e)
		}
		return buf
	}
	return appendDatum(buf, d)
}
