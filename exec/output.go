package exec

import (
	"context"
	"time"

	"streamsqld/planner"
	"streamsqld/sql/types"
)

// VnodeCount is the number of virtual nodes hash partitioning uses: a
// row's key hashes to a vnode, and each consumer subtask owns a contiguous
// range of vnodes. Keyed state can be stored under the vnode so that it
// can be redistributed when the parallelism changes.
const VnodeCount = 256

// Vnode returns the vnode of the key columns cols of row. types.Hash
// hashes SQL-equal values alike (1.0 and 1.00, -0 and 0) with a fixed
// function, so the mapping is the same in every subtask and survives
// restarts.
func Vnode(row types.Row, cols []int) uint16 {
	var h uint64
	for _, c := range cols {
		h = types.Hash(row[c], h)
	}
	return uint16(h % VnodeCount)
}

// vnodeOwner returns the subtask, out of parallelism, owning vnode.
func vnodeOwner(vnode uint16, parallelism int) int {
	return int(vnode) * parallelism / VnodeCount
}

// edge is one output edge of a producer subtask: the channels to the
// consumer operator's subtasks this subtask feeds.
type edge struct {
	kind  planner.ExchangeKind
	keys  []int
	chans []chan Message
	// pending holds, for a hash exchange, one chunk per consumer being
	// filled; it is sent when full and flushed before any watermark or
	// barrier so each channel keeps the producer's order.
	pending []*Chunk
}

// output is a subtask's Emitter: it routes chunks over every output edge.
type output struct {
	ctx    context.Context
	width  int
	edges  []*edge
	stats  *subtaskStats
	closed bool
}

// Emit routes c and takes ownership of it.
func (o *output) Emit(c *Chunk) error {
	n := c.Len()
	if n == 0 {
		releaseChunk(c)
		return nil
	}
	o.stats.rowsOut.Add(int64(n))
	if len(o.edges) == 0 {
		releaseChunk(c)
		return nil
	}
	for i, e := range o.edges {
		ch := c
		if i < len(o.edges)-1 {
			ch = c.Clone()
		}
		if err := o.emitEdge(e, ch); err != nil {
			return err
		}
	}
	return nil
}

func (o *output) emitEdge(e *edge, c *Chunk) error {
	switch {
	case e.kind == planner.Hash && len(e.chans) > 1:
		return o.emitHash(e, c)
	case e.kind == planner.Broadcast:
		for i, ch := range e.chans {
			cc := c
			if i < len(e.chans)-1 {
				cc = c.Clone()
			}
			if err := o.send(ch, chunkMsg(cc)); err != nil {
				return err
			}
		}
		return nil
	default:
		// Forward, Single and a hash exchange to one subtask have exactly
		// one channel.
		return o.send(e.chans[0], chunkMsg(c))
	}
}

func (o *output) emitHash(e *edge, c *Chunk) error {
	n := c.Len()
	prevTarget := -1
	for i := 0; i < n; i++ {
		row := c.Row(i)
		t := vnodeOwner(Vnode(row, e.keys), len(e.chans))
		op := c.Op(i)
		// An update whose key changed goes to two subtasks; each half
		// alone is a plain delete or insert.
		switch op {
		case UpdateDelete:
			if i+1 < n && c.Op(i+1) == UpdateInsert {
				if vnodeOwner(Vnode(c.Row(i+1), e.keys), len(e.chans)) != t {
					op = Delete
				}
			}
		case UpdateInsert:
			if prevTarget != t || i == 0 || c.Op(i-1) != UpdateDelete {
				op = Insert
			}
		}
		prevTarget = t
		p := e.pending[t]
		if p == nil {
			p = getChunk(c.width)
			e.pending[t] = p
		}
		p.Append(op, row)
		if p.Full() {
			e.pending[t] = nil
			if err := o.send(e.chans[t], chunkMsg(p)); err != nil {
				return err
			}
		}
	}
	releaseChunk(c)
	return nil
}

// flush sends every partly filled hash chunk.
func (o *output) flush() error {
	for _, e := range o.edges {
		for t, p := range e.pending {
			if p == nil {
				continue
			}
			e.pending[t] = nil
			if err := o.send(e.chans[t], chunkMsg(p)); err != nil {
				return err
			}
		}
	}
	return nil
}

// broadcast sends a watermark or barrier to every consumer subtask, after
// the rows emitted before it.
func (o *output) broadcast(m Message) error {
	if err := o.flush(); err != nil {
		return err
	}
	for _, e := range o.edges {
		for _, ch := range e.chans {
			if err := o.send(ch, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// send blocks until ch accepts m or the job stops; the time spent blocked
// is the backpressure this subtask sees.
func (o *output) send(ch chan Message, m Message) error {
	select {
	case ch <- m:
		return nil
	default:
	}
	start := time.Now()
	defer func() { o.stats.blocked.Add(int64(time.Since(start))) }()
	select {
	case ch <- m:
		return nil
	case <-o.ctx.Done():
		if m.Kind == MsgChunk {
			releaseChunk(m.Chunk)
		}
		return o.ctx.Err()
	}
}

// close tells every consumer that this subtask finished (end of a bounded
// stream or a stop barrier). Only the owner of a channel closes it, and
// each channel has exactly one producer subtask.
func (o *output) close() {
	if o.closed {
		return
	}
	o.closed = true
	for _, e := range o.edges {
		for _, ch := range e.chans {
			close(ch)
		}
	}
}
