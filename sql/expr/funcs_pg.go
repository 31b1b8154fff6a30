package expr

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Functions PostgreSQL clients call that are not about data: JSON
// constructors, pg_typeof, and the hooks the server uses to register
// polymorphic functions and set-returning functions of its own (the
// catalog functions of pg_catalog and information_schema).

// RegisterTemplate adds a polymorphic overload of name: resolve receives
// the argument types and returns the concrete function and the types to
// coerce the arguments to, or a nil function when it does not apply.
func RegisterTemplate(name string, resolve func(args []types.T) (*Func, []types.T, error)) {
	RegisterFunc(&Func{Name: name, resolve: resolve})
}

// Set-returning functions registered from outside this package.
var (
	setRegMu sync.RWMutex
	setFuncs = map[string][]func(args []types.T) (*SetFunc, []types.T){}
)

// RegisterSetFunc adds a set-returning function overload: resolve returns
// the function for the argument types and the types to coerce them to, or
// nil. A function with Columns returns rows of several columns: Ret is a
// record and Eval emits one record datum (types.NewArray of the fields)
// per row.
func RegisterSetFunc(name string, resolve func(args []types.T) (*SetFunc, []types.T)) {
	setRegMu.Lock()
	defer setRegMu.Unlock()
	name = strings.ToLower(name)
	setFuncs[name] = append(setFuncs[name], resolve)
}

func registeredSetFunc(name string) bool {
	setRegMu.RLock()
	defer setRegMu.RUnlock()
	return len(setFuncs[name]) > 0
}

func resolveRegisteredSetFunc(name string, args []types.T) (*SetFunc, []types.T) {
	setRegMu.RLock()
	cands := setFuncs[name]
	setRegMu.RUnlock()
	for _, r := range cands {
		if f, ts := r(args); f != nil {
			return f, ts
		}
	}
	return nil, nil
}

// Record types of several named columns (the rows of multi-column
// set-returning functions) are told apart by the modifier of a record
// type: it numbers the column list, so that (f(x)).name can be resolved
// after the value has passed through subqueries.
var (
	shapeMu  sync.RWMutex
	shapes   []([]types.Column)
	shapeIDs = map[string]int32{}
)

// RecordType returns the record type whose fields are cols.
func RecordType(cols []types.Column) types.T {
	var key strings.Builder
	for _, c := range cols {
		key.WriteString(c.Name)
		key.WriteByte(0)
		key.WriteString(strconv.Itoa(int(c.Type.Fam)))
		key.WriteByte(':')
		key.WriteString(strconv.Itoa(int(c.Type.Elem)))
		key.WriteByte(':')
		key.WriteString(strconv.Itoa(int(c.Type.Mod)))
		key.WriteByte(0)
	}
	shapeMu.Lock()
	defer shapeMu.Unlock()
	id, ok := shapeIDs[key.String()]
	if !ok {
		id = int32(len(shapes))
		shapes = append(shapes, append([]types.Column(nil), cols...))
		shapeIDs[key.String()] = id
	}
	return types.T{Fam: types.Record, Mod: id}
}

// RecordFields returns the named fields of a record type made by
// RecordType, or nil for an anonymous record.
func RecordFields(t types.T) []types.Column {
	if t.Fam != types.Record || t.Mod < 0 {
		return nil
	}
	shapeMu.RLock()
	defer shapeMu.RUnlock()
	if int(t.Mod) >= len(shapes) {
		return nil
	}
	return shapes[t.Mod]
}

