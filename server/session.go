package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/planner"
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
	// snap is the catalog snapshot of the statement being bound or run
	// (see plannerEnv).
	snap *catalog.Snapshot
	// execCtx is the context of the statement being executed, for
	// functions that wait (pg_sleep).
	execCtx  context.Context
	activity activity
	// cursors are the open SQL cursors (DECLARE), by name.
	cursors map[string]*cursor
	// described is the last query bound to describe it (Prepare). Its
	// first execution reuses that binding when nothing it depends on
	// changed, so a simple-protocol query is bound once, not twice.
	described describedQuery
}

type describedQuery struct {
	stmt   *ast.Select
	params []types.T
	snap   *catalog.Snapshot
	query  *planner.Query
}

var _ wire.Session = (*session)(nil)

func (s *session) ParameterStatus() map[string]string {
	app, _ := s.vars.get("application_name")
	s.activity.connected(app)
	return s.vars.reported()
}

func (s *session) Close() { s.eng.sessionClosed(s) }

// Prepare parses the query and describes each statement: its parameter
// types and the columns it returns.
func (s *session) Prepare(ctx context.Context, query string, paramTypes []types.T) ([]*wire.Statement, error) {
	defer func() { s.snap = nil }()
	if pieces, ok := utilityPieces(query); ok {
		return s.preparePieces(ctx, query, pieces, paramTypes)
	}
	parsed, err := sql.Parse(query)
	if err != nil {
		return nil, err
	}
	return s.prepareParsed(ctx, parsed, paramTypes, len(parsed) > 1)
}

// prepareParsed describes parsed statements. In a string of several
// statements (the simple protocol), several is set: an earlier statement
// may create what a later one reads, so a statement that cannot be bound
// yet is bound again when it runs, and fails then if it still cannot be.
func (s *session) prepareParsed(ctx context.Context, parsed []sql.Parsed, paramTypes []types.T, several bool) ([]*wire.Statement, error) {
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
		cols, finalParams, origins, err := s.describe(ctx, p.Stmt, pt)
		if err != nil {
			if !several {
				return nil, err
			}
			cols, finalParams, origins = nil, resolveUnknown(pt), nil
		}
		st.Origins = origins
		st.ParamTypes = finalParams
		st.Columns = cols
		out = append(out, st)
	}
	return out, nil
}

// describe returns a statement's result columns (nil for none), its
// parameter types after inference and the table columns its result
// columns come from.
func (s *session) describe(ctx context.Context, stmt ast.Statement, params []types.T) ([]types.Column, []types.T, []wire.ColumnOrigin, error) {
	switch st := stmt.(type) {
	case *ast.Select:
		q, err := s.bindQuery(st, params)
		if err != nil {
			return nil, nil, nil, err
		}
		return q.Columns, q.ParamTypes, wireOrigins(q.Origins), nil
	case *ast.Insert:
		ins, err := s.bindInsert(st, params)
		if err != nil {
			return nil, nil, nil, err
		}
		return nil, ins.Query.ParamTypes, nil, nil
	case *ast.Show:
		return s.showColumns(st), resolveUnknown(params), nil, nil
	case *ast.ShowCreate:
		return []types.Column{{Name: "Name", Type: types.TVarchar}, {Name: "Create Sql", Type: types.TVarchar}}, resolveUnknown(params), nil, nil
	case *ast.Explain:
		return []types.Column{{Name: "QUERY PLAN", Type: types.TText}}, resolveUnknown(params), nil, nil
	}
	return nil, resolveUnknown(params), nil, nil
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
	switch h := ws.Handle.(type) {
	case ast.Statement:
		return s.executeWith(ctx, ws, func(ctx context.Context) (*wire.Result, error) {
			return s.execute(ctx, h, ws, params)
		})
	case *copyStmt, *declareStmt, *fetchStmt, *closeStmt:
		return s.executeWith(ctx, ws, func(ctx context.Context) (*wire.Result, error) {
			return s.executeUtility(ctx, ws, params)
		})
	}
	return nil, pgerror.New(pgerror.InternalError, "statement was not prepared by this session")
}

