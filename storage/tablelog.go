package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"streamsqld/sql/types"
)

// A table log holds the rows INSERTed into a table, in offset order. Views
// read a table by following its log from an offset kept in their checkpoint
// manifest, so a row is never lost or read twice across restarts.
//
// Appends to one table are serialized: each takes the next offsets, writes
// its rows and the new end marker in one synced transaction, and only then
// publishes the new end to readers. Readers never look past the published
// end, so they see a durable, gap-free prefix.

type tableLog struct {
	id uint32

	// appendMu serializes appends; next is the offset the next append
	// takes. Rows at or beyond next may exist from a failed append; they
	// are overwritten (at a higher version) by the next one.
	appendMu sync.Mutex
	next     uint64

	// mu guards end and changed. changed is closed and replaced whenever
	// end advances.
	mu      sync.Mutex
	end     uint64
	changed chan struct{}
	closed  bool
}

func logRowKey(id uint32, off uint64) []byte {
	k := make([]byte, 13)
	k[0] = nsLogRow
	binary.BigEndian.PutUint32(k[1:], id)
	binary.BigEndian.PutUint64(k[5:], off)
	return k
}

func logEndKey(id uint32) []byte {
	k := make([]byte, 5)
	k[0] = nsLogEnd
	binary.BigEndian.PutUint32(k[1:], id)
	return k
}

// tableLog returns the in-memory state of table id's log, loading its end
// marker on first use.
func (db *DB) tableLog(id uint32) (*tableLog, error) {
	if db.closed.Load() {
		return nil, ErrClosed
	}
	db.logsMu.Lock()
	defer db.logsMu.Unlock()
	if l, ok := db.logs[id]; ok {
		return l, nil
	}
	txn := db.bdb.NewTransactionAt(readLatest, false)
	defer txn.Discard()
	var end uint64
	item, err := txn.Get(logEndKey(id))
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return nil, fmt.Errorf("storage: table log %d: %w", id, err)
	default:
		err = item.Value(func(v []byte) error {
			if len(v) != 8 {
				return fmt.Errorf("%w: table log %d end marker", ErrCorrupt, id)
			}
			end = binary.BigEndian.Uint64(v)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	l := &tableLog{id: id, next: end, end: end, changed: make(chan struct{})}
	db.logs[id] = l
	return l, nil
}

// AppendTableRows appends rows to table id's log and returns the offsets
// they took, [firstOffset, nextOffset). The rows are durable when it
// returns. Concurrent appends to one table take consecutive ranges.
func (db *DB) AppendTableRows(tableID uint32, rows []types.Row) (firstOffset, nextOffset uint64, err error) {
	l, err := db.tableLog(tableID)
	if err != nil {
		return 0, 0, err
	}
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	first := l.next
	if len(rows) == 0 {
		return first, first, nil
	}
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer func() { txn.Discard() }()
	// Badger keeps references to keys and values until commit. One buffer
	// serves all values: append only ever writes past what earlier slices
	// cover, so they stay intact even when it reallocates.
	buf := make([]byte, 0, 64*len(rows))
	for i, row := range rows {
		start := len(buf)
		buf = AppendRow(buf, row)
		k, v := logRowKey(tableID, first+uint64(i)), buf[start:len(buf):len(buf)]
		err := txn.Set(k, v)
		if errors.Is(err, badger.ErrTxnTooBig) {
			// Commit what fits. The rows are not visible until the end
			// marker, written by the last transaction, covers them, so the
			// append stays all-or-nothing for readers and for recovery.
			if err := txn.CommitAt(db.nextVersion(), nil); err != nil {
				return 0, 0, fmt.Errorf("storage: append to table log %d: %w", tableID, err)
			}
			txn = db.bdb.NewTransactionAt(readLatest, true)
			err = txn.Set(k, v)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("storage: append to table log %d: %w", tableID, err)
		}
	}
	next := first + uint64(len(rows))
	if err := txn.Set(logEndKey(tableID), binary.BigEndian.AppendUint64(nil, next)); err != nil {
		return 0, 0, fmt.Errorf("storage: append to table log %d: %w", tableID, err)
	}
	if err := txn.CommitAt(db.nextVersion(), nil); err != nil {
		return 0, 0, fmt.Errorf("storage: append to table log %d: %w", tableID, err)
	}
	l.next = next
	l.publish(next)
	return first, next, nil
}

func (l *tableLog) publish(end uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || end == l.end {
		return
	}
	l.end = end
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *tableLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.changed)
	}
}

