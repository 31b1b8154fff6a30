package server

import (
	"context"
	"sort"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/planner"
	"streamsqld/server/pgcatalog"
	"streamsqld/sql/types"
	"streamsqld/wire"
)

// plannerEnv is the binding environment of one statement of the session:
// a fresh catalog snapshot, streamsqld's system relations and the
// PostgreSQL catalogs (pg_catalog.*, information_schema.*) as this session
// sees them (its user, its settings). The snapshot is kept for the catalog
// functions the statement calls (pg_table_is_visible, ::regclass ...), so
// they agree with the relations the statement reads.
func (s *session) plannerEnv() planner.Env {
	snap := s.eng.cat.Snapshot()
	s.snap = snap
	pg := &pgcatalog.Env{
		Snapshot: snap,
		Settings: s.vars.all,
		User:     s.user,
		Sessions: s.eng.sessionInfos,
	}
	return planner.Env{Catalog: snap, Virtual: func(schema, name string) (*planner.VirtualTable, bool) {
		if v, ok := s.eng.virtualTable(schema, name); ok {
			return v, true
		}
		t, ok := pgcatalog.Lookup(schema, name)
		if !ok {
			return nil, false
		}
		return &planner.VirtualTable{Schema: t.Schema, Name: t.Name, OID: t.OID(), Columns: t.Columns,
			Rows: func(ctx context.Context) ([]types.Row, error) { return t.Rows(ctx, pg) }}, true
	}}
}

// snapshot is the catalog snapshot of the statement being executed, or the
// current one outside statements.
func (s *session) snapshot() *catalog.Snapshot {
	if s.snap != nil {
		return s.snap
	}
	return s.eng.cat.Snapshot()
}

// activity is what pg_stat_activity shows about a session. Other sessions
// read it, so it has its own lock.
type activity struct {
	mu          sync.Mutex
	start       time.Time // backend_start
	xactStart   time.Time
	queryStart  time.Time
	stateChange time.Time
	state       string
	query       string
	appName     string
}

// connected records the start of the session, once its startup
// parameters are known.
func (a *activity) connected(appName string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.start, a.stateChange, a.state, a.appName = now, now, "idle", appName
}

func (a *activity) begin(query string, inTxn bool) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.queryStart, a.stateChange, a.state, a.query = now, now, "active", query
	if !inTxn || a.xactStart.IsZero() {
		a.xactStart = now
	}
}

func (a *activity) end(inTxn bool, appName string) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stateChange, a.appName = now, appName
	if inTxn {
		a.state = "idle in transaction"
		return
	}
	a.state, a.xactStart = "idle", time.Time{}
}

// sessionInfos lists the connections for pg_stat_activity.
func (e *Engine) sessionInfos() []pgcatalog.SessionInfo {
	e.mu.Lock()
	sessions := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		sessions = append(sessions, s)
	}
	e.mu.Unlock()
	out := make([]pgcatalog.SessionInfo, 0, len(sessions))
	for _, s := range sessions {
		a := &s.activity
		a.mu.Lock()
		info := pgcatalog.SessionInfo{
			PID: int32(s.key.ProcessID), User: s.user, ApplicationName: a.appName,
			BackendStart: a.start, XactStart: a.xactStart, QueryStart: a.queryStart,
			StateChange: a.stateChange, State: a.state, Query: a.query,
		}
		a.mu.Unlock()
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

// AppendText implements wire.TextFormatter: regclass and regproc values
// print as names, as in PostgreSQL.
func (s *session) AppendText(buf []byte, d types.Datum, t types.T) ([]byte, bool) {
	if d.K != types.KInt {
		return buf, false
	}
	switch t.Fam {
	case types.RegClass:
		return append(buf, pgcatalog.RegclassName(s.snapshot(), uint32(d.I))...), true
	case types.RegProc:
		return append(buf, pgcatalog.RegprocName(uint32(d.I))...), true
	}
	return buf, false
}

// wireOrigins converts the planner's column origins for RowDescription.
func wireOrigins(in []planner.ColumnOrigin) []wire.ColumnOrigin {
	if in == nil {
		return nil
	}
	out := make([]wire.ColumnOrigin, len(in))
	for i, o := range in {
		out[i] = wire.ColumnOrigin{TableOID: o.Rel, Attnum: o.Attnum}
	}
	return out
}
