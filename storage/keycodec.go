package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

// Memcomparable key encoding: comparing two encodings with bytes.Compare
// gives SQL order for datums of one type. Every encoding is prefix-free, so
// encodings can be concatenated into composite keys and a descending column
// is the bitwise complement of its ascending encoding.
//
// An ascending encoding is a tag byte followed by a payload:
//
//	NULL        0xFF (after every value: NULLS LAST ascending, FIRST descending)
//	KBool       0x03, 0 or 1
//	KInt        0x04, 8 bytes big-endian with the sign bit flipped
//	KFloat      0x05, 8 bytes: IEEE bits, sign-flipped for positives and
//	            complemented for negatives; -0 is encoded as 0 and every NaN
//	            as all ones, above +Inf (PostgreSQL's order)
//	KDecimal    0x06, class byte (-Inf, <0, 0, >0, +Inf, NaN), then for
//	            non-zero finite values the decimal exponent (8 bytes,
//	            sign-flipped) and the significant digits two per byte
//	            (1+10a+b) ending in 0x00; negative values complement
//	            everything after the class byte
//	KString     0x07, bytes with 0x00 escaped as 0x00 0xFF, ending 0x00 0x01
//	KTime       0x08, as KInt
//	KDate       0x09, as KInt
//	KInterval   0x0A, 16-byte signed total in microseconds with a month
//	            counted as 30 days, as PostgreSQL compares intervals
//	KArray      0x0B, each element's ascending encoding, then 0x00
//	KBytes      0x0C, as KString
//
// Values that compare equal in SQL encode identically: decimals are
// normalized (1.50 and 1.5 share a key) and intervals are reduced to their
// total ('1 month' and '30 days' share a key). DecodeKey therefore returns
// the normalized value, not necessarily the datum that was encoded.

const (
	keyNull    byte = 0xFF
	keyTagBase byte = 0x02 // tag = keyTagBase + Kind
	keyArrEnd  byte = 0x00
	keyStrEsc  byte = 0xFF
	keyStrEnd  byte = 0x01
)

// Decimal classes in key encodings, in SQL order.
const (
	decClassNegInf byte = 1 + iota
	decClassNeg
	decClassZero
	decClassPos
	decClassPosInf
	decClassNaN
)

// Interval reduction constants (PostgreSQL's interval_cmp_value).
const (
	dayMicros   = 86400 * 1000000
	monthMicros = 30 * dayMicros
)

// AppendKey appends the memcomparable encoding of d to buf; desc reverses
// the order of the encoding.
func AppendKey(buf []byte, d types.Datum, desc bool) []byte {
	if !desc && (d.K == types.KInt || d.K == types.KTime || d.K == types.KDate) {
		// The common group and view key columns, without the general
		// switch.
		return binary.BigEndian.AppendUint64(append(buf, keyTagBase+byte(d.K)), uint64(d.I)^(1<<63))
	}
	start := len(buf)
	buf = appendKeyAsc(buf, d)
	if desc {
		invert(buf[start:])
	}
	return buf
}

func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func appendKeyAsc(buf []byte, d types.Datum) []byte {
	if d.K == types.KNull {
		return append(buf, keyNull)
	}
	buf = append(buf, keyTagBase+byte(d.K))
	switch d.K {
	case types.KBool:
		if d.I != 0 {
			return append(buf, 1)
		}
		return append(buf, 0)
	case types.KInt, types.KTime, types.KDate:
		return binary.BigEndian.AppendUint64(buf, uint64(d.I)^(1<<63))
	case types.KFloat:
		return binary.BigEndian.AppendUint64(buf, floatKeyBits(floatBits(d)))
	case types.KDecimal:
		return appendDecimalKey(buf, d.Decimal())
	case types.KString, types.KBytes:
		return appendEscaped(buf, d.S)
	case types.KInterval:
		hi, lo := intervalTotal(d.Interval())
		buf = binary.BigEndian.AppendUint64(buf, uint64(hi)^(1<<63))
		return binary.BigEndian.AppendUint64(buf, lo)
	case types.KArray:
		for _, e := range d.Array() {
			buf = appendKeyAsc(buf, e)
		}
		return append(buf, keyArrEnd)
	}
	panic(fmt.Sprintf("storage: cannot key-encode datum kind %d", d.K))
}

func floatKeyBits(f float64) uint64 {
	switch {
	case math.IsNaN(f):
		return math.MaxUint64
	case f == 0:
		f = 0 // folds -0 into +0: they are equal in SQL
	}
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		return ^u
	}
	return u | 1<<63
}

func floatFromKeyBits(u uint64) float64 {
	if u == math.MaxUint64 {
		return math.NaN()
	}
	if u&(1<<63) != 0 {
		return math.Float64frombits(u &^ (1 << 63))
	}
	return math.Float64frombits(^u)
}

