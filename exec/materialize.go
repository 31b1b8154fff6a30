package exec

import (
	"context"
	"encoding/binary"
	"fmt"

	"streamsqld/planner"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// materialize is the sink: it applies the changelog to its partition of
// the view and forwards the effective changes to the view's subscribers.
//
// With a state table, the partition's rows are its state: on a checkpoint
// barrier the keys changed during the epoch (the partition's undo log of
// the epoch names them) are written under the subtask's partition prefix,
// and a rebuilt job starts with the rows of the restored checkpoint.
type materialize struct {
	Base
	view    *View
	part    *viewPart
	keyCols []int
	keyBuf  []byte

	state      StateTable
	partition  uint16
	flushState func(epoch uint64, t StateTable) error
	stateBuf   []byte
	valBuf     []byte
	blockBuf   []byte

	// An append-only partition (viewPart.appendOnly) writes its rows in
	// blocks keyed by a sequence number rather than each row keyed by its
	// value: written is how many rows of the log the state table has, and
	// seq the sequence number of the next block.
	written int
	seq     uint64
}

// appendBlockTag follows the partition in the state key of a block of an
// append-only view's rows: no memcomparable key encoding starts with it,
// so blocks and rows keyed by value cannot be confused.
const appendBlockTag = 0x00

// Blocks of an append-only view's rows end after appendBlockRows rows or
// once their encoding reaches appendBlockBytes: large enough that the
// per-key cost of the state store is small per row, small enough for a
// block to stay in Badger's LSM tree rather than its value log.
const (
	appendBlockRows  = 512
	appendBlockBytes = 64 << 10
)

func newMaterialize(j *Job, idx int, keyCols []int, tableID uint32) (*materialize, error) {
	m := &materialize{view: j.view, part: j.view.parts[idx], keyCols: keyCols, partition: uint16(idx)}
	if keyCols == nil && planner.AppendOnly(j.graph) {
		m.part.mu.Lock()
		m.part.appendOnly = true
		m.part.mu.Unlock()
	}
	env := &j.env
	if tableID == 0 || env.StateTables == nil {
		return m, nil
	}
	st, err := env.StateTables(tableID, idx)
	if err != nil {
		return nil, err
	}
	m.state, m.flushState = st, env.FlushState
	if err := m.restore(); err != nil {
		return nil, fmt.Errorf("restoring state table %d: %w", tableID, err)
	}
	writeOnly(st) // the view holds every row
	return m, nil
}

// restore loads the rows this subtask wrote. A row keyed by value has the
// state value uvarint(multiplicity) | row (storage.AppendRow); a block of
// an append-only view's rows has the key appendBlockTag | seq (8 bytes,
// big-endian) and the value uvarint(rows) | row | row ...
func (m *materialize) restore() error {
	p := m.part
	p.mu.Lock()
	defer p.mu.Unlock()
	var row types.Row
	err := m.state.Scan(partitionPrefix(m.partition), func(k, v []byte) error {
		_, key, err := splitStateKey(k)
		if err != nil {
			return err
		}
		n, w := binary.Uvarint(v)
		if w <= 0 || n == 0 {
			return fmt.Errorf("%w: view row multiplicity", storage.ErrCorrupt)
		}
		v = v[w:]
		if len(key) > 0 && key[0] == appendBlockTag {
			if !p.appendOnly || len(key) != 9 {
				return fmt.Errorf("%w: block of an append-only view in a view that is not", storage.ErrCorrupt)
			}
			for range n {
				var rest []byte
				if row, rest, err = storage.DecodeRowPrefix(v, row); err != nil {
					return err
				}
				v = rest
				p.log.appendRow(row)
			}
			if len(v) != 0 {
				return fmt.Errorf("%w: %d trailing bytes in a view block", storage.ErrCorrupt, len(v))
			}
			m.seq = max(m.seq, binary.BigEndian.Uint64(key[1:])+n)
			return nil
		}
		if p.appendOnly {
			// Written before the view's rows were kept in blocks: the
			// row stays under its key, which nothing rewrites.
			if row, err = storage.DecodeRow(v, row); err != nil {
				return err
			}
			for range n {
				p.log.appendRow(row)
			}
			return nil
		}
		r, err := storage.DecodeRow(v, nil)
		if err != nil {
			return err
		}
		ks := string(key)
		p.rows[ks] = &viewRow{key: ks, row: r, n: int(n)}
		return nil
	})
	m.written, p.logCommitted = p.log.n, p.log.n
	return err
}

func (m *materialize) OnChunk(ctx context.Context, c *Chunk, _ Emitter) error {
	changes, subs, buf, err := m.part.apply(c, m.keyCols, m.keyBuf, m.view.track)
	m.keyBuf = buf
	if err != nil {
		return err
	}
	for i, s := range subs {
		ch := changes
		if i < len(subs)-1 {
			ch = changes.Clone()
		}
		select {
		case s.ch <- ch:
		case <-s.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// OnBarrier closes the epoch of a checkpoint barrier in the view's undo
// log and writes the rows it changed to the state table.
func (m *materialize) OnBarrier(_ context.Context, b Barrier, _ Emitter) error {
	if !b.Checkpoint || !m.view.track {
		return nil
	}
	changed := m.part.seal(b.Epoch, m.view.consistent)
	if m.state == nil {
		return nil
	}
	m.writeState(changed)
	if m.flushState != nil {
		return m.flushState(b.Epoch, m.state)
	}
	return nil
}

// writeState writes the current row of every key in changed (with their
// rows as of the previous write). Only this subtask writes the
// partition's rows, so it reads them without the lock.
func (m *materialize) writeState(changed []undoEntry) {
	if m.part.appendOnly {
		m.writeBlocks()
		return
	}
	for _, e := range changed {
		r := e.cur
		if r.n == 0 && e.n == 0 {
			// Absent then and now: the table does not hold it.
			continue
		}
		m.stateBuf = stateKey(m.stateBuf, m.partition, r.key)
		if r.n == 0 {
			m.state.Delete(m.stateBuf)
			continue
		}
		m.valBuf = storage.AppendRow(binary.AppendUvarint(m.valBuf[:0], uint64(r.n)), r.row)
		m.state.Put(m.stateBuf, m.valBuf)
	}
}

// writeBlocks writes the rows appended to an append-only partition since
// the last write, in blocks. Only this subtask appends to the log, so it
// reads it without the lock.
func (m *materialize) writeBlocks() {
	log := &m.part.log
	for m.written < log.n {
		n := 0
		m.valBuf = m.valBuf[:0]
		for m.written+n < log.n && n < appendBlockRows && len(m.valBuf) < appendBlockBytes {
			m.valBuf = storage.AppendRow(m.valBuf, log.row(m.written+n))
			n++
		}
		m.stateBuf = binary.BigEndian.AppendUint64(append(stateKey(m.stateBuf, m.partition, ""), appendBlockTag), m.seq)
		m.blockBuf = append(binary.AppendUvarint(m.blockBuf[:0], uint64(n)), m.valBuf...)
		m.state.Put(m.stateBuf, m.blockBuf)
		m.written += n
		m.seq += uint64(n)
	}
}

// finalState writes the rows changed since the last checkpoint barrier.
// The undo log stays open: reads keep the committed image until a
// checkpoint holding this state commits (CommitView).
func (m *materialize) finalState() ([]StateTable, error) {
	if m.state == nil {
		return nil, nil
	}
	m.part.mu.Lock()
	changed := m.part.open
	m.part.mu.Unlock()
	m.writeState(changed)
	return []StateTable{m.state}, nil
}
