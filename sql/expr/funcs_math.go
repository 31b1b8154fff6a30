package expr

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

var (
	errSqrtNeg = pgerror.New("2201F", "cannot take square root of a negative number")
	errLogZero = pgerror.New("2201E", "cannot take logarithm of zero")
	errLogNeg  = pgerror.New("2201E", "cannot take logarithm of a negative number")
)

func floatFn(f func(float64) float64) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return types.NewFloat(f(a[0].Float())), nil
	}
}

func decFn(f func(*apd.Decimal) (*apd.Decimal, error)) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := f(a[0].Decimal())
		if err != nil {
			return types.Null, err
		}
		return types.NewDecimal(r), nil
	}
}

func checkFloat(r float64, inputs ...float64) (types.Datum, error) {
	if math.IsInf(r, 0) {
		for _, x := range inputs {
			if math.IsInf(x, 0) {
				return types.NewFloat(r), nil
			}
		}
		return types.Null, errFloatOver
	}
	return types.NewFloat(r), nil
}

// decSqrt follows numeric_sqrt's result scale: at least 16 significant
// digits and no less than the input's scale.
func decSqrt(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form == apd.Finite && d.Negative && d.Coeff.Sign() != 0 {
		return nil, errSqrtNeg
	}
	if d.Form != apd.Finite {
		return d, nil
	}
	w, _ := decWeight(d)
	sweight := (w+1)*decDigits/2 - 1
	rscale := numericMinSigDigits - sweight
	rscale = min(max(rscale, dscale(d), 0), numericMaxDisplayScal)
	c := *exactCtx
	c.Precision = uint32(max(sweight, 0)+rscale) + 10
	r := new(apd.Decimal)
	if _, err := c.Sqrt(r, d); err != nil {
		return nil, decErr(err)
	}
	return decRound(r, rscale)
}

// decPower follows numeric_power's result scale (16 significant digits
// from an estimate of the result's weight).
func decPower(x, y *apd.Decimal) (*apd.Decimal, error) {
	if x.Form != apd.Finite || y.Form != apd.Finite {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	if x.IsZero() && y.Negative {
		return nil, pgerror.New("2201F", "zero raised to a negative power is undefined")
	}
	yi, yerr := y.Int64()
	isInt := yerr == nil && dscaleReduced(y) == 0
	if x.Negative && !isInt {
		return nil, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	if isInt && yi >= math.MinInt32 && yi <= math.MaxInt32 {
		// power_var_int: 16 digits after the point (or the base's scale),
		// whatever the size of the result.
		rscale := min(max(numericMinSigDigits, dscale(x)), numericMaxDisplayScal)
		xf := decToFloat(x)
		est := 0.0
		if xf != 0 {
			est = float64(yi) * math.Log10(math.Abs(xf))
		}
		if math.IsInf(est, 0) || math.Abs(est) > 1e6 {
			return nil, errNumericRange
		}
		c := *exactCtx
		c.Precision = uint32(max(int(est), 0)+rscale) + 10
		r := new(apd.Decimal)
		if _, err := c.Pow(r, x, apd.New(yi, 0)); err != nil {
			return nil, decErr(err)
		}
		return decRound(r, rscale)
	}
	xf, yf := decToFloat(x), decToFloat(y)
	est := 0.0
	if xf != 0 {
		est = yf * math.Log10(math.Abs(xf))
	}
	if math.IsInf(est, 0) || math.Abs(est) > 1e6 {
		return nil, errNumericRange
	}
	rscale := numericMinSigDigits - int(est)
	rscale = min(max(rscale, dscale(x), dscale(y), 0), numericMaxDisplayScal)
	c := *exactCtx
	c.Precision = uint32(max(int(est), 0)+rscale) + 10
	r := new(apd.Decimal)
	if _, err := c.Pow(r, x, y); err != nil {
		return nil, decErr(err)
	}
	return decRound(r, rscale)
}

// dscaleReduced is the scale of d without trailing fractional zeros.
func dscaleReduced(d *apd.Decimal) int {
	var r apd.Decimal
	r.Reduce(d)
	return dscale(&r)
}

func decFloorCeil(ceil bool) func(*apd.Decimal) (*apd.Decimal, error) {
	return func(d *apd.Decimal) (*apd.Decimal, error) {
		if d.Form != apd.Finite {
			return d, nil
		}
		r := new(apd.Decimal)
		var err error
		if ceil {
			_, err = exactCtx.Ceil(r, d)
		} else {
			_, err = exactCtx.Floor(r, d)
		}
		if err != nil {
			return nil, decErr(err)
		}
		normalizeExp(r)
		if r.Exponent < 0 {
			if err := quantize(r, r, 0, apd.RoundDown); err != nil {
				return nil, err
			}
		}
		if r.Coeff.Sign() == 0 {
			r.Negative = false
		}
		return r, nil
	}
}

func decAbs(d *apd.Decimal) (*apd.Decimal, error) {
	return new(apd.Decimal).Abs(d), nil
}

func decSign(d *apd.Decimal) (*apd.Decimal, error) {
	if d.Form == apd.NaN {
		return d, nil
	}
	return apd.New(int64(d.Sign()), 0), nil
}

// resolveExtremum is greatest/least over the common type of the
// arguments; NULLs are ignored and the result is NULL only when all are.
func resolveExtremum(name string, sign int) func(args []types.T) (*Func, []types.T, error) {
	return func(args []types.T) (*Func, []types.T, error) {
		if len(args) == 0 {
			return nil, nil, nil
		}
		t, err := CommonType(args, name)
		if err != nil {
			return nil, nil, err
		}
		casts := castsTo(args, t)
		return &Func{Name: name, Args: casts, Ret: t, Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			best := types.Null
			for _, d := range a {
				if d.K == types.KNull {
					continue
				}
				if best.K == types.KNull || compareDatum(d, best)*sign > 0 {
					best = d
				}
			}
			return best, nil
		}}, casts, nil
	}
}

func resolveNullif(args []types.T) (*Func, []types.T, error) {
	if len(args) != 2 {
		return nil, nil, nil
	}
	l, r, ok := cmpTypes(args[0], args[1])
	if !ok {
		return nil, nil, pgerror.Newf(pgerror.UndefinedFunction, "operator does not exist: %s = %s", args[0].String(), args[1].String())
	}
	ret := l
	return &Func{Name: "nullif", Args: []types.T{l, r}, Ret: ret, Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		if a[0].K != types.KNull && a[1].K != types.KNull && equalDatum(a[0], a[1]) {
			return types.Null, nil
		}
		return a[0], nil
	}}, []types.T{l, r}, nil
}

