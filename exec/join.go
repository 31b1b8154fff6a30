package exec

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"streamsqld/planner"
	"streamsqld/sql/expr"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// streamJoin joins two changelog streams (planner.JoinSpec).
//
// Each side keeps its rows in a hash table by join key: a bucket per key
// holding the distinct rows with their multiplicity and, for an outer
// side, their degree (how many partner rows, counted with multiplicity,
// match them). A row arriving on one side probes the other side's bucket:
// an insert emits the new pairs, a delete retracts them. The degrees tell
// an outer side's row when its NULL-padded row appears (no partner left)
// or is retracted (first partner arrived), as RisingWave's degree tables
// do. Input updates are handled as a delete followed by an insert.
//
// Bounded state: a side with JoinStateBounds drops each row as soon as the
// other side's watermark shows that no future row can match it (interval
// and window joins); rows that arrive already dead still probe, but are
// not kept. Dropping emits nothing, and a dropped row can still be
// retracted (see apply), so results are exact as long as each input keeps
// its watermark's promise: no change below it.
//
// TTL (state.ttl): rows not inserted, deleted or matched for that long by
// processing time are dropped too (checked on barriers, to a sixteenth of
// the TTL). Unlike watermark cleanup this is lossy: pairs already emitted
// stay, a partner arriving later no longer finds the dropped row (an outer
// join shows it NULL-padded instead), and a retraction of a dropped row
// retracts nothing.
//
// State: the hash tables are the working state; on each checkpoint barrier
// the rows changed during the epoch are written into the side's
// StateTable (key: partition | join key | row, value: multiplicity,
// degree, last touch), from which a rebuilt job restores.
type streamJoin struct {
	spec     *planner.JoinSpec
	sides    [2]*joinSide
	nl, nr   int
	residual expr.Eval
	ectx     *expr.Ctx
	late     *atomic.Int64

	// hasOut: the operator forwards a watermark (WatermarkCol >= 0),
	// computed from the sides' watermarks as in JoinSpec.OutputSide.
	hasOut bool

	now     func() time.Time
	ttl     int64 // microseconds; 0: none
	ttlTick int64 // touch times are rounded down to this
	nowTick int64 // the rounded time of the current chunk

	flushState func(epoch uint64, t StateTable) error

	b      chunkBuilder
	pair   types.Row // scratch: a left row followed by a right row
	keyBuf []byte
	rowBuf []byte
	valBuf []byte
}

// joinSide is one input's rows and state.
type joinSide struct {
	keys  []int
	width int
	// outer: the side's unmatched rows are NULL-padded in the output, so
	// its rows track their degree.
	outer   bool
	buckets map[string]*joinBucket
	rows    int // distinct rows stored

	bounds []planner.JoinStateBound
	// exp is a min-heap of the expiry times that have rows; byExp lists
	// each time's rows (possibly removed already).
	exp   endHeap
	byExp map[int64][]*joinEntry
	// wm is the side's input watermark.
	wm int64

	// ttlQ lists touched rows in touch order; an entry is stale when the
	// row was touched again later (its touched field moved on).
	ttlQ    []ttlRef
	ttlHead int

	state   StateTable
	part    uint16
	ckDirty map[string]*joinEntry
}

type joinBucket struct {
	entries []*joinEntry
	// pos indexes entries by row encoding once the bucket is large.
	pos map[string]int
}

// smallBucket is the size up to which a bucket is searched linearly: most
// keys of a keyed side hold one row, and a map per bucket would triple
// their memory.
const smallBucket = 8

type joinEntry struct {
	// skey is the state key: partition | join key | row encoding; the
	// row encoding starts at rowOff and identifies the row in its bucket.
	skey    string
	rowOff  int
	row     types.Row
	mult    int64
	degree  int64
	touched int64
	expiry  int64
	removed bool
}

func (e *joinEntry) bucketKey() string { return e.skey[2:e.rowOff] }
func (e *joinEntry) rowKey() string    { return e.skey[e.rowOff:] }

type ttlRef struct {
	at int64
	e  *joinEntry
}

