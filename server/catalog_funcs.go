package server

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"streamsqld/server/pgcatalog"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// The catalog functions of PostgreSQL that psql, drivers and BI tools call
// (pg_table_is_visible, format_type, has_table_privilege, ::regclass ...).
// Those that read the catalog or the session are volatile, like the
// session functions, so the planner never folds them with another
// session's state; the pure ones fold like any built-in.

var (
	tOid  = types.TOid
	tText = types.TText
	tName = types.TName
	tInt4 = types.TInt4
	tInt8 = types.TInt8
	tBool = types.TBool
	tReg  = types.TRegClass
)

// catalogSession returns the session evaluating a catalog function.
func catalogSession(ctx *expr.Ctx, fn string) (*session, error) {
	s, err := sessionOf(ctx, fn)
	if err != nil {
		return nil, err
	}
	sess, ok := s.(*session)
	if !ok {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s() needs a client session", fn)
	}
	return sess, nil
}

// catalogFunc registers a function over the session's catalog snapshot.
func catalogFunc(name string, args []types.T, ret types.T, eval func(s *session, a []types.Datum) (types.Datum, error)) {
	expr.RegisterFunc(&expr.Func{
		Name: name, Args: args, Ret: ret, Strict: true, Volatile: true,
		Eval: func(ctx *expr.Ctx, a []types.Datum) (types.Datum, error) {
			s, err := catalogSession(ctx, name)
			if err != nil {
				return types.Null, err
			}
			return eval(s, a)
		},
	})
}

// pureFunc registers a strict function that depends on its arguments only.
func pureFunc(name string, args []types.T, ret types.T, eval func(a []types.Datum) (types.Datum, error)) {
	expr.RegisterFunc(&expr.Func{Name: name, Args: args, Ret: ret, Strict: true,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) { return eval(a) }})
}

// nullFunc registers a function that is always NULL: the catalog objects
// it describes (defaults, indexes, constraints, rules ...) do not exist in
// streamsqld.
func nullFunc(name string, ret types.T, args ...types.T) {
	expr.RegisterFunc(&expr.Func{Name: name, Args: args, Ret: ret,
		Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.Null, nil }})
}

func oidArg(d types.Datum) uint32 { return uint32(d.I) }

func textOrNull(s string, ok bool) types.Datum {
	if !ok {
		return types.Null
	}
	return types.NewString(s)
}

func init() {
	registerRegTypes()
	registerVisibility()
	registerDescriptions()
	registerPrivileges()
	registerSizes()
	registerSetFuncs()
	registerServerInfo()
}

