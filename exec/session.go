package exec

import (
	"container/heap"
	"context"
	"errors"
	"sort"
	"sync/atomic"

	"streamsqld/planner"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// sessionWindow assigns rows to per-key sessions: rows of a key whose
// times are less than GapMicros apart share a session [first time, last
// time + gap). Output is the input row plus window_start and window_end.
// When a row extends or merges sessions, the rows already emitted with
// the old bounds are retracted and emitted again with the new ones.
//
// A session whose end the watermark reached is final and its rows are
// freed; rows with a time below the watermark are late (they could belong
// to a freed session): dropped and counted.
type sessionWindow struct {
	Base
	timeCol int
	keyCols []int
	gap     int64
	late    *atomic.Int64
	width   int

	keys    map[string]*sessionKey
	touched []*sessionKey
	// ends is a min-heap of (session end, key); entries may be stale.
	ends sessionHeap
	wm   int64

	b      chunkBuilder
	keyBuf []byte
}

type sessionKey struct {
	key     string
	rows    []*sessionRow
	touched bool
}

type sessionRow struct {
	row        types.Row
	ts         int64
	start, end int64
	emitted    bool
}

func newSessionWindow(op *planner.Operator, stats *subtaskStats) (*sessionWindow, error) {
	s := op.SessionWindow
	if s == nil {
		return nil, errors.New("missing session window spec")
	}
	if s.GapMicros <= 0 {
		return nil, errors.New("session gap must be positive")
	}
	return &sessionWindow{
		timeCol: s.TimeCol, keyCols: s.KeyCols, gap: s.GapMicros, late: &stats.late,
		width: len(op.Output), keys: map[string]*sessionKey{}, wm: NoWatermark,
		b: newChunkBuilder(len(op.Output)),
	}, nil
}

func (s *sessionWindow) OnChunk(_ context.Context, c *Chunk, out Emitter) error {
	inWidth := s.width - 2
	for i := 0; i < c.Len(); i++ {
		row := c.Row(i)
		t := row[s.timeCol]
		if t.IsNull() {
			continue
		}
		if t.I < s.wm {
			s.late.Add(1)
			continue
		}
		s.keyBuf = s.keyBuf[:0]
		for _, k := range s.keyCols {
			s.keyBuf = storage.AppendKey(s.keyBuf, row[k], false)
		}
		k := s.keys[string(s.keyBuf)]
		if c.Op(i).IsInsert() {
			if k == nil {
				k = &sessionKey{key: string(s.keyBuf)}
				s.keys[k.key] = k
			}
			k.rows = append(k.rows, &sessionRow{row: CopyRow(row[:inWidth]), ts: t.I})
		} else {
			if k == nil {
				continue
			}
			for j, r := range k.rows {
				if r.ts == t.I && rowsEqual(r.row, row[:inWidth]) {
					if r.emitted {
						if err := s.emit(out, Delete, r, r.start, r.end); err != nil {
							return err
						}
					}
					k.rows = append(k.rows[:j], k.rows[j+1:]...)
					break
				}
			}
		}
		if !k.touched {
			k.touched = true
			s.touched = append(s.touched, k)
		}
	}
	for _, k := range s.touched {
		k.touched = false
		if err := s.reassign(k, out); err != nil {
			return err
		}
	}
	clear(s.touched)
	s.touched = s.touched[:0]
	return s.b.flush(out)
}

func (s *sessionWindow) emit(out Emitter, op Op, r *sessionRow, start, end int64) error {
	slot := s.b.slot(op)
	copy(slot, r.row)
	slot[len(r.row)] = types.NewTime(start)
	slot[len(r.row)+1] = types.NewTime(end)
	return s.b.done(out)
}

// reassign recomputes the sessions of k and emits the rows whose session
// changed: retractions first, then the new rows.
func (s *sessionWindow) reassign(k *sessionKey, out Emitter) error {
	if len(k.rows) == 0 {
		delete(s.keys, k.key)
		return nil
	}
	sort.SliceStable(k.rows, func(a, b int) bool { return k.rows[a].ts < k.rows[b].ts })
	type bounds struct{ start, end int64 }
	nb := make([]bounds, len(k.rows))
	for i := 0; i < len(k.rows); {
		start, end := k.rows[i].ts, k.rows[i].ts+s.gap
		j := i + 1
		for j < len(k.rows) && k.rows[j].ts < end {
			end = max(end, k.rows[j].ts+s.gap)
			j++
		}
		changed := false
		for x := i; x < j; x++ {
			nb[x] = bounds{start, end}
			r := k.rows[x]
			changed = changed || !r.emitted || r.start != start || r.end != end
		}
		if changed {
			// Only a new or moved session needs a (new) entry; unchanged
			// ones already have theirs.
			heap.Push(&s.ends, sessionEnd{end: end, key: k.key})
		}
		i = j
	}
	for i, r := range k.rows {
		if r.emitted && (r.start != nb[i].start || r.end != nb[i].end) {
			if err := s.emit(out, Delete, r, r.start, r.end); err != nil {
				return err
			}
			r.emitted = false
		}
	}
	for i, r := range k.rows {
		if !r.emitted {
			r.start, r.end, r.emitted = nb[i].start, nb[i].end, true
			if err := s.emit(out, Insert, r, r.start, r.end); err != nil {
				return err
			}
		}
	}
	return nil
}

// OnWatermark frees the sessions that ended.
func (s *sessionWindow) OnWatermark(_ context.Context, w Watermark, _ Emitter) (Watermark, bool, error) {
	if w.TS <= s.wm {
		return w, true, nil
	}
	s.wm = w.TS
	for len(s.ends) > 0 && s.ends[0].end <= w.TS {
		e := heap.Pop(&s.ends).(sessionEnd)
		k := s.keys[e.key]
		if k == nil {
			continue
		}
		kept := k.rows[:0]
		for _, r := range k.rows {
			if r.end > w.TS {
				kept = append(kept, r)
			}
		}
		clear(k.rows[len(kept):])
		k.rows = kept
		if len(k.rows) == 0 {
			delete(s.keys, k.key)
		}
	}
	return w, true, nil
}

type sessionEnd struct {
	end int64
	key string
}

type sessionHeap []sessionEnd

func (h sessionHeap) Len() int           { return len(h) }
func (h sessionHeap) Less(i, j int) bool { return h[i].end < h[j].end }
func (h sessionHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sessionHeap) Push(x any)        { *h = append(*h, x.(sessionEnd)) }
func (h *sessionHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
