package expr

import (
	"math"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Arithmetic operators. Operands arrive already converted to the operator's
// argument types (ResolveFunc told the planner which casts to add), so each
// overload handles one representation.

var (
	errInt2Range = pgerror.New(pgerror.NumericValueOutOfRange, "smallint out of range")
	errInt4Range = pgerror.New(pgerror.NumericValueOutOfRange, "integer out of range")
	errInt8Range = pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
	errFloatOver = pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: overflow")
	errFloatUnd  = pgerror.New(pgerror.NumericValueOutOfRange, "value out of range: underflow")
	errTSRange   = pgerror.New(pgerror.DatetimeFieldOverflow, "timestamp out of range")
	errDateRange = pgerror.New(pgerror.DatetimeFieldOverflow, "date out of range")
	errIvRange   = pgerror.New(pgerror.DatetimeFieldOverflow, "interval out of range")
)

// intBounds returns the range of an integer type and its overflow error.
func intBounds(f types.Family) (lo, hi int64, err error) {
	switch f {
	case types.Int2:
		return math.MinInt16, math.MaxInt16, errInt2Range
	case types.Int4:
		return math.MinInt32, math.MaxInt32, errInt4Range
	}
	return math.MinInt64, math.MaxInt64, errInt8Range
}

// intArith builds the integer overload of op for family f.
func intArith(op string, f types.Family) evalFunc {
	lo, hi, rangeErr := intBounds(f)
	check := func(r int64) (types.Datum, error) {
		if r < lo || r > hi {
			return types.Null, rangeErr
		}
		return types.NewInt(r), nil
	}
	switch op {
	case "+":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].I, a[1].I
			r := x + y
			if (x^r)&(y^r) < 0 {
				return types.Null, rangeErr
			}
			return check(r)
		}
	case "-":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].I, a[1].I
			r := x - y
			if (x^y)&(x^r) < 0 {
				return types.Null, rangeErr
			}
			return check(r)
		}
	case "*":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].I, a[1].I
			r := x * y
			if x != 0 && (r/x != y || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64)) {
				return types.Null, rangeErr
			}
			return check(r)
		}
	case "/":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].I, a[1].I
			if y == 0 {
				return types.Null, errDivByZero
			}
			if y == -1 {
				if x == lo {
					return types.Null, rangeErr
				}
				return types.NewInt(-x), nil
			}
			return types.NewInt(x / y), nil
		}
	case "%":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].I, a[1].I
			if y == 0 {
				return types.Null, errDivByZero
			}
			if y == -1 {
				return types.NewInt(0), nil
			}
			return types.NewInt(x % y), nil
		}
	case "neg":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			if a[0].I == lo {
				return types.Null, rangeErr
			}
			return types.NewInt(-a[0].I), nil
		}
	}
	return nil
}

// floatArith builds the float overload of op; float4 results are rounded
// to single precision.
func floatArith(op string, single bool) evalFunc {
	out := func(x, y, r float64) (types.Datum, error) {
		if single {
			r = float64(float32(r))
		}
		if math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0) {
			return types.Null, errFloatOver
		}
		return types.NewFloat(r), nil
	}
	switch op {
	case "+":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].Float(), a[1].Float()
			return out(x, y, x+y)
		}
	case "-":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].Float(), a[1].Float()
			return out(x, y, x-y)
		}
	case "*":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].Float(), a[1].Float()
			r := x * y
			if r == 0 && x != 0 && y != 0 {
				return types.Null, errFloatUnd
			}
			return out(x, y, r)
		}
	case "/":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			x, y := a[0].Float(), a[1].Float()
			if y == 0 {
				return types.Null, errDivByZero
			}
			r := x / y
			if r == 0 && x != 0 && !math.IsInf(y, 0) {
				return types.Null, errFloatUnd
			}
			return out(x, y, r)
		}
	case "neg":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewFloat(-a[0].Float()), nil
		}
	}
	return nil
}

func decArith(op string) evalFunc {
	switch op {
	case "+":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return decAdd(a[0].Decimal(), a[1].Decimal()) }
	case "-":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return decSub(a[0].Decimal(), a[1].Decimal()) }
	case "*":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return decMul(a[0].Decimal(), a[1].Decimal()) }
	case "/":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return decDiv(a[0].Decimal(), a[1].Decimal()) }
	case "%":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) { return decMod(a[0].Decimal(), a[1].Decimal()) }
	case "neg":
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			d := a[0].Decimal()
			if isNaNDec(d) {
				return a[0], nil
			}
			r := new(apd.Decimal).Set(d)
			r.Negative = !d.Negative && !(d.Form == apd.Finite && d.Coeff.Sign() == 0)
			return types.NewDecimal(r), nil
		}
	}
	return nil
}

