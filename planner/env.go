package planner

import (
	"context"
	"strings"

	"streamsqld/catalog"
	"streamsqld/sql/types"
)

// Env is what binding needs from the outside world: the catalog snapshot
// the statement sees and the server's system relations.
type Env struct {
	Catalog *catalog.Snapshot
	// Virtual resolves system relations (pg_catalog.*,
	// information_schema.*, streamsql_*) that the server provides. Schema
	// is lower-cased; it is "pg_catalog" for unqualified names that the
	// catalog does not know (search_path public, pg_catalog). Nil: none.
	Virtual func(schema, name string) (*VirtualTable, bool)
}

// VirtualTable is a system relation whose rows the server computes on each
// read (pg_catalog.pg_class, information_schema.tables ...). It can only be
// read by batch queries.
type VirtualTable struct {
	Schema, Name string
	// OID is the relation's pg_class OID (0: none), which result columns
	// read from it report.
	OID     uint32
	Columns []types.Column
	Rows    func(ctx context.Context) ([]types.Row, error)
}

// relRef is one resolved FROM-clause relation: a catalog relation or a
// virtual table.
type relRef struct {
	rel  *catalog.Relation
	virt *VirtualTable
}

// lookupRelation resolves a possibly qualified relation name the way
// PostgreSQL's default search_path (public, pg_catalog) would: the catalog
// holds the public schema, the server's virtual tables everything else.
func (env *Env) lookupRelation(schema, name string) (relRef, bool) {
	schema = strings.ToLower(schema)
	switch schema {
	case "", "public":
		if env.Catalog != nil {
			if r, ok := env.Catalog.Lookup(name); ok {
				return relRef{rel: r}, true
			}
		}
		if schema == "public" {
			return relRef{}, false
		}
		schema = "pg_catalog"
	}
	if env.Virtual != nil {
		if v, ok := env.Virtual(schema, name); ok {
			return relRef{virt: v}, true
		}
	}
	return relRef{}, false
}
