package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec"
	"streamsqld/exec/connector"
	"streamsqld/planner"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// TableConnector is the connector behind CREATE TABLE: an append-only log
// fed by INSERT.
const TableConnector = "table"

func columnsOf(defs []*ast.ColumnDef) ([]types.Column, error) {
	cols := make([]types.Column, 0, len(defs))
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.Name] {
			return nil, pgerror.Newf(pgerror.DuplicateColumn, "column %q specified more than once", d.Name).WithPosition(d.Pos())
		}
		seen[d.Name] = true
		cols = append(cols, types.Column{Name: d.Name, Type: d.Type})
	}
	if len(cols) == 0 {
		return nil, pgerror.New(pgerror.SyntaxError, "a relation needs at least one column")
	}
	return cols, nil
}

// watermarkOf checks `WATERMARK FOR col AS col [- INTERVAL ...]` against
// the columns and returns the delay.
func watermarkOf(wm *ast.WatermarkDef, cols []types.Column) (types.IntervalValue, error) {
	var zero types.IntervalValue
	idx := -1
	for i, c := range cols {
		if c.Name == wm.Column {
			idx = i
		}
	}
	if idx < 0 {
		return zero, pgerror.Newf(pgerror.UndefinedColumn, "column %q named in WATERMARK does not exist", wm.Column).WithPosition(wm.Pos())
	}
	if f := cols[idx].Type.Fam; f != types.Timestamp && f != types.Timestamptz {
		return zero, pgerror.Newf(pgerror.DatatypeMismatch, "WATERMARK column %q must be of type timestamp or timestamptz, not %s", wm.Column, cols[idx].Type).WithPosition(wm.Pos())
	}
	bad := pgerror.Newf(pgerror.FeatureNotSupported, "WATERMARK expression must be %s or %s - INTERVAL '...'", wm.Column, wm.Column).WithPosition(wm.Pos())
	switch x := wm.Expr.(type) {
	case *ast.ColumnRef:
		if x.Column != wm.Column {
			return zero, bad
		}
		return zero, nil
	case *ast.BinaryExpr:
		ref, ok := x.Left.(*ast.ColumnRef)
		lit, ok2 := x.Right.(*ast.Literal)
		if !ok || !ok2 || x.Op != "-" || ref.Column != wm.Column || lit.Kind != ast.LitInterval {
			return zero, bad
		}
		iv, err := intervalLiteral(lit)
		if err != nil {
			return zero, err
		}
		if iv.Micros < 0 || iv.Days < 0 || iv.Months < 0 {
			return zero, pgerror.New(pgerror.InvalidParameterValue, "WATERMARK delay must not be negative").WithPosition(lit.Pos())
		}
		return iv, nil
	}
	return zero, bad
}

// intervalLiteral evaluates `INTERVAL '5' SECOND` and `INTERVAL '5 seconds'`.
func intervalLiteral(lit *ast.Literal) (types.IntervalValue, error) {
	text := lit.Value
	if lit.Unit != "" {
		text = text + " " + strings.ToLower(lit.Unit)
	}
	d, err := types.ParseText(text, types.TInterval)
	if err != nil {
		return types.IntervalValue{}, err
	}
	return d.Interval(), nil
}

func optionsOf(opts []*ast.Option) (map[string]string, error) {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		k := strings.ToLower(o.Key)
		if _, dup := m[k]; dup {
			return nil, pgerror.Newf(pgerror.SyntaxError, "option %q specified more than once", o.Key).WithPosition(o.Pos())
		}
		m[k] = o.Value
	}
	return m, nil
}

func (e *Engine) createSource(ctx context.Context, st *ast.CreateSource, text string) (*wire.Result, error) {
	cols, err := columnsOf(st.Columns)
	if err != nil {
		return nil, err
	}
	opts, err := optionsOf(st.Options)
	if err != nil {
		return nil, err
	}
	conn := opts["connector"]
	if conn == "" {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "CREATE SOURCE needs a connector").
			WithHint(fmt.Sprintf("Add WITH (connector = '...'); available connectors: %s.", strings.Join(connector.Names(), ", ")))
	}
	if conn == TableConnector {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "connector 'table' is internal; use CREATE TABLE instead")
	}
	rel := &catalog.Relation{
		Kind: catalog.Source, Name: st.Name, Columns: cols, SQL: text,
		Connector: conn, Options: opts, Format: st.Format, CreatedAt: time.Now().UTC(),
	}
	if st.Watermark != nil {
		delay, err := watermarkOf(st.Watermark, cols)
		if err != nil {
			return nil, err
		}
		rel.HasWatermark, rel.WatermarkColumn, rel.WatermarkDelay = true, st.Watermark.Column, delay
	}
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if _, exists := e.cat.Snapshot().Lookup(st.Name); exists && st.IfNotExists {
		return noticeExists(st.Name, "CREATE SOURCE"), nil
	}
	// Building the connector validates its options (and reaches brokers)
	// before the source is recorded.
	src, err := connector.New(ctx, conn, rel, e.connectorEnv())
	if err != nil {
		if errors.Is(err, connector.ErrUnknownConnector) {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unknown connector %q", conn).
				WithHint(fmt.Sprintf("Available connectors: %s.", strings.Join(connector.Names(), ", ")))
		}
		return nil, pgerror.Wrap(fmt.Errorf("source %q: %w", st.Name, err), pgerror.InvalidParameterValue)
	}
	_ = src.Close()
	if _, _, err := e.cat.Create(rel, st.IfNotExists); err != nil {
		return nil, err
	}
	return &wire.Result{Tag: "CREATE SOURCE"}, nil
}

