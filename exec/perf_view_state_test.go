package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"testing"

	"streamsqld/sql/types"
	"streamsqld/storage"
)

// viewRowsString renders a partition's live rows, sorted, with their
// multiplicities.
func viewRowsString(p *viewPart) string {
	var out []string
	for _, r := range p.rows {
		if r.n > 0 {
			out = append(out, fmt.Sprintf("%d×%v", r.n, r.row))
		}
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}

func restoredMaterialize(t *testing.T, st StateTable, width int, keyCols []int) *materialize {
	t.Helper()
	cols := make([]types.Column, width)
	for i := range cols {
		cols[i] = intCol(fmt.Sprint("c", i))
	}
	v := NewView(cols, keyCols, 1)
	v.track = true
	m := &materialize{view: v, part: v.parts[0], keyCols: keyCols, state: st}
	if err := m.restore(); err != nil {
		t.Fatal(err)
	}
	return m
}

// A view's state is a changelog of blocks; restoring replays it, and once
// it outgrows the rows a checkpoint compacts it. After every checkpoint a
// restore must give the live rows, keyed or a multiset, with deletes.
func TestViewChangelogRestoreCompact(t *testing.T) {
	for _, keyed := range []bool{true, false} {
		t.Run(fmt.Sprint("keyed=", keyed), func(t *testing.T) {
			var keyCols []int
			if keyed {
				keyCols = []int{0}
			}
			st := NewMemState()
			m := restoredMaterialize(t, st, 2, keyCols)
			ctx := context.Background()
			compacted := false
			for epoch := uint64(1); epoch <= 40; epoch++ {
				c := NewChunk(2, 0)
				for k := int64(0); k < 300; k++ {
					row := types.Row{types.NewInt(k), types.NewInt(int64(epoch) % 3)}
					switch {
					case (k+int64(epoch))%5 == 0:
						c.Append(Delete, row)
					default:
						c.Append(Insert, row)
					}
				}
				if err := m.OnChunk(ctx, c, nil); err != nil {
					t.Fatal(err)
				}
				if err := m.OnBarrier(ctx, Barrier{Epoch: epoch, Checkpoint: true}, nil); err != nil {
					t.Fatal(err)
				}
				compacted = compacted || m.firstBlock > 0
				r := restoredMaterialize(t, st, 2, keyCols)
				if got, want := viewRowsString(r.part), viewRowsString(m.part); got != want {
					t.Fatalf("epoch %d: restored %s, want %s", epoch, got, want)
				}
				if r.nextBlock != m.nextBlock || r.firstBlock != m.firstBlock {
					t.Fatalf("epoch %d: restored blocks [%d,%d), want [%d,%d)", epoch, r.firstBlock, r.nextBlock, m.firstBlock, m.nextBlock)
				}
				if st.Len() > int(m.nextBlock-m.firstBlock) {
					t.Fatalf("epoch %d: %d keys for %d live blocks", epoch, st.Len(), m.nextBlock-m.firstBlock)
				}
			}
			if !compacted {
				t.Fatal("the changelog never compacted")
			}
		})
	}
}

// Rows written one key per row (before changelog blocks) restore, and the
// first checkpoint replaces them with blocks, so a row deleted later does
// not come back.
func TestViewLegacyRowsCompacted(t *testing.T) {
	st := NewMemState()
	for k := int64(0); k < 10; k++ {
		row := types.Row{types.NewInt(k), types.NewInt(k * 10)}
		key := appendViewKey(nil, row, []int{0})
		val := storage.AppendRow(binary.AppendUvarint(nil, 1), row)
		st.Put(stateKey(nil, 0, string(key)), val)
	}
	m := restoredMaterialize(t, st, 2, []int{0})
	if len(m.part.rows) != 10 {
		t.Fatalf("restored %d legacy rows", len(m.part.rows))
	}
	ctx := context.Background()
	if err := m.OnChunk(ctx, chunkOf(2, Delete, types.Row{types.NewInt(3), types.NewInt(30)}), nil); err != nil {
		t.Fatal(err)
	}
	if err := m.OnBarrier(ctx, Barrier{Epoch: 1, Checkpoint: true}, nil); err != nil {
		t.Fatal(err)
	}
	if st.Len() != 1 {
		t.Fatalf("%d keys after compacting legacy rows, want 1 block", st.Len())
	}
	r := restoredMaterialize(t, st, 2, []int{0})
	if got, want := viewRowsString(r.part), viewRowsString(m.part); got != want || len(r.part.rows) != 9 {
		t.Fatalf("restored %s, want %s", got, want)
	}
}
