package server

import (
	"context"
	"fmt"

	"streamsqld/catalog"
	"streamsqld/planner"
	"streamsqld/sql"
	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
)

// What CREATE MATERIALIZED VIEW and CREATE SINK share: their operators'
// state table ids, allocated at CREATE and handed out again in the same
// order when a restart re-plans the stored statement; starting the job
// of a relation just created; and restarting one from the checkpoint.

// stateIDAllocator allocates state table ids from the catalog, keeping
// them in the order the planner asked for them.
type stateIDAllocator struct {
	cat *catalog.Catalog
	ids []uint32
	err error
}

func (a *stateIDAllocator) next() uint32 {
	id, err := a.cat.AllocateIDs(1)
	if err != nil && a.err == nil {
		a.err = err
	}
	a.ids = append(a.ids, id)
	return id
}

// check reports the first allocation failure.
func (a *stateIDAllocator) check() error {
	if a.err != nil {
		return pgerror.Wrap(fmt.Errorf("allocate state table ids: %w", a.err), pgerror.SystemError)
	}
	return nil
}

// stateIDReplay hands out a relation's recorded state table ids in order,
// then 0.
type stateIDReplay struct {
	ids  []uint32
	used int
}

func (r *stateIDReplay) next() uint32 {
	r.used++
	if r.used > len(r.ids) {
		return 0
	}
	return r.ids[r.used-1]
}

// sinkID returns the id recorded for the graph's last operator (the
// Materialize or Sink, allocated after planning), when the plan asked for
// exactly the others.
func (r *stateIDReplay) sinkID() (uint32, bool) {
	if r.used != len(r.ids)-1 {
		return 0, false
	}
	return r.ids[r.used], true
}

// storedStatement parses the statement a relation was created with.
func storedStatement[T ast.Statement](rel *catalog.Relation) (T, error) {
	var zero T
	parsed, err := sql.Parse(rel.SQL)
	if err != nil {
		return zero, err
	}
	if len(parsed) != 1 {
		return zero, fmt.Errorf("stored definition of %q holds %d statements", rel.Name, len(parsed))
	}
	st, ok := parsed[0].Stmt.(T)
	if !ok {
		return zero, fmt.Errorf("stored definition of %q is a %T, not a %T", rel.Name, parsed[0].Stmt, zero)
	}
	return st, nil
}

// restartParallelism is the parallelism a relation's job restarts with.
func (e *Engine) restartParallelism(rel *catalog.Relation) int {
	if rel.Parallelism > 0 {
		return rel.Parallelism
	}
	return e.cfg.Parallelism
}

// startCreated starts the job of a relation CREATE just recorded, drops
// the relation again if it cannot start, and returns once the job caught
// up with its tables, after a checkpoint: reads show the last checkpoint,
// and a sink delivers what a checkpoint holds.
func (e *Engine) startCreated(ctx context.Context, rel *catalog.Relation, graph *planner.StreamGraph) error {
	vj, err := e.startView(ctx, rel, graph, nil)
	if err != nil {
		if _, derr := e.cat.Drop(rel.Name, rel.Kind, true, true); derr != nil {
			e.log.Error("drop relation after failed start", "name", rel.Name, "err", derr)
		}
		return err
	}
	if err := e.backfill(ctx, vj); err != nil {
		return err
	}
	if e.ckpt.enabled() {
		if err := e.ckpt.run(ctx); err != nil {
			e.log.Warn("checkpoint after CREATE", "name", rel.Name, "err", err)
		}
	}
	return nil
}

// startRestored starts a relation's job from the newest complete
// checkpoint's entry for it (from the start when it has none).
func (e *Engine) startRestored(ctx context.Context, rel *catalog.Relation, graph *planner.StreamGraph) error {
	restored, _ := e.ckpt.restored(rel.ID)
	_, err := e.startView(ctx, rel, graph, restored)
	return err
}
