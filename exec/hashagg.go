package exec

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// hashAgg groups its input changelog and keeps one row per group up to
// date downstream.
//
// Inserts add to a group's accumulators and deletes retract from them; a
// row count per group tells when the group is empty. Changes are gathered
// per input chunk and each dirty group emits once at the end of the chunk:
// Insert for a new group, UpdateDelete(old)+UpdateInsert(new) for a
// changed one, Delete when it empties (or stops satisfying HAVING).
//
// With a window (WindowEndKey >= 0) the watermark closes windows: when it
// reaches a window's end the window's groups are freed (with
// EmitOnWindowClose they are emitted then, once, as inserts, and never
// before), and later rows for a closed window are late: dropped and
// counted.
type hashAgg struct {
	Base
	spec     *planner.HashAggSpec
	groupKey []int
	winEnd   int // input column of window_end, -1 without a window
	eowc     bool
	having   expr.Eval
	ectx     *expr.Ctx
	late     *atomic.Int64
	width    int

	groups map[string]*aggGroup
	dirty  []*aggGroup
	// ends is a min-heap of the window ends that have groups; byEnd lists
	// each end's groups (possibly stale entries of groups freed and
	// re-created, skipped when the window closes).
	ends  endHeap
	byEnd map[int64][]*aggGroup
	wm    int64

	// global is the single group of an aggregation without GROUP BY: it
	// exists (and shows count 0, sum NULL) even before any input, as in
	// SQL.
	global *aggGroup

	b      chunkBuilder
	keyBuf []byte
	// scratch holds the output row being computed for a group.
	scratch types.Row

	// state, when set, receives on each checkpoint barrier the groups
	// changed during the epoch (ckList, each with ckDirty set; some may
	// have been removed since) and deletes of the removed groups the state
	// table holds a version of (ckDeletes, by key), under the subtask's
	// partition prefix (see stateKey).
	state      StateTable
	part       uint16
	flushState func(epoch uint64, t StateTable) error
	// lazy is set for a restored aggregation without a window: its
	// groups are read from the state table when their key comes up
	// rather than all at start, so a restart does not wait for them (a
	// windowed aggregation needs its groups in memory to close windows).
	// It is also set once groups were evicted.
	lazy bool
	// budget bounds the memory of the groups of an aggregation without a
	// window (0: unbounded); mem estimates it. Beyond it, groups
	// unchanged in the last epoch are evicted at a checkpoint, once their
	// state is in the state table, and read back when needed (lazy).
	budget    int64
	mem       int64
	epochs    uint64 // checkpoints so far; aggGroup.touched is one of them
	ckList    []*aggGroup
	ckDeletes map[string]struct{}
	stateBuf  []byte
	valBuf    []byte
}

type aggGroup struct {
	key   string    // memcomparable encoding of the group key
	vals  types.Row // group key values: the start of last
	accs  []expr.Accumulator
	count int64
	// last is the row last emitted for the group if visible (else
	// downstream has none). It is updated in place: emitting copies it
	// into the output chunk, so a change allocates nothing.
	last    types.Row
	visible bool
	dirty   bool
	ckDirty bool // in hashAgg.ckList
	end     int64
	size    int64  // estimated memory, counted in hashAgg.mem
	touched uint64 // hashAgg.epochs when it last changed
	// persisted is set once the state table holds a version of the
	// group: removing it then takes a delete.
	persisted bool
}

// groupOverhead estimates a group's memory beyond its key: the struct,
// the map slot, the accumulators and the output row.
const groupOverhead = 160

// countStar is the non-NULL dummy argument of count(*).
var countStar = types.NewInt(1)

