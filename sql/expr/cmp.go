package expr

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"streamsqld/sql/types"
)

// compareDatum orders two non-NULL datums the way PostgreSQL orders values
// of one type; numbers of different kinds compare after PostgreSQL's
// promotion (int to numeric to float8). Strings compare bytewise (the "C"
// collation). Arrays compare element by element with NULL greatest.
func compareDatum(a, b types.Datum) int {
	if a.K != b.K {
		return compareMixed(a, b)
	}
	switch a.K {
	case types.KBool, types.KInt, types.KTime, types.KDate:
		return cmpInt(a.I, b.I)
	case types.KFloat:
		return cmpFloat(a.Float(), b.Float())
	case types.KDecimal:
		return cmpDecimal(a.Decimal(), b.Decimal())
	case types.KString, types.KBytes:
		return strings.Compare(a.S, b.S)
	case types.KInterval:
		return cmpInterval(a.Interval(), b.Interval())
	case types.KArray:
		return cmpArray(a.Array(), b.Array())
	}
	return 0
}

func compareMixed(a, b types.Datum) int {
	switch {
	case a.K == types.KNull:
		return 1
	case b.K == types.KNull:
		return -1
	case a.K == types.KFloat || b.K == types.KFloat:
		if fa, ok := toFloat(a); ok {
			if fb, ok := toFloat(b); ok {
				return cmpFloat(fa, fb)
			}
		}
	case a.K == types.KDecimal && b.K == types.KInt:
		var tmp apd.Decimal
		tmp.SetInt64(b.I)
		return cmpDecimal(a.Decimal(), &tmp)
	case a.K == types.KInt && b.K == types.KDecimal:
		var tmp apd.Decimal
		tmp.SetInt64(a.I)
		return cmpDecimal(&tmp, b.Decimal())
	case a.K == types.KDate && b.K == types.KTime:
		return cmpInt(dateToMicros(a.I), b.I)
	case a.K == types.KTime && b.K == types.KDate:
		return cmpInt(a.I, dateToMicros(b.I))
	}
	return cmpInt(int64(a.K), int64(b.K))
}

func toFloat(d types.Datum) (float64, bool) {
	switch d.K {
	case types.KInt:
		return float64(d.I), true
	case types.KFloat:
		return d.Float(), true
	case types.KDecimal:
		return decToFloat(d.Decimal()), true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat orders NaN above every other value and equal to itself, as
// PostgreSQL's float8_cmp_internal does, so that sorting and indexing work.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpDecimal orders NaN above everything, like PostgreSQL's numeric.
func cmpDecimal(a, b *apd.Decimal) int {
	an, bn := a.Form == apd.NaN || a.Form == apd.NaNSignaling, b.Form == apd.NaN || b.Form == apd.NaNSignaling
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}

// cmpInterval compares intervals by their span with a month counted as 30
// days, as PostgreSQL's interval_cmp_value does, without overflowing.
func cmpInterval(a, b types.IntervalValue) int {
	ad, am := intervalSpan(a)
	bd, bm := intervalSpan(b)
	if c := cmpInt(ad, bd); c != 0 {
		return c
	}
	return cmpInt(am, bm)
}

func intervalSpan(v types.IntervalValue) (days, micros int64) {
	days = int64(v.Months)*30 + int64(v.Days)
	q := floorDiv(v.Micros, microsPerDay)
	return days + q, v.Micros - q*microsPerDay
}

func cmpArray(a, b []types.Datum) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.K == types.KNull && y.K == types.KNull:
			continue
		case x.K == types.KNull:
			return 1
		case y.K == types.KNull:
			return -1
		}
		if c := compareDatum(x, y); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(a)), int64(len(b)))
}