// newJoinOperator builds subtask idx of a join of graph j.
func newJoinOperator(j *Job, op *planner.Operator, idx int, stats *subtaskStats, ectx *expr.Ctx) (*streamJoin, error) {
	if len(op.Inputs) != 2 {
		return nil, fmt.Errorf("a join needs 2 inputs, has %d", len(op.Inputs))
	}
	ops := j.graph.Operators
	for _, in := range op.Inputs {
		if in.From < 0 || in.From >= len(ops) {
			return nil, fmt.Errorf("join input %d out of range", in.From)
		}
	}
	nl, nr := len(ops[op.Inputs[0].From].Output), len(ops[op.Inputs[1].From].Output)
	return newStreamJoin(op, idx, nl, nr, stats, ectx, &j.env)
}

// newStreamJoin builds subtask idx of a join whose inputs have nl and nr
// columns. env may be nil (no state tables, the wall clock).
func newStreamJoin(op *planner.Operator, idx, nl, nr int, stats *subtaskStats, ectx *expr.Ctx, env *Env) (*streamJoin, error) {
	s := op.Join
	if s == nil {
		return nil, errors.New("missing join spec")
	}
	if len(s.LeftKeys) != len(s.RightKeys) {
		return nil, fmt.Errorf("join has %d left keys and %d right keys", len(s.LeftKeys), len(s.RightKeys))
	}
	if nl+nr != len(op.Output) {
		return nil, fmt.Errorf("join output has %d columns for inputs of %d and %d", len(op.Output), nl, nr)
	}
	for i := range s.LeftKeys {
		if s.LeftKeys[i] < 0 || s.LeftKeys[i] >= nl || s.RightKeys[i] < 0 || s.RightKeys[i] >= nr {
			return nil, fmt.Errorf("join key %d out of range", i)
		}
	}
	switch s.Type {
	case planner.JoinInner, planner.JoinLeft, planner.JoinRight, planner.JoinFull:
	default:
		return nil, fmt.Errorf("unsupported streaming join type %s", s.Type)
	}
	if s.OutputSide < 0 || s.OutputSide > 1 {
		return nil, fmt.Errorf("join output watermark side %d", s.OutputSide)
	}
	jn := &streamJoin{
		spec: s, nl: nl, nr: nr, ectx: ectx, late: &stats.late,
		hasOut: op.WatermarkCol >= 0,
		now:    time.Now,
		ttl:    s.TTLMicros,
		b:      newChunkBuilder(nl + nr),
		pair:   make(types.Row, nl+nr),
	}
	if jn.ttl > 0 {
		// Touch times are kept to a sixteenth of the TTL, so a row matched
		// continuously is re-queued and re-written at most 16 times per TTL.
		jn.ttlTick = max(jn.ttl/16, 1000)
	}
	if s.Residual != nil {
		ev, err := expr.Compile(s.Residual)
		if err != nil {
			return nil, err
		}
		jn.residual = ev
	}
	outer := [2]bool{s.Type == planner.JoinLeft || s.Type == planner.JoinFull, s.Type == planner.JoinRight || s.Type == planner.JoinFull}
	keys := [2][]int{s.LeftKeys, s.RightKeys}
	bounds := [2][]planner.JoinStateBound{s.LeftBounds, s.RightBounds}
	widths := [2]int{nl, nr}
	for i := range jn.sides {
		for _, b := range bounds[i] {
			if b.Col < 0 || b.Col >= widths[i] {
				return nil, fmt.Errorf("join state bound column %d out of range", b.Col)
			}
		}
		jn.sides[i] = &joinSide{
			keys: keys[i], width: widths[i], outer: outer[i],
			buckets: map[string]*joinBucket{}, bounds: bounds[i],
			byExp: map[int64][]*joinEntry{}, wm: NoWatermark, part: uint16(idx),
		}
	}
	if env != nil {
		if env.Now != nil {
			jn.now = env.Now
		}
		if env.StateTables != nil {
			jn.flushState = env.FlushState
			ids := [2]uint32{s.LeftStateTableID, s.RightStateTableID}
			for i, sd := range jn.sides {
				st, err := env.StateTables(ids[i], idx)
				if err != nil {
					return nil, err
				}
				sd.state, sd.ckDirty = st, map[string]*joinEntry{}
				if err := sd.restore(); err != nil {
					return nil, fmt.Errorf("restoring state table %d: %w", ids[i], err)
				}
			}
		}
	}
	return jn, nil
}

// OnChunk is not used: the runtime calls OnInputChunk with the input the
// chunk came from.
func (j *streamJoin) OnChunk(context.Context, *Chunk, Emitter) error {
	return errors.New("exec: join chunk without its input")
}