func newHashAgg(op *planner.Operator, idx int, stats *subtaskStats, ectx *expr.Ctx, env *Env) (*hashAgg, error) {
	s := op.HashAgg
	if s == nil {
		return nil, errors.New("missing aggregation spec")
	}
	if len(op.Output) != len(s.GroupKeys)+len(s.Aggs) {
		return nil, fmt.Errorf("aggregation output has %d columns for %d keys and %d aggregates",
			len(op.Output), len(s.GroupKeys), len(s.Aggs))
	}
	for i, a := range s.Aggs {
		if a.Fn == nil || a.Fn.New == nil {
			return nil, fmt.Errorf("aggregate %d has no implementation", i)
		}
	}
	h := &hashAgg{
		spec:     s,
		groupKey: s.GroupKeys,
		winEnd:   -1,
		eowc:     s.EmitOnWindowClose,
		ectx:     ectx,
		late:     &stats.late,
		width:    len(op.Output),
		groups:   map[string]*aggGroup{},
		byEnd:    map[int64][]*aggGroup{},
		wm:       NoWatermark,
		b:        newChunkBuilder(len(op.Output)),
	}
	if s.WindowEndKey >= 0 {
		if s.WindowEndKey >= len(s.GroupKeys) {
			return nil, fmt.Errorf("window end key %d out of %d group keys", s.WindowEndKey, len(s.GroupKeys))
		}
		h.winEnd = s.GroupKeys[s.WindowEndKey]
	} else if h.eowc {
		return nil, errors.New("emit on window close without a window")
	}
	if s.Having != nil {
		ev, err := expr.Compile(s.Having)
		if err != nil {
			return nil, err
		}
		h.having = ev
	}
	if env != nil && env.StateTables != nil {
		st, err := env.StateTables(s.StateTableID, idx)
		if err != nil {
			return nil, err
		}
		h.state, h.flushState, h.ckDeletes = st, env.FlushState, map[string]struct{}{}
		h.part = uint16(idx)
		if h.winEnd < 0 && len(s.GroupKeys) > 0 {
			h.budget = env.StateCacheBytes
		}
		if err := h.restore(); err != nil {
			return nil, fmt.Errorf("restoring state table %d: %w", s.StateTableID, err)
		}
		if h.winEnd >= 0 || len(s.GroupKeys) == 0 {
			writeOnly(st) // every group is in memory
		}
	}
	if len(s.GroupKeys) == 0 && idx == 0 && h.groups[""] == nil {
		h.global = h.newGroup("")
		h.markDirty(h.global)
	}
	return h, nil
}

// restore loads the groups this subtask wrote, or with keys and without
// a window only notes that there are some (lazy).
func (h *hashAgg) restore() error {
	if h.winEnd < 0 && len(h.groupKey) > 0 {
		return h.state.Scan(partitionPrefix(h.part), func(_, _ []byte) error {
			h.lazy = true
			return storage.ErrStop
		})
	}
	return h.state.Scan(partitionPrefix(h.part), func(k, v []byte) error {
		_, key, err := splitStateKey(k)
		if err != nil {
			return err
		}
		g, err := h.restoreGroup(key, v)
		if err != nil {
			return err
		}
		if h.winEnd >= 0 {
			g.end = g.vals[h.spec.WindowEndKey].I
			if _, ok := h.byEnd[g.end]; !ok {
				heap.Push(&h.ends, g.end)
			}
			h.byEnd[g.end] = append(h.byEnd[g.end], g)
		}
		return nil
	})
}

// restoreGroup rebuilds the group of key from its state value v.
func (h *hashAgg) restoreGroup(key, v []byte) (*aggGroup, error) {
	g := h.newGroup(string(key))
	rest := key
	for i := range g.vals {
		var err error
		if g.vals[i], rest, err = storage.DecodeKey(rest, false); err != nil {
			h.forget(g)
			return nil, err
		}
	}
	g.persisted = true
	if err := h.decodeGroup(g, v); err != nil {
		return nil, err
	}
	if len(h.groupKey) == 0 {
		h.global = g
	}
	if !h.eowc {
		// Downstream has the row as of the checkpoint, which is what the
		// restored accumulators give.
		row, ok, err := h.result(g)
		if err != nil {
			return nil, err
		}
		g.setLast(row, ok)
	}
	return g, nil
}

// load reads the group of key from the state table (lazy), or returns nil
// when it has none.
func (h *hashAgg) load(key []byte) (*aggGroup, error) {
	h.stateBuf = stateKey(h.stateBuf, h.part, string(key))
	v, ok, err := h.state.Get(h.stateBuf)
	if err != nil || !ok {
		return nil, err
	}
	return h.restoreGroup(key, v)
}

// remove forgets a group that ended (emptied, or its window closed); the
// next checkpoint deletes it from the state table if that holds it. With
// lazy loading the state table forgets it at once, or it would be read
// back.
func (h *hashAgg) remove(g *aggGroup) {
	h.forget(g)
	if h.ckDeletes == nil {
		return
	}
	if _, deleting := h.ckDeletes[g.key]; !deleting && !g.persisted {
		// Created and removed within the epoch, and no earlier group of
		// its key is in the state table: nothing to write.
		return
	}
	h.ckDeletes[g.key] = struct{}{}
	if h.lazy {
		h.stateBuf = stateKey(h.stateBuf, h.part, g.key)
		h.state.Delete(h.stateBuf)
	}
}

// encodeGroup is the state value of g: uvarint count, then each
// accumulator's state prefixed by its uvarint length.
func (h *hashAgg) encodeGroup(g *aggGroup) []byte {
	b := binary.AppendUvarint(h.valBuf[:0], uint64(g.count))
	var tmp []byte
	for _, acc := range g.accs {
		tmp = acc.AppendState(tmp[:0])
		b = binary.AppendUvarint(b, uint64(len(tmp)))
		b = append(b, tmp...)
	}
	h.valBuf = b
	return b
}

