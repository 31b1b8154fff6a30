package expr

import (
	"math"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// NUMERIC arithmetic follows PostgreSQL's result scales: + and - keep the
// larger input scale, * adds them, / picks select_div_scale's scale (at
// least 16 significant digits), and rounding is half away from zero.

// exactCtx performs exact addition, subtraction and multiplication.
var exactCtx = func() *apd.Context {
	c := apd.BaseContext
	c.Rounding = apd.RoundHalfUp
	return &c
}()

const (
	numericMinSigDigits   = 16
	numericMaxDisplayScal = 1000
	// decDigits is the number of decimal digits in one base-10000 digit of
	// PostgreSQL's numeric representation; result scales depend on it.
	decDigits = 4
)

var (
	errDivByZero    = pgerror.New(pgerror.DivisionByZero, "division by zero")
	errNumericRange = pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
)

func newDec(i int64) *apd.Decimal { return apd.New(i, 0) }

func isNaNDec(d *apd.Decimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }

// dscale is the display scale of d: the digits after the point.
func dscale(d *apd.Decimal) int {
	if d.Exponent >= 0 {
		return 0
	}
	return int(-d.Exponent)
}

// normalizeExp gives d a non-positive exponent so that it prints without
// an exponent, as every PostgreSQL numeric does.
func normalizeExp(d *apd.Decimal) *apd.Decimal {
	if d.Form == apd.Finite && d.Exponent > 0 {
		var e apd.BigInt
		e.Exp(apd.NewBigInt(10), apd.NewBigInt(int64(d.Exponent)), nil)
		d.Coeff.Mul(&d.Coeff, &e)
		d.Exponent = 0
	}
	return d
}

func decToFloat(d *apd.Decimal) float64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return math.NaN()
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := d.Float64()
	if err != nil {
		// Float64 fails only on values beyond float64's range.
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	return f
}

func decAdd(a, b *apd.Decimal) (types.Datum, error) {
	r := new(apd.Decimal)
	if _, err := exactCtx.Add(r, a, b); err != nil {
		return types.Null, decErr(err)
	}
	return types.NewDecimal(normalizeExp(r)), nil
}

func decSub(a, b *apd.Decimal) (types.Datum, error) {
	r := new(apd.Decimal)
	if _, err := exactCtx.Sub(r, a, b); err != nil {
		return types.Null, decErr(err)
	}
	return types.NewDecimal(normalizeExp(r)), nil
}

func decMul(a, b *apd.Decimal) (types.Datum, error) {
	r := new(apd.Decimal)
	if _, err := exactCtx.Mul(r, a, b); err != nil {
		return types.Null, decErr(err)
	}
	return types.NewDecimal(normalizeExp(r)), nil
}

func decErr(err error) error {
	return pgerror.Wrap(err, pgerror.NumericValueOutOfRange)
}

// decWeight returns PostgreSQL's weight (position of the first base-10000
// digit) and the value of that first base-10000 digit, for non-zero d.
func decWeight(d *apd.Decimal) (weight int, first int) {
	if d.Form != apd.Finite || d.Coeff.Sign() == 0 {
		return 0, 0
	}
	var abs apd.BigInt
	abs.Abs(&d.Coeff)
	digits := abs.Append(nil, 10)
	adj := len(digits) - 1 + int(d.Exponent) // floor(log10|d|)
	weight = floorDivInt(adj, decDigits)
	lead := adj - weight*decDigits + 1
	for i := 0; i < lead; i++ {
		first *= 10
		if i < len(digits) {
			first += int(digits[i] - '0')
		}
	}
	return weight, first
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// divScale is PostgreSQL's select_div_scale.
func divScale(a, b *apd.Decimal) int {
	w1, f1 := decWeight(a)
	w2, f2 := decWeight(b)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := numericMinSigDigits - qweight*decDigits
	rscale = max(rscale, dscale(a), dscale(b), 0)
	return min(rscale, numericMaxDisplayScal)
}

// decQuoScale divides a by b and rounds half away from zero to scale
// digits after the point, exactly.
func decQuoScale(a, b *apd.Decimal, scale int) (*apd.Decimal, error) {
	if b.Form == apd.Finite && b.Coeff.Sign() == 0 {
		return nil, errDivByZero
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		if isNaNDec(a) || isNaNDec(b) {
			return &apd.Decimal{Form: apd.NaN}, nil
		}
		r := new(apd.Decimal)
		c := *exactCtx
		c.Precision = 40
		c.Traps = 0
		if _, err := c.Quo(r, a, b); err != nil {
			return nil, decErr(err)
		}
		return r, nil
	}
	// a/b = ca*10^ea / (cb*10^eb); the result coefficient at exponent
	// -scale is ca*10^(ea-eb+scale) / cb.
	shift := int64(a.Exponent) - int64(b.Exponent) + int64(scale)
	num := new(apd.BigInt).Set(&a.Coeff)
	den := new(apd.BigInt).Set(&b.Coeff)
	if shift > 0 {
		num.Mul(num, pow10Big(shift))
	} else if shift < 0 {
		den.Mul(den, pow10Big(-shift))
	}
	if a.Negative {
		num.Neg(num)
	}
	if b.Negative {
		den.Neg(den)
	}
	q, rem := new(apd.BigInt), new(apd.BigInt)
	q.QuoRem(num, den, rem)
	// Round half away from zero: |2*rem| >= |den|.
	rem.Abs(rem)
	rem.Lsh(rem, 1)
	var absDen apd.BigInt
	absDen.Abs(den)
	if rem.Cmp(&absDen) >= 0 {
		if (num.Sign() < 0) != (den.Sign() < 0) {
			q.Sub(q, apd.NewBigInt(1))
		} else {
			q.Add(q, apd.NewBigInt(1))
		}
	}
	r := new(apd.Decimal)
	r.Coeff.Abs(q)
	r.Negative = q.Sign() < 0
	r.Exponent = int32(-scale)
	return r, nil
}

func pow10Big(n int64) *apd.BigInt {
	return new(apd.BigInt).Exp(apd.NewBigInt(10), apd.NewBigInt(n), nil)
}

func decDiv(a, b *apd.Decimal) (types.Datum, error) {
	r, err := decQuoScale(a, b, divScale(a, b))
	if err != nil {
		return types.Null, err
	}
	return types.NewDecimal(r), nil
}

// decMod is PostgreSQL's numeric %: the remainder of truncated division,
// with the sign of the dividend and the larger input scale.
func decMod(a, b *apd.Decimal) (types.Datum, error) {
	if b.Form == apd.Finite && b.Coeff.Sign() == 0 {
		return types.Null, errDivByZero
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return types.NewDecimal(&apd.Decimal{Form: apd.NaN}), nil
	}
	exp := min(a.Exponent, b.Exponent)
	ca := scaledCoeff(a, exp)
	cb := scaledCoeff(b, exp)
	rem := new(apd.BigInt).Rem(ca, cb)
	r := new(apd.Decimal)
	r.Coeff.Abs(rem)
	r.Negative = rem.Sign() < 0
	r.Exponent = exp
	return types.NewDecimal(normalizeExp(r)), nil
}

// scaledCoeff returns d's signed coefficient at exponent exp <= d.Exponent.
func scaledCoeff(d *apd.Decimal, exp int32) *apd.BigInt {
	c := new(apd.BigInt).Set(&d.Coeff)
	if d.Exponent > exp {
		c.Mul(c, pow10Big(int64(d.Exponent-exp)))
	}
	if d.Negative {
		c.Neg(c)
	}
	return c
}

// decRound rounds d half away from zero to scale digits after the point;
// a negative scale rounds to the left of the point. The result has exactly
// max(scale, 0) digits after the point, as round(numeric, int) does.
func decRound(d *apd.Decimal, scale int) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	r := new(apd.Decimal)
	if err := quantize(r, d, int32(-scale), apd.RoundHalfUp); err != nil {
		return nil, decErr(err)
	}
	if scale < 0 {
		normalizeExp(r)
	}
	if r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	return r, nil
}

// quantize sets r to d rounded to exponent exp. apd's Quantize needs a
// precision that holds the result, so it gets one sized for d.
func quantize(r, d *apd.Decimal, exp int32, rounding apd.Rounder) error {
	c := *exactCtx
	c.Rounding = rounding
	c.Precision = uint32(max(d.NumDigits()+int64(max(d.Exponent-exp, 0)), 1) + 2)
	if _, err := c.Quantize(r, d, exp); err != nil {
		return decErr(err)
	}
	return nil
}

// decTrunc truncates d toward zero at scale digits after the point.
func decTrunc(d *apd.Decimal, scale int) (*apd.Decimal, error) {
	if d.Form != apd.Finite {
		return d, nil
	}
	r := new(apd.Decimal)
	if err := quantize(r, d, int32(-scale), apd.RoundDown); err != nil {
		return nil, decErr(err)
	}
	if scale < 0 {
		normalizeExp(r)
	}
	if r.Coeff.Sign() == 0 {
		r.Negative = false
	}
	return r, nil
}

// decFromFloat converts a float8 to numeric as PostgreSQL's float8_numeric
// does: through its shortest decimal text with 15 significant digits.
func decFromFloat(f float64) (*apd.Decimal, error) {
	if math.IsNaN(f) {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if math.IsInf(f, 0) {
		return &apd.Decimal{Form: apd.Infinite, Negative: f < 0}, nil
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, pgerror.Wrap(err, pgerror.InvalidTextRepresentation)
	}
	if d.Exponent < 0 {
		// Drop the trailing zeros %g can leave in the coefficient.
		d.Reduce(d)
	}
	return normalizeExp(d), nil
}

// datumToDec converts an integer or numeric datum to a decimal.
func datumToDec(d types.Datum) *apd.Decimal {
	switch d.K {
	case types.KDecimal:
		return d.Decimal()
	case types.KInt:
		return newDec(d.I)
	case types.KFloat:
		r, _ := decFromFloat(d.Float())
		return r
	}
	return newDec(0)
}