// registerRegTypes registers the text conversions of the OID alias types
// the planner calls for ::regclass and friends, and to_regclass & co.
func registerRegTypes() {
	catalogFunc("regclassin", []types.T{tText}, tReg, func(s *session, a []types.Datum) (types.Datum, error) {
		oid, err := pgcatalog.RegclassOID(s.snapshot(), a[0].Str())
		if err != nil {
			return types.Null, err
		}
		return types.NewInt(int64(oid)), nil
	})
	catalogFunc("regclassout", []types.T{tReg}, tText, func(s *session, a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.RegclassName(s.snapshot(), oidArg(a[0]))), nil
	})
	pureFunc("regtypein", []types.T{tText}, types.TRegType, func(a []types.Datum) (types.Datum, error) {
		oid, ok := typeOIDByName(a[0].Str())
		if !ok {
			return types.Null, pgerror.Newf(pgerror.UndefinedObject, "type \"%s\" does not exist", a[0].Str())
		}
		return types.NewInt(int64(oid)), nil
	})
	pureFunc("regprocin", []types.T{tText}, types.TRegProc, func(a []types.Datum) (types.Datum, error) {
		oid, ok := pgcatalog.RegprocOID(a[0].Str())
		if !ok {
			return types.Null, pgerror.Newf(pgerror.UndefinedFunction, "function \"%s\" does not exist", a[0].Str())
		}
		return types.NewInt(int64(oid)), nil
	})
	pureFunc("regprocout", []types.T{types.TRegProc}, tText, func(a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.RegprocName(oidArg(a[0]))), nil
	})
	pureFunc("regnamespacein", []types.T{tText}, tOid, func(a []types.Datum) (types.Datum, error) {
		oid, ok := namespaceOIDByName(a[0].Str())
		if !ok {
			return types.Null, pgerror.Newf(pgerror.InvalidSchemaName, "schema \"%s\" does not exist", a[0].Str())
		}
		return types.NewInt(int64(oid)), nil
	})
	catalogFunc("regrolein", []types.T{tText}, tOid, func(s *session, a []types.Datum) (types.Datum, error) {
		if a[0].Str() != s.user {
			return types.Null, pgerror.Newf(pgerror.UndefinedObject, "role \"%s\" does not exist", a[0].Str())
		}
		return types.NewInt(int64(pgcatalog.OIDRole)), nil
	})

	catalogFunc("to_regclass", []types.T{tText}, tReg, func(s *session, a []types.Datum) (types.Datum, error) {
		oid, err := pgcatalog.RegclassOID(s.snapshot(), a[0].Str())
		if err != nil {
			if pgerror.Code(err) == pgerror.UndefinedTable {
				return types.Null, nil
			}
			return types.Null, err
		}
		return types.NewInt(int64(oid)), nil
	})
	pureFunc("to_regtype", []types.T{tText}, types.TRegType, func(a []types.Datum) (types.Datum, error) {
		if oid, ok := typeOIDByName(a[0].Str()); ok {
			return types.NewInt(int64(oid)), nil
		}
		return types.Null, nil
	})
	pureFunc("to_regproc", []types.T{tText}, types.TRegProc, func(a []types.Datum) (types.Datum, error) {
		if oid, ok := pgcatalog.RegprocOID(a[0].Str()); ok {
			return types.NewInt(int64(oid)), nil
		}
		return types.Null, nil
	})
	pureFunc("to_regnamespace", []types.T{tText}, tOid, func(a []types.Datum) (types.Datum, error) {
		if oid, ok := namespaceOIDByName(a[0].Str()); ok {
			return types.NewInt(int64(oid)), nil
		}
		return types.Null, nil
	})
}

// typeOIDByName resolves a type name as regtype's input does: SQL names
// (integer, character varying, text[]) and pg_type names (int4, _text).
func typeOIDByName(name string) (uint32, bool) {
	name = strings.TrimSpace(name)
	if t, err := types.ParseTypeName(name, nil); err == nil && t.OID() != 0 {
		return t.OID(), true
	}
	n := strings.TrimPrefix(strings.ToLower(name), "pg_catalog.")
	n = strings.Trim(n, `"`)
	return pgcatalog.TypeOIDByName(n)
}

func namespaceOIDByName(name string) (uint32, bool) {
	n := strings.TrimSpace(name)
	if strings.HasPrefix(n, `"`) && strings.HasSuffix(n, `"`) && len(n) >= 2 {
		n = strings.ReplaceAll(n[1:len(n)-1], `""`, `"`)
	} else {
		n = strings.ToLower(n)
	}
	if oid, err := strconv.ParseUint(n, 10, 32); err == nil {
		return uint32(oid), true
	}
	return pgcatalog.NamespaceOID(n)
}

