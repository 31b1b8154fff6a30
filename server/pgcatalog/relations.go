package pgcatalog

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/sql/types"
)

// rowFuncs compute the relations whose rows depend on the catalog or the
// server. Relations in neither rowFuncs nor pg15Data are empty.
var rowFuncs map[string]rowFunc

func init() {
	rowFuncs = map[string]rowFunc{
		"pg_catalog.pg_namespace":            pgNamespace,
		"pg_catalog.pg_class":                pgClass,
		"pg_catalog.pg_attribute":            pgAttribute,
		"pg_catalog.pg_database":             pgDatabase,
		"pg_catalog.pg_authid":               pgAuthid,
		"pg_catalog.pg_roles":                pgRoles,
		"pg_catalog.pg_user":                 pgUser,
		"pg_catalog.pg_shadow":               pgShadow,
		"pg_catalog.pg_settings":             pgSettings,
		"pg_catalog.pg_tables":               pgTables,
		"pg_catalog.pg_views":                pgViews,
		"pg_catalog.pg_matviews":             pgMatviews,
		"pg_catalog.pg_foreign_data_wrapper": pgForeignDataWrapper,
		"pg_catalog.pg_foreign_server":       pgForeignServer,
		"pg_catalog.pg_foreign_table":        pgForeignTable,
		"pg_catalog.pg_depend":               pgDepend,
		"pg_catalog.pg_stat_activity":        pgStatActivity,

		"information_schema.information_schema_catalog_name": isCatalogName,
		"information_schema.schemata":                        isSchemata,
		"information_schema.tables":                          isTables,
		"information_schema.views":                           isViews,
		"information_schema.columns":                         isColumns,
		"information_schema.character_sets":                  isCharacterSets,
		"information_schema.enabled_roles":                   isEnabledRoles,
		"information_schema.foreign_data_wrappers":           isForeignDataWrappers,
		"information_schema.foreign_servers":                 isForeignServers,
		"information_schema.foreign_tables":                  isForeignTables,
	}
}

// schemas are the namespaces, in OID order.
var schemas = []struct {
	oid  uint32
	name string
}{
	{OIDPgCatalog, "pg_catalog"},
	{OIDPublic, "public"},
	{OIDInformationSchema, "information_schema"},
}

func pgNamespace(_ context.Context, _ *Env, w *rowWriter) error {
	for _, s := range schemas {
		w.add("oid", s.oid, "nspname", s.name, "nspowner", OIDRole)
	}
	return nil
}

// systemRows computes rows that depend on nothing but the generated
// catalog, once.
type systemRows struct {
	once sync.Once
	rows []types.Row
	err  error
}

func (s *systemRows) get(t *Table, f func(w *rowWriter) error) ([]types.Row, error) {
	s.once.Do(func() {
		w := &rowWriter{t: t}
		if err := f(w); err != nil {
			s.err = err
			return
		}
		s.rows, s.err = w.rows, w.err
	})
	return s.rows, s.err
}

// appendShared appends copies of rows, which are shared between calls.
func (w *rowWriter) appendShared(rows []types.Row) {
	for _, r := range rows {
		w.rows = append(w.rows, append(types.Row(nil), r...))
	}
}

var systemClassRows, systemAttributeRows systemRows

// amHeap is pg_am's heap, the access method of tables and materialized
// views; foreign tables and views have none.
const amHeap uint32 = 2