func (h *hashAgg) decodeGroup(g *aggGroup, v []byte) error {
	n, k := binary.Uvarint(v)
	if k <= 0 {
		return fmt.Errorf("%w: aggregation state", storage.ErrCorrupt)
	}
	g.count = int64(n)
	v = v[k:]
	for _, acc := range g.accs {
		l, k := binary.Uvarint(v)
		if k <= 0 || uint64(len(v)-k) < l {
			return fmt.Errorf("%w: aggregation state", storage.ErrCorrupt)
		}
		if err := acc.LoadState(v[k : k+int(l)]); err != nil {
			return err
		}
		v = v[k+int(l):]
	}
	return nil
}

// checkpoint writes the groups changed since the last checkpoint and
// flushes them into checkpoint epoch.
func (h *hashAgg) checkpoint(epoch uint64) error {
	h.writeState()
	h.evict()
	if h.flushState != nil {
		return h.flushState(epoch, h.state)
	}
	return nil
}

func (h *hashAgg) writeState() {
	for key := range h.ckDeletes {
		if h.groups[key] == nil {
			h.stateBuf = stateKey(h.stateBuf, h.part, key)
			h.state.Delete(h.stateBuf)
		}
	}
	clear(h.ckDeletes)
	for _, g := range h.ckList {
		g.ckDirty = false
		if h.groups[g.key] != g {
			continue // removed since, or replaced by a group of the same key
		}
		h.stateBuf = stateKey(h.stateBuf, h.part, g.key)
		h.state.Put(h.stateBuf, h.encodeGroup(g))
		g.persisted = true
	}
	clear(h.ckList)
	h.ckList = h.ckList[:0]
}

func (h *hashAgg) finalState() ([]StateTable, error) {
	if h.state == nil {
		return nil, nil
	}
	h.writeState()
	return []StateTable{h.state}, nil
}

// newGroup adds the group of key, with its key values (g.vals) to fill.
func (h *hashAgg) newGroup(key string) *aggGroup {
	nk := len(h.groupKey)
	last := make(types.Row, h.width)
	g := &aggGroup{key: key, vals: last[:nk:nk], last: last, accs: make([]expr.Accumulator, len(h.spec.Aggs))}
	for i, a := range h.spec.Aggs {
		g.accs[i] = a.Fn.New()
	}
	g.size = int64(2*len(key)+48*h.width+16*len(g.accs)) + groupOverhead
	h.mem += g.size
	h.groups[key] = g
	return g
}

// forget removes g from memory.
func (h *hashAgg) forget(g *aggGroup) {
	delete(h.groups, g.key)
	h.mem -= g.size
}

// evict brings the groups' memory under the budget, after a checkpoint
// wrote every changed group to the state table: the least recently
// changed first (those untouched in the epoch that just ended), then any.
func (h *hashAgg) evict() {
	defer func() { h.epochs++ }()
	if h.budget <= 0 || h.mem <= h.budget {
		return
	}
	target := h.budget * 8 / 10
	for pass := 0; pass < 2 && h.mem > target; pass++ {
		for _, g := range h.groups {
			if pass == 0 && g.touched == h.epochs {
				continue
			}
			h.forget(g)
			if h.mem <= target {
				break
			}
		}
	}
	h.lazy = true
}

func (h *hashAgg) markDirty(g *aggGroup) {
	g.touched = h.epochs
	if !g.dirty {
		g.dirty = true
		h.dirty = append(h.dirty, g)
	}
	if h.ckDeletes != nil && !g.ckDirty {
		g.ckDirty = true
		h.ckList = append(h.ckList, g)
	}
}

func (h *hashAgg) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		var end int64
		if h.winEnd >= 0 {
			d := row[h.winEnd]
			if d.IsNull() {
				continue
			}
			end = d.I
			if end <= h.wm {
				h.late.Add(1)
				continue
			}
		}
		h.keyBuf = h.keyBuf[:0]
		for _, k := range h.groupKey {
			h.keyBuf = storage.AppendKey(h.keyBuf, row[k], false)
		}
		g := h.groups[string(h.keyBuf)]
		if g == nil && h.lazy {
			var err error
			if g, err = h.load(h.keyBuf); err != nil {
				return err
			}
		}
		add := c.Op(i).IsInsert()
		if g == nil {
			if !add {
				// Retracting from a group that does not exist: the input
				// is inconsistent (or its insert was late); nothing to
				// undo.
				continue
			}
			g = h.newGroup(string(h.keyBuf))
			for j, k := range h.groupKey {
				g.vals[j] = row[k]
			}
			if h.winEnd >= 0 {
				g.end = end
				if _, ok := h.byEnd[end]; !ok {
					heap.Push(&h.ends, end)
				}
				h.byEnd[end] = append(h.byEnd[end], g)
			}
		}
		if add {
			g.count++
		} else {
			g.count--
		}
		for j, a := range h.spec.Aggs {
			if a.FilterCol >= 0 {
				if f := row[a.FilterCol]; f.K != types.KBool || !f.Bool() {
					continue
				}
			}
			arg := countStar
			if a.Arg >= 0 {
				arg = row[a.Arg]
			}
			var err error
			if add {
				err = g.accs[j].Add(arg)
			} else {
				err = g.accs[j].Retract(arg)
			}
			if err != nil {
				return err
			}
		}
		h.markDirty(g)
	}
	return h.emitDirty(out)
}

