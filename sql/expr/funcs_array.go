package expr

import (
	"strings"

	"streamsqld/sql/types"
)

// Arrays are one-dimensional []Datum with 1-based SQL subscripts.

// anyArrayFunc builds a template whose first argument is any array and
// whose other arguments have fixed types; ret computes the result type
// from the array type.
func anyArrayFunc(name string, rest []types.T, ret func(arr types.T) types.T, strict bool, ev func(arr types.T) evalFunc) *Func {
	return &Func{Name: name, resolve: func(args []types.T) (*Func, []types.T, error) {
		if len(args) != len(rest)+1 || args[0].Fam != types.Array {
			return nil, nil, nil
		}
		ps := append([]types.T{args[0]}, rest...)
		for i, a := range args[1:] {
			if _, ok := implicitCost(a, rest[i]); !ok {
				return nil, nil, nil
			}
		}
		casts := append([]types.T{args[0]}, rest...)
		for i := range casts {
			if sameType(args[i], casts[i]) {
				casts[i] = args[i]
			}
		}
		return &Func{Name: name, Args: ps, Ret: ret(args[0]), Strict: strict, Eval: ev(args[0])}, casts, nil
	}}
}

// elemFunc builds a template over (anyarray, anyelement) or (anyelement,
// anyarray) with the element coerced to the array's element type.
func elemFunc(name string, arrFirst bool, ret func(arr types.T) types.T, strict bool, ev func(arr types.T) evalFunc) *Func {
	return &Func{Name: name, resolve: func(args []types.T) (*Func, []types.T, error) {
		if len(args) != 2 {
			return nil, nil, nil
		}
		ai, ei := 0, 1
		if !arrFirst {
			ai, ei = 1, 0
		}
		at := args[ai]
		if at.Fam != types.Array {
			return nil, nil, nil
		}
		et := at.ElemType()
		if args[ei].Fam != types.Unknown {
			if _, ok := implicitCost(args[ei], et); !ok {
				return nil, nil, nil
			}
		}
		casts := make([]types.T, 2)
		casts[ai] = at
		casts[ei] = et
		if sameType(args[ei], et) {
			casts[ei] = args[ei]
		}
		return &Func{Name: name, Args: casts, Ret: ret(at), Strict: strict, Eval: ev(at)}, casts, nil
	}}
}

func sameArray(arr types.T) types.T { return arr }

// resolveArrayConcat handles || with an array operand.
func resolveArrayConcat(l, r types.T) (*Func, []types.T, error) {
	switch {
	case l.Fam == types.Array && r.Fam == types.Array:
		t := l
		if l.Elem == types.Unknown {
			t = r
		}
		if r.Elem != types.Unknown && l.Elem != types.Unknown && l.Elem != r.Elem {
			ct, err := CommonType([]types.T{l.ElemType(), r.ElemType()}, "ARRAY")
			if err != nil {
				return nil, nil, nil
			}
			t = types.ArrayOf(ct.Fam)
		}
		return &Func{Name: "||", Args: []types.T{t, t}, Ret: t, Eval: arrayCat}, []types.T{t, t}, nil
	case l.Fam == types.Array && r.Fam == types.Unknown:
		return &Func{Name: "||", Args: []types.T{l, l}, Ret: l, Eval: arrayCat}, []types.T{l, l}, nil
	case r.Fam == types.Array && l.Fam == types.Unknown:
		return &Func{Name: "||", Args: []types.T{r, r}, Ret: r, Eval: arrayCat}, []types.T{r, r}, nil
	case l.Fam == types.Array:
		f, casts, err := elemFunc("||", true, sameArray, false, func(types.T) evalFunc { return arrayAppend }).resolve([]types.T{l, r})
		return f, casts, err
	default:
		f, casts, err := elemFunc("||", false, sameArray, false, func(types.T) evalFunc { return arrayPrepend }).resolve([]types.T{l, r})
		return f, casts, err
	}
}

func arrayCat(_ *Ctx, a []types.Datum) (types.Datum, error) {
	switch {
	case a[0].K == types.KNull:
		return a[1], nil
	case a[1].K == types.KNull:
		return a[0], nil
	}
	x, y := a[0].Array(), a[1].Array()
	out := make([]types.Datum, 0, len(x)+len(y))
	out = append(append(out, x...), y...)
	return types.NewArray(out), nil
}

func arrayAppend(_ *Ctx, a []types.Datum) (types.Datum, error) {
	var x []types.Datum
	if a[0].K != types.KNull {
		x = a[0].Array()
	}
	out := make([]types.Datum, 0, len(x)+1)
	out = append(append(out, x...), a[1])
	return types.NewArray(out), nil
}

func arrayPrepend(_ *Ctx, a []types.Datum) (types.Datum, error) {
	var x []types.Datum
	if a[1].K != types.KNull {
		x = a[1].Array()
	}
	out := make([]types.Datum, 0, len(x)+1)
	out = append(append(out, a[0]), x...)
	return types.NewArray(out), nil
}

