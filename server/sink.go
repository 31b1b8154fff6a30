package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/exec/connector/blackhole"
	"streamsqld/exec/connector/kafka"
	"streamsqld/planner"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// CREATE SINK runs a query like a materialized view but delivers its
// changes through a sink connector instead of keeping them. `CREATE SINK
// s FROM rel` is the query `SELECT * FROM rel`; when rel is a
// materialized view, the sink runs the view's own query (with state of
// its own) rather than reading the view's changes, so that it restores
// from checkpoints like any view and its delivery is exactly-once.

// sinkQuery returns the query a sink runs.
func (e *Engine) sinkQuery(st *ast.CreateSink) (*ast.Select, *catalog.Relation, error) {
	if st.Query != nil {
		return st.Query, nil, nil
	}
	rel, ok := e.cat.Snapshot().Lookup(st.From)
	if !ok {
		return nil, nil, pgerror.Newf(pgerror.UndefinedTable, "relation %q does not exist", st.From).WithPosition(st.Pos())
	}
	var text string
	switch rel.Kind {
	case catalog.Source, catalog.Table:
		text = "SELECT * FROM " + quoteIdent(rel.Name)
	case catalog.MaterializedView:
		parsed, err := sql.Parse(rel.SQL)
		if err != nil || len(parsed) != 1 {
			return nil, nil, fmt.Errorf("stored definition of %q does not parse: %v", rel.Name, err)
		}
		mv, ok := parsed[0].Stmt.(*ast.CreateMaterializedView)
		if !ok {
			return nil, nil, fmt.Errorf("stored definition of %q is not CREATE MATERIALIZED VIEW", rel.Name)
		}
		return mv.Query, rel, nil
	default:
		return nil, nil, pgerror.Newf(pgerror.WrongObjectType, "%q is a %s; a sink reads a source, a table or a materialized view",
			rel.Name, kindName(rel.Kind))
	}
	parsed, err := sql.Parse(text)
	if err != nil {
		return nil, nil, err
	}
	return parsed[0].Stmt.(*ast.Select), rel, nil
}

// planSink plans a sink whose operators take their state table ids from
// next (nil: ids 0).
func (e *Engine) planSink(st *ast.CreateSink, opts map[string]string, parallelism int, next func() uint32) (*planner.StreamGraph, *catalog.Relation, error) {
	q, from, err := e.sinkQuery(st)
	if err != nil {
		return nil, nil, err
	}
	typ := opts["type"]
	if typ == "" {
		typ = planner.SinkAppendOnly
	}
	g, err := planner.PlanSink(q, e.plannerEnv(), planner.StreamOptions{Parallelism: parallelism, NextStateTableID: next},
		typ, opts["primary_key"])
	return g, from, err
}

