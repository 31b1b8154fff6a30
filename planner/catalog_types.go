package planner

import (
	"strings"

	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// PostgreSQL's OID alias types (regclass, regtype ...) convert to and from
// names, which needs the catalog of the session: the binder routes those
// conversions through functions the server registers under PostgreSQL's
// names for them (regclassin, regclassout ...). Without them (planner
// tests), the conversions fall back to the numeric casts of package types.

// regType is one OID alias type as the binder sees it.
type regType struct {
	t       types.T
	in, out string // functions text -> t and t -> text
}

// regTypes maps the OID alias type names to their types. Those streamsqld
// has no family for are carried as oid: they convert like their
// PostgreSQL counterparts but print as numbers.
var regTypes = map[string]regType{
	"regclass":      {types.TRegClass, "regclassin", "regclassout"},
	"regtype":       {types.TRegType, "regtypein", ""},
	"regproc":       {types.TRegProc, "regprocin", "regprocout"},
	"regprocedure":  {types.TRegProc, "regprocin", "regprocout"},
	"regnamespace":  {types.TOid, "regnamespacein", ""},
	"regrole":       {types.TOid, "regrolein", ""},
	"regoper":       {types.TOid, "", ""},
	"regoperator":   {types.TOid, "", ""},
	"regconfig":     {types.TOid, "", ""},
	"regdictionary": {types.TOid, "", ""},
	"regcollation":  {types.TOid, "", ""},
}

// infoSchemaDomains are the domains information_schema declares its
// columns with, by the type streamsqld serves them as.
var infoSchemaDomains = map[string]types.T{
	"sql_identifier":  types.TName,
	"cardinal_number": types.TInt4,
	"character_data":  types.TVarchar,
	"yes_or_no":       {Fam: types.Varchar, Mod: 3},
	"time_stamp":      types.TTimestamptz,
}

// regTypeByFamily finds the conversions of a reg* family.
func regTypeByFamily(f types.Family) (regType, bool) {
	switch f {
	case types.RegClass:
		return regTypes["regclass"], true
	case types.RegType:
		return regTypes["regtype"], true
	case types.RegProc:
		return regTypes["regproc"], true
	}
	return regType{}, false
}

// bindCatalogCast binds x::name for the catalog-only type names the front
// end leaves to the planner (reg* and information_schema domains). ok is
// false for other names.
func (b *binder) bindCatalogCast(x expr.Expr, name string, pos int) (_ expr.Expr, ok bool, err error) {
	n := strings.TrimPrefix(strings.ToLower(name), "pg_catalog.")
	if d, found := strings.CutPrefix(n, "information_schema."); found {
		t, known := infoSchemaDomains[d]
		if !known {
			return nil, true, pgerror.Newf(pgerror.UndefinedObject, "type %q does not exist", name).WithPosition(pos)
		}
		e, err := b.castTo(x, t, pos)
		return e, true, err
	}
	rt, known := regTypes[n]
	if !known {
		return nil, false, nil
	}
	if x.Type().IsString() || x.Type().Fam == types.Unknown {
		if e, done, err := b.regInput(x, rt, pos); done {
			return e, true, err
		}
	}
	e, err := b.castTo(x, rt.t, pos)
	return e, true, err
}

// regInput converts a string to a reg* type through its input function;
// done is false when the function is not registered.
func (b *binder) regInput(x expr.Expr, rt regType, pos int) (_ expr.Expr, done bool, err error) {
	if rt.in == "" {
		return nil, false, nil
	}
	fn, _, err := expr.ResolveFunc(rt.in, []types.T{types.TText})
	if err != nil {
		return nil, false, nil
	}
	if c, isConst := x.(*expr.Const); isConst && c.D.IsNull() {
		return &expr.Const{D: types.Null, T: rt.t}, true, nil
	}
	if x, err = b.coerce(x, types.TText, pos); err != nil {
		return nil, true, err
	}
	var out expr.Expr = &expr.Call{Fn: fn, Args: []expr.Expr{x}}
	if fn.Ret != rt.t {
		out = &expr.CastExpr{E: out, T: rt.t}
	}
	return out, true, nil
}

// regOutput converts a reg* value to its name through the type's output
// function; ok is false when the type prints itself or the function is
// not registered.
func regOutput(x expr.Expr) (expr.Expr, bool) {
	rt, found := regTypeByFamily(x.Type().Fam)
	if !found || rt.out == "" {
		return nil, false
	}
	fn, _, err := expr.ResolveFunc(rt.out, []types.T{rt.t})
	if err != nil {
		return nil, false
	}
	return &expr.Call{Fn: fn, Args: []expr.Expr{x}}, true
}
