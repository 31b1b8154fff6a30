package types

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
)

// NUMERIC values are *apd.Decimal with a non-positive exponent: the
// exponent's negation is PostgreSQL's display scale, so 90.80 keeps its
// trailing zero. Values built here are never negative zero.

const (
	// PostgreSQL's limits: 131072 digits before the point, 16383 after.
	numericMaxWeightDigits = 131072
	numericMaxDscale       = 16383
)

// NumericContext is the apd context for NUMERIC arithmetic that must be
// exact (rounding only where PostgreSQL rounds): half away from zero, as
// PostgreSQL's round_var does.
var NumericContext = &apd.Context{
	Precision:   numericMaxWeightDigits + numericMaxDscale + 16,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfUp,
}

var (
	decNaN    = &apd.Decimal{Form: apd.NaN}
	decPosInf = &apd.Decimal{Form: apd.Infinite}
	decNegInf = &apd.Decimal{Form: apd.Infinite, Negative: true}
)

// NumericFromString parses PostgreSQL NUMERIC input ("1.50", " -3e2 ",
// "NaN", "Infinity", "-inf") without applying a type modifier.
func NumericFromString(s string) (*apd.Decimal, error) {
	d, ok := parseNumericText(s)
	if !ok {
		return nil, pgerror.Newf(pgerror.InvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
	}
	if d == nil {
		return nil, errNumericOverflow()
	}
	return d, nil
}

func errNumericOverflow() error {
	return pgerror.New(pgerror.NumericValueOutOfRange, "value overflows numeric format")
}

// parseNumericText returns (nil, true) when the syntax is fine but the
// value is beyond NUMERIC's range.
func parseNumericText(s string) (*apd.Decimal, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, false
	}
	body := t
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch {
	case strings.EqualFold(body, "nan"):
		if t != body {
			return nil, false
		}
		return decNaN, true
	case strings.EqualFold(body, "infinity"), strings.EqualFold(body, "inf"):
		if neg {
			return decNegInf, true
		}
		return decPosInf, true
	}
	// [digits][.digits][e[+-]digits] with at least one mantissa digit.
	i, nd := 0, 0
	for i < len(body) && isDigit(body[i]) {
		i++
		nd++
	}
	if i < len(body) && body[i] == '.' {
		i++
		for i < len(body) && isDigit(body[i]) {
			i++
			nd++
		}
	}
	if nd == 0 {
		return nil, false
	}
	mant := body[:i]
	var exp int64
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		j := i + 1
		eneg := false
		if j < len(body) && (body[j] == '+' || body[j] == '-') {
			eneg = body[j] == '-'
			j++
		}
		if j == len(body) {
			return nil, false
		}
		for k := j; k < len(body); k++ {
			if !isDigit(body[k]) {
				return nil, false
			}
			if exp < 1e7 {
				exp = exp*10 + int64(body[k]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
		i = len(body)
	}
	if i != len(body) {
		return nil, false
	}
	// Build coefficient digits and exponent without apd's looser parser.
	var digits []byte
	var scale int64
	if k := strings.IndexByte(mant, '.'); k >= 0 {
		scale = int64(len(mant) - k - 1)
		digits = make([]byte, 0, len(mant))
		digits = append(digits, mant[:k]...)
		digits = append(digits, mant[k+1:]...)
	} else {
		digits = []byte(mant)
	}
	e := exp - scale
	if e > numericMaxWeightDigits || e < -numericMaxDscale-int64(len(digits)) {
		return nil, true
	}
	d := new(apd.Decimal)
	if _, ok := d.Coeff.SetString(string(digits), 10); !ok {
		return nil, false
	}
	d.Exponent = int32(e)
	d.Negative = neg
	if !normalizeDecimal(d) {
		return nil, true
	}
	return d, true
}

// normalizeDecimal brings a finite decimal into NUMERIC's canonical shape:
// no positive exponent and no negative zero. It reports false when the
// value is beyond NUMERIC's range.
func normalizeDecimal(d *apd.Decimal) bool {
	if d.Form != apd.Finite {
		return true
	}
	if d.Exponent > 0 {
		if int64(d.Exponent)+d.NumDigits() > numericMaxWeightDigits {
			return false
		}
		var m apd.BigInt
		m.Exp(apd.NewBigInt(10), apd.NewBigInt(int64(d.Exponent)), nil)
		d.Coeff.Mul(&d.Coeff, &m)
		d.Exponent = 0
	}
	if -d.Exponent > numericMaxDscale {
		return false
	}
	if d.Coeff.Sign() == 0 {
		d.Negative = false
	}
	if int64(d.Exponent)+d.NumDigits() > numericMaxWeightDigits {
		return false
	}
	return true
}

// AppendNumeric appends PostgreSQL's text output of a NUMERIC.
func AppendNumeric(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(buf, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(buf, "-Infinity"...)
		}
		return append(buf, "Infinity"...)
	}
	if d.Negative && d.Coeff.Sign() == 0 {
		var z apd.Decimal
		z.Exponent = d.Exponent
		return z.Append(buf, 'f')
	}
	return d.Append(buf, 'f')
}

// ApplyNumericTypmod rounds d to the scale of numeric(p,s) and checks its
// precision, like PostgreSQL's apply_typmod. d is not modified.
func ApplyNumericTypmod(d *apd.Decimal, mod int32) (*apd.Decimal, error) {
	if mod < 0 {
		return d, nil
	}
	p, s := int(mod>>16), int(mod&0xffff)
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return d, nil
	case apd.Infinite:
		return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision " + strconv.Itoa(p) + ", scale " + strconv.Itoa(s) + " cannot hold an infinite value.")
	}
	r := d
	if d.Exponent != int32(-s) {
		r = new(apd.Decimal)
		if _, err := NumericContext.Quantize(r, d, int32(-s)); err != nil {
			return nil, errNumericOverflow()
		}
		if r.Coeff.Sign() == 0 {
			r.Negative = false
		}
	}
	if r.Coeff.Sign() != 0 {
		intDigits := r.NumDigits() + int64(r.Exponent)
		if maxDigits := p - s; intDigits > int64(maxDigits) {
			detail := "A field with precision " + strconv.Itoa(p) + ", scale " + strconv.Itoa(s) + " must round to an absolute value less than "
			if maxDigits > 0 {
				detail += "10^" + strconv.Itoa(maxDigits) + "."
			} else {
				detail += "1."
			}
			return nil, pgerror.New(pgerror.NumericValueOutOfRange, "numeric field overflow").WithDetail(detail)
		}
	}
	return r, nil
}

