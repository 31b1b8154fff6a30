package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/batch"
	"streamsqld/planner"
	"streamsqld/sql/ast"
	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// sliceRows serves a materialised result to the wire.
type sliceRows struct {
	rows []types.Row
	i    int
}

func (r *sliceRows) Next(ctx context.Context) (types.Row, error) {
	if r.i >= len(r.rows) {
		return nil, nil
	}
	r.i++
	return r.rows[r.i-1], nil
}

func (r *sliceRows) Close() { r.rows = nil }

func rowsResult(cols []types.Column, rows []types.Row, tag string) *wire.Result {
	return &wire.Result{Columns: cols, Rows: &sliceRows{rows: rows}, Tag: tag}
}

// bindQuery binds a query for describing it (Prepare).
func (s *session) bindQuery(st *ast.Select, params []types.T) (*planner.Query, error) {
	q, err := planner.BindQuery(st, s.plannerEnv(), params)
	if err == nil {
		s.described = describedQuery{stmt: st, params: params, snap: s.snap, query: q}
	} else {
		s.described = describedQuery{}
	}
	return q, err
}

// bindForRun binds a query about to run, reusing the binding Prepare just
// made when the catalog has not changed since (same snapshot version).
// The reuse is taken once: later executions of a prepared statement bind
// again.
func (s *session) bindForRun(st *ast.Select, params []types.T) (*planner.Query, error) {
	d := s.described
	s.described = describedQuery{}
	if d.stmt == st && slices.Equal(d.params, params) && d.snap.Version() == s.eng.cat.Snapshot().Version() {
		s.snap = d.snap
		return d.query, nil
	}
	return planner.BindQuery(st, s.plannerEnv(), params)
}

func (s *session) bindInsert(st *ast.Insert, params []types.T) (*planner.InsertPlan, error) {
	return planner.BindInsert(st, s.plannerEnv(), params)
}

// batchSources gives ad-hoc queries the rows of relations.
type batchSources struct{ e *Engine }

func (s batchSources) ViewRows(ctx context.Context, rel *catalog.Relation) ([]types.Row, error) {
	v, ok := s.e.views.Lookup(rel.ID)
	if !ok {
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "materialized view %q is not running", rel.Name).
			WithHint("Check the server log for the error that stopped it.")
	}
	return v.Snapshot(), nil
}

func (s batchSources) TableRows(ctx context.Context, rel *catalog.Relation) ([]types.Row, error) {
	var rows []types.Row
	_, err := s.e.db.ScanTableLog(rel.ID, 0, func(_ uint64, row types.Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows = append(rows, append(types.Row(nil), row...))
		return nil
	})
	return rows, err
}

func (e *Engine) evalCtx(s *session, params []types.Datum) *expr.Ctx {
	ctx := &expr.Ctx{Now: time.Now().UTC(), Params: params}
	if s != nil {
		ctx.Session = s
	}
	return ctx
}

func (s *session) runSelect(ctx context.Context, st *ast.Select, paramTypes []types.T, params []types.Datum) (*wire.Result, error) {
	q, rows, err := s.runQuery(ctx, st, paramTypes, params)
	if err != nil {
		return nil, err
	}
	res := rowsResult(q.Columns, rows, "SELECT")
	res.Origins = wireOrigins(q.Origins)
	return res, nil
}

// runQuery binds and runs a query to completion.
func (s *session) runQuery(ctx context.Context, st *ast.Select, paramTypes []types.T, params []types.Datum) (*planner.Query, []types.Row, error) {
	e := s.eng
	q, err := s.bindForRun(st, paramTypes)
	if err != nil {
		return nil, nil, err
	}
	rows, err := batch.Run(ctx, q, batchSources{e}, e.evalCtx(s, params))
	if err != nil {
		return nil, nil, err
	}
	return q, rows, nil
}

// runInsert appends rows to a table's log; the rows are durable before the
// client sees INSERT's CommandComplete.
func (s *session) runInsert(ctx context.Context, st *ast.Insert, paramTypes []types.T, params []types.Datum) (*wire.Result, error) {
	e := s.eng
	ins, err := s.bindInsert(st, paramTypes)
	if err != nil {
		return nil, err
	}
	rows, err := batch.Run(ctx, ins.Query, batchSources{e}, e.evalCtx(s, params))
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		if _, _, err := e.db.AppendTableRows(ins.Table.ID, rows); err != nil {
			return nil, pgerror.Wrap(fmt.Errorf("write to table %q: %w", ins.Table.Name, err), pgerror.SystemError)
		}
	}
	return &wire.Result{Tag: fmt.Sprintf("INSERT 0 %d", len(rows))}, nil
}