// arithNumType is the type both operands of a numeric operator are
// converted to: floats win (float4 only when both are float4), then
// numeric, then the wider integer.
func arithNumType(l, r types.T) types.T {
	switch {
	case l.Fam == types.Float4 && r.Fam == types.Float4:
		return types.TFloat4
	case l.Fam == types.Float4 || l.Fam == types.Float8 || r.Fam == types.Float4 || r.Fam == types.Float8:
		return types.TFloat8
	case l.Fam == types.Numeric || r.Fam == types.Numeric:
		return types.TNumeric
	case numRank(l.Fam) >= numRank(r.Fam):
		return types.T{Fam: l.Fam, Mod: -1}
	}
	return types.T{Fam: r.Fam, Mod: -1}
}

// numOverload returns the overload of op over the numeric type t.
func numOverload(op string, t types.T) evalFunc {
	switch t.Fam {
	case types.Int2, types.Int4, types.Int8:
		return intArith(op, t.Fam)
	case types.Float4:
		if op == "%" {
			return nil
		}
		return floatArith(op, true)
	case types.Float8:
		if op == "%" {
			return nil
		}
		return floatArith(op, false)
	case types.Numeric:
		return decArith(op)
	}
	return nil
}

// resolveArith is the template of the binary arithmetic operators.
func resolveArith(op string) func(args []types.T) (*Func, []types.T, error) {
	return func(args []types.T) (*Func, []types.T, error) {
		if len(args) == 1 && op == "-" {
			return resolveNeg(args)
		}
		if len(args) != 2 {
			return nil, nil, nil
		}
		l, r := args[0], args[1]
		// An unknown literal takes the other operand's type first, as in
		// PostgreSQL; for date/time operands it then falls back to interval
		// (ts + '1 hour').
		tries := [][2]types.T{{l, r}}
		switch {
		case l.Fam == types.Unknown && r.Fam == types.Unknown:
			return nil, nil, nil
		case l.Fam == types.Unknown:
			tries = [][2]types.T{{r, r}, {types.TInterval, r}, {types.TNumeric, r}}
		case r.Fam == types.Unknown:
			tries = [][2]types.T{{l, l}, {l, types.TInterval}, {l, types.TNumeric}}
		}
		for _, tr := range tries {
			if f := arithOverload(op, tr[0], tr[1]); f != nil {
				return f, []types.T{f.Args[0], f.Args[1]}, nil
			}
		}
		return nil, nil, nil
	}
}

func arithOverload(op string, l, r types.T) *Func {
	mk := func(a, b, ret types.T, ev evalFunc) *Func {
		if ev == nil {
			return nil
		}
		return &Func{Name: op, Args: []types.T{a, b}, Ret: ret, Strict: true, Eval: ev}
	}
	if l.IsNumeric() && r.IsNumeric() {
		t := arithNumType(l, r)
		a, b := t, t
		if t.IsInteger() {
			// Integers share one representation: no cast is needed, only
			// the result type's range check.
			a, b = types.T{Fam: l.Fam, Mod: -1}, types.T{Fam: r.Fam, Mod: -1}
		}
		return mk(a, b, t, numOverload(op, t))
	}
	if f := datetimeOverload(op, l, r); f != nil {
		return f
	}
	return nil
}

func resolveNeg(args []types.T) (*Func, []types.T, error) {
	if len(args) != 1 {
		return nil, nil, nil
	}
	t := args[0]
	if t.Fam == types.Unknown {
		return nil, nil, nil
	}
	var ev evalFunc
	switch {
	case t.IsNumeric():
		t = types.T{Fam: t.Fam, Mod: -1}
		ev = numOverload("neg", t)
	case t.Fam == types.Interval:
		ev = func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			v := a[0].Interval()
			if v.Months == math.MinInt32 || v.Days == math.MinInt32 || v.Micros == math.MinInt64 {
				return types.Null, errIvRange
			}
			return types.NewInterval(types.IntervalValue{Months: -v.Months, Days: -v.Days, Micros: -v.Micros}), nil
		}
	}
	if ev == nil {
		return nil, nil, nil
	}
	return &Func{Name: "neg", Args: []types.T{t}, Ret: t, Strict: true, Eval: ev}, []types.T{t}, nil
}

func init() {
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		register(&Func{Name: op, resolve: resolveArith(op)})
	}
	register(&Func{Name: "neg", resolve: resolveNeg})
	register(&Func{Name: "mod", resolve: func(args []types.T) (*Func, []types.T, error) {
		if len(args) != 2 || !numOrUnknown(args[0]) || !numOrUnknown(args[1]) {
			return nil, nil, nil
		}
		l, r := args[0], args[1]
		if l.Fam == types.Unknown {
			l = types.TNumeric
		}
		if r.Fam == types.Unknown {
			r = types.TNumeric
		}
		t := arithNumType(l, r)
		if t.Fam == types.Float4 || t.Fam == types.Float8 {
			t = types.TNumeric
		}
		f := &Func{Name: "mod", Args: []types.T{t, t}, Ret: t, Strict: true, Eval: numOverload("%", t)}
		return f, []types.T{t, t}, nil
	}})
}

func numOrUnknown(t types.T) bool { return t.IsNumeric() || t.Fam == types.Unknown }