// OnWatermark is not used (see OnInputWatermark).
func (j *streamJoin) OnWatermark(_ context.Context, w Watermark, _ Emitter) (Watermark, bool, error) {
	return w, false, nil
}

// OnInputChunk applies a chunk of input (0 left, 1 right).
func (j *streamJoin) OnInputChunk(_ context.Context, input int, c *Chunk, out Emitter) error {
	if input < 0 || input > 1 {
		return fmt.Errorf("exec: join input %d", input)
	}
	if j.ttl > 0 {
		j.nowTick = j.tick()
	}
	for i := 0; i < c.Len(); i++ {
		if err := j.apply(input, c.Op(i).IsInsert(), c.Row(i), out); err != nil {
			return err
		}
	}
	return j.b.flush(out)
}

func (j *streamJoin) tick() int64 {
	t := j.now().UnixMicro()
	return t - t%j.ttlTick
}

// OnInputWatermark records a side's watermark, drops the other side's
// rows it made unmatchable, and returns the output watermark.
func (j *streamJoin) OnInputWatermark(_ context.Context, input int, w Watermark, _ Emitter) (Watermark, bool, error) {
	if input < 0 || input > 1 {
		return w, false, fmt.Errorf("exec: join input %d", input)
	}
	me := j.sides[input]
	if w.TS <= me.wm {
		return w, false, nil
	}
	me.wm = w.TS
	j.sides[1-input].expireBelow(w.TS)
	if !j.hasOut {
		return w, false, nil
	}
	ws, wo := j.sides[j.spec.OutputSide].wm, j.sides[1-j.spec.OutputSide].wm
	if ws == NoWatermark || wo == NoWatermark {
		return w, false, nil
	}
	return Watermark{TS: min(ws, addSat(wo, j.spec.OutputOffset))}, true, nil
}

// OnBarrier expires rows past their TTL and, on a checkpoint barrier,
// writes the epoch's state changes.
func (j *streamJoin) OnBarrier(_ context.Context, b Barrier, _ Emitter) error {
	if j.ttl > 0 {
		now := j.now().UnixMicro()
		for _, s := range j.sides {
			s.expireTTL(now - j.ttl)
		}
	}
	if !b.Checkpoint || j.sides[0].state == nil {
		return nil
	}
	for _, s := range j.sides {
		j.valBuf = s.writeState(j.valBuf)
		if j.flushState != nil {
			if err := j.flushState(b.Epoch, s.state); err != nil {
				return err
			}
		}
	}
	return nil
}

// finalState writes the changes since the last checkpoint (stateful).
func (j *streamJoin) finalState() ([]StateTable, error) {
	if j.sides[0].state == nil {
		return nil, nil
	}
	tables := make([]StateTable, 0, 2)
	for _, s := range j.sides {
		j.valBuf = s.writeState(j.valBuf)
		tables = append(tables, s.state)
	}
	return tables, nil
}

// Close releases nothing: the state tables belong to the job.
func (j *streamJoin) Close() error { return nil }

// stateRows is the number of distinct rows each side holds.
func (j *streamJoin) stateRows() [2]int { return [2]int{j.sides[0].rows, j.sides[1].rows} }