// executeWith runs one statement under the session's statement_timeout,
// keeping pg_stat_activity up to date.
func (s *session) executeWith(ctx context.Context, ws *wire.Statement, run func(context.Context) (*wire.Result, error)) (*wire.Result, error) {
	if timeout := s.statementTimeout(); timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	s.activity.begin(ws.SQL, s.inTxn)
	s.execCtx = ctx
	res, err := run(ctx)
	s.snap, s.execCtx = nil, nil
	app, _ := s.vars.get("application_name")
	s.activity.end(s.inTxn, app)
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
		return s.runSelect(ctx, st, ws.ParamTypes, params)
	case *ast.Insert:
		return s.runInsert(ctx, st, ws.ParamTypes, params)
	case *ast.CreateSource:
		return e.createSource(ctx, st, ws.SQL)
	case *ast.CreateTable:
		return e.createTable(ctx, st, ws.SQL)
	case *ast.CreateMaterializedView:
		return e.createView(ctx, st, ws.SQL, s.viewParallelism())
	case *ast.CreateSink:
		return e.createSink(ctx, st, ws.SQL, s.viewParallelism())
	case *ast.Drop:
		return e.drop(ctx, st)
	case *ast.Show:
		return s.show(ctx, st)
	case *ast.ShowCreate:
		return e.showCreate(st)
	case *ast.Explain:
		return s.explain(ctx, st, ws.ParamTypes, s.viewParallelism())
	case *ast.SetVar:
		return s.setVar(st)
	case *ast.ResetVar:
		if err := s.vars.reset(st.Name); err != nil {
			return nil, err
		}
		return &wire.Result{Tag: "RESET", ParameterChanges: s.reportedChange(st.Name)}, nil
	case *ast.Transaction:
		return s.transaction(st, ws.SQL)
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
	var notices []*pgerror.Error
	if st.Local && !s.inTxn {
		notices = append(notices, &pgerror.Error{Code: pgerror.NoActiveSQLTransaction, Severity: "WARNING",
			Message: "SET LOCAL can only be used in transaction blocks"})
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
	return &wire.Result{Tag: "SET", ParameterChanges: s.reportedChange(name), Notices: notices}, nil
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

func (s *session) transaction(st *ast.Transaction, text string) (*wire.Result, error) {
	switch st.Kind {
	case ast.TxnBegin, ast.TxnStart:
		var notices []*pgerror.Error
		if s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.ActiveSQLTransaction, Severity: "WARNING", Message: "there is already a transaction in progress"})
		} else {
			s.setTxnModes(text, false)
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
		s.endTxn()
		return &wire.Result{Tag: "COMMIT", Notices: notices}, nil
	case ast.TxnRollback:
		var notices []*pgerror.Error
		if !s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.NoActiveSQLTransaction, Severity: "WARNING", Message: "there is no transaction in progress"})
		}
		s.endTxn()
		return &wire.Result{Tag: "ROLLBACK", Notices: notices}, nil
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", st.Kind)
}

func (s *session) other(st *ast.Other) (*wire.Result, error) {
	switch {
	case st.Verb == "DISCARD ALL":
		_ = s.vars.reset("all")
		s.inTxn = false
		s.cursors = nil
		return &wire.Result{Tag: "DISCARD ALL", ParameterChanges: s.vars.reported()}, nil
	case strings.HasPrefix(st.Verb, "DISCARD"):
		return &wire.Result{Tag: st.Verb}, nil
	case strings.HasPrefix(st.Verb, "DEALLOCATE"):
		// Prepared statements live in the wire layer, which drops them on
		// Close; a SQL-level DEALLOCATE of a protocol-level statement is
		// accepted so that pooling drivers can reset sessions.
		return &wire.Result{Tag: st.Verb}, nil
	case strings.HasPrefix(st.Verb, "SET SESSION CHARACTERISTICS"):
		s.setTxnModes(strings.Join(st.Args, " "), true)
		return &wire.Result{Tag: "SET"}, nil
	case strings.HasPrefix(st.Verb, "SET TRANSACTION"):
		var notices []*pgerror.Error
		if !s.inTxn {
			notices = append(notices, &pgerror.Error{Code: pgerror.NoActiveSQLTransaction, Severity: "WARNING",
				Message: "SET TRANSACTION can only be used in transaction blocks"})
		} else {
			s.setTxnModes(strings.Join(st.Args, " "), false)
		}
		return &wire.Result{Tag: "SET", Notices: notices}, nil
	}
	return nil, pgerror.Newf(pgerror.FeatureNotSupported, "%s is not supported", st.Verb)
}

// setTxnModes applies the transaction modes in text (ISOLATION LEVEL ...,
// READ ONLY | READ WRITE, [NOT] DEFERRABLE) to the current transaction, or
// to the session's defaults. streamsqld runs every transaction the same
// way; the modes are kept so that SHOW reports what the client asked for.
func (s *session) setTxnModes(text string, defaults bool) {
	toks, err := lexUtility(text)
	if err != nil {
		return
	}
	var words []string
	for _, t := range toks {
		if t.kind == 'w' {
			words = append(words, t.val)
		}
	}
	prefix := "transaction_"
	if defaults {
		prefix = "default_transaction_"
	}
	if !defaults {
		for _, v := range []string{"isolation", "read_only", "deferrable"} {
			val, _ := s.vars.get("default_transaction_" + v)
			s.vars.values["transaction_"+v] = val
		}
	}
	for i := 0; i < len(words); i++ {
		next := func(k int) string {
			if i+k < len(words) {
				return words[i+k]
			}
			return ""
		}
		switch {
		case words[i] == "isolation" && next(1) == "level":
			level := next(2)
			if level == "read" || level == "repeatable" {
				level += " " + next(3)
				i++
			}
			s.vars.values[prefix+"isolation"] = level
			i += 2
		case words[i] == "read" && next(1) == "only":
			s.vars.values[prefix+"read_only"] = "on"
			i++
		case words[i] == "read" && next(1) == "write":
			s.vars.values[prefix+"read_only"] = "off"
			i++
		case words[i] == "not" && next(1) == "deferrable":
			s.vars.values[prefix+"deferrable"] = "off"
			i++
		case words[i] == "deferrable":
			s.vars.values[prefix+"deferrable"] = "on"
		}
	}
}

// endTxn ends the transaction block: its characteristics and cursors go.
func (s *session) endTxn() {
	s.inTxn = false
	for _, v := range []string{"transaction_isolation", "transaction_read_only", "transaction_deferrable"} {
		delete(s.vars.values, v)
	}
	s.closeTxnCursors()
}
