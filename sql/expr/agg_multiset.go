package expr

import (
	"encoding/binary"
	"strings"

	"github.com/google/btree"

	"streamsqld/sql/types"
)

// btreeDegree keeps the per-group trees small: most groups hold few values.
const btreeDegree = 8

// ---------------------------------------------------------------- min/max

type mmEntry struct {
	d types.Datum
	n int64
}

// minMaxAcc keeps every live value with its multiplicity in a B-tree so
// that retracting the current minimum (maximum) finds the next one in
// O(log n).
type minMaxAcc struct {
	tree  *btree.BTreeG[*mmEntry]
	probe mmEntry
	sign  int // 1 max, -1 min
}

func newMinMax(sign int) *minMaxAcc { return &minMaxAcc{sign: sign} }

func mmLess(a, b *mmEntry) bool { return compareDatum(a.d, b.d) < 0 }

func (a *minMaxAcc) Add(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	if a.tree == nil {
		a.tree = btree.NewG(btreeDegree, mmLess)
	}
	a.probe.d = d
	if e, ok := a.tree.Get(&a.probe); ok {
		e.n++
	} else {
		a.tree.ReplaceOrInsert(&mmEntry{d: d, n: 1})
	}
	a.probe.d = types.Null
	return nil
}

func (a *minMaxAcc) Retract(d types.Datum) error {
	if d.K == types.KNull {
		return nil
	}
	if a.tree == nil {
		return errRetractMissing
	}
	a.probe.d = d
	e, ok := a.tree.Get(&a.probe)
	a.probe.d = types.Null
	if !ok {
		return errRetractMissing
	}
	if e.n--; e.n == 0 {
		a.tree.Delete(e)
	}
	return nil
}

func (a *minMaxAcc) Result() types.Datum {
	if a.tree == nil || a.tree.Len() == 0 {
		return types.Null
	}
	var e *mmEntry
	if a.sign > 0 {
		e, _ = a.tree.Max()
	} else {
		e, _ = a.tree.Min()
	}
	return e.d
}

func (a *minMaxAcc) AppendState(buf []byte) []byte {
	if a.tree == nil {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, uint64(a.tree.Len()))
	a.tree.Ascend(func(e *mmEntry) bool {
		buf = appendDatum(buf, e.d)
		buf = binary.AppendVarint(buf, e.n)
		return true
	})
	return buf
}

func (a *minMaxAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	n := r.uvarint()
	if n > uint64(len(b)) {
		return errCorruptState
	}
	a.tree = btree.NewG(btreeDegree, mmLess)
	for i := uint64(0); i < n && r.err == nil; i++ {
		d := r.datum()
		c := r.varint()
		a.tree.ReplaceOrInsert(&mmEntry{d: d, n: c})
	}
	return r.err
}

// ---------------------------------------------------------------- string_agg/array_agg

type seqItem struct {
	seq   uint64
	v     types.Datum
	delim string
}

func seqLess(a, b *seqItem) bool { return a.seq < b.seq }

// seqAcc keeps the live inputs of string_agg (str) or array_agg in input
// order. Retracting a value removes its most recent occurrence, found
// through index (encoded value -> live sequence numbers).
type seqAcc struct {
	str   bool
	tree  *btree.BTreeG[*seqItem]
	index map[string][]uint64
	next  uint64
	probe seqItem
	key   []byte
}

// split returns the value and delimiter of one input.
func (a *seqAcc) split(d types.Datum) (types.Datum, string, bool) {
	if !a.str {
		return d, "", true
	}
	if d.K != types.KArray {
		// A single-argument call (no delimiter given).
		return d, "", d.K != types.KNull
	}
	args := d.Array()
	if len(args) == 0 || args[0].K == types.KNull {
		return types.Null, "", false
	}
	delim := ""
	if len(args) > 1 && args[1].K != types.KNull {
		delim = args[1].S
	}
	return args[0], delim, true
}

func (a *seqAcc) keyOf(v types.Datum, delim string) []byte {
	a.key = appendDatum(a.key[:0], v)
	if a.str {
		a.key = append(a.key, delim...)
	}
	return a.key
}

func (a *seqAcc) insert(v types.Datum, delim string) {
	if a.tree == nil {
		a.tree = btree.NewG(btreeDegree, seqLess)
	}
	it := &seqItem{seq: a.next, v: v, delim: delim}
	a.next++
	a.tree.ReplaceOrInsert(it)
	k := string(a.keyOf(v, delim))
	a.index[k] = append(a.index[k], it.seq)
}

func (a *seqAcc) Add(d types.Datum) error {
	v, delim, ok := a.split(d)
	if !ok {
		return nil
	}
	a.insert(v, delim)
	return nil
}

func (a *seqAcc) Retract(d types.Datum) error {
	v, delim, ok := a.split(d)
	if !ok {
		return nil
	}
	k := a.keyOf(v, delim)
	seqs := a.index[string(k)]
	if len(seqs) == 0 || a.tree == nil {
		return errRetractMissing
	}
	a.probe.seq = seqs[len(seqs)-1]
	a.tree.Delete(&a.probe)
	if len(seqs) == 1 {
		delete(a.index, string(k))
	} else {
		a.index[string(k)] = seqs[:len(seqs)-1]
	}
	return nil
}

func (a *seqAcc) Result() types.Datum {
	if a.tree == nil || a.tree.Len() == 0 {
		return types.Null
	}
	if a.str {
		var b strings.Builder
		first := true
		a.tree.Ascend(func(it *seqItem) bool {
			if !first {
				b.WriteString(it.delim)
			}
			first = false
			b.WriteString(it.v.S)
			return true
		})
		return types.NewString(b.String())
	}
	out := make([]types.Datum, 0, a.tree.Len())
	a.tree.Ascend(func(it *seqItem) bool {
		out = append(out, it.v)
		return true
	})
	return types.NewArray(out)
}

func (a *seqAcc) AppendState(buf []byte) []byte {
	if a.tree == nil {
		return binary.AppendUvarint(buf, 0)
	}
	buf = binary.AppendUvarint(buf, uint64(a.tree.Len()))
	a.tree.Ascend(func(it *seqItem) bool {
		buf = appendDatum(buf, it.v)
		if a.str {
			buf = binary.AppendUvarint(buf, uint64(len(it.delim)))
			buf = append(buf, it.delim...)
		}
		return true
	})
	return buf
}

func (a *seqAcc) LoadState(b []byte) error {
	r := stateReader{b: b}
	n := r.uvarint()
	if n > uint64(len(b)) {
		return errCorruptState
	}
	a.tree, a.index, a.next = nil, map[string][]uint64{}, 0
	for i := uint64(0); i < n && r.err == nil; i++ {
		v := r.datum()
		delim := ""
		if a.str {
			delim = string(r.bytes(r.uvarint()))
		}
		if r.err == nil {
			a.insert(v, delim)
		}
	}
	return r.err
}
