package planner

import (
	"sort"

	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Aggregates with an ORDER BY (string_agg(x, ', ' ORDER BY y), array_agg(x
// ORDER BY y DESC)) are bound as a wrapper around the plain aggregate: the
// wrapper's argument is a record of the aggregate's argument and the sort
// keys; it keeps a group's records and, for the result, sorts them and
// feeds the arguments to the plain aggregate in that order. Each such
// aggregate has its own order, as in PostgreSQL. Batch queries only: the
// wrapper's state is neither retractable nor checkpointed.

// orderedAgg wraps fn (over arg, nil for count(*)) to consume its input in
// the order of keys; it returns the wrapper and its argument.
func orderedAgg(fn *expr.AggFunc, arg expr.Expr, keys []aggOrderKey) (*expr.AggFunc, expr.Expr) {
	elems := []expr.Expr{&expr.Const{D: types.NewInt(1), T: types.TInt4}}
	if arg != nil {
		elems[0] = arg
	}
	for _, k := range keys {
		elems = append(elems, k.e)
	}
	hasArg := arg != nil
	wrapped := *fn
	wrapped.Arg = types.TRecord
	wrapped.New = func() expr.Accumulator {
		return &orderedAcc{fn: fn, keys: keys, hasArg: hasArg}
	}
	return &wrapped, &expr.ArrayCtor{Elems: elems, T: types.TRecord}
}

type orderedAcc struct {
	fn     *expr.AggFunc
	keys   []aggOrderKey
	hasArg bool
	rows   [][]types.Datum // argument, then the sort keys
}

func (a *orderedAcc) Add(d types.Datum) error {
	a.rows = append(a.rows, append([]types.Datum(nil), d.Array()...))
	return nil
}

func (a *orderedAcc) Retract(types.Datum) error {
	return pgerror.New(pgerror.FeatureNotSupported, "ORDER BY in an aggregate cannot be maintained incrementally")
}

func (a *orderedAcc) Result() types.Datum {
	rows := append([][]types.Datum(nil), a.rows...)
	sort.SliceStable(rows, func(i, j int) bool {
		for k, key := range a.keys {
			x, y := rows[i][k+1], rows[j][k+1]
			c := 0
			switch {
			case x.IsNull() && y.IsNull():
			case x.IsNull():
				c = 1
				if key.nullsFirst {
					c = -1
				}
			case y.IsNull():
				c = -1
				if key.nullsFirst {
					c = 1
				}
			default:
				c = types.Compare(x, y)
				if key.desc {
					c = -c
				}
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	inner := a.fn.New()
	for _, r := range rows {
		v := types.NewInt(1)
		if a.hasArg {
			v = r[0]
		}
		if err := inner.Add(v); err != nil {
			return types.Null
		}
	}
	return inner.Result()
}

func (a *orderedAcc) AppendState(buf []byte) []byte { return buf }

func (a *orderedAcc) LoadState([]byte) error {
	return pgerror.New(pgerror.FeatureNotSupported, "ORDER BY in an aggregate cannot be checkpointed")
}
