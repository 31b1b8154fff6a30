package batch

import (
	"sort"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
)

// buildWindow computes window functions with the default frame: the whole
// partition without ORDER BY, otherwise from the partition start through
// the current row's last peer. Rows come out partition by partition, in
// window order.
func (x *execCtx) buildWindow(n *planner.Window) (iter, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	rows, err := x.drain(in)
	if err != nil {
		return nil, err
	}
	var order [][]types.Row
	parts := map[string]int{}
	var key []byte
	for _, r := range rows {
		key = rowKey(key[:0], r, n.PartitionBy)
		if n.PartitionBy == nil {
			key = key[:0]
		}
		p, ok := parts[string(key)]
		if !ok {
			p = len(order)
			parts[string(key)] = p
			order = append(order, nil)
		}
		order[p] = append(order[p], r)
	}
	var out []types.Row
	width := len(n.Input.Columns())
	countStar := types.NewInt(1)
	for _, part := range order {
		sort.SliceStable(part, func(i, j int) bool { return compareRows(part[i], part[j], n.OrderBy) < 0 })
		res := make([]types.Row, len(part))
		for i, r := range part {
			res[i] = make(types.Row, width+len(n.Funcs))
			copy(res[i], r)
		}
		peer := func(i, j int) bool { return compareRows(part[i], part[j], n.OrderBy) == 0 }
		for f, fn := range n.Funcs {
			col := width + f
			var acc expr.Accumulator
			if fn.Agg != nil {
				acc = fn.Agg.New()
			}
			rank, dense := int64(0), int64(0)
			for i := 0; i < len(part); {
				// [i, j) is a peer group: equal under ORDER BY (the whole
				// partition without one).
				j := i + 1
				for j < len(part) && peer(i, j) {
					j++
				}
				if acc != nil {
					end := j
					if len(n.OrderBy) == 0 {
						end = len(part)
					}
					for k := i; k < end; k++ {
						v := countStar
						if fn.Arg >= 0 {
							v = part[k][fn.Arg]
						}
						if err := acc.Add(v); err != nil {
							return nil, err
						}
					}
					if len(n.OrderBy) == 0 {
						j = len(part)
					}
				}
				dense++
				rank = int64(i) + 1
				for k := i; k < j; k++ {
					if err := x.tick(); err != nil {
						return nil, err
					}
					switch {
					case acc != nil:
						res[k][col] = acc.Result()
					case fn.Name == "row_number":
						res[k][col] = types.NewInt(int64(k) + 1)
					case fn.Name == "rank":
						res[k][col] = types.NewInt(rank)
					default: // dense_rank
						res[k][col] = types.NewInt(dense)
					}
				}
				i = j
			}
		}
		out = append(out, res...)
	}
	return &sliceIter{rows: out}, nil
}
