package planner

import (
	"strconv"

	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Records with named fields come from set-returning functions of several
// columns (pg_options_to_table, information_schema._pg_expandarray). Their
// type carries the field list (expr.RecordFields); a field is read by an
// internal function over the record datum, an array of the fields.

// fieldAt returns the expression reading field i of record x.
func fieldAt(x expr.Expr, i int) expr.Expr {
	f := expr.RecordFields(x.Type())[i]
	fn := &expr.Func{
		Name: "(record)." + f.Name, Args: []types.T{x.Type()}, Ret: f.Type, Strict: true,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) {
			fields := a[0].Array()
			if i >= len(fields) {
				return types.Null, nil
			}
			return fields[i], nil
		},
	}
	return &expr.Call{Fn: fn, Args: []expr.Expr{x}}
}

// bindFieldSelect binds (x).name.
func (b *binder) bindFieldSelect(x expr.Expr, name string, pos int) (expr.Expr, error) {
	t := x.Type()
	if t.Fam != types.Record {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "column notation .%s applied to type %s, which is not a composite type", name, t).WithPosition(pos)
	}
	fields := expr.RecordFields(t)
	for i, f := range fields {
		if f.Name == name {
			return fieldAt(x, i), nil
		}
	}
	if fields == nil {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "could not identify column \""+name+"\" in record data type").WithPosition(pos)
	}
	return nil, pgerror.Newf(pgerror.UndefinedColumn, "could not identify column %s in record data type", strconv.Quote(name)).WithPosition(pos)
}