// NumericFromInt returns n as a NUMERIC.
func NumericFromInt(n int64) *apd.Decimal { return apd.New(n, 0) }

// numericFromFloat converts like PostgreSQL's float8_numeric: through the
// decimal text with DBL_DIG (15) or FLT_DIG (6) significant digits.
func numericFromFloat(f float64, float4 bool) (*apd.Decimal, error) {
	switch {
	case math.IsNaN(f):
		return decNaN, nil
	case math.IsInf(f, 1):
		return decPosInf, nil
	case math.IsInf(f, -1):
		return decNegInf, nil
	}
	digits := 15
	if float4 {
		digits = 6
	}
	var tmp [32]byte
	b := strconv.AppendFloat(tmp[:0], f, 'g', digits, 64)
	d, ok := parseNumericText(string(b))
	if !ok || d == nil {
		return nil, errNumericOverflow()
	}
	return d, nil
}

// numericToInt rounds half away from zero and range-checks for the width.
func numericToInt(d *apd.Decimal, fam Family) (int64, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, pgerror.Newf(pgerror.FeatureNotSupported, "cannot convert NaN to %s", intTypeName(fam))
	case apd.Infinite:
		return 0, pgerror.Newf(pgerror.FeatureNotSupported, "cannot convert infinity to %s", intTypeName(fam))
	}
	r := d
	if d.Exponent < 0 {
		r = new(apd.Decimal)
		if _, err := NumericContext.Quantize(r, d, 0); err != nil {
			return 0, intOutOfRange(fam)
		}
	}
	if r.NumDigits()+int64(r.Exponent) > 19 {
		return 0, intOutOfRange(fam)
	}
	v, err := r.Int64()
	if err != nil {
		return 0, intOutOfRange(fam)
	}
	return checkIntRange(v, fam)
}

func intTypeName(f Family) string {
	switch f {
	case Int2:
		return "smallint"
	case Int8:
		return "bigint"
	}
	return "integer"
}

func intOutOfRange(f Family) error {
	return pgerror.Newf(pgerror.NumericValueOutOfRange, "%s out of range", intTypeName(f))
}

func checkIntRange(v int64, f Family) (int64, error) {
	switch f {
	case Int2:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return 0, intOutOfRange(f)
		}
	case Int4:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, intOutOfRange(f)
		}
	}
	return v, nil
}