func init() {
	f8, num, i4 := types.TFloat8, types.TNumeric, types.TInt4
	intAbs := func(f types.Family) evalFunc {
		lo, _, rangeErr := intBounds(f)
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x := a[0].I
			if x == lo {
				return types.Null, rangeErr
			}
			if x < 0 {
				x = -x
			}
			return types.NewInt(x), nil
		}
	}
	roundNum := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := decRound(a[0].Decimal(), int(a[1].I))
		if err != nil {
			return types.Null, err
		}
		return types.NewDecimal(r), nil
	}
	truncNum := func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		r, err := decTrunc(a[0].Decimal(), int(a[1].I))
		if err != nil {
			return types.Null, err
		}
		return types.NewDecimal(r), nil
	}
	register(
		fn("abs", types.TInt2, intAbs(types.Int2), types.TInt2),
		fn("abs", types.TInt4, intAbs(types.Int4), types.TInt4),
		fn("abs", types.TInt8, intAbs(types.Int8), types.TInt8),
		fn("abs", types.TFloat4, floatFn(math.Abs), types.TFloat4),
		fn("abs", f8, floatFn(math.Abs), f8),
		fn("abs", num, decFn(decAbs), num),
		// round(float8) is rint: halves go to even, unlike numeric.
		fn("round", f8, floatFn(math.RoundToEven), f8),
		fn("round", num, decFn(func(d *apd.Decimal) (*apd.Decimal, error) { return decRound(d, 0) }), num),
		fn("round", num, roundNum, num, i4),
		fn("trunc", f8, floatFn(math.Trunc), f8),
		fn("trunc", num, decFn(func(d *apd.Decimal) (*apd.Decimal, error) { return decTrunc(d, 0) }), num),
		fn("trunc", num, truncNum, num, i4),
		fn("ceil", f8, floatFn(math.Ceil), f8),
		fn("ceil", num, decFn(decFloorCeil(true)), num),
		fn("ceiling", f8, floatFn(math.Ceil), f8),
		fn("ceiling", num, decFn(decFloorCeil(true)), num),
		fn("floor", f8, floatFn(math.Floor), f8),
		fn("floor", num, decFn(decFloorCeil(false)), num),
		fn("sign", f8, floatFn(func(x float64) float64 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		}), f8),
		fn("sign", num, decFn(decSign), num),
		fn("sqrt", f8, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x := a[0].Float()
			if x < 0 {
				return types.Null, errSqrtNeg
			}
			return types.NewFloat(math.Sqrt(x)), nil
		}, f8),
		fn("sqrt", num, decFn(decSqrt), num),
		fn("cbrt", f8, floatFn(math.Cbrt), f8),
		fn("power", f8, powerFloat, f8, f8),
		fn("pow", f8, powerFloat, f8, f8),
		fn("power", num, powerNum, num, num),
		fn("pow", num, powerNum, num, num),
		// The ^ operator: float8 first, as PostgreSQL prefers float8 when
		// integer operands need an implicit cast.
		fn("^", f8, powerFloat, f8, f8),
		fn("^", num, powerNum, num, num),
		fn("exp", f8, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x := a[0].Float()
			r := math.Exp(x)
			if r == 0 && !math.IsInf(x, 0) {
				return types.Null, errFloatUnd
			}
			return checkFloat(r, x)
		}, f8),
		fn("ln", f8, logFloat(math.Log), f8),
		fn("log", f8, logFloat(math.Log10), f8),
		fn("log10", f8, logFloat(math.Log10), f8),
		fn("pi", f8, func(*Ctx, []types.Datum) (types.Datum, error) { return types.NewFloat(math.Pi), nil }),
		fn("degrees", f8, floatFn(func(x float64) float64 { return x * 180 / math.Pi }), f8),
		fn("radians", f8, floatFn(func(x float64) float64 { return x * math.Pi / 180 }), f8),
		fn("sin", f8, floatFn(math.Sin), f8),
		fn("cos", f8, floatFn(math.Cos), f8),
		fn("tan", f8, floatFn(math.Tan), f8),
		fn("asin", f8, floatFn(math.Asin), f8),
		fn("acos", f8, floatFn(math.Acos), f8),
		fn("atan", f8, floatFn(math.Atan), f8),
		fn("atan2", f8, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewFloat(math.Atan2(a[0].Float(), a[1].Float())), nil
		}, f8, f8),
		fn("div", num, func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			r, err := decIntDiv(a[0].Decimal(), a[1].Decimal())
			if err != nil {
				return types.Null, err
			}
			return types.NewDecimal(r), nil
		}, num, num),
		&Func{Name: "random", Args: nil, Ret: f8, Volatile: true, Eval: func(*Ctx, []types.Datum) (types.Datum, error) {
			return types.NewFloat(rand.Float64()), nil
		}},
		&Func{Name: "greatest", resolve: resolveExtremum("GREATEST", 1)},
		&Func{Name: "least", resolve: resolveExtremum("LEAST", -1)},
		&Func{Name: "nullif", resolve: resolveNullif},
	)
}

