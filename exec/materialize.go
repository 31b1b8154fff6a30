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
	// blockRows is the number of entries in the open changelog block
	// (valBuf).
	blockRows int

	// An append-only partition (viewPart.appendOnly) writes its rows in
	// blocks keyed by a sequence number rather than each row keyed by its
	// value: written is how many rows of the log the state table has, and
	// seq the sequence number of the next block.
	written int
	seq     uint64

	// Any other partition writes its changes as blocks of a changelog
	// (changeBlockTag | seq): one Badger key per few hundred changed rows
	// rather than per row, which made the per-key cost of Badger most of
	// a busy view's work. The live blocks are seqs [firstBlock,
	// nextBlock), holding logged entries; once that is well above the
	// rows the partition has, a checkpoint rewrites the rows as fresh
	// blocks and deletes the older ones (compact).
	firstBlock, nextBlock uint64
	logged                int
	// legacy lists the state keys of rows written one key per row (before
	// changelog blocks); the first checkpoint compacts and deletes them,
	// so a committed checkpoint never holds both forms.
	legacy []string
}

// appendBlockTag follows the partition in the state key of a block of an
// append-only view's rows: no memcomparable key encoding starts with it,
// so blocks and rows keyed by value cannot be confused.
const appendBlockTag = 0x00

// changeBlockTag follows the partition in the state key of a block of a
// view's changelog, which restore replays in seq order. Like
// appendBlockTag it starts no memcomparable key.
const changeBlockTag = 0x01

// compactSlack is how many logged entries beyond twice its rows a
// partition's changelog may hold before a checkpoint rewrites it: the
// rewrite then costs at most about one more row write per logged change.
const compactSlack = 4096

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
		if len(key) > 0 && key[0] == changeBlockTag {
			if p.appendOnly || len(key) != 9 {
				return fmt.Errorf("%w: changelog block in an append-only view", storage.ErrCorrupt)
			}
			seq := binary.BigEndian.Uint64(key[1:])
			if m.nextBlock == 0 {
				m.firstBlock = seq
			}
			m.nextBlock = seq + 1
			m.logged += int(n)
			return m.replay(v, int(n))
		}
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
		m.legacy = append(m.legacy, string(k))
		return nil
	})
	m.written, p.logCommitted = p.log.n, p.log.n
	if err == nil && len(m.legacy) > 0 && m.nextBlock > 0 {
		// Changelog blocks sort before rows keyed by value, so replaying
		// them first would be wrong; the compaction that deletes the
		// legacy rows commits atomically, so this cannot happen.
		return fmt.Errorf("%w: view rows both keyed by value and in changelog blocks", storage.ErrCorrupt)
	}
	return err
}

// replay applies the n entries of a changelog block, each uvarint(n) |
// row, where n is the key's multiplicity (0: deleted). p.mu is held.
func (m *materialize) replay(v []byte, n int) error {
	p := m.part
	for range n {
		c, w := binary.Uvarint(v)
		if w <= 0 {
			return fmt.Errorf("%w: view changelog multiplicity", storage.ErrCorrupt)
		}
		row, rest, err := storage.DecodeRowPrefix(v[w:], nil)
		if err != nil {
			return err
		}
		v = rest
		m.keyBuf = appendViewKey(m.keyBuf[:0], row, m.keyCols)
		if c == 0 {
			delete(p.rows, string(m.keyBuf))
			continue
		}
		if r := p.rows[string(m.keyBuf)]; r != nil {
			r.row, r.n = row, int(c)
			continue
		}
		ks := string(m.keyBuf)
		p.rows[ks] = &viewRow{key: ks, row: row, n: int(c)}
	}
	if len(v) != 0 {
		return fmt.Errorf("%w: %d trailing bytes in a view changelog block", storage.ErrCorrupt, len(v))
	}
	return nil
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
	rows := len(m.part.rows)
	if len(m.legacy) > 0 || m.logged+len(changed) > 2*rows+compactSlack {
		m.compact()
		return
	}
	m.valBuf, m.blockRows = m.valBuf[:0], 0
	for _, e := range changed {
		r := e.cur
		switch {
		case r.n == 0 && e.n == 0:
			// Absent then and now: the table does not hold it.
		case r.n == 0:
			// Deleted: the before-image carries the key.
			m.addChange(0, e.row)
		default:
			m.addChange(r.n, r.row)
		}
	}
	m.putChangeBlock()
}

// addChange appends the changelog entry multiplicity | row to the open
// block and writes the block once it is full.
func (m *materialize) addChange(n int, row types.Row) {
	m.valBuf = storage.AppendRow(binary.AppendUvarint(m.valBuf, uint64(n)), row)
	m.blockRows++
	if m.blockRows == appendBlockRows || len(m.valBuf) >= appendBlockBytes {
		m.putChangeBlock()
	}
}

// putChangeBlock writes the open block's entries, if any, as the next
// changelog block.
func (m *materialize) putChangeBlock() {
	if m.blockRows == 0 {
		return
	}
	m.blockBuf = append(binary.AppendUvarint(m.blockBuf[:0], uint64(m.blockRows)), m.valBuf...)
	m.state.Put(m.blockKey(changeBlockTag, m.nextBlock), m.blockBuf)
	m.nextBlock++
	m.logged += m.blockRows
	m.valBuf, m.blockRows = m.valBuf[:0], 0
}

// blockKey is the state key of the partition's block seq of kind tag.
func (m *materialize) blockKey(tag byte, seq uint64) []byte {
	m.stateBuf = binary.BigEndian.AppendUint64(append(stateKey(m.stateBuf, m.partition, ""), tag), seq)
	return m.stateBuf
}

// compact replaces the partition's changelog (and rows keyed by value)
// with blocks of its current rows.
func (m *materialize) compact() {
	for seq := m.firstBlock; seq < m.nextBlock; seq++ {
		m.state.Delete(m.blockKey(changeBlockTag, seq))
	}
	for _, k := range m.legacy {
		m.state.Delete([]byte(k))
	}
	m.legacy = nil
	m.firstBlock, m.logged = m.nextBlock, 0
	m.valBuf, m.blockRows = m.valBuf[:0], 0
	for _, r := range m.part.rows {
		if r.n > 0 {
			m.addChange(r.n, r.row)
		}
	}
	m.putChangeBlock()
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
		m.blockBuf = append(binary.AppendUvarint(m.blockBuf[:0], uint64(n)), m.valBuf...)
		m.state.Put(m.blockKey(appendBlockTag, m.seq), m.blockBuf)
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
