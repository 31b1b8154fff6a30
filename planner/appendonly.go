package planner

import "streamsqld/catalog"

// AppendOnly reports whether the graph's output is insert-only: no
// operator can delete or update a row it emitted before. An append-only
// sink requires it, and an append-only view can store its rows without
// looking them up by value.
//
// It is conservative: reading a materialized view counts as not
// append-only (a view's changelog may update its rows), as do aggregates
// that refine their groups (only EMIT ON WINDOW CLOSE emits each group
// once), SESSION windows (sessions merge) and outer joins (a padded row
// is retracted when its match arrives).
func AppendOnly(g *StreamGraph) bool {
	for _, op := range g.Operators {
		switch op.Kind {
		case OpSource:
			if op.Source.Relation == nil {
				return false
			}
			switch op.Source.Relation.Kind {
			case catalog.Source, catalog.Table: // tables only take INSERT
			default:
				return false
			}
		case OpFilter, OpProject, OpProjectSet, OpWindowAssign, OpMaterialize, OpSink:
		case OpHashAgg:
			if !op.HashAgg.EmitOnWindowClose {
				return false
			}
		case OpJoin:
			if op.Join.Type != JoinInner {
				return false
			}
		default:
			return false
		}
	}
	return true
}