func init() {
	for _, name := range []string{"json_build_object", "jsonb_build_object"} {
		jsonb := name == "jsonb_build_object"
		RegisterTemplate(name, func(args []types.T) (*Func, []types.T, error) {
			if len(args)%2 != 0 {
				return nil, nil, pgerror.New(pgerror.InvalidParameterValue, "argument list must have even number of elements").
					WithHint("The arguments of " + name + "() must consist of alternating keys and values.")
			}
			ts := make([]types.T, len(args))
			for i, a := range args {
				ts[i] = a
				if a.Fam == types.Unknown {
					ts[i] = types.TText
				}
			}
			ret := types.TJson
			if jsonb {
				ret = types.TJsonb
			}
			return &Func{Name: name, Args: ts, Ret: ret, Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				return buildObject(a, ts, jsonb)
			}}, ts, nil
		})
	}
	for _, name := range []string{"json_build_array", "jsonb_build_array"} {
		jsonb := name == "jsonb_build_array"
		RegisterTemplate(name, func(args []types.T) (*Func, []types.T, error) {
			ts := make([]types.T, len(args))
			for i, a := range args {
				ts[i] = a
				if a.Fam == types.Unknown {
					ts[i] = types.TText
				}
			}
			ret := types.TJson
			if jsonb {
				ret = types.TJsonb
			}
			return &Func{Name: name, Args: ts, Ret: ret, Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				b := []byte{'['}
				for i, d := range a {
					if i > 0 {
						b = append(b, ", "...)
					}
					b = AppendJSON(b, d, ts[i])
				}
				b = append(b, ']')
				if jsonb {
					return types.ParseText(string(b), types.TJsonb)
				}
				return types.NewString(string(b)), nil
			}}, ts, nil
		})
	}
	for _, name := range []string{"to_json", "to_jsonb"} {
		jsonb := name == "to_jsonb"
		RegisterTemplate(name, func(args []types.T) (*Func, []types.T, error) {
			if len(args) != 1 {
				return nil, nil, nil
			}
			t := args[0]
			if t.Fam == types.Unknown {
				t = types.TText
			}
			ret := types.TJson
			if jsonb {
				ret = types.TJsonb
			}
			return &Func{Name: name, Args: []types.T{t}, Ret: ret, Strict: true, Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				s := string(AppendJSON(nil, a[0], t))
				if jsonb {
					return types.ParseText(s, types.TJsonb)
				}
				return types.NewString(s), nil
			}}, []types.T{t}, nil
		})
	}
	// pg_typeof's value depends only on the argument's type; it is not
	// strict, pg_typeof(NULL) is "unknown".
	RegisterTemplate("pg_typeof", func(args []types.T) (*Func, []types.T, error) {
		if len(args) != 1 {
			return nil, nil, nil
		}
		oid := int64(args[0].OID())
		return &Func{Name: "pg_typeof", Args: args, Ret: types.TRegType, Eval: func(*Ctx, []types.Datum) (types.Datum, error) {
			return types.NewInt(oid), nil
		}}, args, nil
	})
}