// apply processes one input row of side s.
func (j *streamJoin) apply(s int, insert bool, row types.Row, out Emitter) error {
	me, other := j.sides[s], j.sides[1-s]
	key, ok := me.joinKey(j.keyBuf[:0], row)
	j.keyBuf = key
	expiry, bounded := me.expiryOf(row)
	if !ok || !bounded {
		// A NULL key (or NULL time under a bound) never matches: the row
		// only shows NULL-padded, and needs no state.
		if me.outer {
			return j.emitPadded(out, s, insertOp(insert), row)
		}
		return nil
	}
	j.rowBuf = storage.AppendRow(j.rowBuf[:0], row)
	if insert {
		degree, err := j.probe(out, s, true, row, other.buckets[string(key)])
		if err != nil {
			return err
		}
		if me.outer && degree == 0 {
			if err := j.emitPadded(out, s, Insert, row); err != nil {
				return err
			}
		}
		if len(me.bounds) > 0 && expiry < other.wm {
			// Late: no future row of the other side can match it, so it
			// is not kept (the next watermark would drop it anyway).
			return nil
		}
		me.add(key, j.rowBuf, row, degree, expiry, j.nowTick, j.ttl)
		return nil
	}
	e := me.find(string(key), j.rowBuf)
	if e == nil {
		if len(me.bounds) == 0 || expiry >= other.wm {
			// The input retracts a row it never inserted, or one the TTL
			// dropped: nothing known to retract.
			j.late.Add(1)
			return nil
		}
		// A dead row (dropped when the other side's watermark passed it,
		// or never kept) can still be retracted by its own side, whose
		// watermark may lag. Its partners are all still in state: a
		// partner is only dropped once no future row of this side can
		// match it, and this retraction is such a row. So probing
		// retracts exactly the pairs it produced, and finds none when
		// the row was shown NULL-padded.
		degree, err := j.probe(out, s, false, row, other.buckets[string(key)])
		if err == nil && me.outer && degree == 0 {
			err = j.emitPadded(out, s, Delete, row)
		}
		return err
	}
	if _, err := j.probe(out, s, false, row, other.buckets[string(key)]); err != nil {
		return err
	}
	if me.outer && e.degree == 0 {
		if err := j.emitPadded(out, s, Delete, row); err != nil {
			return err
		}
	}
	me.decrement(e, j.nowTick, j.ttl)
	return nil
}

// probe emits (insert) or retracts the pairs of one copy of row, of side
// s, with its partners in bucket ob; an outer partner's degree follows,
// with its NULL-padded rows retracted when it gets its first match and
// restored when it loses its last. It returns the number of partner rows
// matched (counting multiplicity).
func (j *streamJoin) probe(out Emitter, s int, insert bool, row types.Row, ob *joinBucket) (int64, error) {
	if ob == nil {
		return 0, nil
	}
	other := j.sides[1-s]
	var degree int64
	for _, pe := range ob.entries {
		ok, err := j.matches(s, row, pe.row)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		degree += pe.mult
		other.touch(pe, j.nowTick, j.ttl)
		if insert {
			if other.outer {
				if pe.degree == 0 {
					if err := j.emitPaddedN(out, 1-s, Delete, pe.row, pe.mult); err != nil {
						return 0, err
					}
				}
				pe.degree++
				other.dirty(pe)
			}
			if err := j.emitPairs(out, s, Insert, row, pe.row, pe.mult); err != nil {
				return 0, err
			}
			continue
		}
		if err := j.emitPairs(out, s, Delete, row, pe.row, pe.mult); err != nil {
			return 0, err
		}
		if other.outer {
			pe.degree--
			other.dirty(pe)
			if pe.degree == 0 {
				if err := j.emitPaddedN(out, 1-s, Insert, pe.row, pe.mult); err != nil {
					return 0, err
				}
			}
		}
	}
	return degree, nil
}

func insertOp(insert bool) Op {
	if insert {
		return Insert
	}
	return Delete
}

// matches evaluates the residual over row (of side s) and partner.
func (j *streamJoin) matches(s int, row, partner types.Row) (bool, error) {
	if j.residual == nil {
		return true, nil
	}
	if s == 0 {
		copy(j.pair, row)
		copy(j.pair[j.nl:], partner)
	} else {
		copy(j.pair, partner)
		copy(j.pair[j.nl:], row)
	}
	d, err := j.residual(j.ectx, j.pair)
	if err != nil {
		return false, err
	}
	return d.K == types.KBool && d.Bool(), nil
}

// emitPairs emits n copies of the pair of row (side s) and partner.
func (j *streamJoin) emitPairs(out Emitter, s int, op Op, row, partner types.Row, n int64) error {
	l, r := row, partner
	if s == 1 {
		l, r = partner, row
	}
	for ; n > 0; n-- {
		slot := j.b.slot(op)
		copy(slot, l)
		copy(slot[j.nl:], r)
		if err := j.b.done(out); err != nil {
			return err
		}
	}
	return nil
}

func (j *streamJoin) emitPadded(out Emitter, s int, op Op, row types.Row) error {
	return j.emitPaddedN(out, s, op, row, 1)
}

// emitPaddedN emits n copies of row of side s with NULLs for the other.
func (j *streamJoin) emitPaddedN(out Emitter, s int, op Op, row types.Row, n int64) error {
	off := 0
	if s == 1 {
		off = j.nl
	}
	for ; n > 0; n-- {
		slot := j.b.slot(op)
		copy(slot[off:], row)
		if err := j.b.done(out); err != nil {
			return err
		}
	}
	return nil
}