func (l *tableLog) state() (uint64, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.end, l.changed
}

// TableLogEnd returns the offset the next row appended to table id will
// take: every offset below it is durable and readable.
func (db *DB) TableLogEnd(tableID uint32) (uint64, error) {
	l, err := db.tableLog(tableID)
	if err != nil {
		return 0, err
	}
	end, _ := l.state()
	return end, nil
}

// TableLogNotify returns the current end of table id's log and a channel
// that is closed once the end moves past it (or the DB closes). A follower
// scans up to end, then waits on the channel: no polling, and no append can
// slip between the two.
func (db *DB) TableLogNotify(tableID uint32) (end uint64, changed <-chan struct{}, err error) {
	l, err := db.tableLog(tableID)
	if err != nil {
		return 0, nil, err
	}
	end, changed = l.state()
	return end, changed, nil
}

// WaitTableLog blocks until table id's log end is above after, ctx is done
// or the DB closes.
func (db *DB) WaitTableLog(ctx context.Context, tableID uint32, after uint64) error {
	for {
		end, changed, err := db.TableLogNotify(tableID)
		if err != nil {
			return err
		}
		if end > after {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			if db.closed.Load() {
				return ErrClosed
			}
		}
	}
}

// ScanTableLog calls fn for each row of table id's log from offset from up
// to the end published when the scan starts, and returns the offset after
// the last row passed to fn. fn may return ErrStop to end the scan after
// that row. fn must not keep row (the slice is reused) but may keep its
// datums, which do not alias storage buffers.
func (db *DB) ScanTableLog(tableID uint32, from uint64, fn func(offset uint64, row types.Row) error) (next uint64, err error) {
	l, err := db.tableLog(tableID)
	if err != nil {
		return from, err
	}
	end, _ := l.state()
	if from >= end {
		return from, nil
	}
	txn := db.bdb.NewTransactionAt(readLatest, false)
	defer txn.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = logRowKey(tableID, 0)[:5]
	if n := end - from; n < uint64(iopts.PrefetchSize) {
		iopts.PrefetchSize = int(n)
	}
	it := txn.NewIterator(iopts)
	defer it.Close()
	var row types.Row
	next = from
	for it.Seek(logRowKey(tableID, from)); it.Valid(); it.Next() {
		item := it.Item()
		k := item.Key()
		if len(k) != 13 {
			return next, fmt.Errorf("%w: table log %d key", ErrCorrupt, tableID)
		}
		off := binary.BigEndian.Uint64(k[5:])
		if off >= end {
			break
		}
		if off != next {
			return next, fmt.Errorf("%w: table log %d missing offset %d", ErrCorrupt, tableID, next)
		}
		err := item.Value(func(v []byte) error {
			var err error
			row, err = DecodeRow(v, row)
			return err
		})
		if err != nil {
			return next, fmt.Errorf("storage: table log %d offset %d: %w", tableID, off, err)
		}
		next = off + 1
		if err := fn(off, row); err != nil {
			if errors.Is(err, ErrStop) {
				return next, nil
			}
			return next - 1, err
		}
	}
	if next < end {
		return next, fmt.Errorf("%w: table log %d missing offset %d", ErrCorrupt, tableID, next)
	}
	return next, nil
}

// DropTableLog deletes table id's log. Waiters are woken; the log then
// behaves as a new, empty one.
func (db *DB) DropTableLog(tableID uint32) error {
	l, err := db.tableLog(tableID)
	if err != nil {
		return err
	}
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	if err := db.bdb.DropPrefix(logRowKey(tableID, 0)[:5], logEndKey(tableID)); err != nil {
		return fmt.Errorf("storage: drop table log %d: %w", tableID, err)
	}
	l.next = 0
	l.mu.Lock()
	l.end = 0
	if !l.closed {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	l.mu.Unlock()
	return nil
}