// buildObject is json_build_object / jsonb_build_object.
func buildObject(a []types.Datum, ts []types.T, jsonb bool) (types.Datum, error) {
	b := []byte{'{'}
	for i := 0; i+1 < len(a); i += 2 {
		if a[i].IsNull() {
			return types.Null, pgerror.New(pgerror.NullValueNotAllowed, "null value not allowed for object key")
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		key := string(types.AppendText(nil, a[i], ts[i]))
		b = types.AppendJSONString(b, key)
		b = append(b, " : "...)
		b = AppendJSON(b, a[i+1], ts[i+1])
	}
	b = append(b, '}')
	if jsonb {
		return types.ParseText(string(b), types.TJsonb)
	}
	return types.NewString(string(b)), nil
}

// AppendJSON appends to_json(d) for a value of type t: numbers and
// booleans as JSON literals, json as is, arrays as JSON arrays, date/time
// values in ISO 8601 with a T, everything else as a JSON string of its
// text form.
func AppendJSON(b []byte, d types.Datum, t types.T) []byte {
	if d.IsNull() {
		return append(b, "null"...)
	}
	switch t.Fam {
	case types.Int2, types.Int4, types.Int8, types.Oid:
		return types.AppendText(b, d, t)
	case types.Float4, types.Float8, types.Numeric:
		start := len(b)
		b = types.AppendText(b, d, t)
		// JSON has no NaN or infinities; comparing without converting
		// keeps ordinary numbers free of allocation.
		if v := b[start:]; string(v) == "NaN" || string(v) == "Infinity" || string(v) == "-Infinity" {
			return types.AppendJSONString(b[:start], string(v))
		}
		return b
	case types.Bool:
		if d.Bool() {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case types.Json, types.Jsonb:
		return types.AppendText(b, d, t)
	case types.Array:
		b = append(b, '[')
		et := t.ElemType()
		for i, e := range d.Array() {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSON(b, e, et)
		}
		return append(b, ']')
	case types.Timestamp, types.Timestamptz:
		// The text form has nothing to escape; only its date-time
		// separator changes.
		b = append(b, '"')
		start := len(b)
		b = types.AppendText(b, d, t)
		if i := bytes.IndexByte(b[start:], ' '); i >= 0 {
			b[start+i] = 'T'
		}
		return append(b, '"')
	case types.Text, types.Varchar, types.Name:
		if d.K == types.KString {
			return types.AppendJSONString(b, d.S)
		}
	}
	return types.AppendJSONString(b, string(types.AppendText(nil, d, t)))
}

func init() {
	// generate_subscripts(array, dim [, reverse]): the subscripts of a
	// dimension of an array (1-based; every array here has lower bound 1).
	RegisterSetFunc("generate_subscripts", func(args []types.T) (*SetFunc, []types.T) {
		if len(args) < 2 || len(args) > 3 || args[0].Fam != types.Array {
			return nil, nil
		}
		if _, ok := implicitCost(args[1], types.TInt4); !ok {
			return nil, nil
		}
		ts := []types.T{args[0], types.TInt4}
		if len(args) == 3 {
			if _, ok := implicitCost(args[2], types.TBool); !ok {
				return nil, nil
			}
			ts = append(ts, types.TBool)
		}
		return &SetFunc{Name: "generate_subscripts", Args: ts, Ret: types.TInt4,
			Eval: func(_ *Ctx, a []types.Datum, emit func(types.Datum) error) error {
				arr := a[0].Array()
				for dim := a[1].I; dim > 1; dim-- {
					if len(arr) == 0 || arr[0].K != types.KArray {
						return nil
					}
					arr = arr[0].Array()
				}
				if a[1].I < 1 {
					return nil
				}
				n := int64(len(arr))
				reverse := len(a) == 3 && a[2].Bool()
				for i := int64(1); i <= n; i++ {
					v := i
					if reverse {
						v = n + 1 - i
					}
					if err := emit(types.NewInt(v)); err != nil {
						return err
					}
				}
				return nil
			}}, ts
	})
}

// The bitwise operators on integers (&, |, #, ~, <<, >>), which catalog
// queries use on flag columns (pg_index.indoption & 1).
func init() {
	bin := map[string]func(a, b int64) int64{
		"&": func(a, b int64) int64 { return a & b },
		"|": func(a, b int64) int64 { return a | b },
		"#": func(a, b int64) int64 { return a ^ b },
	}
	ints := []types.T{types.TInt2, types.TInt4, types.TInt8}
	for _, t := range ints {
		t := t
		for op, f := range bin {
			f := f
			register(&Func{Name: op, Args: []types.T{t, t}, Ret: t, Strict: true,
				Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(f(a[0].I, a[1].I)), nil }})
		}
		register(&Func{Name: "~", Args: []types.T{t}, Ret: t, Strict: true,
			Eval: func(_ *Ctx, a []types.Datum) (types.Datum, error) { return types.NewInt(^a[0].I), nil }})
		bits := int64(t.TypLen()) * 8
		shift := func(left bool) evalFunc {
			return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
				// PostgreSQL shifts by the count modulo the width, as the
				// C operators on its hardware do.
				n := uint64(a[1].I) % uint64(bits)
				var v int64
				if left {
					v = a[0].I << n
				} else {
					v = a[0].I >> n
				}
				switch bits {
				case 16:
					v = int64(int16(v))
				case 32:
					v = int64(int32(v))
				}
				return types.NewInt(v), nil
			}
		}
		register(&Func{Name: "<<", Args: []types.T{t, types.TInt4}, Ret: t, Strict: true, Eval: shift(true)})
		register(&Func{Name: ">>", Args: []types.T{t, types.TInt4}, Ret: t, Strict: true, Eval: shift(false)})
	}
}