func noticeExists(name, tag string) *wire.Result {
	return &wire.Result{Tag: tag, Notices: []*pgerror.Error{{
		Code: pgerror.DuplicateTable, Severity: "NOTICE",
		Message: fmt.Sprintf("relation %q already exists, skipping", name),
	}}}
}

func (e *Engine) createTable(ctx context.Context, st *ast.CreateTable, text string) (*wire.Result, error) {
	cols, err := columnsOf(st.Columns)
	if err != nil {
		return nil, err
	}
	opts, err := optionsOf(st.Options)
	if err != nil {
		return nil, err
	}
	rel := &catalog.Relation{
		Kind: catalog.Table, Name: st.Name, Columns: cols, SQL: text,
		Connector: TableConnector, Options: opts, CreatedAt: time.Now().UTC(),
	}
	if st.Watermark != nil {
		delay, err := watermarkOf(st.Watermark, cols)
		if err != nil {
			return nil, err
		}
		rel.HasWatermark, rel.WatermarkColumn, rel.WatermarkDelay = true, st.Watermark.Column, delay
	}
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if _, exists := e.cat.Snapshot().Lookup(st.Name); exists && st.IfNotExists {
		return noticeExists(st.Name, "CREATE TABLE"), nil
	}
	if _, _, err := e.cat.Create(rel, st.IfNotExists); err != nil {
		return nil, err
	}
	return &wire.Result{Tag: "CREATE TABLE"}, nil
}

func (e *Engine) createView(ctx context.Context, st *ast.CreateMaterializedView, text string, parallelism int) (*wire.Result, error) {
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if _, exists := e.cat.Snapshot().Lookup(st.Name); exists {
		if st.IfNotExists {
			return noticeExists(st.Name, "CREATE MATERIALIZED VIEW"), nil
		}
		return nil, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", st.Name)
	}
	if n, ok := viewParallelismOption(st.Options); ok {
		parallelism = n
	}
	// The Materialize's state table id comes last, so that a restart
	// re-planning the view hands out the same ones (restartView).
	ids := &stateIDAllocator{cat: e.cat}
	graph, err := e.planViewIDs(st, parallelism, ids.next)
	if err != nil {
		return nil, err
	}
	mat := graph.Sink().Materialize
	mat.StateTableID = ids.next()
	if err := ids.check(); err != nil {
		return nil, err
	}
	rel := &catalog.Relation{
		Kind: catalog.MaterializedView, Name: st.Name, Columns: graph.Output, SQL: text,
		DependsOn: planner.Dependencies(graph), KeyColumns: mat.KeyCols, Parallelism: parallelism,
		StateTables: ids.ids, CreatedAt: time.Now().UTC(),
	}
	if rel, _, err = e.cat.Create(rel, false); err != nil {
		return nil, err
	}
	mat.View = rel
	if err := e.startCreated(ctx, rel, graph); err != nil {
		return nil, err
	}
	return &wire.Result{Tag: "CREATE MATERIALIZED VIEW"}, nil
}