func (s *session) explain(ctx context.Context, st *ast.Explain, paramTypes []types.T, parallelism int) (*wire.Result, error) {
	e := s.eng
	var text string
	switch t := st.Target.(type) {
	case *ast.Select:
		q, err := s.bindQuery(t, paramTypes)
		if err != nil {
			return nil, err
		}
		text = planner.ExplainBatch(q)
	case *ast.CreateMaterializedView:
		if n, ok := viewParallelismOption(t.Options); ok {
			parallelism = n
		}
		g, err := e.planView(t, parallelism, false)
		if err != nil {
			return nil, err
		}
		text = planner.ExplainStream(g)
	case *ast.CreateSink:
		if n, ok := viewParallelismOption(t.Options); ok {
			parallelism = n
		}
		opts, err := optionsOf(t.Options)
		if err != nil {
			return nil, err
		}
		g, _, err := e.planSink(t, opts, parallelism, nil)
		if err != nil {
			return nil, err
		}
		g.Sink().Sink.Sink = &catalog.Relation{Kind: catalog.Sink, Name: t.Name, Connector: opts["connector"]}
		text = planner.ExplainStream(g)
	default:
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "EXPLAIN of %T is not supported", st.Target)
	}
	var rows []types.Row
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		rows = append(rows, types.Row{types.NewString(line)})
	}
	return rowsResult([]types.Column{{Name: "QUERY PLAN", Type: types.TText}}, rows, "EXPLAIN"), nil
}

// showColumns describes the result of a SHOW.
func (s *session) showColumns(st *ast.Show) []types.Column {
	switch st.List {
	case "SOURCES", "TABLES", "MATERIALIZED VIEWS", "SINKS":
		return []types.Column{{Name: "Name", Type: types.TVarchar}}
	case "JOBS":
		return jobsColumns
	}
	switch strings.ToLower(st.Var) {
	case "all":
		return []types.Column{{Name: "name", Type: types.TText}, {Name: "setting", Type: types.TText}, {Name: "description", Type: types.TText}}
	case "transaction isolation level":
		return []types.Column{{Name: "transaction_isolation", Type: types.TText}}
	}
	name := strings.ToLower(st.Var)
	if v, ok := lookupVar(name); ok {
		// SHOW names its column as the parameter is spelled in
		// pg_settings (DateStyle, TimeZone).
		name = v.name
	}
	return []types.Column{{Name: name, Type: types.TText}}
}

func (s *session) show(ctx context.Context, st *ast.Show) (*wire.Result, error) {
	cols := s.showColumns(st)
	snap := s.eng.cat.Snapshot()
	listOf := func(k catalog.Kind) *wire.Result {
		var rows []types.Row
		for _, r := range snap.List(k) {
			rows = append(rows, types.Row{types.NewString(r.Name)})
		}
		return rowsResult(cols, rows, "SHOW")
	}
	switch st.List {
	case "SOURCES":
		return listOf(catalog.Source), nil
	case "TABLES":
		return listOf(catalog.Table), nil
	case "MATERIALIZED VIEWS":
		return listOf(catalog.MaterializedView), nil
	case "SINKS":
		return listOf(catalog.Sink), nil
	case "JOBS":
		return rowsResult(cols, s.eng.jobRows(), "SHOW"), nil
	}
	switch strings.ToLower(st.Var) {
	case "all":
		var rows []types.Row
		for _, v := range s.vars.all() {
			rows = append(rows, types.Row{types.NewString(v[0]), types.NewString(v[1]), types.NewString(v[2])})
		}
		return rowsResult(cols, rows, "SHOW"), nil
	case "transaction isolation level":
		v, _ := s.vars.get("transaction_isolation")
		return rowsResult(cols, []types.Row{{types.NewString(v)}}, "SHOW"), nil
	case "time zone":
		v, _ := s.vars.get("TimeZone")
		return rowsResult([]types.Column{{Name: "TimeZone", Type: types.TText}}, []types.Row{{types.NewString(v)}}, "SHOW"), nil
	}
	v, err := s.vars.get(st.Var)
	if err != nil {
		return nil, err
	}
	return rowsResult(cols, []types.Row{{types.NewString(v)}}, "SHOW"), nil
}

var jobsColumns = []types.Column{
	{Name: "id", Type: types.TInt4},
	{Name: "name", Type: types.TVarchar},
	{Name: "status", Type: types.TVarchar},
	{Name: "parallelism", Type: types.TInt4},
	{Name: "created_at", Type: types.TTimestamptz},
	{Name: "rows", Type: types.TInt8},
	{Name: "error", Type: types.TVarchar},
}

// jobRows lists the views' dataflows for SHOW JOBS.
func (e *Engine) jobRows() []types.Row {
	e.mu.Lock()
	jobs := make([]*viewJob, 0, len(e.jobs))
	for _, j := range e.jobs {
		jobs = append(jobs, j)
	}
	e.mu.Unlock()
	slices.SortFunc(jobs, func(a, b *viewJob) int { return cmp.Compare(a.rel.ID, b.rel.ID) })
	rows := make([]types.Row, 0, len(jobs))
	for _, vj := range jobs {
		status, errText := "running", types.Null
		if vj.backfilling.Load() {
			status = "backfilling"
		}
		if err := vj.job.Err(); err != nil {
			status, errText = "failed", types.NewString(err.Error())
		}
		n := types.Null // a sink keeps no rows
		if v := vj.job.View(); v != nil {
			n = types.NewInt(int64(v.Len()))
		}
		rows = append(rows, types.Row{
			types.NewInt(int64(vj.rel.ID)), types.NewString(vj.rel.Name), types.NewString(status),
			types.NewInt(int64(vj.rel.Parallelism)), types.NewTime(vj.created.UnixMicro()),
			n, errText,
		})
	}
	return rows
}