func newSinkID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (e *Engine) createSink(ctx context.Context, st *ast.CreateSink, text string, parallelism int) (*wire.Result, error) {
	opts, err := optionsOf(st.Options)
	if err != nil {
		return nil, err
	}
	conn := opts["connector"]
	if conn == "" {
		return nil, pgerror.New(pgerror.InvalidParameterValue, "CREATE SINK needs a connector").
			WithHint(fmt.Sprintf("Add WITH (connector = '...'); available sink connectors: %s.", strings.Join(connector.SinkNames(), ", ")))
	}
	if n, ok := viewParallelismOption(st.Options); ok {
		parallelism = n
	}
	if conn != blackhole.Name && !e.ckpt.enabled() {
		return nil, pgerror.New(pgerror.FeatureNotSupported, "CREATE SINK needs checkpoints: its deliveries are tied to them").
			WithHint("Start the server with --checkpoint-interval above 0.")
	}
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	if _, exists := e.cat.Snapshot().Lookup(st.Name); exists {
		if st.IfNotExists {
			return noticeExists(st.Name, "CREATE SINK"), nil
		}
		return nil, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", st.Name)
	}
	ids := &stateIDAllocator{cat: e.cat}
	graph, from, err := e.planSink(st, opts, parallelism, ids.next)
	if err != nil {
		return nil, err
	}
	spec := graph.Sink().Sink
	spec.StateTableID = ids.next()
	if err := ids.check(); err != nil {
		return nil, err
	}
	if conn != blackhole.Name && !checkpointable(graph) {
		return nil, pgerror.New(pgerror.FeatureNotSupported,
			"the query of this sink cannot be delivered exactly once: its state is not checkpointed").
			WithDetail("Joins, SESSION windows and queries over materialized views built on other views are recomputed after a restart.").
			WithHint("Sink a query over sources and tables with filters, projections and aggregations.")
	}
	opts[kafka.OptSinkID] = newSinkID()
	deps := planner.Dependencies(graph)
	if from != nil && from.Kind == catalog.MaterializedView {
		deps = append(deps, from.ID)
	}
	rel := &catalog.Relation{
		Kind: catalog.Sink, Name: st.Name, Columns: graph.Output, SQL: text,
		Connector: conn, Options: opts, Format: st.Format,
		DependsOn: deps, KeyColumns: spec.KeyCols, Parallelism: parallelism,
		StateTables: ids.ids, CreatedAt: time.Now().UTC(),
	}
	// The connector checks its options and reaches the external system
	// before the sink is recorded.
	probe, err := connector.NewSink(ctx, conn, rel)
	if err != nil {
		if errors.Is(err, connector.ErrUnknownConnector) {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "unknown sink connector %q", conn).
				WithHint(fmt.Sprintf("Available sink connectors: %s.", strings.Join(connector.SinkNames(), ", ")))
		}
		return nil, pgerror.Wrap(fmt.Errorf("sink %q: %w", st.Name, err), pgerror.InvalidParameterValue)
	}
	_ = probe.Close()
	if rel, _, err = e.cat.Create(rel, false); err != nil {
		return nil, err
	}
	spec.Sink = rel
	if err := e.startCreated(ctx, rel, graph); err != nil {
		return nil, err
	}
	return &wire.Result{Tag: "CREATE SINK"}, nil
}

// restartSink re-plans a sink from its stored SQL and starts it from the
// newest complete checkpoint, with the state table ids it was created
// with.
func (e *Engine) restartSink(ctx context.Context, rel *catalog.Relation) error {
	st, err := storedStatement[*ast.CreateSink](rel)
	if err != nil {
		return err
	}
	ids := &stateIDReplay{ids: rel.StateTables}
	graph, _, err := e.planSink(st, rel.Options, e.restartParallelism(rel), ids.next)
	if err != nil {
		return err
	}
	spec := graph.Sink().Sink
	spec.Sink = rel
	id, ok := ids.sinkID()
	if !ok {
		// Its state would not fit the plan: an exactly-once sink cannot
		// recompute without delivering twice.
		return fmt.Errorf("sink %q: plan no longer matches its state (%d state tables, plan uses %d)",
			rel.Name, len(rel.StateTables), ids.used+1)
	}
	spec.StateTableID = id
	return e.startRestored(ctx, rel, graph)
}

// streamsql_sinks: the delivery of each subtask of each running sink.
var sinkColumns = []types.Column{
	{Name: "sink_name", Type: types.TVarchar},
	{Name: "connector", Type: types.TVarchar},
	{Name: "subtask", Type: types.TInt4},
	{Name: "state", Type: types.TVarchar},
	{Name: "delivered_epoch", Type: types.TInt8},
	{Name: "pending_epochs", Type: types.TInt4},
}

func (e *Engine) sinkRows(context.Context) ([]types.Row, error) {
	var rows []types.Row
	for _, vj := range e.runningJobs() {
		if vj.rel.Kind != catalog.Sink {
			continue
		}
		for _, d := range vj.job.SinkDeliveries() {
			rows = append(rows, types.Row{
				types.NewString(vj.rel.Name), types.NewString(vj.rel.Connector), types.NewInt(int64(d.Subtask)),
				types.NewString(d.State), types.NewInt(int64(d.Delivered)), types.NewInt(int64(d.Pending)),
			})
		}
	}
	return rows, nil
}