func viewParallelismOption(opts []*ast.Option) (int, bool) {
	for _, o := range opts {
		if strings.EqualFold(o.Key, "parallelism") || strings.EqualFold(o.Key, "streaming_parallelism") {
			var n int
			if _, err := fmt.Sscanf(o.Value, "%d", &n); err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// planView plans a view; allocate gives its operators state table ids
// from the catalog (EXPLAIN plans without allocating).
func (e *Engine) planView(st *ast.CreateMaterializedView, parallelism int, allocate bool) (*planner.StreamGraph, error) {
	if !allocate {
		return e.planViewIDs(st, parallelism, nil)
	}
	ids := &stateIDAllocator{cat: e.cat}
	g, err := e.planViewIDs(st, parallelism, ids.next)
	if err == nil {
		err = ids.check()
	}
	return g, err
}

// planViewIDs plans a view whose operators take their state table ids
// from next (nil: ids 0).
func (e *Engine) planViewIDs(st *ast.CreateMaterializedView, parallelism int, next func() uint32) (*planner.StreamGraph, error) {
	return planner.PlanView(st, e.plannerEnv(), planner.StreamOptions{Parallelism: parallelism, NextStateTableID: next})
}

// restartView re-plans a view from its stored SQL and starts it from the
// newest complete checkpoint.
func (e *Engine) restartView(ctx context.Context, rel *catalog.Relation) error {
	st, err := storedStatement[*ast.CreateMaterializedView](rel)
	if err != nil {
		return err
	}
	// The operators get the state table ids the view was created with,
	// in the same order.
	ids := &stateIDReplay{ids: rel.StateTables}
	graph, err := e.planViewIDs(st, e.restartParallelism(rel), ids.next)
	if err != nil {
		return err
	}
	mat := graph.Sink().Materialize
	mat.View = rel
	if id, ok := ids.sinkID(); ok {
		mat.StateTableID = id
	} else if len(rel.StateTables) > 0 {
		// The plan no longer matches the state the view was created
		// with: recompute rather than restore the wrong state.
		e.log.Warn("materialized view plan changed; recomputing it from its inputs", "view", rel.Name,
			"state_tables", len(rel.StateTables), "used", ids.used+1)
		for _, op := range graph.Operators {
			if op.HashAgg != nil {
				op.HashAgg.StateTableID = 0
			}
		}
	}
	return e.startRestored(ctx, rel, graph)
}

// startView builds and starts a view's job. A checkpointable job (with
// checkpoints on) restores its operators' state from the newest complete
// checkpoint and resumes its sources at the positions of restored, that
// checkpoint's entry for the view (nil: from the start, with the empty
// state a view has until its first checkpoint).
func (e *Engine) startView(ctx context.Context, rel *catalog.Relation, graph *planner.StreamGraph, restored *viewManifest) (*viewJob, error) {
	// The job's sources are remembered for streamsql_source_errors.
	opened := &jobSources{}
	env := exec.Env{
		Connectors: e.connectorEnv(),
		Sources: opened.wrap(func(ctx context.Context, r *catalog.Relation) (connector.Source, error) {
			return connector.New(ctx, r.Connector, r, e.connectorEnv())
		}),
		Views:           e.views,
		Logger:          e.log.With("view", rel.Name),
		Epochs:          &e.ckpt.clock,
		ConsistentReads: e.ckpt.enabled(),
	}
	stateful := e.ckpt.enabled() && checkpointable(graph)
	if stateful {
		env.StateTables = func(id uint32, _ int) (exec.StateTable, error) { return e.db.NewStateTable(id), nil }
		env.FlushState = e.ckpt.flushState
		env.StateCacheBytes = e.cfg.StateMemoryBytes
		if restored != nil {
			env.StartPositions = restored.startPositions()
		}
	}
	job, err := exec.Build(graph, env)
	if err != nil {
		return nil, err
	}
	// The job outlives the statement that created it.
	if err := job.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, err
	}
	vj := &viewJob{rel: rel, graph: graph, job: job, created: time.Now(), stateful: stateful, sources: opened}
	e.mu.Lock()
	e.jobs[rel.ID] = vj
	e.mu.Unlock()
	if stateful && restored != nil {
		// Its rows are those of the restored checkpoint.
		e.ckpt.viewStarted(rel.ID, e.ckpt.lastCommitted())
	}
	return vj, nil
}

// backfill waits until the view reflects every row its tables held when it
// was created, so that CREATE MATERIALIZED VIEW returns a complete view.
func (e *Engine) backfill(ctx context.Context, vj *viewJob) error {
	vj.backfilling.Store(true)
	defer vj.backfilling.Store(false)
	return vj.job.WaitCaughtUp(ctx)
}

func (e *Engine) drop(ctx context.Context, st *ast.Drop) (*wire.Result, error) {
	kind, tag := catalog.Kind(0), "DROP "+string(st.Kind)
	switch st.Kind {
	case ast.ObjSource:
		kind = catalog.Source
	case ast.ObjTable:
		kind = catalog.Table
	case ast.ObjMaterializedView:
		kind = catalog.MaterializedView
	case ast.ObjSink:
		kind = catalog.Sink
	case ast.ObjView:
		return nil, pgerror.New(pgerror.FeatureNotSupported, "streamsqld has no plain views; use DROP MATERIALIZED VIEW")
	default:
		return nil, pgerror.Newf(pgerror.FeatureNotSupported, "DROP %s is not supported", st.Kind)
	}
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	var notices []*pgerror.Error
	for _, name := range st.Names {
		if _, ok := e.cat.Snapshot().Lookup(name); !ok && st.IfExists {
			notices = append(notices, &pgerror.Error{Severity: "NOTICE", Code: pgerror.UndefinedTable,
				Message: fmt.Sprintf("%s %q does not exist, skipping", strings.ToLower(string(st.Kind)), name)})
			continue
		}
		dropped, err := e.cat.Drop(name, kind, st.IfExists, st.Cascade)
		if err != nil {
			return nil, err
		}
		for _, rel := range dropped {
			e.stopView(rel)
			if len(dropped) > 1 && rel.Name != name {
				notices = append(notices, &pgerror.Error{Severity: "NOTICE", Code: pgerror.SuccessfulCompletion,
					Message: fmt.Sprintf("drop cascades to %s %s", kindName(rel.Kind), rel.Name)})
			}
		}
	}
	return &wire.Result{Tag: tag, Notices: notices}, nil
}

// stopView stops a dropped view's job and deletes its state. It waits
// for a checkpoint in flight, so that none misses a job midway.
func (e *Engine) stopView(rel *catalog.Relation) {
	e.ckpt.runMu.Lock()
	defer e.ckpt.runMu.Unlock()
	e.mu.Lock()
	vj, ok := e.jobs[rel.ID]
	delete(e.jobs, rel.ID)
	e.mu.Unlock()
	if ok {
		vj.job.Stop()
	}
	e.ckpt.viewDropped(rel.ID)
	for _, id := range rel.StateTables {
		if err := e.db.DropStateTable(id); err != nil {
			e.log.Warn("delete state of dropped view", "view", rel.Name, "state_table", id, "err", err)
		}
	}
}

func kindName(k catalog.Kind) string {
	switch k {
	case catalog.Source:
		return "source"
	case catalog.Table:
		return "table"
	case catalog.MaterializedView:
		return "materialized view"
	case catalog.Sink:
		return "sink"
	}
	return "relation"
}

func (e *Engine) showCreate(st *ast.ShowCreate) (*wire.Result, error) {
	rel, ok := e.cat.Snapshot().Lookup(st.Name)
	if !ok {
		return nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", st.Name)
	}
	want := map[ast.ObjectKind]catalog.Kind{ast.ObjSource: catalog.Source, ast.ObjTable: catalog.Table, ast.ObjMaterializedView: catalog.MaterializedView, ast.ObjSink: catalog.Sink}
	if k, known := want[st.Kind]; known && k != rel.Kind {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%q is not a %s", st.Name, strings.ToLower(string(st.Kind)))
	}
	return rowsResult([]types.Column{{Name: "Name", Type: types.TVarchar}, {Name: "Create Sql", Type: types.TVarchar}},
		[]types.Row{{types.NewString(rel.Name), types.NewString(rel.SQL)}}, "SHOW"), nil
}

// createDemo creates the built-in demo source and view on a data dir that
// has none, so `make run` shows a live view at once.
func (e *Engine) createDemo(ctx context.Context) error {
	if _, ok := e.cat.Snapshot().Lookup("demo_tweets"); ok {
		return nil
	}
	const ddl = `CREATE SOURCE IF NOT EXISTS demo_tweets (id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR,
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
  WITH (connector = 'datagen', datagen.mode = 'tweets', rows.per.second = '200') FORMAT JSON;
CREATE MATERIALIZED VIEW IF NOT EXISTS demo_hashtag_counts AS
  SELECT window_start, window_end, tag, COUNT(*) AS cnt
  FROM (SELECT window_start, window_end,
               unnest(regexp_matches(lower(text), '#[a-z0-9_]+', 'g')) AS tag
        FROM TUMBLE(demo_tweets, ts, INTERVAL '1' MINUTE)) t
  GROUP BY window_start, window_end, tag`
	parsed, err := sql.Parse(ddl)
	if err != nil {
		return err
	}
	for _, p := range parsed {
		var err error
		switch st := p.Stmt.(type) {
		case *ast.CreateSource:
			_, err = e.createSource(ctx, st, p.SQL)
		case *ast.CreateMaterializedView:
			_, err = e.createView(ctx, st, p.SQL, e.cfg.Parallelism)
		}
		if err != nil {
			return err
		}
	}
	e.log.Info("demo ready: SELECT * FROM demo_hashtag_counts ORDER BY cnt DESC LIMIT 10")
	return nil
}
