package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// session executes the statements of one client connection. The wire layer
// never calls it concurrently.
type session struct {
	eng  *Engine
	key  wire.BackendKey
	user string
	vars *sessionVars
	// inTxn is true between BEGIN and COMMIT/ROLLBACK; streamsqld's
	// statements are not transactional, the block only groups reads.
	inTxn bool
}

var _ wire.Session = (*session)(nil)

func (s *session) ParameterStatus() map[string]string { return s.vars.reported() }

func (s *session) Close() { s.eng.sessionClosed(s) }

// Prepare parses the query and describes each statement: its parameter
// types and the columns it returns.
func (s *session) Prepare(ctx context.Context, query string, paramTypes []types.T) ([]*wire.Statement, error) {
	parsed, err := sql.Parse(query)
	if err != nil {
		return nil, err
	}
	out := make([]*wire.Statement, 0, len(parsed))
	for _, p := range parsed {
		st := &wire.Statement{SQL: p.SQL, Handle: p.Stmt}
		if _, empty := p.Stmt.(*ast.Empty); empty {
			st.Empty = true
			out = append(out, st)
			continue
		}
		pt := make([]types.T, p.NumParams)
		for i := range pt {
			pt[i] = types.TUnknown
			if i < len(paramTypes) {
				pt[i] = paramTypes[i]
			}
		}
		cols, finalParams, err := s.describe(ctx, p.Stmt, pt)
		if err != nil {
			return nil, err
		}
		st.ParamTypes = finalParams
		st.Columns = cols
		out = append(out, st)
	}
	return out, nil
}

// describe returns a statement's result columns (nil for none) and its
// parameter types after inference.
func (s *session) describe(ctx context.Context, stmt ast.Statement, params []types.T) ([]types.Column, []types.T, error) {
	switch st := stmt.(type) {
	case *ast.Select:
		q, err := s.eng.bindQuery(st, params)
		if err != nil {
			return nil, nil, err
		}
		return q.Columns, q.ParamTypes, nil
	case *ast.Insert:
		ins, err := s.eng.bindInsert(st, params)
		if err != nil {
			return nil, nil, err
		}
		return nil, ins.Query.ParamTypes, nil
	case *ast.Show:
		return s.showColumns(st), resolveUnknown(params), nil
	case *ast.ShowCreate:
		return []types.Column{{Name: "Name", Type: types.TVarchar}, {Name: "Create Sql", Type: types.TVarchar}}, resolveUnknown(params), nil
	case *ast.Explain:
		return []types.Column{{Name: "QUERY PLAN", Type: types.TText}}, resolveUnknown(params), nil
	}
	return nil, resolveUnknown(params), nil
}

// resolveUnknown types parameters nothing constrains as text, as
// PostgreSQL does for utility statements.
func resolveUnknown(params []types.T) []types.T {
	out := make([]types.T, len(params))
	for i, t := range params {
		if t.Fam == types.Unknown {
			t = types.TText
		}
		out[i] = t
	}
	return out
}

// Execute runs one prepared statement.
func (s *session) Execute(ctx context.Context, ws *wire.Statement, params []types.Datum) (*wire.Result, error) {
	if ws.Empty {
		return &wire.Result{}, nil
	}
	stmt, _ := ws.Handle.(ast.Statement)
	if stmt == nil {
		return nil, pgerror.New(pgerror.InternalError, "statement was not prepared by this session")
	}
	if timeout := s.statementTimeout(); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	res, err := s.execute(ctx, stmt, ws, params)
	if err != nil && ctx.Err() != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to statement timeout")
		}
		return nil, pgerror.New(pgerror.QueryCanceled, "canceling statement due to user request")
	}
	return res, err
}

func (s *session) execute(ctx context.Context, stmt ast.Statement, ws *wire.Statement, params []types.Datum) (*wire.Result, error) {
	e := s.eng
	switch st := stmt.(type) {
	case *ast.Select:
		return e.runSelect(ctx, s, st, ws.ParamTypes, params)
	case *ast.Insert:
		return e.runInsert(ctx, s, st, ws.ParamTypes, params)
	case *ast.CreateSource:
		return e.createSource(ctx, st, ws.SQL)
	case *ast.CreateTable:
		return e.createTable(ctx, st, ws.SQL)
	case *ast.CreateMaterializedView:
		return e.createView(ctx, st, ws.SQL, s.viewParallelism())
	case *ast.CreateSink:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "CREATE SINK is not supported yet").
			WithHint("Read the view with SELECT instead.")
	case *ast.Drop:
		return e.drop(ctx, st)
	case *ast.Show:
		return s.show(ctx, st)
	case *ast.ShowCreate:
		return e.showCreate(st)
	case *ast.Explain:
		return e.explain(ctx, st, ws.ParamTypes, s.viewParallelism())
	case *ast.SetVar:
		return s.setVar(st)
	case *ast.ResetVar:
		if err := s.vars.reset(st.Name); err != nil {
			return nil, err
		}
		return &wire.Result{Tag: "RESET", ParameterChanges: s.reportedChange(st.Name)}, nil
	case *ast.Transaction:
		return s.transaction(st)
	case *ast.Other:
		return s.other(st)
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "statement %T is not supported", stmt)
}