func registerVisibility() {
	catalogFunc("pg_table_is_visible", []types.T{tOid}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
		v, ok := pgcatalog.PgTableIsVisible(s.snapshot(), oidArg(a[0]))
		if !ok {
			return types.Null, nil
		}
		return types.NewBool(v), nil
	})
	pureFunc("pg_type_is_visible", []types.T{tOid}, tBool, func(a []types.Datum) (types.Datum, error) {
		v, ok := pgcatalog.PgTypeIsVisible(oidArg(a[0]))
		if !ok {
			return types.Null, nil
		}
		return types.NewBool(v), nil
	})
	// Functions, operators, collations ... all live in pg_catalog, which
	// is always searched.
	for _, name := range []string{"pg_function_is_visible", "pg_operator_is_visible", "pg_opclass_is_visible",
		"pg_opfamily_is_visible", "pg_collation_is_visible", "pg_conversion_is_visible",
		"pg_ts_config_is_visible", "pg_ts_dict_is_visible", "pg_ts_parser_is_visible",
		"pg_ts_template_is_visible", "pg_statistics_obj_is_visible"} {
		pureFunc(name, []types.T{tOid}, tBool, func([]types.Datum) (types.Datum, error) { return types.NewBool(true), nil })
	}
	// format_type is not strict: a NULL typmod means none.
	expr.RegisterFunc(&expr.Func{Name: "format_type", Args: []types.T{tOid, tInt4}, Ret: tText,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) {
			if a[0].IsNull() {
				return types.Null, nil
			}
			mod := int32(-1)
			if !a[1].IsNull() {
				mod = int32(a[1].I)
			}
			s, err := pgcatalog.FormatType(oidArg(a[0]), mod)
			if err != nil {
				return types.Null, err
			}
			return types.NewString(s), nil
		}})
	catalogFunc("pg_get_userbyid", []types.T{tOid}, tName, func(s *session, a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.PgGetUserByID(&pgcatalog.Env{User: s.user}, oidArg(a[0]))), nil
	})
	pureFunc("pg_encoding_to_char", []types.T{tInt4}, tName, func(a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.PgEncodingToChar(int32(a[0].I))), nil
	})
	pureFunc("pg_char_to_encoding", []types.T{tName}, tInt4, func(a []types.Datum) (types.Datum, error) {
		for i := int32(0); ; i++ {
			n := pgcatalog.PgEncodingToChar(i)
			if n == "" {
				return types.NewInt(-1), nil
			}
			if strings.EqualFold(n, a[0].Str()) {
				return types.NewInt(int64(i)), nil
			}
		}
	})
	parseIdent := func(a []types.Datum) (types.Datum, error) {
		parts, err := pgcatalog.ParseIdent(a[0].Str(), len(a) < 2 || a[1].Bool())
		if err != nil {
			return types.Null, err
		}
		elems := make([]types.Datum, len(parts))
		for i, p := range parts {
			elems[i] = types.NewString(p)
		}
		return types.NewArray(elems), nil
	}
	pureFunc("parse_ident", []types.T{tText}, types.TTextArray, parseIdent)
	pureFunc("parse_ident", []types.T{tText, tBool}, types.TTextArray, parseIdent)
	pureFunc("quote_ident", []types.T{tText}, tText, func(a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.QuoteIdent(a[0].Str())), nil
	})
	pureFunc("pg_my_temp_schema", nil, tOid, func([]types.Datum) (types.Datum, error) { return types.NewInt(0), nil })
	pureFunc("pg_is_other_temp_schema", []types.T{tOid}, tBool, func([]types.Datum) (types.Datum, error) {
		return types.NewBool(false), nil
	})
}

func registerDescriptions() {
	viewdef := func(s *session, a []types.Datum) (types.Datum, error) {
		return textOrNull(pgcatalog.PgGetViewdef(s.snapshot(), oidArg(a[0]))), nil
	}
	viewdefByName := func(s *session, a []types.Datum) (types.Datum, error) {
		def, ok, err := pgcatalog.PgGetViewdefByName(s.snapshot(), a[0].Str())
		if err != nil {
			return types.Null, err
		}
		return textOrNull(def, ok), nil
	}
	catalogFunc("pg_get_viewdef", []types.T{tOid}, tText, viewdef)
	catalogFunc("pg_get_viewdef", []types.T{tOid, tBool}, tText, viewdef)
	catalogFunc("pg_get_viewdef", []types.T{tOid, tInt4}, tText, viewdef)
	catalogFunc("pg_get_viewdef", []types.T{tText}, tText, viewdefByName)
	catalogFunc("pg_get_viewdef", []types.T{tText, tBool}, tText, viewdefByName)

	// streamsqld stores no expression trees, indexes, constraints, rules,
	// triggers, partitions, statistics objects or comments.
	nullFunc("pg_get_expr", tText, tText, tOid)
	nullFunc("pg_get_expr", tText, tText, tOid, tBool)
	nullFunc("pg_get_indexdef", tText, tOid)
	nullFunc("pg_get_indexdef", tText, tOid, tInt4, tBool)
	nullFunc("pg_get_constraintdef", tText, tOid)
	nullFunc("pg_get_constraintdef", tText, tOid, tBool)
	nullFunc("pg_get_ruledef", tText, tOid)
	nullFunc("pg_get_ruledef", tText, tOid, tBool)
	nullFunc("pg_get_triggerdef", tText, tOid)
	nullFunc("pg_get_triggerdef", tText, tOid, tBool)
	nullFunc("pg_get_partkeydef", tText, tOid)
	nullFunc("pg_get_partition_constraintdef", tText, tOid)
	nullFunc("pg_get_statisticsobjdef", tText, tOid)
	nullFunc("pg_get_statisticsobjdef_columns", tText, tOid)
	nullFunc("pg_get_statisticsobjdef_expressions", types.TTextArray, tOid)
	nullFunc("pg_get_functiondef", tText, tOid)
	nullFunc("pg_get_function_arguments", tText, tOid)
	nullFunc("pg_get_function_identity_arguments", tText, tOid)
	nullFunc("pg_get_function_result", tText, tOid)
	nullFunc("pg_get_serial_sequence", tText, tText, tText)
	nullFunc("obj_description", tText, tOid)
	nullFunc("obj_description", tText, tOid, tName)
	nullFunc("col_description", tText, tOid, tInt4)
	nullFunc("shobj_description", tText, tOid, tName)
	pureFunc("pg_relation_is_publishable", []types.T{tReg}, tBool, func([]types.Datum) (types.Datum, error) {
		return types.NewBool(false), nil
	})
	pureFunc("pg_tablespace_location", []types.T{tOid}, tText, func([]types.Datum) (types.Datum, error) {
		return types.NewString(""), nil
	})
}