// arrayToString is array_to_string: NULL elements are skipped unless a
// NULL replacement is given.
func arrayToString(arr types.T) evalFunc {
	et := arr.ElemType()
	return func(ctx *Ctx, a []types.Datum) (types.Datum, error) {
		if a[0].K == types.KNull || a[1].K == types.KNull {
			return types.Null, nil
		}
		nullStr, hasNull := "", len(a) > 2 && a[2].K != types.KNull
		if hasNull {
			nullStr = a[2].S
		}
		buf := ctx.Scratch[:0]
		first := true
		for _, e := range a[0].Array() {
			if e.K == types.KNull && !hasNull {
				continue
			}
			if !first {
				buf = append(buf, a[1].S...)
			}
			first = false
			if e.K == types.KNull {
				buf = append(buf, nullStr...)
			} else {
				buf = appendValueText(buf, e, et)
			}
		}
		ctx.Scratch = buf
		return types.NewString(string(buf)), nil
	}
}

// stringToArray is string_to_array(s, delim [, null_string]).
func stringToArray(_ *Ctx, a []types.Datum) (types.Datum, error) {
	if a[0].K == types.KNull {
		return types.Null, nil
	}
	s := a[0].S
	if s == "" {
		return types.NewArray([]types.Datum{}), nil
	}
	var parts []string
	switch {
	case a[1].K == types.KNull:
		for _, r := range s {
			parts = append(parts, string(r))
		}
	case a[1].S == "":
		parts = []string{s}
	default:
		parts = strings.Split(s, a[1].S)
	}
	out := make([]types.Datum, len(parts))
	for i, p := range parts {
		if len(a) > 2 && a[2].K != types.KNull && p == a[2].S {
			continue
		}
		out[i] = types.NewString(p)
	}
	return types.NewArray(out), nil
}

func init() {
	i4, t := types.TInt4, types.TText
	intRet := func(types.T) types.T { return i4 }
	textRet := func(types.T) types.T { return t }
	register(
		anyArrayFunc("array_length", []types.T{i4}, intRet, true, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				n := len(a[0].Array())
				if a[1].I != 1 || n == 0 {
					return types.Null, nil
				}
				return types.NewInt(int64(n)), nil
			}
		}),
		anyArrayFunc("array_upper", []types.T{i4}, intRet, true, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				n := len(a[0].Array())
				if a[1].I != 1 || n == 0 {
					return types.Null, nil
				}
				return types.NewInt(int64(n)), nil
			}
		}),
		anyArrayFunc("array_lower", []types.T{i4}, intRet, true, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if a[1].I != 1 || len(a[0].Array()) == 0 {
					return types.Null, nil
				}
				return types.NewInt(1), nil
			}
		}),
		anyArrayFunc("array_ndims", nil, intRet, true, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if len(a[0].Array()) == 0 {
					return types.Null, nil
				}
				return types.NewInt(1), nil
			}
		}),
		anyArrayFunc("cardinality", nil, intRet, true, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				return types.NewInt(int64(len(a[0].Array()))), nil
			}
		}),
		anyArrayFunc("array_to_string", []types.T{t}, textRet, false, arrayToString),
		anyArrayFunc("array_to_string", []types.T{t, t}, textRet, false, arrayToString),
		&Func{Name: "array_cat", resolve: func(args []types.T) (*Func, []types.T, error) {
			if len(args) != 2 || args[0].Fam != types.Array || args[1].Fam != types.Array {
				return nil, nil, nil
			}
			f, casts, err := resolveArrayConcat(args[0], args[1])
			if f != nil {
				f.Name = "array_cat"
			}
			return f, casts, err
		}},
		elemFunc("array_append", true, sameArray, false, func(types.T) evalFunc { return arrayAppend }),
		elemFunc("array_prepend", false, sameArray, false, func(types.T) evalFunc { return arrayPrepend }),
		elemFunc("array_position", true, intRet, false, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if a[0].K == types.KNull {
					return types.Null, nil
				}
				for i, e := range a[0].Array() {
					if (e.K == types.KNull && a[1].K == types.KNull) ||
						(e.K != types.KNull && a[1].K != types.KNull && equalDatum(e, a[1])) {
						return types.NewInt(int64(i + 1)), nil
					}
				}
				return types.Null, nil
			}
		}),
		elemFunc("array_remove", true, sameArray, false, func(types.T) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				if a[0].K == types.KNull {
					return types.Null, nil
				}
				in := a[0].Array()
				out := make([]types.Datum, 0, len(in))
				for _, e := range in {
					if (e.K == types.KNull && a[1].K == types.KNull) ||
						(e.K != types.KNull && a[1].K != types.KNull && equalDatum(e, a[1])) {
						continue
					}
					out = append(out, e)
				}
				return types.NewArray(out), nil
			}
		}),
		&Func{Name: "string_to_array", Args: []types.T{t, t}, Ret: types.TTextArray, Eval: stringToArray},
		&Func{Name: "string_to_array", Args: []types.T{t, t, t}, Ret: types.TTextArray, Eval: stringToArray},
	)
}