func pgClass(_ context.Context, env *Env, w *rowWriter) error {
	sys, err := systemClassRows.get(w.t, func(w *rowWriter) error {
		for _, t := range Tables() {
			ns, _ := NamespaceOID(t.Schema)
			am, filenode := uint32(0), uint32(0)
			if t.kind == 'r' {
				am, filenode = amHeap, t.oid
			}
			w.add("oid", t.oid, "relname", t.Name, "relnamespace", ns, "relowner", OIDRole,
				"relam", am, "relfilenode", filenode,
				"reltuples", float64(-1), "relpersistence", "p", "relkind", string(t.kind),
				"relnatts", int16(len(t.Columns)), "relispopulated", true, "relreplident", "n")
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.appendShared(sys)
	// relhasrules stays false for materialized views, unlike PostgreSQL's
	// (their _RETURN rule): psql would then list rules from pg_rewrite,
	// which streamsqld does not have.
	for _, r := range env.relations() {
		oid := RelationOID(r.ID)
		kind := relkind(r.Kind)
		am, filenode, replident := uint32(0), uint32(0), "n"
		if r.Kind != catalog.Source {
			am, filenode, replident = amHeap, oid, "d"
		}
		w.add("oid", oid, "relname", r.Name, "relnamespace", OIDPublic, "relowner", OIDRole,
			"relam", am, "relfilenode", filenode, "reltuples", float64(-1), "relpersistence", "p",
			"relkind", kind, "relnatts", int16(len(r.Columns)), "relispopulated", true,
			"relreplident", replident)
	}
	return nil
}

// addAttribute adds the pg_attribute row of column num (1-based) of
// relation rel.
func addAttribute(w *rowWriter, rel uint32, num int, c types.Column, notNull bool) error {
	ti, err := typeOf(c.Type)
	if err != nil {
		return err
	}
	ndims := 0
	if c.Type.Fam == types.Array {
		ndims = 1
	}
	w.add("attrelid", rel, "attname", c.Name, "atttypid", ti.OID, "attstattarget", int32(-1),
		"attlen", ti.Len, "attnum", int16(num), "attndims", int32(ndims), "attcacheoff", int32(-1),
		"atttypmod", c.Type.PGTypmod(), "attbyval", ti.ByVal, "attalign", string(ti.Align),
		"attstorage", string(ti.Storage), "attnotnull", notNull, "attislocal", true,
		"attcollation", ti.Collation)
	return nil
}

func pgAttribute(_ context.Context, env *Env, w *rowWriter) error {
	sys, err := systemAttributeRows.get(w.t, func(w *rowWriter) error {
		for _, t := range Tables() {
			notNull := make(map[int]bool, len(t.notNull))
			for _, i := range t.notNull {
				notNull[i] = true
			}
			for i, c := range t.Columns {
				if err := addAttribute(w, t.oid, i+1, c, notNull[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.appendShared(sys)
	for _, r := range env.relations() {
		for i, c := range r.Columns {
			if err := addAttribute(w, RelationOID(r.ID), i+1, c, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func pgDatabase(_ context.Context, _ *Env, w *rowWriter) error {
	w.add("oid", OIDDatabase, "datname", DatabaseName, "datdba", OIDRole, "encoding", int32(encodingUTF8),
		"datlocprovider", "c", "datallowconn", true, "datconnlimit", int32(-1),
		"dattablespace", OIDDefaultTablespace, "datcollate", "C.UTF-8", "datctype", "C.UTF-8")
	return nil
}

// The one role is a superuser, as a client connected to streamsqld can do
// everything streamsqld offers.

func pgAuthid(_ context.Context, env *Env, w *rowWriter) error {
	w.add("oid", OIDRole, "rolname", env.user(), "rolsuper", true, "rolinherit", true,
		"rolcreaterole", true, "rolcreatedb", true, "rolcanlogin", true, "rolreplication", false,
		"rolbypassrls", true, "rolconnlimit", int32(-1))
	return nil
}

func pgRoles(_ context.Context, env *Env, w *rowWriter) error {
	w.add("rolname", env.user(), "rolsuper", true, "rolinherit", true, "rolcreaterole", true,
		"rolcreatedb", true, "rolcanlogin", true, "rolreplication", false, "rolconnlimit", int32(-1),
		"rolpassword", "********", "rolbypassrls", true, "oid", OIDRole)
	return nil
}

func pgUser(_ context.Context, env *Env, w *rowWriter) error {
	w.add("usename", env.user(), "usesysid", OIDRole, "usecreatedb", true, "usesuper", true,
		"userepl", false, "usebypassrls", true, "passwd", "********")
	return nil
}

func pgShadow(_ context.Context, env *Env, w *rowWriter) error {
	w.add("usename", env.user(), "usesysid", OIDRole, "usecreatedb", true, "usesuper", true,
		"userepl", false, "usebypassrls", true)
	return nil
}

func pgSettings(_ context.Context, env *Env, w *rowWriter) error {
	if env == nil || env.Settings == nil {
		return nil
	}
	settings := slices.Clone(env.Settings())
	sort.Slice(settings, func(i, j int) bool { return settings[i][0] < settings[j][0] })
	for _, s := range settings {
		w.add("name", s[0], "setting", s[1], "category", "Ungrouped", "short_desc", s[2],
			"context", "user", "vartype", settingType(s[1]), "source", "default", "boot_val", s[1],
			"reset_val", s[1], "pending_restart", false)
	}
	return nil
}

// settingType guesses pg_settings.vartype from a value, as the server's
// settings carry no type.
func settingType(v string) string {
	switch v {
	case "on", "off":
		return "bool"
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "integer"
	}
	return "string"
}

func pgTables(_ context.Context, env *Env, w *rowWriter) error {
	for _, t := range Tables() {
		if t.kind == 'r' {
			w.add("schemaname", t.Schema, "tablename", t.Name, "tableowner", env.user(),
				"hasindexes", false, "hasrules", false, "hastriggers", false, "rowsecurity", false)
		}
	}
	for _, r := range env.relations() {
		if r.Kind == catalog.Table {
			w.add("schemaname", "public", "tablename", r.Name, "tableowner", env.user(),
				"hasindexes", false, "hasrules", false, "hastriggers", false, "rowsecurity", false)
		}
	}
	return nil
}

// pg_views lists the system views; their definitions are PostgreSQL's
// business and not known here.
func pgViews(_ context.Context, env *Env, w *rowWriter) error {
	for _, t := range Tables() {
		if t.kind == 'v' {
			w.add("schemaname", t.Schema, "viewname", t.Name, "viewowner", env.user())
		}
	}
	return nil
}

func pgMatviews(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		if r.Kind == catalog.MaterializedView {
			w.add("schemaname", "public", "matviewname", r.Name, "matviewowner", env.user(),
				"hasindexes", false, "ispopulated", true, "definition", viewDefinition(r))
		}
	}
	return nil
}

// wrapperName is the one foreign-data wrapper, which sources use.
const wrapperName = "streamsql"

func pgForeignDataWrapper(_ context.Context, _ *Env, w *rowWriter) error {
	w.add("oid", OIDWrapper, "fdwname", wrapperName, "fdwowner", OIDRole)
	return nil
}

// connectors returns the connectors the sources use, sorted.
func connectors(env *Env) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range env.relations() {
		if r.Kind == catalog.Source && !seen[r.Connector] {
			seen[r.Connector] = true
			out = append(out, r.Connector)
		}
	}
	sort.Strings(out)
	return out
}

func pgForeignServer(_ context.Context, env *Env, w *rowWriter) error {
	for _, c := range connectors(env) {
		w.add("oid", ServerOID(c), "srvname", c, "srvowner", OIDRole, "srvfdw", OIDWrapper)
	}
	return nil
}

// sourceOptions renders a source's WITH options as PostgreSQL renders
// ftoptions: key=value, sorted by key.
func sourceOptions(r *catalog.Relation) []string {
	keys := make([]string, 0, len(r.Options))
	for k := range r.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	opts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		opts = append(opts, k+"="+r.Options[k])
	}
	if r.Format != "" {
		opts = append(opts, "format="+strings.ToLower(r.Format))
	}
	return opts
}

func pgForeignTable(_ context.Context, env *Env, w *rowWriter) error {
	for _, r := range env.relations() {
		if r.Kind == catalog.Source {
			w.add("ftrelid", RelationOID(r.ID), "ftserver", ServerOID(r.Connector), "ftoptions", sourceOptions(r))
		}
	}
	return nil
}

// pgDepend records that a materialized view depends on the relations it
// reads ('n', normal), the way tools walk dependencies; PostgreSQL routes
// this through the view's rewrite rule, which streamsqld does not have.
func pgDepend(_ context.Context, env *Env, w *rowWriter) error {
	pgClassOID := uint32(1259)
	for _, r := range env.relations() {
		for _, d := range r.DependsOn {
			w.add("classid", pgClassOID, "objid", RelationOID(r.ID), "objsubid", int32(0),
				"refclassid", pgClassOID, "refobjid", RelationOID(d), "refobjsubid", int32(0), "deptype", "n")
		}
	}
	return nil
}

func timeDatum(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return types.NewTime(t.UnixMicro())
}

func pgStatActivity(_ context.Context, env *Env, w *rowWriter) error {
	if env == nil || env.Sessions == nil {
		return nil
	}
	sessions := slices.Clone(env.Sessions())
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].PID < sessions[j].PID })
	for _, s := range sessions {
		var addr, port any
		if s.ClientAddr != "" {
			addr = s.ClientAddr
		}
		if s.ClientPort != 0 {
			port = s.ClientPort
		}
		user := s.User
		if user == "" {
			user = env.user()
		}
		var state any
		if s.State != "" {
			state = s.State
		}
		w.add("datid", OIDDatabase, "datname", DatabaseName, "pid", s.PID, "usesysid", OIDRole,
			"usename", user, "application_name", s.ApplicationName, "client_addr", addr,
			"client_port", port, "backend_start", timeDatum(s.BackendStart),
			"xact_start", timeDatum(s.XactStart), "query_start", timeDatum(s.QueryStart),
			"state_change", timeDatum(s.StateChange), "state", state, "query", s.Query,
			"backend_type", "client backend")
	}
	return nil
}