// joinKey appends the memcomparable encoding of row's join key to buf; ok
// is false when a key column is NULL.
func (s *joinSide) joinKey(buf []byte, row types.Row) ([]byte, bool) {
	for _, k := range s.keys {
		if row[k].IsNull() {
			return buf, false
		}
		buf = storage.AppendKey(buf, row[k], false)
	}
	return buf, true
}

// expiryOf is the time from which the other side's watermark makes row
// unmatchable (MaxInt64 without bounds); ok is false when a bound column
// is NULL (the row never matches).
func (s *joinSide) expiryOf(row types.Row) (int64, bool) {
	exp := int64(math.MaxInt64)
	for _, b := range s.bounds {
		d := row[b.Col]
		if d.IsNull() {
			return 0, false
		}
		exp = min(exp, addSat(d.I, b.OffsetMicros))
	}
	return exp, true
}

func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

// find returns the stored entry of the row encoded as rowKey.
func (s *joinSide) find(key string, rowKey []byte) *joinEntry {
	b := s.buckets[key]
	if b == nil {
		return nil
	}
	if b.pos != nil {
		if i, ok := b.pos[string(rowKey)]; ok {
			return b.entries[i]
		}
		return nil
	}
	for _, e := range b.entries {
		if e.rowKey() == string(rowKey) {
			return e
		}
	}
	return nil
}

// add stores one more copy of row.
func (s *joinSide) add(key, rowKey []byte, row types.Row, degree, expiry, now, ttl int64) {
	if e := s.find(string(key), rowKey); e != nil {
		e.mult++
		s.dirty(e)
		s.touch(e, now, ttl)
		return
	}
	skey := make([]byte, 0, 2+len(key)+len(rowKey))
	skey = binary.BigEndian.AppendUint16(skey, s.part)
	skey = append(append(skey, key...), rowKey...)
	e := &joinEntry{skey: string(skey), rowOff: 2 + len(key), row: CopyRow(row), mult: 1, degree: degree, expiry: expiry}
	s.insertEntry(e)
	s.dirty(e)
	s.touch(e, now, ttl)
}

// insertEntry links a new entry into its bucket and the expiry index.
func (s *joinSide) insertEntry(e *joinEntry) {
	bk := e.bucketKey()
	b := s.buckets[bk]
	if b == nil {
		b = &joinBucket{}
		s.buckets[bk] = b
	}
	b.entries = append(b.entries, e)
	if b.pos != nil {
		b.pos[e.rowKey()] = len(b.entries) - 1
	} else if len(b.entries) > smallBucket {
		b.pos = make(map[string]int, len(b.entries))
		for i, x := range b.entries {
			b.pos[x.rowKey()] = i
		}
	}
	s.rows++
	if len(s.bounds) > 0 {
		if _, ok := s.byExp[e.expiry]; !ok {
			heap.Push(&s.exp, e.expiry)
		}
		s.byExp[e.expiry] = append(s.byExp[e.expiry], e)
	}
}

// decrement removes one copy of e's row.
func (s *joinSide) decrement(e *joinEntry, now, ttl int64) {
	e.mult--
	if e.mult <= 0 {
		s.remove(e)
		return
	}
	s.dirty(e)
	s.touch(e, now, ttl)
}

// remove drops e (every copy) from its bucket.
func (s *joinSide) remove(e *joinEntry) {
	if e.removed {
		return
	}
	e.removed = true
	s.rows--
	s.dirty(e)
	bk := e.bucketKey()
	b := s.buckets[bk]
	var i int
	if b.pos != nil {
		i = b.pos[e.rowKey()]
	} else {
		i = slices.Index(b.entries, e)
	}
	last := len(b.entries) - 1
	b.entries[i] = b.entries[last]
	b.entries[last] = nil
	b.entries = b.entries[:last]
	if b.pos != nil {
		delete(b.pos, e.rowKey())
		if i < last {
			b.pos[b.entries[i].rowKey()] = i
		}
	}
	if len(b.entries) == 0 {
		delete(s.buckets, bk)
	}
}