func appendEscaped(buf []byte, s string) []byte {
	for {
		i := indexZero(s)
		if i < 0 {
			buf = append(buf, s...)
			break
		}
		buf = append(buf, s[:i]...)
		buf = append(buf, 0x00, keyStrEsc)
		s = s[i+1:]
	}
	return append(buf, 0x00, keyStrEnd)
}

func indexZero(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

func appendDecimalKey(buf []byte, dec *apd.Decimal) []byte {
	switch dec.Form {
	case apd.Infinite:
		if dec.Negative {
			return append(buf, decClassNegInf)
		}
		return append(buf, decClassPosInf)
	case apd.Finite:
	default:
		return append(buf, decClassNaN)
	}
	if dec.Coeff.Sign() == 0 {
		return append(buf, decClassZero)
	}
	var digits []byte
	if dec.Coeff.IsUint64() {
		var tmp [20]byte
		digits = strconv.AppendUint(tmp[:0], dec.Coeff.Uint64(), 10)
	} else {
		digits = []byte(dec.Coeff.Text(10))
	}
	// value = 0.d1d2...dn × 10^adj; trailing zeros do not change it.
	adj := int64(dec.Exponent) + int64(len(digits))
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if dec.Negative {
		buf = append(buf, decClassNeg)
	} else {
		buf = append(buf, decClassPos)
	}
	start := len(buf)
	buf = binary.BigEndian.AppendUint64(buf, uint64(adj)^(1<<63))
	for i := 0; i < len(digits); i += 2 {
		b := 1 + 10*(digits[i]-'0')
		if i+1 < len(digits) {
			b += digits[i+1] - '0'
		}
		buf = append(buf, b)
	}
	buf = append(buf, 0x00)
	if dec.Negative {
		invert(buf[start:])
	}
	return buf
}

// intervalTotal returns months*30 days + days*24h + micros as a signed
// 128-bit number (hi, lo): the int64 sum can overflow.
func intervalTotal(v types.IntervalValue) (hi int64, lo uint64) {
	h1, l1 := mul128(int64(v.Months), monthMicros)
	h2, l2 := mul128(int64(v.Days), dayMicros)
	hi, lo = add128(h1, l1, h2, l2)
	var h3 int64
	if v.Micros < 0 {
		h3 = -1
	}
	return add128(hi, lo, h3, uint64(v.Micros))
}

func mul128(a int64, c uint64) (int64, uint64) {
	neg := a < 0
	m := uint64(a)
	if neg {
		m = uint64(-a)
	}
	hi, lo := bits.Mul64(m, c)
	if neg {
		return neg128(int64(hi), lo)
	}
	return int64(hi), lo
}

func neg128(hi int64, lo uint64) (int64, uint64) {
	lo = ^lo + 1
	h := ^uint64(hi)
	if lo == 0 {
		h++
	}
	return int64(h), lo
}

func add128(h1 int64, l1 uint64, h2 int64, l2 uint64) (int64, uint64) {
	lo, carry := bits.Add64(l1, l2, 0)
	return int64(uint64(h1) + uint64(h2) + carry), lo
}

// intervalFromTotal splits a total back into months, days and micros,
// keeping every field's sign equal to the total's.
func intervalFromTotal(hi int64, lo uint64) (types.IntervalValue, error) {
	neg := hi < 0
	mh, ml := hi, lo
	if neg {
		mh, ml = neg128(hi, lo)
	}
	if uint64(mh) >= monthMicros {
		return types.IntervalValue{}, fmt.Errorf("%w: interval key out of range", ErrCorrupt)
	}
	months, rem := bits.Div64(uint64(mh), ml, monthMicros)
	if months > math.MaxInt32 {
		return types.IntervalValue{}, fmt.Errorf("%w: interval key out of range", ErrCorrupt)
	}
	v := types.IntervalValue{Months: int32(months), Days: int32(rem / dayMicros), Micros: int64(rem % dayMicros)}
	if neg {
		v = types.IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}
	}
	return v, nil
}

// DecodeKey decodes one datum encoded by AppendKey with the same desc and
// returns the bytes after it. Decimals and intervals come back normalized
// (see the encoding notes); strings are copied.
func DecodeKey(b []byte, desc bool) (d types.Datum, rest []byte, err error) {
	r := keyReader{b: b}
	if desc {
		r.mask = 0xFF
	}
	d, err = r.datum(0)
	if err != nil {
		return types.Null, nil, err
	}
	return d, r.b, nil
}

// keyReader reads an encoding, complemented on the fly for descending keys.
type keyReader struct {
	b    []byte
	mask byte
}

func (r *keyReader) errf(what string) error {
	return fmt.Errorf("%w: bad %s key", ErrCorrupt, what)
}

func (r *keyReader) byte1() (byte, bool) {
	if len(r.b) == 0 {
		return 0, false
	}
	c := r.b[0] ^ r.mask
	r.b = r.b[1:]
	return c, true
}

func (r *keyReader) u64() (uint64, bool) {
	if len(r.b) < 8 {
		return 0, false
	}
	u := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	if r.mask != 0 {
		u = ^u
	}
	return u, true
}

