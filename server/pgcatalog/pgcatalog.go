// Package pgcatalog serves PostgreSQL 15's system catalogs (pg_catalog.*)
// and information_schema over streamsqld's live catalog, so that psql's \d
// family, JDBC's DatabaseMetaData, SQLAlchemy's inspector and BI tools see
// streamsqld's relations the way they see PostgreSQL's.
//
// Column lists (names, order, types) are PostgreSQL 15's, generated from a
// real server by gen_pg15.go. Types streamsqld lacks are served by the
// closest type that prints the same text (oidvector as oid[], aclitem[] as
// text[], pg_node_tree as text; see gen_pg15.go's goType). Catalogs whose
// contents do not depend on streamsqld's catalog (pg_type, pg_proc, pg_am,
// pg_operator ...) are copied from PostgreSQL for the types and functions
// streamsqld has; relations streamsqld has nothing to show in are empty.
//
// Mapping of streamsqld's objects:
//
//	table               pg_class relkind 'r'
//	materialized view   relkind 'm' (and pg_matviews, with its query)
//	source              relkind 'f', a foreign table whose foreign server
//	                    is its connector (pg_foreign_server) under the one
//	                    foreign-data wrapper "streamsql"
//	sink                not shown: PostgreSQL has no such relation
//
// The generated files (zz_*.go, testdata/pg15_columns.tsv) come from
// `go run gen_pg15.go -dsn URL` against a fresh PostgreSQL 15 cluster;
// testdata/compat/record.sh at the repository root shows how to start one.
//
// OIDs are stable across restarts:
//
//	namespaces   pg_catalog 11, public 2200, information_schema 13207
//	             (PostgreSQL 15's values)
//	relations    the catalog id (catalog.FirstID is 16384, PostgreSQL's
//	             first user OID); system relations keep PostgreSQL 15's OIDs
//	database     16383 ("streamsql")
//	role         10 (the connected user; PostgreSQL's bootstrap superuser)
//	wrapper      16382 ("streamsql"); connector servers 15000-16381,
//	             by a hash of the connector name
package pgcatalog

import (
	"context"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/sql/types"
)

// Fixed OIDs. See the package documentation.
const (
	OIDPgCatalog         uint32 = 11
	OIDPublic            uint32 = 2200
	OIDInformationSchema uint32 = 13207
	OIDDatabase          uint32 = 16383
	OIDRole              uint32 = 10
	OIDWrapper           uint32 = 16382
	OIDDefaultTablespace uint32 = 1663
	OIDDefaultCollation  uint32 = 100

	firstServerOID uint32 = 15000
)

// DatabaseName is the one database streamsqld serves.
const DatabaseName = "streamsql"

// defaultUser names the role when the server does not say who connected.
const defaultUser = "streamsql"

// Env is what the catalog relations read: the catalog snapshot of the
// statement and the server's state. Any field may be nil.
type Env struct {
	Snapshot *catalog.Snapshot
	// Settings lists the run-time parameters for pg_settings: name,
	// setting, description.
	Settings func() [][3]string
	// User is the connected user, the name of role 10.
	User string
	// Sessions lists the connections for pg_stat_activity.
	Sessions func() []SessionInfo
}

func (env *Env) user() string {
	if env == nil || env.User == "" {
		return defaultUser
	}
	return env.User
}

func (env *Env) relations() []*catalog.Relation {
	if env == nil || env.Snapshot == nil {
		return nil
	}
	var out []*catalog.Relation
	for _, r := range env.Snapshot.List(catalog.AnyKind) {
		if r.Kind != catalog.Sink {
			out = append(out, r)
		}
	}
	return out
}

// SessionInfo describes one connection for pg_stat_activity. Zero times
// are NULL.
type SessionInfo struct {
	PID             int32
	User            string
	ApplicationName string
	ClientAddr      string // "" for NULL
	ClientPort      int32  // -1 for a Unix socket, 0 for NULL
	BackendStart    time.Time
	XactStart       time.Time
	QueryStart      time.Time
	StateChange     time.Time
	State           string // active, idle, idle in transaction ...
	Query           string
}

// Table is one catalog relation.
type Table struct {
	Schema, Name string
	Columns      []types.Column
	// Rows computes the relation's rows; it never returns nil rows with a
	// nil error for a relation that has rows to show.
	Rows func(ctx context.Context, env *Env) ([]types.Row, error)

	oid     uint32
	kind    byte  // pg_class.relkind: 'r' catalog table, 'v' view
	notNull []int // positions of NOT NULL columns
	index   map[string]int
}

// OID is the relation's pg_class OID.
func (t *Table) OID() uint32 { return t.oid }

// registry indexes pg15Relations and attaches their row functions.
var registry = sync.OnceValue(func() map[string]*Table {
	m := make(map[string]*Table, len(pg15Relations))
	for _, t := range pg15Relations {
		t.index = make(map[string]int, len(t.Columns))
		for i, c := range t.Columns {
			t.index[c.Name] = i
		}
		key := t.Schema + "." + t.Name
		if f, ok := rowFuncs[key]; ok {
			t.Rows = wrapRows(t, f)
		} else if data, ok := pg15Data[key]; ok {
			t.Rows = staticRows(t, data)
		} else {
			t.Rows = func(context.Context, *Env) ([]types.Row, error) { return nil, nil }
		}
		m[key] = t
	}
	return m
})

// byOID maps system relation OIDs to their tables.
var byOID = sync.OnceValue(func() map[uint32]*Table {
	m := make(map[uint32]*Table, len(pg15Relations))
	for _, t := range registry() {
		m[t.oid] = t
	}
	return m
})

// Lookup returns the catalog relation schema.name; schema is "pg_catalog"
// or "information_schema", and both names are matched case-sensitively
// (callers fold unquoted identifiers to lower case).
func Lookup(schema, name string) (*Table, bool) {
	t, ok := registry()[schema+"."+name]
	return t, ok
}

// Tables returns every catalog relation, ordered by schema and name. The
// tables are shared and must not be modified.
func Tables() []*Table {
	registry()
	return slices.Clone(pg15Relations)
}

// RelationOID is the pg_class OID of the catalog relation with id. Catalog
// ids start at PostgreSQL's first user OID, so they are the OIDs.
func RelationOID(id uint32) uint32 { return id }

// NamespaceOID returns the OID of the schema named name.
func NamespaceOID(name string) (uint32, bool) {
	switch name {
	case "pg_catalog":
		return OIDPgCatalog, true
	case "public":
		return OIDPublic, true
	case "information_schema":
		return OIDInformationSchema, true
	}
	return 0, false
}

// NamespaceName returns the name of the schema with OID oid.
func NamespaceName(oid uint32) (string, bool) {
	switch oid {
	case OIDPgCatalog:
		return "pg_catalog", true
	case OIDPublic:
		return "public", true
	case OIDInformationSchema:
		return "information_schema", true
	}
	return "", false
}

// relkind is pg_class.relkind of a streamsqld relation.
func relkind(k catalog.Kind) string {
	switch k {
	case catalog.Table:
		return "r"
	case catalog.MaterializedView:
		return "m"
	case catalog.Source:
		return "f"
	}
	return ""
}

// ServerOID is the OID of the foreign server that stands for a source
// connector: a hash of its name, so it is the same on every start.
func ServerOID(connector string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(connector)))
	return firstServerOID + h.Sum32()%(OIDWrapper-firstServerOID)
}
