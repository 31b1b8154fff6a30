package planner

import "streamsqld/sql/expr"

// ColumnOrigin is the relation column a query's result column is read from
// unchanged: the relation's pg_class OID (a catalog relation's ID, or a
// system relation's VirtualTable.OID) and the 1-based column number.
// Drivers learn from it which table a result column belongs to; the zero
// value means none (a computed column).
type ColumnOrigin struct {
	Rel    uint32
	Attnum int16
}

// columnOrigins traces each output column of p down to a scanned
// relation column, through projections of plain column references,
// filters, sorts, limits and joins, as PostgreSQL's RowDescription does.
func columnOrigins(p LogicalPlan) []ColumnOrigin {
	out := make([]ColumnOrigin, len(p.Columns()))
	switch n := p.(type) {
	case *Scan:
		var rel uint32
		switch {
		case n.Relation != nil:
			rel = n.Relation.ID
		case n.Virtual != nil:
			rel = n.Virtual.OID
		}
		if rel == 0 {
			return out
		}
		for i, c := range n.Cols {
			if i < len(out) {
				out[i] = ColumnOrigin{Rel: rel, Attnum: int16(c + 1)}
			}
		}
	case *Project:
		in := columnOrigins(n.Input)
		for i, e := range n.Exprs {
			if c, ok := e.(*expr.ColRef); ok && c.Idx < len(in) && i < len(out) {
				out[i] = in[c.Idx]
			}
		}
	case *Filter, *Sort, *Limit, *Distinct:
		copy(out, columnOrigins(p.Children()[0]))
	case *Join:
		l := columnOrigins(n.Left)
		copy(out, l)
		copy(out[len(l):], columnOrigins(n.Right))
	}
	return out
}