// result computes g's output row into h.scratch, valid until the next
// call; ok is false when g has no rows or fails HAVING.
func (h *hashAgg) result(g *aggGroup) (row types.Row, ok bool, err error) {
	if g.count <= 0 && g != h.global {
		return nil, false, nil
	}
	if h.scratch == nil {
		h.scratch = make(types.Row, h.width)
	}
	row = h.scratch
	copy(row, g.vals)
	for j, acc := range g.accs {
		row[len(g.vals)+j] = acc.Result()
	}
	if h.having != nil {
		d, err := h.having(h.ectx, row)
		if err != nil {
			return nil, false, err
		}
		if d.K != types.KBool || !d.Bool() {
			return nil, false, nil
		}
	}
	return row, true, nil
}

// setLast records the row emitted for g (ok: row, else none).
func (g *aggGroup) setLast(row types.Row, ok bool) {
	g.visible = ok
	if ok {
		copy(g.last[len(g.vals):], row[len(g.vals):])
	}
}

// emitDirty emits the changes of the groups touched since the last call.
func (h *hashAgg) emitDirty(out Emitter) error {
	for _, g := range h.dirty {
		g.dirty = false
		if h.eowc {
			if g.count <= 0 {
				h.remove(g)
			}
			continue
		}
		row, ok, err := h.result(g)
		if err != nil {
			return err
		}
		switch {
		case g.visible && ok:
			if !rowsEqual(g.last[len(g.vals):], row[len(g.vals):]) {
				err = h.b.appendUpdate(out, g.last, row)
			}
		case ok:
			err = h.b.append(out, Insert, row)
		case g.visible:
			err = h.b.append(out, Delete, g.last)
		}
		if err != nil {
			return err
		}
		g.setLast(row, ok)
		if g.count <= 0 && g != h.global {
			h.remove(g)
		}
	}
	clear(h.dirty)
	h.dirty = h.dirty[:0]
	return h.b.flush(out)
}

func rowsEqual(a, b types.Row) bool {
	for i := range a {
		if a[i].IsNull() != b[i].IsNull() || !types.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// OnWatermark closes the windows whose end the watermark reached.
func (h *hashAgg) OnWatermark(_ context.Context, w Watermark, out Emitter) (Watermark, bool, error) {
	if w.TS <= h.wm {
		return w, true, nil
	}
	h.wm = w.TS
	if h.winEnd < 0 {
		return w, true, h.emitDirty(out)
	}
	if err := h.emitDirty(out); err != nil {
		return w, false, err
	}
	var closing []*aggGroup
	for len(h.ends) > 0 && h.ends[0] <= w.TS {
		end := heap.Pop(&h.ends).(int64)
		for _, g := range h.byEnd[end] {
			if h.groups[g.key] == g {
				closing = append(closing, g)
				h.remove(g)
			}
		}
		delete(h.byEnd, end)
	}
	if h.eowc {
		// Deterministic output: by window end, then by group key.
		sort.Slice(closing, func(a, b int) bool {
			if closing[a].end != closing[b].end {
				return closing[a].end < closing[b].end
			}
			return closing[a].key < closing[b].key
		})
		for _, g := range closing {
			row, ok, err := h.result(g)
			if err != nil {
				return w, false, err
			}
			if ok {
				if err := h.b.append(out, Insert, row); err != nil {
					return w, false, err
				}
			}
		}
	}
	return w, true, h.b.flush(out)
}

// OnBarrier emits pending changes (the initial row of a global
// aggregation) and, on a checkpoint barrier, writes the epoch's state.
func (h *hashAgg) OnBarrier(_ context.Context, b Barrier, out Emitter) error {
	if err := h.emitDirty(out); err != nil {
		return err
	}
	if b.Checkpoint && h.state != nil {
		return h.checkpoint(b.Epoch)
	}
	return nil
}

// OnEOF emits pending changes at the end of a bounded input.
func (h *hashAgg) OnEOF(_ context.Context, out Emitter) error {
	return h.emitDirty(out)
}

type endHeap []int64

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)        { *h = append(*h, x.(int64)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