func (s *session) statementTimeout() time.Duration {
	v, _ := s.vars.get("statement_timeout")
	return parseDurationSetting(v, time.Millisecond)
}

// parseDurationSetting reads a PostgreSQL time setting: a bare number in
// the parameter's unit, or a number with ms/s/min/h.
func parseDurationSetting(v string, unit time.Duration) time.Duration {
	v = strings.TrimSpace(strings.Trim(v, "'"))
	if v == "" || v == "0" {
		return 0
	}
	var n float64
	var suffix string
	if _, err := fmt.Sscanf(v, "%g%s", &n, &suffix); err != nil {
		if _, err := fmt.Sscanf(v, "%g", &n); err != nil {
			return 0
		}
	}
	switch strings.ToLower(strings.TrimSpace(suffix)) {
	case "":
		return time.Duration(n * float64(unit))
	case "us":
		return time.Duration(n * float64(time.Microsecond))
	case "ms":
		return time.Duration(n * float64(time.Millisecond))
	case "s":
		return time.Duration(n * float64(time.Second))
	case "min":
		return time.Duration(n * float64(time.Minute))
	case "h":
		return time.Duration(n * float64(time.Hour))
	case "d":
		return time.Duration(n * 24 * float64(time.Hour))
	}
	return 0
}

func (s *session) viewParallelism() int {
	v, _ := s.vars.get("streaming_parallelism")
	var n int
	if _, err := fmt.Sscanf(v, "%d", &n); err == nil && n > 0 {
		return n
	}
	return s.eng.cfg.Parallelism
}

func (s *session) setVar(st *ast.SetVar) (*wire.Result, error) {
	name := st.Name
	if name == "time zone" || name == "timezone" {
		name = "TimeZone"
	}
	if st.Default {
		if err := s.vars.reset(name); err != nil {
			return nil, err
		}
	} else {
		if err := s.vars.set(name, strings.Join(st.Values, ", ")); err != nil {
			return nil, err
		}
	}
	return &wire.Result{Tag: "SET", ParameterChanges: s.reportedChange(name)}, nil
}

// reportedChange returns the ParameterStatus messages a change of name
// requires.
func (s *session) reportedChange(name string) map[string]string {
	if strings.EqualFold(name, "all") {
		return s.vars.reported()
	}
	v, ok := lookupVar(name)
	if !ok || !v.report {
		return nil
	}
	val, _ := s.vars.get(name)
	return map[string]string{v.name: val}
}

func (s *session) transaction(st *ast.Transaction) (*wire.Result, error) {
	switch st.Kind {
	case ast.TxnBegin, ast.TxnStart:
		var notices []*pgerror.Error
		if s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.ActiveSQLTransaction, Severity: "WARNING", Message: "there is already a transaction in progress"})
		}
		s.inTxn = true
		tag := "BEGIN"
		if st.Kind == ast.TxnStart {
			tag = "START TRANSACTION"
		}
		return &wire.Result{Tag: tag, Notices: notices}, nil
	case ast.TxnCommit:
		var notices []*pgerror.Error
		if !s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.NoActiveSQLTransaction, Severity: "WARNING", Message: "there is no transaction in progress"})
		}
		s.inTxn = false
		return &wire.Result{Tag: "COMMIT", Notices: notices}, nil
	case ast.TxnRollback:
		var notices []*pgerror.Error
		if !s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.NoActiveSQLTransaction, Severity: "WARNING", Message: "there is no transaction in progress"})
		}
		s.inTxn = false
		return &wire.Result{Tag: "ROLLBACK", Notices: notices}, nil
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", st.Kind)
}

func (s *session) other(st *ast.Other) (*wire.Result, error) {
	switch {
	case st.Verb == "DISCARD ALL":
		_ = s.vars.reset("all")
		s.inTxn = false
		return &wire.Result{Tag: "DISCARD ALL", ParameterChanges: s.vars.reported()}, nil
	case strings.HasPrefix(st.Verb, "DISCARD"):
		return &wire.Result{Tag: st.Verb}, nil
	case strings.HasPrefix(st.Verb, "DEALLOCATE"):
		// Prepared statements live in the wire layer, which drops them on
		// Close; a SQL-level DEALLOCATE of a protocol-level statement is
		// accepted so that pooling drivers can reset sessions.
		return &wire.Result{Tag: "DEALLOCATE"}, nil
	case strings.HasPrefix(st.Verb, "SET SESSION CHARACTERISTICS"), strings.HasPrefix(st.Verb, "SET TRANSACTION"):
		return &wire.Result{Tag: "SET"}, nil
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", st.Verb)
}