func (r *keyReader) datum(depth int) (types.Datum, error) {
	tag, ok := r.byte1()
	if !ok {
		return types.Null, r.errf("truncated")
	}
	if tag == keyNull {
		return types.Null, nil
	}
	k := types.Kind(tag - keyTagBase)
	switch k {
	case types.KBool:
		c, ok := r.byte1()
		if !ok || c > 1 {
			return types.Null, r.errf("bool")
		}
		return types.NewBool(c == 1), nil
	case types.KInt, types.KTime, types.KDate:
		u, ok := r.u64()
		if !ok {
			return types.Null, r.errf("integer")
		}
		return types.Datum{K: k, I: int64(u ^ 1<<63)}, nil
	case types.KFloat:
		u, ok := r.u64()
		if !ok {
			return types.Null, r.errf("float")
		}
		return types.NewFloat(floatFromKeyBits(u)), nil
	case types.KDecimal:
		return r.decimal()
	case types.KString, types.KBytes:
		s, err := r.escaped()
		if err != nil {
			return types.Null, err
		}
		return types.Datum{K: k, S: s}, nil
	case types.KInterval:
		h, ok1 := r.u64()
		l, ok2 := r.u64()
		if !ok1 || !ok2 {
			return types.Null, r.errf("interval")
		}
		v, err := intervalFromTotal(int64(h^1<<63), l)
		if err != nil {
			return types.Null, err
		}
		return types.NewInterval(v), nil
	case types.KArray:
		if depth >= maxArrayDepth {
			return types.Null, r.errf("nested array")
		}
		var elems []types.Datum
		for {
			if len(r.b) == 0 {
				return types.Null, r.errf("array")
			}
			if r.b[0]^r.mask == keyArrEnd {
				r.b = r.b[1:]
				break
			}
			e, err := r.datum(depth + 1)
			if err != nil {
				return types.Null, err
			}
			elems = append(elems, e)
		}
		if elems == nil {
			elems = []types.Datum{}
		}
		return types.NewArray(elems), nil
	}
	return types.Null, fmt.Errorf("%w: unknown key tag %#x", ErrCorrupt, tag)
}

func (r *keyReader) escaped() (string, error) {
	var out []byte
	for i := 0; i < len(r.b); i++ {
		if r.b[i]^r.mask != 0x00 {
			continue
		}
		if i+1 >= len(r.b) {
			break
		}
		switch r.b[i+1] ^ r.mask {
		case keyStrEnd:
			out = appendMasked(out, r.b[:i], r.mask)
			r.b = r.b[i+2:]
			return string(out), nil
		case keyStrEsc:
			out = appendMasked(out, r.b[:i+1], r.mask)
			r.b = r.b[i+2:]
			i = -1
		default:
			return "", r.errf("string escape")
		}
	}
	return "", r.errf("unterminated string")
}

func appendMasked(dst, src []byte, mask byte) []byte {
	n := len(dst)
	dst = append(dst, src...)
	if mask != 0 {
		for i := n; i < len(dst); i++ {
			dst[i] ^= mask
		}
	}
	return dst
}

func (r *keyReader) decimal() (types.Datum, error) {
	class, ok := r.byte1()
	if !ok {
		return types.Null, r.errf("decimal")
	}
	dec := new(apd.Decimal)
	switch class {
	case decClassNegInf:
		dec.Form, dec.Negative = apd.Infinite, true
		return types.NewDecimal(dec), nil
	case decClassPosInf:
		dec.Form = apd.Infinite
		return types.NewDecimal(dec), nil
	case decClassNaN:
		dec.Form = apd.NaN
		return types.NewDecimal(dec), nil
	case decClassZero:
		return types.NewDecimal(dec), nil
	case decClassNeg, decClassPos:
	default:
		return types.Null, r.errf("decimal class")
	}
	// Negative magnitudes are stored complemented, on top of any desc mask.
	inner := keyReader{b: r.b, mask: r.mask}
	if class == decClassNeg {
		inner.mask ^= 0xFF
	}
	u, ok := inner.u64()
	if !ok {
		return types.Null, r.errf("decimal exponent")
	}
	adj := int64(u ^ 1<<63)
	digits := make([]byte, 0, 16)
	for {
		c, ok := inner.byte1()
		if !ok || c > 100 {
			return types.Null, r.errf("decimal digits")
		}
		if c == 0 {
			break
		}
		c--
		digits = append(digits, '0'+c/10, '0'+c%10)
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 {
		return types.Null, r.errf("decimal digits")
	}
	r.b = inner.b
	exp := adj - int64(len(digits))
	if exp != int64(int32(exp)) {
		return types.Null, r.errf("decimal exponent")
	}
	if _, ok := dec.Coeff.SetString(string(digits), 10); !ok {
		return types.Null, r.errf("decimal digits")
	}
	dec.Exponent = int32(exp)
	dec.Negative = class == decClassNeg
	return types.NewDecimal(dec), nil
}
