package expr

import (
	"strings"
	"sync"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// The function registry maps a lower-case name to its overloads. Built-ins
// are registered by init functions of this package; the server adds session
// functions (version(), current_database() ...) with RegisterFunc at start.
var (
	regMu sync.RWMutex
	funcs = map[string][]*Func{}
)

// RegisterFunc adds a scalar function overload. Overloads of one name are
// tried in registration order when they tie. It is safe to call
// concurrently with ResolveFunc, but meant for start-up.
func RegisterFunc(f *Func) {
	regMu.Lock()
	defer regMu.Unlock()
	name := strings.ToLower(f.Name)
	funcs[name] = append(funcs[name], f)
}

// register is RegisterFunc for the built-ins.
func register(fs ...*Func) {
	for _, f := range fs {
		RegisterFunc(f)
	}
}

// opDisplayNames maps the internal names of operators to the symbols
// PostgreSQL prints in "operator does not exist" errors.
var opDisplayNames = map[string]string{
	"like": "~~", "not like": "!~~", "ilike": "~~*", "not ilike": "!~~*", "neg": "-",
}

func isOperatorName(name string) bool {
	if _, ok := opDisplayNames[name]; ok {
		return true
	}
	c := name[0]
	return !(c >= 'a' && c <= 'z' || c == '_')
}

// ResolveFunc finds the overload of the scalar function or operator name
// for the argument types (with PostgreSQL-like implicit coercions: int2 <
// int4 < int8 < numeric < float8, unknown literals to the other side's
// type, varchar to text). It returns the function and, per argument, the
// type the caller must cast that argument to (equal to the given type when
// no cast is needed). Unknown names give 42883 `function f(integer) does not
// exist` with a hint.
func ResolveFunc(name string, args []types.T) (*Func, []types.T, error) {
	name = strings.ToLower(name)
	regMu.RLock()
	cands := funcs[name]
	regMu.RUnlock()

	if f, casts := bestStatic(cands, args); f != nil {
		return f, casts, nil
	}
	for _, c := range cands {
		if c.resolve == nil {
			continue
		}
		f, casts, err := c.resolve(args)
		if err != nil {
			return nil, nil, err
		}
		if f != nil {
			return f, casts, nil
		}
	}
	return nil, nil, undefinedFunc(name, args)
}

func undefinedFunc(name string, args []types.T) error {
	if name != "" && isOperatorName(name) {
		sym := name
		if d, ok := opDisplayNames[name]; ok {
			sym = d
		}
		var msg string
		switch len(args) {
		case 1:
			msg = "operator does not exist: " + sym + " " + args[0].String()
		case 2:
			msg = "operator does not exist: " + args[0].String() + " " + sym + " " + args[1].String()
		default:
			msg = "operator does not exist: " + sym
		}
		return pgerror.New(pgerror.UndefinedFunction, msg).
			WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
	}
	var b strings.Builder
	b.WriteString("function ")
	b.WriteString(name)
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteString(") does not exist")
	return pgerror.New(pgerror.UndefinedFunction, b.String()).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

// candScore ranks a viable static candidate like PostgreSQL's
// func_select_candidate: most exact matches, then most preferred types
// where a conversion is needed, then unknowns resolved to the type of the
// known arguments, then unknowns resolved to strings, then cheapest casts.
type candScore struct {
	exact, preferred, unknownKnown, unknownString, cost int
}

func (a candScore) better(b candScore) bool {
	switch {
	case a.exact != b.exact:
		return a.exact > b.exact
	case a.preferred != b.preferred:
		return a.preferred > b.preferred
	case a.unknownKnown != b.unknownKnown:
		return a.unknownKnown > b.unknownKnown
	case a.unknownString != b.unknownString:
		return a.unknownString > b.unknownString
	}
	return a.cost < b.cost
}

func bestStatic(cands []*Func, args []types.T) (*Func, []types.T) {
	known, haveKnown := commonKnown(args)
	var best *Func
	var bestScore candScore
	for _, f := range cands {
		if f.resolve != nil {
			continue
		}
		sc, ok := scoreStatic(f, args, known, haveKnown)
		if !ok {
			continue
		}
		if best == nil || sc.better(bestScore) {
			best, bestScore = f, sc
		}
	}
	if best == nil {
		return nil, nil
	}
	casts := make([]types.T, len(args))
	for i := range args {
		p := paramType(best, i)
		if sameType(args[i], p) {
			casts[i] = args[i]
		} else {
			casts[i] = p
		}
	}
	return best, casts
}

// commonKnown returns the type shared by all the non-unknown arguments.
func commonKnown(args []types.T) (types.T, bool) {
	var k types.T
	have := false
	for _, a := range args {
		if a.Fam == types.Unknown {
			continue
		}
		if !have {
			k, have = a, true
		} else if !sameType(k, a) {
			return types.T{}, false
		}
	}
	return k, have
}

func paramType(f *Func, i int) types.T {
	if i >= len(f.Args) {
		return f.Args[len(f.Args)-1]
	}
	return f.Args[i]
}

func scoreStatic(f *Func, args []types.T, known types.T, haveKnown bool) (candScore, bool) {
	var sc candScore
	if f.Variadic {
		if len(args) < len(f.Args) {
			return sc, false
		}
	} else if len(args) != len(f.Args) {
		return sc, false
	}
	for i, a := range args {
		p := paramType(f, i)
		switch {
		case sameType(a, p):
			sc.exact++
		case a.Fam == types.Unknown:
			if haveKnown && sameType(known, p) {
				sc.unknownKnown++
			}
			if typeCategory(p) == 'S' {
				sc.unknownString++
			}
			sc.cost++
		default:
			c, ok := implicitCost(a, p)
			if !ok {
				return sc, false
			}
			if isPreferred(p) {
				sc.preferred++
			}
			sc.cost += c
		}
	}
	return sc, true
}

// sameType reports whether a and b are the same type ignoring modifiers.
func sameType(a, b types.T) bool {
	return a.Fam == b.Fam && (a.Fam != types.Array || a.Elem == b.Elem)
}

// typeCategory is PostgreSQL's pg_type.typcategory.
func typeCategory(t types.T) byte {
	switch t.Fam {
	case types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric,
		types.Oid, types.RegClass, types.RegType, types.RegProc:
		return 'N'
	case types.Text, types.Varchar, types.Name, types.Char:
		return 'S'
	case types.Timestamp, types.Timestamptz, types.Date:
		return 'D'
	case types.Interval:
		return 'T'
	case types.Bool:
		return 'B'
	case types.Array:
		return 'A'
	case types.Unknown:
		return 'X'
	case types.Json, types.Jsonb:
		return 'U'
	}
	return 'U'
}

func isPreferred(t types.T) bool {
	switch t.Fam {
	case types.Float8, types.Text, types.Timestamptz, types.Interval, types.Bool, types.Oid:
		return true
	}
	return false
}

// numRank orders the numeric types by PostgreSQL's implicit casts.
func numRank(f types.Family) int {
	switch f {
	case types.Int2:
		return 1
	case types.Int4:
		return 2
	case types.Int8:
		return 3
	case types.Numeric:
		return 4
	case types.Float4:
		return 5
	case types.Float8:
		return 6
	}
	return 0
}

// implicitCost reports whether from casts implicitly to to, and how far.
func implicitCost(from, to types.T) (int, bool) {
	if sameType(from, to) {
		return 0, true
	}
	if from.Fam == types.Unknown {
		return 1, true
	}
	if rf, rt := numRank(from.Fam), numRank(to.Fam); rf > 0 && rt > 0 {
		if rf < rt {
			return rt - rf, true
		}
		return 0, false
	}
	switch from.Fam {
	case types.Varchar, types.Name, types.Char:
		switch to.Fam {
		case types.Text:
			return 1, true
		case types.Varchar:
			return 2, true
		}
	case types.Text:
		if to.Fam == types.Varchar || to.Fam == types.Name {
			return 2, true
		}
	case types.Date:
		switch to.Fam {
		case types.Timestamp:
			return 1, true
		case types.Timestamptz:
			return 2, true
		}
	case types.Timestamp:
		if to.Fam == types.Timestamptz {
			return 1, true
		}
	case types.Int4, types.Int8, types.Int2:
		switch to.Fam {
		case types.Oid, types.RegClass, types.RegType, types.RegProc:
			return 6, true
		}
	case types.Oid:
		// oid and the reg* aliases are binary coercible both ways.
		switch to.Fam {
		case types.RegClass, types.RegType, types.RegProc:
			return 1, true
		}
	case types.RegClass, types.RegType, types.RegProc:
		if to.Fam == types.Oid {
			return 1, true
		}
	}
	return 0, false
}

// CommonType returns the type that values of ts are converted to when they
// meet in one result (CASE, COALESCE, IN, greatest, UNION), following
// PostgreSQL's select_common_type: unknown literals take the others' type
// (text when all are unknown), numbers widen, varchar joins text, and
// categories must match (42804 otherwise). context names the construct in
// the error ("CASE", "COALESCE" ...).
func CommonType(ts []types.T, context string) (types.T, error) {
	var cand types.T
	have := false
	for _, t := range ts {
		if t.Fam == types.Unknown {
			continue
		}
		if !have {
			cand, have = t, true
			continue
		}
		if sameType(cand, t) {
			if cand.Mod != t.Mod {
				cand.Mod = -1
			}
			continue
		}
		if typeCategory(cand) != typeCategory(t) {
			return types.T{}, pgerror.Newf(pgerror.DatatypeMismatch, "%s types %s and %s cannot be matched", context, cand.String(), t.String())
		}
		if _, ok := implicitCost(cand, t); ok {
			if _, back := implicitCost(t, cand); !back || isPreferred(t) {
				cand = t
			}
		} else if _, ok := implicitCost(t, cand); !ok {
			return types.T{}, pgerror.Newf(pgerror.DatatypeMismatch, "%s types %s and %s cannot be matched", context, cand.String(), t.String())
		}
	}
	if !have {
		return types.TText, nil
	}
	if cand.Fam == types.Varchar || cand.Fam == types.Name || cand.Fam == types.Char {
		// Mixing varchar(n) values (or with text) yields text, not a
		// length-checked type.
		for _, t := range ts {
			if t.Fam != cand.Fam || t.Mod != cand.Mod {
				return types.TText, nil
			}
		}
	}
	return cand, nil
}

// castsTo returns, per argument, t when the argument must be converted to
// it, or the argument's own type when the runtime handles it as is.
func castsTo(args []types.T, t types.T) []types.T {
	out := make([]types.T, len(args))
	for i, a := range args {
		if sameType(a, t) && (t.Mod < 0 || a.Mod == t.Mod) {
			out[i] = a
		} else {
			out[i] = t
		}
	}
	return out
}