// privilegeKinds are the privileges each has_*_privilege function accepts.
var privilegeKinds = map[string][]string{
	"table":                {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"},
	"any_column":           {"SELECT", "INSERT", "UPDATE", "REFERENCES"},
	"column":               {"SELECT", "INSERT", "UPDATE", "REFERENCES"},
	"schema":               {"CREATE", "USAGE"},
	"database":             {"CREATE", "CONNECT", "TEMPORARY", "TEMP"},
	"function":             {"EXECUTE"},
	"sequence":             {"USAGE", "SELECT", "UPDATE"},
	"tablespace":           {"CREATE"},
	"type":                 {"USAGE"},
	"language":             {"USAGE"},
	"foreign_data_wrapper": {"USAGE"},
	"server":               {"USAGE"},
}

// checkPrivilege validates a privilege list ("SELECT, INSERT WITH GRANT
// OPTION") as PostgreSQL does.
func checkPrivilege(kind, priv string) error {
	for _, p := range strings.Split(priv, ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		p = strings.TrimSpace(strings.TrimSuffix(p, "WITH GRANT OPTION"))
		ok := false
		for _, k := range privilegeKinds[kind] {
			if p == k {
				ok = true
			}
		}
		if !ok {
			return pgerror.Newf(pgerror.InvalidParameterValue, "unrecognized privilege type: \"%s\"", strings.TrimSpace(p))
		}
	}
	return nil
}

// privObject checks that the object named by a has_*_privilege argument
// exists; exists is false for an OID that names nothing (the function
// is then NULL).
type privObject func(s *session, obj types.Datum, t types.T) (exists bool, err error)

func relationObject(s *session, obj types.Datum, t types.T) (bool, error) {
	if t.Fam == types.Oid {
		_, ok := pgcatalog.PgTableIsVisible(s.snapshot(), oidArg(obj))
		return ok, nil
	}
	_, err := pgcatalog.HasTablePrivilege(s.snapshot(), obj.Str())
	return err == nil, err
}

func schemaObject(_ *session, obj types.Datum, t types.T) (bool, error) {
	if t.Fam == types.Oid {
		_, ok := pgcatalog.NamespaceName(oidArg(obj))
		return ok, nil
	}
	if _, ok := pgcatalog.NamespaceOID(obj.Str()); !ok {
		return false, pgerror.Newf(pgerror.InvalidSchemaName, "schema \"%s\" does not exist", obj.Str())
	}
	return true, nil
}

func databaseObject(_ *session, obj types.Datum, t types.T) (bool, error) {
	if t.Fam == types.Oid {
		return oidArg(obj) == pgcatalog.OIDDatabase, nil
	}
	if obj.Str() != pgcatalog.DatabaseName {
		return false, pgerror.Newf(pgerror.InvalidCatalogName, "database \"%s\" does not exist", obj.Str())
	}
	return true, nil
}

func anyObject(*session, types.Datum, types.T) (bool, error) { return true, nil }

func registerPrivileges() {
	objects := map[string]privObject{
		"table": relationObject, "any_column": relationObject, "sequence": relationObject,
		"schema": schemaObject, "database": databaseObject,
		"function": anyObject, "tablespace": anyObject, "type": anyObject, "language": anyObject,
		"foreign_data_wrapper": anyObject, "server": anyObject,
	}
	for kind, obj := range objects {
		kind, obj := kind, obj
		name := "has_" + kind + "_privilege"
		for _, ot := range []types.T{tText, tOid} {
			ot := ot
			check := func(s *session, o, priv types.Datum) (types.Datum, error) {
				exists, err := obj(s, o, ot)
				if err != nil || !exists {
					return types.Null, err
				}
				if err := checkPrivilege(kind, priv.Str()); err != nil {
					return types.Null, err
				}
				return types.NewBool(true), nil
			}
			catalogFunc(name, []types.T{ot, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
				return check(s, a[0], a[1])
			})
			for _, ut := range []types.T{tName, tOid} {
				catalogFunc(name, []types.T{ut, ot, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
					return check(s, a[1], a[2])
				})
			}
		}
	}
	// has_column_privilege([user,] table, column, privilege): the column
	// by name or number.
	for _, tt := range []types.T{tText, tOid} {
		for _, ct := range []types.T{tText, types.TInt2} {
			tt, ct := tt, ct
			check := func(s *session, tbl, col, priv types.Datum) (types.Datum, error) {
				exists, err := relationObject(s, tbl, tt)
				if err != nil || !exists {
					return types.Null, err
				}
				if err := checkPrivilege("column", priv.Str()); err != nil {
					return types.Null, err
				}
				return types.NewBool(true), nil
			}
			catalogFunc("has_column_privilege", []types.T{tt, ct, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
				return check(s, a[0], a[1], a[2])
			})
			for _, ut := range []types.T{tName, tOid} {
				catalogFunc("has_column_privilege", []types.T{ut, tt, ct, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
					return check(s, a[1], a[2], a[3])
				})
			}
		}
	}
	catalogFunc("pg_has_role", []types.T{tText, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
		return types.NewBool(a[0].Str() == s.user), nil
	})
	catalogFunc("pg_has_role", []types.T{tName, tText, tText}, tBool, func(s *session, a []types.Datum) (types.Datum, error) {
		return types.NewBool(a[1].Str() == s.user), nil
	})
	catalogFunc("pg_has_role", []types.T{tOid, tText}, tBool, func(_ *session, a []types.Datum) (types.Datum, error) {
		return types.NewBool(oidArg(a[0]) == pgcatalog.OIDRole), nil
	})
}

func registerSizes() {
	// Relations have no size PostgreSQL's functions could report: table
	// logs and view state live in one key-value store.
	relSize := func(s *session, a []types.Datum) (types.Datum, error) {
		if _, ok := pgcatalog.PgTableIsVisible(s.snapshot(), oidArg(a[0])); !ok {
			return types.Null, nil
		}
		return types.NewInt(0), nil
	}
	for _, name := range []string{"pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size"} {
		catalogFunc(name, []types.T{tReg}, tInt8, relSize)
	}
	catalogFunc("pg_relation_size", []types.T{tReg, tText}, tInt8, relSize)
	pureFunc("pg_database_size", []types.T{tName}, tInt8, func(a []types.Datum) (types.Datum, error) {
		if a[0].Str() != pgcatalog.DatabaseName {
			return types.Null, pgerror.Newf(pgerror.InvalidCatalogName, "database \"%s\" does not exist", a[0].Str())
		}
		return types.NewInt(0), nil
	})
	pureFunc("pg_database_size", []types.T{tOid}, tInt8, func([]types.Datum) (types.Datum, error) { return types.NewInt(0), nil })
	pureFunc("pg_size_pretty", []types.T{tInt8}, tText, func(a []types.Datum) (types.Datum, error) {
		return types.NewString(pgcatalog.PgSizePretty(a[0].I)), nil
	})
	pureFunc("pg_size_pretty", []types.T{types.TNumeric}, tText, func(a []types.Datum) (types.Datum, error) {
		v, err := a[0].Decimal().Int64()
		if err != nil {
			return types.Null, pgerror.New(pgerror.NumericValueOutOfRange, "bigint out of range")
		}
		return types.NewString(pgcatalog.PgSizePretty(v)), nil
	})
}

// Set-returning catalog functions: their rows have several columns.
var (
	optionColumns = []types.Column{{Name: "option_name", Type: tText}, {Name: "option_value", Type: tText}}
)

func registerSetFuncs() {
	expr.RegisterSetFunc("pg_options_to_table", func(args []types.T) (*expr.SetFunc, []types.T) {
		if len(args) != 1 || !(args[0].Fam == types.Unknown || args[0].Fam == types.Array && (args[0].Elem == types.Text || args[0].Elem == types.Varchar)) {
			return nil, nil
		}
		ts := []types.T{types.TTextArray}
		return &expr.SetFunc{Name: "pg_options_to_table", Args: ts, Ret: expr.RecordType(optionColumns), Columns: optionColumns,
			Eval: func(_ *expr.Ctx, a []types.Datum, emit func(types.Datum) error) error {
				var opts []string
				for _, d := range a[0].Array() {
					if !d.IsNull() {
						opts = append(opts, d.Str())
					}
				}
				for _, kv := range pgcatalog.OptionsToTable(opts) {
					if err := emit(types.NewArray([]types.Datum{types.NewString(kv[0]), types.NewString(kv[1])})); err != nil {
						return err
					}
				}
				return nil
			}}, ts
	})
	// information_schema._pg_expandarray(anyarray): (x, n), the elements
	// and their 1-based positions.
	expr.RegisterSetFunc("information_schema._pg_expandarray", func(args []types.T) (*expr.SetFunc, []types.T) {
		if len(args) != 1 || args[0].Fam != types.Array {
			return nil, nil
		}
		cols := []types.Column{{Name: "x", Type: args[0].ElemType()}, {Name: "n", Type: tInt4}}
		return &expr.SetFunc{Name: "_pg_expandarray", Args: args, Ret: expr.RecordType(cols), Columns: cols,
			Eval: func(_ *expr.Ctx, a []types.Datum, emit func(types.Datum) error) error {
				for i, e := range a[0].Array() {
					if err := emit(types.NewArray([]types.Datum{e, types.NewInt(int64(i + 1))})); err != nil {
						return err
					}
				}
				return nil
			}}, args
	})
}

// txid counts transactions for txid_current(): streamsqld has none, but
// tools use the number to tell statements apart.
var txid atomic.Int64

func registerServerInfo() {
	pureFunc("pg_is_in_recovery", nil, tBool, func([]types.Datum) (types.Datum, error) { return types.NewBool(false), nil })
	expr.RegisterFunc(&expr.Func{Name: "txid_current", Ret: tInt8, Volatile: true,
		Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.NewInt(txid.Add(1) + 1000), nil }})
	catalogFunc("pg_postmaster_start_time", nil, types.TTimestamptz, func(s *session, _ []types.Datum) (types.Datum, error) {
		return types.NewTime(s.eng.started.UnixMicro()), nil
	})
	catalogFunc("pg_conf_load_time", nil, types.TTimestamptz, func(s *session, _ []types.Datum) (types.Datum, error) {
		return types.NewTime(s.eng.started.UnixMicro()), nil
	})
	catalogFunc("inet_server_addr", nil, tText, func(s *session, _ []types.Datum) (types.Datum, error) {
		host, _, err := net.SplitHostPort(s.eng.cfg.Listen)
		if err != nil || host == "" {
			return types.Null, nil
		}
		return types.NewString(host), nil
	})
	catalogFunc("inet_server_port", nil, tInt4, func(s *session, _ []types.Datum) (types.Datum, error) {
		_, port, err := net.SplitHostPort(s.eng.cfg.Listen)
		p, perr := strconv.Atoi(port)
		if err != nil || perr != nil || p == 0 {
			return types.Null, nil
		}
		return types.NewInt(int64(p)), nil
	})
	nullFunc("inet_client_addr", tText)
	nullFunc("inet_client_port", tInt4)
	expr.RegisterFunc(&expr.Func{Name: "pg_sleep", Args: []types.T{types.TFloat8}, Ret: types.TVoid, Strict: true, Volatile: true,
		Eval: func(ctx *expr.Ctx, a []types.Datum) (types.Datum, error) {
			d := time.Duration(a[0].Float() * float64(time.Second))
			done := context.Background().Done()
			if s, err := catalogSession(ctx, "pg_sleep"); err == nil && s.execCtx != nil {
				done = s.execCtx.Done()
			}
			if d <= 0 {
				return types.Null, nil
			}
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return types.Null, nil
			case <-done:
				return types.Null, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
			}
		}})
}
