package exec

import (
	"context"
	"errors"
	"fmt"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// newOperator builds the Operator of subtask idx of op.
func newOperator(j *Job, op *planner.Operator, idx int, stats *subtaskStats, ectx *expr.Ctx) (Operator, error) {
	width := len(op.Output)
	switch op.Kind {
	case planner.OpFilter:
		if op.Filter == nil {
			return nil, errors.New("missing filter spec")
		}
		pred, err := expr.Compile(op.Filter.Pred)
		if err != nil {
			return nil, err
		}
		return &filter{pred: pred, ectx: ectx, b: newChunkBuilder(width)}, nil
	case planner.OpProject:
		if op.Project == nil {
			return nil, errors.New("missing project spec")
		}
		evals, err := compileAll(op.Project.Exprs)
		if err != nil {
			return nil, err
		}
		if len(evals) != width {
			return nil, fmt.Errorf("project computes %d columns for an output of %d", len(evals), width)
		}
		return &project{evals: evals, ectx: ectx, b: newChunkBuilder(width)}, nil
	case planner.OpProjectSet:
		return newProjectSet(op, ectx)
	case planner.OpWindowAssign:
		return newWindowAssign(op)
	case planner.OpHashAgg:
		var env *Env
		if j != nil {
			env = &j.env
		}
		return newHashAgg(op, idx, stats, ectx, env)
	case planner.OpSessionWindow:
		return newSessionWindow(op, stats)
	case planner.OpJoin:
		return newJoinOperator(j, op, idx, stats, ectx)
	case planner.OpMaterialize:
		return newMaterialize(j, idx, op.Materialize.KeyCols, op.Materialize.StateTableID)
	case planner.OpSink:
		return newSinkOp(j, op, idx)
	}
	return nil, fmt.Errorf("unsupported operator kind %s", kindName(op.Kind))
}

func compileAll(es []expr.Expr) ([]expr.Eval, error) {
	out := make([]expr.Eval, len(es))
	for i, e := range es {
		ev, err := expr.Compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = ev
	}
	return out, nil
}

// filter keeps the rows whose predicate is true. An update whose halves
// disagree becomes a plain delete or insert.
type filter struct {
	Base
	pred expr.Eval
	ectx *expr.Ctx
	b    chunkBuilder
}

func (f *filter) pass(row types.Row) (bool, error) {
	d, err := f.pred(f.ectx, row)
	if err != nil {
		return false, err
	}
	return d.K == types.KBool && d.Bool(), nil
}

func (f *filter) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	n := c.Len()
	for i := 0; i < n; i++ {
		op := c.Op(i)
		if op == UpdateDelete && i+1 < n && c.Op(i+1) == UpdateInsert {
			p1, err := f.pass(c.Row(i))
			if err != nil {
				return err
			}
			p2, err := f.pass(c.Row(i + 1))
			if err != nil {
				return err
			}
			switch {
			case p1 && p2:
				err = f.b.append(out, UpdateDelete, c.Row(i))
				if err == nil {
					err = f.b.append(out, UpdateInsert, c.Row(i+1))
				}
			case p1:
				err = f.b.append(out, Delete, c.Row(i))
			case p2:
				err = f.b.append(out, Insert, c.Row(i+1))
			}
			if err != nil {
				return err
			}
			i++
			continue
		}
		ok, err := f.pass(c.Row(i))
		if err != nil {
			return err
		}
		if ok {
			if err := f.b.append(out, loneOp(op), c.Row(i)); err != nil {
				return err
			}
		}
	}
	return f.b.flush(out)
}

// loneOp turns half of an update that lost its other half into a plain
// delete or insert.
func loneOp(op Op) Op {
	switch op {
	case UpdateDelete:
		return Delete
	case UpdateInsert:
		return Insert
	}
	return op
}

// project computes expressions over each row; updates stay updates.
type project struct {
	Base
	evals []expr.Eval
	ectx  *expr.Ctx
	b     chunkBuilder
}

func (p *project) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		slot := p.b.slot(c.Op(i))
		for j, ev := range p.evals {
			d, err := ev(p.ectx, row)
			if err != nil {
				return err
			}
			slot[j] = d
		}
		if err := p.b.done(out); err != nil {
			return err
		}
	}
	return p.b.flush(out)
}