// Binary NUMERIC: int16 ndigits, int16 weight, uint16 sign, uint16 dscale,
// then ndigits base-10000 digits, most significant first; the value is
// sum(digit[i] * 10000^(weight-i)).
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

func appendNumericBinary(buf []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return binary.BigEndian.AppendUint64(buf, numericNaN<<16)
	case apd.Infinite:
		// PostgreSQL reads the dscale of its special values from the bits
		// of the short header, which gives 32 for the infinities.
		if d.Negative {
			return binary.BigEndian.AppendUint64(buf, numericNInf<<16|32)
		}
		return binary.BigEndian.AppendUint64(buf, numericPInf<<16|32)
	}
	var scratch [40]byte
	digits := d.Coeff.Append(scratch[:0], 10)
	exp := int(d.Exponent)
	dscale := 0
	if exp < 0 {
		dscale = -exp
	}
	if d.Coeff.Sign() == 0 {
		buf = binary.BigEndian.AppendUint32(buf, 0)
		buf = binary.BigEndian.AppendUint16(buf, numericPos)
		return binary.BigEndian.AppendUint16(buf, uint16(dscale))
	}
	// The value is 0.digits * 10^intLen. Base-10000 groups align with the
	// decimal point, so the first group starts at digit position start, in
	// (-4, 0]; positions outside digits are zeros.
	intLen := len(digits) + exp
	weight := floorDiv(int64(intLen+3), 4) - 1
	start := intLen - int(weight+1)*4
	ndigits := (len(digits) - start + 3) / 4
	// Trailing zero groups are dropped, as PostgreSQL does.
	group := func(g int) uint16 {
		var v uint16
		for k := 0; k < 4; k++ {
			p := start + g*4 + k
			v *= 10
			if p >= 0 && p < len(digits) {
				v += uint16(digits[p] - '0')
			}
		}
		return v
	}
	for ndigits > 0 && group(ndigits-1) == 0 {
		ndigits--
	}
	sign := uint16(numericPos)
	if d.Negative {
		sign = numericNeg
	}
	buf = binary.BigEndian.AppendUint16(buf, uint16(ndigits))
	buf = binary.BigEndian.AppendUint16(buf, uint16(int16(weight)))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, uint16(dscale))
	for g := 0; g < ndigits; g++ {
		buf = binary.BigEndian.AppendUint16(buf, group(g))
	}
	return buf
}

func parseNumericBinary(b []byte) (*apd.Decimal, error) {
	if len(b) < 8 {
		return nil, errBinary("numeric")
	}
	ndigits := int(binary.BigEndian.Uint16(b[0:]))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	switch sign {
	case numericNaN:
		return decNaN, nil
	case numericPInf:
		return decPosInf, nil
	case numericNInf:
		return decNegInf, nil
	case numericPos, numericNeg:
	default:
		return nil, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if int16(ndigits) < 0 || len(b) != 8+2*ndigits || dscale > numericMaxDscale {
		return nil, errBinary("numeric")
	}
	digits := make([]byte, 0, 4*ndigits)
	for i := 0; i < ndigits; i++ {
		g := binary.BigEndian.Uint16(b[8+2*i:])
		if g >= 10000 {
			return nil, pgerror.New(pgerror.InvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		digits = append(digits, byte('0'+g/1000), byte('0'+g/100%10), byte('0'+g/10%10), byte('0'+g%10))
	}
	d := new(apd.Decimal)
	if len(digits) == 0 {
		d.Exponent = int32(-dscale)
		return d, nil
	}
	if _, ok := d.Coeff.SetString(string(digits), 10); !ok {
		return nil, errBinary("numeric")
	}
	d.Exponent = int32((weight + 1 - ndigits) * 4)
	d.Negative = sign == numericNeg
	// Bring the value to exactly dscale fractional digits, rounding like
	// numeric_recv when the sender gave more.
	if _, err := NumericContext.Quantize(d, d, int32(-dscale)); err != nil {
		return nil, errBinary("numeric")
	}
	if !normalizeDecimal(d) {
		return nil, errNumericOverflow()
	}
	return d, nil
}

// reducedSmall strips the trailing zeros of a coefficient that fits in a
// uint64, so that 1.0 and 1.00 hash alike.
func reducedSmall(d *apd.Decimal) (coeff uint64, exp int32, ok bool) {
	if !d.Coeff.IsUint64() {
		return 0, 0, false
	}
	c := d.Coeff.Uint64()
	e := d.Exponent
	for c != 0 && c%10 == 0 {
		c /= 10
		e++
	}
	return c, e, true
}
