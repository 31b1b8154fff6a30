package planner

import (
	"strings"

	"streamsqld/sql/expr"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// scopeCol is one column visible to name resolution, at the same position
// in the plan's output.
type scopeCol struct {
	table string // range-table qualifier ("" when none)
	name  string
	typ   types.T
	// hidden columns are not expanded by `*` (USING duplicates, ORDER BY
	// helpers); noUnqual columns resolve only when qualified (the
	// per-side copies of a USING column).
	hidden   bool
	noUnqual bool
}

// scope is the set of columns that names in an expression may refer to.
type scope struct {
	cols   []scopeCol
	tables map[string]bool // qualifiers present, for "missing FROM-clause entry"
	// outer is the enclosing query's scope (references to it are resolved
	// by the binder, see correlate.go).
	outer *scope
}

func newScope(cols []scopeCol) *scope {
	s := &scope{cols: cols, tables: map[string]bool{}}
	for _, c := range cols {
		if c.table != "" {
			s.tables[c.table] = true
		}
	}
	return s
}

// scopeFor makes a scope over plan output cols, all qualified by table.
func scopeFor(table string, cols []types.Column) *scope {
	sc := make([]scopeCol, len(cols))
	for i, c := range cols {
		sc[i] = scopeCol{table: table, name: c.Name, typ: c.Type}
	}
	return newScope(sc)
}

func (s *scope) hasTable(t string) bool { return s.tables[t] }

// resolve finds a column reference. It returns the column position or a
// PostgreSQL error with pos attached.
func (s *scope) resolve(table, name string, pos int) (int, error) {
	return s.resolveLocal(table, name, pos)
}

func (s *scope) resolveLocal(table, name string, pos int) (int, error) {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		table = table[i+1:] // schema.table.column: the schema adds nothing here
	}
	found := -1
	for i, c := range s.cols {
		if c.name != name {
			continue
		}
		if table == "" && c.noUnqual || table != "" && c.table != table {
			continue
		}
		if found >= 0 {
			return -1, pgerror.Newf(pgerror.AmbiguousColumn, "column reference %q is ambiguous", name).WithPosition(pos)
		}
		found = i
	}
	if found >= 0 {
		return found, nil
	}
	if table != "" {
		if !s.hasTable(table) {
			return -1, pgerror.Newf(pgerror.UndefinedTable, "missing FROM-clause entry for table %q", table).WithPosition(pos)
		}
		return -1, pgerror.Newf(pgerror.UndefinedColumn, "column %s.%s does not exist", table, name).WithPosition(pos)
	}
	return -1, pgerror.Newf(pgerror.UndefinedColumn, "column %q does not exist", name).WithPosition(pos)
}

func quoteColumn(table, name string) string {
	if table != "" {
		return table + "." + name
	}
	return name
}

// colRef returns a reference to scope column i.
func (s *scope) colRef(i int) *expr.ColRef {
	return &expr.ColRef{Idx: i, T: s.cols[i].typ, Name: s.cols[i].name}
}
