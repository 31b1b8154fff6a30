package exec

import (
	"context"
	"encoding/binary"
	"fmt"

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
}

func newMaterialize(j *Job, idx int, keyCols []int, tableID uint32) (*materialize, error) {
	m := &materialize{view: j.view, part: j.view.parts[idx], keyCols: keyCols, partition: uint16(idx)}
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

// restore loads the rows this subtask wrote. The state value is
// uvarint(multiplicity) | row (storage.AppendRow).
func (m *materialize) restore() error {
	p := m.part
	p.mu.Lock()
	defer p.mu.Unlock()
	return m.state.Scan(partitionPrefix(m.partition), func(k, v []byte) error {
		_, key, err := splitStateKey(k)
		if err != nil {
			return err
		}
		n, w := binary.Uvarint(v)
		if w <= 0 || n == 0 {
			return fmt.Errorf("%w: view row multiplicity", storage.ErrCorrupt)
		}
		row, err := storage.DecodeRow(v[w:], nil)
		if err != nil {
			return err
		}
		p.rows[string(key)] = &viewRow{row: row, n: int(n)}
		return nil
	})
}

func (m *materialize) OnChunk(ctx context.Context, c *Chunk, _ Emitter) error {
	changes, subs, buf := m.part.apply(c, m.keyCols, m.keyBuf, m.view.track)
	m.keyBuf = buf
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
func (m *materialize) writeState(changed map[string]viewRow) {
	for key, before := range changed {
		r := m.part.rows[key]
		if r == nil && before.n == 0 {
			// Absent then and now (a row of a view without a key that
			// changed again): the table does not hold it.
			continue
		}
		m.stateBuf = stateKey(m.stateBuf, m.partition, key)
		if r == nil {
			m.state.Delete(m.stateBuf)
			continue
		}
		m.valBuf = storage.AppendRow(binary.AppendUvarint(m.valBuf[:0], uint64(r.n)), r.row)
		m.state.Put(m.stateBuf, m.valBuf)
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
