package server

import (
	"fmt"
	"runtime"

	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Session functions read the client session through expr.Ctx.Session.
// They are volatile so that the planner never folds them into a constant
// of another session, and they fail inside streaming jobs, which have no
// session.

func sessionOf(ctx *expr.Ctx, fn string) (expr.Session, error) {
	if ctx == nil || ctx.Session == nil {
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s() cannot be used in a materialized view", fn)
	}
	return ctx.Session, nil
}

func sessionFunc(name string, args []types.T, ret types.T, eval func(ctx *expr.Ctx, s expr.Session, args []types.Datum) (types.Datum, error)) *expr.Func {
	return &expr.Func{
		Name: name, Args: args, Ret: ret, Strict: true, Volatile: true,
		Eval: func(ctx *expr.Ctx, a []types.Datum) (types.Datum, error) {
			s, err := sessionOf(ctx, name)
			if err != nil {
				return types.Null, err
			}
			return eval(ctx, s, a)
		},
	}
}

func versionString() string {
	return fmt.Sprintf("PostgreSQL %s (streamsqld %s) on %s-%s, compiled by %s, 64-bit",
		ServerVersion, Version, runtime.GOARCH, runtime.GOOS, runtime.Version())
}

func init() {
	constText := func(name, v string) *expr.Func {
		return &expr.Func{Name: name, Ret: types.TText, Volatile: true,
			Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.NewString(v), nil }}
	}
	expr.RegisterFunc(constText("version", versionString()))
	expr.RegisterFunc(&expr.Func{Name: "current_database", Ret: types.TName, Volatile: true,
		Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.NewString(Database), nil }})
	expr.RegisterFunc(&expr.Func{Name: "current_catalog", Ret: types.TName, Volatile: true,
		Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.NewString(Database), nil }})
	expr.RegisterFunc(&expr.Func{Name: "current_schema", Ret: types.TName, Volatile: true,
		Eval: func(*expr.Ctx, []types.Datum) (types.Datum, error) { return types.NewString("public"), nil }})
	expr.RegisterFunc(&expr.Func{Name: "current_schemas", Args: []types.T{types.TBool}, Ret: types.ArrayOf(types.Name), Strict: true, Volatile: true,
		Eval: func(_ *expr.Ctx, a []types.Datum) (types.Datum, error) {
			if a[0].Bool() {
				return types.NewArray([]types.Datum{types.NewString("pg_catalog"), types.NewString("public")}), nil
			}
			return types.NewArray([]types.Datum{types.NewString("public")}), nil
		}})
	for _, name := range []string{"current_user", "session_user", "user", "current_role"} {
		expr.RegisterFunc(sessionFunc(name, nil, types.TName, func(_ *expr.Ctx, s expr.Session, _ []types.Datum) (types.Datum, error) {
			return types.NewString(s.User()), nil
		}))
	}
	expr.RegisterFunc(sessionFunc("pg_backend_pid", nil, types.TInt4, func(_ *expr.Ctx, s expr.Session, _ []types.Datum) (types.Datum, error) {
		return types.NewInt(int64(s.BackendPID())), nil
	}))
	currentSetting := func(_ *expr.Ctx, s expr.Session, a []types.Datum) (types.Datum, error) {
		v, err := s.Setting(a[0].Str())
		if err != nil {
			if len(a) > 1 && a[1].Bool() {
				return types.Null, nil
			}
			return types.Null, err
		}
		return types.NewString(v), nil
	}
	expr.RegisterFunc(sessionFunc("current_setting", []types.T{types.TText}, types.TText, currentSetting))
	expr.RegisterFunc(sessionFunc("current_setting", []types.T{types.TText, types.TBool}, types.TText, currentSetting))
	expr.RegisterFunc(sessionFunc("set_config", []types.T{types.TText, types.TText, types.TBool}, types.TText,
		func(_ *expr.Ctx, s expr.Session, a []types.Datum) (types.Datum, error) {
			if err := s.SetSetting(a[0].Str(), a[1].Str(), a[2].Bool()); err != nil {
				return types.Null, err
			}
			v, err := s.Setting(a[0].Str())
			if err != nil {
				return types.Null, err
			}
			return types.NewString(v), nil
		}))
}

// The session as expr sees it.

func (s *session) Setting(name string) (string, error) { return s.vars.get(name) }

func (s *session) SetSetting(name, value string, local bool) error { return s.vars.set(name, value) }

func (s *session) User() string { return s.user }

func (s *session) BackendPID() int32 { return int32(s.key.ProcessID) }