// dirty records that e must be written at the next checkpoint.
func (s *joinSide) dirty(e *joinEntry) {
	if s.ckDirty != nil {
		s.ckDirty[e.skey] = e
	}
}

// touch refreshes e's TTL.
func (s *joinSide) touch(e *joinEntry, now, ttl int64) {
	if ttl <= 0 || e.touched == now || e.removed {
		return
	}
	e.touched = now
	s.ttlQ = append(s.ttlQ, ttlRef{at: now, e: e})
	s.dirty(e)
}

// expireBelow drops the rows whose expiry is below the other side's new
// watermark w.
func (s *joinSide) expireBelow(w int64) {
	for len(s.exp) > 0 && s.exp[0] < w {
		t := heap.Pop(&s.exp).(int64)
		for _, e := range s.byExp[t] {
			s.remove(e)
		}
		delete(s.byExp, t)
	}
}

// expireTTL drops the rows last touched at or before cutoff.
func (s *joinSide) expireTTL(cutoff int64) {
	for s.ttlHead < len(s.ttlQ) && s.ttlQ[s.ttlHead].at <= cutoff {
		r := s.ttlQ[s.ttlHead]
		s.ttlQ[s.ttlHead] = ttlRef{}
		s.ttlHead++
		if r.e.touched == r.at {
			s.remove(r.e)
		}
	}
	if s.ttlHead > 1024 && s.ttlHead*2 > len(s.ttlQ) {
		n := copy(s.ttlQ, s.ttlQ[s.ttlHead:])
		clear(s.ttlQ[n:])
		s.ttlQ = s.ttlQ[:n]
		s.ttlHead = 0
	}
}

// writeState puts the entries changed since the last call into the state
// table; valBuf is scratch space, returned for reuse.
func (s *joinSide) writeState(valBuf []byte) []byte {
	for k, e := range s.ckDirty {
		if e.removed {
			s.state.Delete([]byte(k))
			continue
		}
		valBuf = binary.AppendUvarint(valBuf[:0], uint64(e.mult))
		valBuf = binary.AppendUvarint(valBuf, uint64(e.degree))
		valBuf = binary.AppendVarint(valBuf, e.touched)
		s.state.Put([]byte(k), valBuf)
	}
	clear(s.ckDirty)
	return valBuf
}

// restore loads the rows this subtask wrote.
func (s *joinSide) restore() error {
	err := s.state.Scan(partitionPrefix(s.part), func(k, v []byte) error {
		_, rest, err := splitStateKey(k)
		if err != nil {
			return err
		}
		keyLen := len(rest)
		for range s.keys {
			if _, rest, err = storage.DecodeKey(rest, false); err != nil {
				return err
			}
		}
		keyLen -= len(rest)
		row, err := storage.DecodeRow(rest, nil)
		if err != nil {
			return err
		}
		if len(row) != s.width {
			return fmt.Errorf("%w: join state row of %d columns, want %d", storage.ErrCorrupt, len(row), s.width)
		}
		e := &joinEntry{skey: string(k), rowOff: 2 + keyLen, row: row}
		if e.mult, e.degree, e.touched, err = decodeJoinValue(v); err != nil {
			return err
		}
		exp, _ := s.expiryOf(row)
		e.expiry = exp
		s.insertEntry(e)
		if e.touched != 0 {
			s.ttlQ = append(s.ttlQ, ttlRef{at: e.touched, e: e})
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(s.ttlQ, func(a, b int) bool { return s.ttlQ[a].at < s.ttlQ[b].at })
	return nil
}

// decodeJoinValue decodes a state value: uvarint multiplicity, uvarint
// degree, varint last touch.
func decodeJoinValue(v []byte) (mult, degree, touched int64, err error) {
	m, n1 := binary.Uvarint(v)
	if n1 <= 0 || m == 0 {
		return 0, 0, 0, fmt.Errorf("%w: join state value", storage.ErrCorrupt)
	}
	d, n2 := binary.Uvarint(v[n1:])
	if n2 <= 0 {
		return 0, 0, 0, fmt.Errorf("%w: join state value", storage.ErrCorrupt)
	}
	t, n3 := binary.Varint(v[n1+n2:])
	if n3 <= 0 || n1+n2+n3 != len(v) {
		return 0, 0, 0, fmt.Errorf("%w: join state value", storage.ErrCorrupt)
	}
	return int64(m), int64(d), t, nil
}