// equalDatum is compareDatum(a, b) == 0 with fast paths.
func equalDatum(a, b types.Datum) bool {
	if a.K == b.K {
		switch a.K {
		case types.KBool, types.KInt, types.KTime, types.KDate:
			return a.I == b.I
		case types.KString, types.KBytes:
			return a.S == b.S
		}
	}
	return compareDatum(a, b) == 0
}

// cmpOps are the comparison operators, named as the planner names them.
var cmpOps = []string{"=", "<>", "!=", "<", "<=", ">", ">="}

// cmpResult turns a three-way comparison into the operator's answer.
func cmpResult(op string) func(c int) bool {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }
	case "<>", "!=":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	case ">=":
		return func(c int) bool { return c >= 0 }
	}
	return nil
}

// cmpTypes decides how values of types l and r are compared: it returns
// the types to cast them to (their own when the comparison handles the
// pair directly) or false when they cannot be compared.
func cmpTypes(l, r types.T) (types.T, types.T, bool) {
	if l.Fam == types.Unknown && r.Fam == types.Unknown {
		return types.TText, types.TText, true
	}
	if l.Fam == types.Unknown {
		l = r
	} else if r.Fam == types.Unknown {
		r = l
	}
	lc, rc := typeCategory(l), typeCategory(r)
	switch {
	case lc == 'N' && rc == 'N':
		// Integers, numeric and floats of every width compare directly:
		// compareDatum promotes mixed kinds as PostgreSQL's casts would.
		return l, r, true
	case lc == 'S' && rc == 'S':
		return l, r, true
	case lc == 'D' && rc == 'D':
		if l.Fam == types.Date && r.Fam != types.Date {
			return r, r, true
		}
		if r.Fam == types.Date && l.Fam != types.Date {
			return l, l, true
		}
		return l, r, true
	case l.Fam == r.Fam && l.Fam != types.Array && l.Fam != types.Json:
		return l, r, true
	case l.Fam == types.Array && r.Fam == types.Array:
		if l.Elem == r.Elem {
			return l, r, true
		}
		if l.Elem == types.Unknown {
			return r, r, true
		}
		if r.Elem == types.Unknown {
			return l, l, true
		}
		ec, erc := typeCategory(types.T{Fam: l.Elem}), typeCategory(types.T{Fam: r.Elem})
		if ec == erc && (ec == 'N' || ec == 'S') {
			return l, r, true
		}
	}
	return types.T{}, types.T{}, false
}

// resolveCmp is the template of the comparison operator op.
func resolveCmp(op string) func(args []types.T) (*Func, []types.T, error) {
	res := cmpResult(op)
	return func(args []types.T) (*Func, []types.T, error) {
		if len(args) != 2 {
			return nil, nil, nil
		}
		l, r, ok := cmpTypes(args[0], args[1])
		if !ok {
			return nil, nil, nil
		}
		return &Func{
			Name: op, Args: []types.T{l, r}, Ret: types.TBool, Strict: true,
			Eval: cmpEval(l, r, res),
		}, []types.T{l, r}, nil
	}
}

// cmpEval specialises a comparison for the representation of its operands.
func cmpEval(l, r types.T, res func(int) bool) evalFunc {
	lk, rk := l.Kind(), r.Kind()
	switch {
	case lk == rk && (lk == types.KInt || lk == types.KTime || lk == types.KDate || lk == types.KBool):
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewBool(res(cmpInt(a[0].I, a[1].I))), nil
		}
	case lk == types.KString && rk == types.KString:
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewBool(res(strings.Compare(a[0].S, a[1].S))), nil
		}
	case lk == types.KFloat && rk == types.KFloat:
		return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
			return types.NewBool(res(cmpFloat(a[0].Float(), a[1].Float()))), nil
		}
	}
	return func(_ *Ctx, a []types.Datum) (types.Datum, error) {
		return types.NewBool(res(compareDatum(a[0], a[1]))), nil
	}
}

func init() {
	for _, op := range cmpOps {
		register(&Func{Name: op, resolve: resolveCmp(op)})
	}
}
