package expr

import (
	"strings"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// SetFunc is a set-returning function: unnest, regexp_matches,
// generate_series.
type SetFunc struct {
	Name string
	Args []types.T
	Ret  types.T
	// Eval calls emit once per output value. Set-returning functions are
	// strict: a NULL argument produces no rows.
	Eval func(ctx *Ctx, args []types.Datum, emit func(types.Datum) error) error
	// Columns name the fields of the rows of a function that returns
	// several columns (Ret is then RecordType(Columns)); nil otherwise.
	Columns []types.Column
}

var setFuncNames = map[string]bool{
	"unnest": true, "regexp_matches": true, "generate_series": true,
	"regexp_split_to_table": true, "string_to_table": true,
}

// IsSetReturning reports whether name is a set-returning function.
func IsSetReturning(name string) bool {
	name = strings.ToLower(name)
	return setFuncNames[name] || registeredSetFunc(name)
}

var errZeroStep = pgerror.New(pgerror.InvalidParameterValue, "step size cannot equal zero")

// ResolveSetFunc finds a set-returning function overload; ok is false when
// name is not a set-returning function.
func ResolveSetFunc(name string, args []types.T) (fn *SetFunc, argTypes []types.T, ok bool, err error) {
	name = strings.ToLower(name)
	switch {
	case setFuncNames[name]:
		fn, argTypes = resolveSetFunc(name, args)
	case registeredSetFunc(name):
		fn, argTypes = resolveRegisteredSetFunc(name, args)
	default:
		return nil, nil, false, nil
	}
	if fn == nil {
		return nil, nil, true, undefinedFunc(name, args)
	}
	inner := fn.Eval
	fn.Eval = func(ctx *Ctx, a []types.Datum, emit func(types.Datum) error) error {
		for _, d := range a {
			if d.K == types.KNull {
				return nil
			}
		}
		return inner(ctx, a, emit)
	}
	return fn, argTypes, true, nil
}

func resolveSetFunc(name string, args []types.T) (*SetFunc, []types.T) {
	t := types.TText
	switch name {
	case "unnest":
		if len(args) != 1 || args[0].Fam != types.Array {
			return nil, nil
		}
		return &SetFunc{Name: name, Args: args, Ret: args[0].ElemType(), Eval: func(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
			for _, e := range a[0].Array() {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		}}, args
	case "regexp_matches":
		if (len(args) != 2 && len(args) != 3) || !allStrings(args) {
			return nil, nil
		}
		ts := textArgs(len(args))
		return &SetFunc{Name: name, Args: ts, Ret: types.TTextArray, Eval: regexpMatches}, ts
	case "regexp_split_to_table":
		if (len(args) != 2 && len(args) != 3) || !allStrings(args) {
			return nil, nil
		}
		ts := textArgs(len(args))
		return &SetFunc{Name: name, Args: ts, Ret: t, Eval: regexpSplit}, ts
	case "string_to_table":
		if (len(args) != 2 && len(args) != 3) || !allStrings(args) {
			return nil, nil
		}
		ts := textArgs(len(args))
		return &SetFunc{Name: name, Args: ts, Ret: t, Eval: func(ctx *Ctx, a []types.Datum, emit func(types.Datum) error) error {
			arr, err := stringToArray(ctx, a)
			if err != nil || arr.K == types.KNull {
				return err
			}
			for _, e := range arr.Array() {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		}}, ts
	case "generate_series":
		return resolveGenerateSeries(args)
	}
	return nil, nil
}

func allStrings(args []types.T) bool {
	for _, a := range args {
		if !a.IsString() {
			return false
		}
	}
	return true
}

func textArgs(n int) []types.T {
	ts := make([]types.T, n)
	for i := range ts {
		ts[i] = types.TText
	}
	return ts
}

// regexpMatches yields the capture groups of the first match, or of every
// match with flag g.
func regexpMatches(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
	var f regexFlags
	if len(a) > 2 {
		var err error
		if f, err = parseRegexFlags(a[2].S); err != nil {
			return err
		}
	}
	re, err := getRegex(a[1].S, f)
	if err != nil {
		return err
	}
	s := a[0].S
	n := 1
	if f.global {
		n = -1
	}
	// Without capture groups the match is the whole result; the plain
	// index search skips submatch tracking, which dominates the hashtag
	// pipeline's profile.
	find := re.FindAllStringSubmatchIndex
	if re.NumSubexp() == 0 {
		find = re.FindAllStringIndex
	}
	for _, loc := range find(s, n) {
		if err := emit(matchGroups(s, loc)); err != nil {
			return err
		}
	}
	return nil
}

// regexpSplit splits around matches, ignoring empty matches at the start
// and end of the string and right after a previous match, as PostgreSQL.
func regexpSplit(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
	var f regexFlags
	if len(a) > 2 {
		var err error
		if f, err = parseRegexFlags(a[2].S); err != nil {
			return err
		}
		if f.global {
			return pgerror.New(pgerror.InvalidParameterValue, `regexp_split_to_table() does not support the "global" option`)
		}
	}
	re, err := getRegex(a[1].S, f)
	if err != nil {
		return err
	}
	s := a[0].S
	last := 0
	for _, loc := range re.FindAllStringIndex(s, -1) {
		if loc[0] == loc[1] && (loc[0] == 0 || loc[0] == len(s) || loc[0] == last) {
			continue
		}
		if err := emit(types.NewString(s[last:loc[0]])); err != nil {
			return err
		}
		last = loc[1]
	}
	return emit(types.NewString(s[last:]))
}

func resolveGenerateSeries(args []types.T) (*SetFunc, []types.T) {
	if len(args) != 2 && len(args) != 3 {
		return nil, nil
	}
	var bound types.T
	switch {
	case args[0].IsNumeric() && args[1].IsNumeric() && (len(args) == 2 || args[2].IsNumeric()):
		bound = args[0]
		for _, a := range args[1:] {
			bound = arithNumType(bound, a)
		}
		if bound.Fam == types.Float4 || bound.Fam == types.Float8 {
			bound = types.TNumeric
		}
	case isTS(args[0]) || isTS(args[1]) || (len(args) == 3 && args[2].Fam == types.Interval):
		bound = types.TTimestamptz
		if args[0].Fam == types.Timestamp || args[1].Fam == types.Timestamp {
			bound = types.TTimestamp
		}
		if args[0].Fam == types.Timestamptz || args[1].Fam == types.Timestamptz {
			bound = types.TTimestamptz
		}
		if len(args) != 3 {
			return nil, nil
		}
		if args[2].Fam != types.Interval && args[2].Fam != types.Unknown {
			return nil, nil
		}
		casts := []types.T{bound, bound, types.TInterval}
		return &SetFunc{Name: "generate_series", Args: casts, Ret: bound, Eval: seriesTime}, casts
	default:
		return nil, nil
	}
	casts := []types.T{bound, bound}
	if len(args) == 3 {
		casts = append(casts, bound)
	}
	ret := bound
	if bound.IsInteger() {
		if bound.Fam == types.Int2 {
			ret = types.TInt4
		}
		casts = castsTo(args, ret)
		lo, hi, _ := intBounds(ret.Fam)
		return &SetFunc{Name: "generate_series", Args: casts, Ret: ret, Eval: seriesInt(lo, hi)}, casts
	}
	return &SetFunc{Name: "generate_series", Args: casts, Ret: ret, Eval: seriesNumeric}, casts
}

func seriesInt(lo, hi int64) func(*Ctx, []types.Datum, func(types.Datum) error) error {
	return func(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
		start, stop, step := a[0].I, a[1].I, int64(1)
		if len(a) > 2 {
			step = a[2].I
		}
		if step == 0 {
			return errZeroStep
		}
		for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); {
			if err := emit(types.NewInt(v)); err != nil {
				return err
			}
			next := v + step
			if (step > 0 && (next < v || next > hi)) || (step < 0 && (next > v || next < lo)) {
				break // the next value would overflow: the series ends
			}
			v = next
		}
		return nil
	}
}

func seriesNumeric(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
	start, stop := datumToDec(a[0]), datumToDec(a[1])
	step := apd.New(1, 0)
	if len(a) > 2 {
		step = datumToDec(a[2])
	}
	for _, d := range []*apd.Decimal{start, stop, step} {
		if isNaNDec(d) {
			return pgerror.New(pgerror.InvalidParameterValue, "start value cannot be NaN")
		}
		if d.Form == apd.Infinite {
			return pgerror.New(pgerror.InvalidParameterValue, "start value cannot be infinity")
		}
	}
	if step.IsZero() {
		return errZeroStep
	}
	sign := step.Sign()
	v := new(apd.Decimal).Set(start)
	for {
		c := v.Cmp(stop)
		if (sign > 0 && c > 0) || (sign < 0 && c < 0) {
			return nil
		}
		out := new(apd.Decimal).Set(v)
		if err := emit(types.NewDecimal(out)); err != nil {
			return err
		}
		if _, err := exactCtx.Add(v, v, step); err != nil {
			return decErr(err)
		}
	}
}

func seriesTime(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
	start, stop, step := a[0].I, a[1].I, a[2].Interval()
	sign := cmpInterval(step, types.IntervalValue{})
	if sign == 0 {
		return errZeroStep
	}
	if isTimeInf(start) || isTimeInf(stop) {
		return pgerror.New(pgerror.InvalidParameterValue, "start value cannot be infinity")
	}
	// Each value is start + k*step computed from the previous one, as
	// PostgreSQL does (months clamp to the end of the month on the way).
	v := start
	for (sign > 0 && v <= stop) || (sign < 0 && v >= stop) {
		if err := emit(types.NewTime(v)); err != nil {
			return err
		}
		next, err := tsAddInterval(v, step)
		if err != nil || next == v {
			return err
		}
		v = next
	}
	return nil
}