// decIntDiv is div(numeric, numeric): the quotient truncated toward zero.
func decIntDiv(a, b *apd.Decimal) (*apd.Decimal, error) {
	if b.Form == apd.Finite && b.Coeff.Sign() == 0 {
		return nil, errDivByZero
	}
	if a.Form != apd.Finite || b.Form != apd.Finite {
		return &apd.Decimal{Form: apd.NaN}, nil
	}
	exp := min(a.Exponent, b.Exponent)
	q := new(apd.BigInt).Quo(scaledCoeff(a, exp), scaledCoeff(b, exp))
	r := new(apd.Decimal)
	r.Coeff.Abs(q)
	r.Negative = q.Sign() < 0
	return r, nil
}

func powerFloat(_ *Ctx, a []types.Datum) (types.Datum, error) {
	x, y := a[0].Float(), a[1].Float()
	if x == 0 && y < 0 {
		return types.Null, pgerror.New("2201F", "zero raised to a negative power is undefined")
	}
	if x < 0 && y != math.Trunc(y) {
		return types.Null, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(x, y)
	if r == 0 && x != 0 && !math.IsInf(y, 0) {
		return types.Null, errFloatUnd
	}
	return checkFloat(r, x, y)
}

func powerNum(_ *Ctx, a []types.Datum) (types.Datum, error) {
	r, err := decPower(a[0].Decimal(), a[1].Decimal())
	if err != nil {
		return types.Null, err
	}
	return types.NewDecimal(r), nil
}

func logFloat(f func(float64) float64) evalFunc {
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		x := a[0].Float()
		switch {
		case x == 0:
			return types.Null, errLogZero
		case x < 0:
			return types.Null, errLogNeg
		}
		return types.NewFloat(f(x)), nil
	}
}
