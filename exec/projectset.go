package exec

import (
	"context"
	"errors"
	"fmt"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// projectSet expands set-returning functions with PostgreSQL's semantics
// for several of them in one select list: they are zipped, the shorter
// ones padded with NULL, and an input row producing no values produces no
// output. Each output row carries its input row's op; since one input row
// may yield several output rows, updates become plain deletes and inserts.
type projectSet struct {
	Base
	exprs   []expr.Eval     // for plain entries
	fns     []*expr.SetFunc // for SRF entries
	args    [][]expr.Eval   // arguments of SRF entries
	ectx    *expr.Ctx
	b       chunkBuilder
	argVals []types.Datum
	vals    [][]types.Datum // values of each SRF for the current row
	plain   []types.Datum
}

func newProjectSet(op *planner.Operator, ectx *expr.Ctx) (*projectSet, error) {
	spec := op.ProjectSet
	if spec == nil {
		return nil, errors.New("missing project set spec")
	}
	n := len(spec.Exprs)
	if len(spec.SetFuncs) != n || len(spec.SetArgs) != n || len(op.Output) != n {
		return nil, fmt.Errorf("project set: %d expressions, %d functions, %d argument lists, %d output columns",
			n, len(spec.SetFuncs), len(spec.SetArgs), len(op.Output))
	}
	p := &projectSet{
		exprs: make([]expr.Eval, n),
		fns:   spec.SetFuncs,
		args:  make([][]expr.Eval, n),
		ectx:  ectx,
		b:     newChunkBuilder(n),
		vals:  make([][]types.Datum, n),
		plain: make([]types.Datum, n),
	}
	for i := 0; i < n; i++ {
		var err error
		if spec.SetFuncs[i] != nil {
			p.args[i], err = compileAll(spec.SetArgs[i])
		} else if spec.Exprs[i] != nil {
			p.exprs[i], err = expr.Compile(spec.Exprs[i])
		} else {
			err = fmt.Errorf("project set entry %d has neither expression nor function", i)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *projectSet) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		op := loneOp(c.Op(i))
		rows := 0
		for j, fn := range p.fns {
			if fn == nil {
				continue
			}
			p.argVals = p.argVals[:0]
			for _, a := range p.args[j] {
				d, err := a(p.ectx, row)
				if err != nil {
					return err
				}
				p.argVals = append(p.argVals, d)
			}
			vals := p.vals[j][:0]
			err := fn.Eval(p.ectx, p.argVals, func(d types.Datum) error {
				vals = append(vals, d)
				return nil
			})
			if err != nil {
				return err
			}
			p.vals[j] = vals
			rows = max(rows, len(vals))
		}
		if rows == 0 {
			continue
		}
		for j, ev := range p.exprs {
			if ev == nil {
				continue
			}
			d, err := ev(p.ectx, row)
			if err != nil {
				return err
			}
			p.plain[j] = d
		}
		for r := 0; r < rows; r++ {
			slot := p.b.slot(op)
			for j := range slot {
				switch {
				case p.fns[j] == nil:
					slot[j] = p.plain[j]
				case r < len(p.vals[j]):
					slot[j] = p.vals[j][r]
				}
			}
			if err := p.b.done(out); err != nil {
				return err
			}
		}
	}
	for j := range p.vals {
		clear(p.vals[j])
	}
	return p.b.flush(out)
}
