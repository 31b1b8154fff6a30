package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Checkpoint protocol (one coordinator, many operators):
//
//  1. The coordinator calls BeginCheckpoint(E) with E above every epoch ever
//     begun; the high-water mark is made durable before it returns.
//  2. Each operator, on the checkpoint barrier of E, calls
//     StateTable.Flush(w) for its tables: the dirty entries go to a Badger
//     WriteBatch at version E.
//  3. After every operator has flushed, the coordinator calls
//     w.Commit(manifest): the batch is waited for, then the manifest (the
//     coordinator's source offsets etc.) is committed alone, last.
//
// Several checkpoints may be in flight; they commit in epoch order. If one
// fails, the later ones in flight fail too (their state was written on top
// of it), and BeginCheckpoint refuses to run until Recover has rewritten the
// failed epochs' state writes away. Operators must then be rebuilt from the
// recovered checkpoint: their StateTables hold state that never committed.

var (
	manifestKey = []byte{nsSystem, sysManifst}
	hwmKey      = []byte{nsSystem, sysHWM}
)

// CheckpointStats describes one checkpoint's writes.
type CheckpointStats struct {
	Epoch    uint64
	Tables   int64         // StateTable.Flush calls
	Keys     int64         // state entries written (puts and deletes)
	Bytes    int64         // key and value bytes written
	Duration time.Duration // from BeginCheckpoint to the manifest commit
}

type checkpointState struct {
	mu   sync.Mutex
	cond *sync.Cond
	// hwm is the highest epoch ever begun (durable).
	hwm uint64
	// inflight holds begun, unfinished checkpoints in epoch order.
	inflight []*CheckpointWriter
	// failed is set when a checkpoint fails and cleared by Recover.
	failed   bool
	manifest []byte
	last     CheckpointStats
	// committed is the epoch of the newest complete checkpoint, read
	// without the lock by StateTables.
	committed atomic.Uint64
}

func (s *checkpointState) init() { s.cond = sync.NewCond(&s.mu) }

// CheckpointWriter collects the state writes of one checkpoint epoch. Flush
// may be called concurrently from many operators; Commit or Abort must
// follow exactly once, after every Flush has returned.
type CheckpointWriter struct {
	db      *DB
	epoch   uint64
	wb      *badger.WriteBatch
	start   time.Time
	tables  atomic.Int64
	keys    atomic.Int64
	bytes   atomic.Int64
	aborted bool // guarded by db.ckpt.mu
	done    bool // guarded by db.ckpt.mu
}

// Epoch returns the checkpoint's epoch, the version its state is written at.
func (w *CheckpointWriter) Epoch() uint64 { return w.epoch }

// Stats returns the writes collected so far.
func (w *CheckpointWriter) Stats() CheckpointStats {
	return CheckpointStats{
		Epoch:    w.epoch,
		Tables:   w.tables.Load(),
		Keys:     w.keys.Load(),
		Bytes:    w.bytes.Load(),
		Duration: time.Since(w.start),
	}
}

func (w *CheckpointWriter) set(k, v []byte) error {
	w.keys.Add(1)
	w.bytes.Add(int64(len(k) + len(v)))
	return w.wb.Set(k, v)
}

func (w *CheckpointWriter) delete(k []byte) error {
	w.keys.Add(1)
	w.bytes.Add(int64(len(k)))
	return w.wb.Delete(k)
}

// BeginCheckpoint starts checkpoint epoch, which must be above every epoch
// begun before (EpochHighWater), including before a restart.
func (db *DB) BeginCheckpoint(epoch uint64) (*CheckpointWriter, error) {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case db.closed.Load():
		return nil, ErrClosed
	case s.failed:
		return nil, ErrRecoveryNeeded
	case epoch <= s.hwm:
		return nil, fmt.Errorf("%w: epoch %d, high-water mark %d", ErrEpochNotIncreasing, epoch, s.hwm)
	}
	if err := db.writeHWM(epoch); err != nil {
		return nil, err
	}
	s.hwm = epoch
	w := &CheckpointWriter{db: db, epoch: epoch, wb: db.bdb.NewWriteBatchAt(epoch), start: time.Now()}
	s.inflight = append(s.inflight, w)
	return w, nil
}

// writeHWM durably records that state may exist at versions up to epoch.
func (db *DB) writeHWM(epoch uint64) error {
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer txn.Discard()
	if err := txn.Set(hwmKey, binary.BigEndian.AppendUint64(nil, epoch)); err != nil {
		return fmt.Errorf("storage: epoch high-water mark: %w", err)
	}
	if err := txn.CommitAt(epoch, nil); err != nil {
		return fmt.Errorf("storage: epoch high-water mark: %w", err)
	}
	return nil
}

// Commit makes the checkpoint complete: it waits for earlier checkpoints,
// waits until the state batch is durable, then commits manifest in one
// transaction. manifest is returned by LatestCheckpoint after a restart.
func (w *CheckpointWriter) Commit(manifest []byte) error {
	db, s := w.db, &w.db.ckpt
	s.mu.Lock()
	if w.done {
		s.mu.Unlock()
		return fmt.Errorf("storage: checkpoint %d already finished", w.epoch)
	}
	for !w.aborted && s.inflight[0] != w {
		s.cond.Wait()
	}
	if w.aborted {
		w.finishLocked()
		s.mu.Unlock()
		w.wb.Cancel()
		return fmt.Errorf("%w: epoch %d", ErrCheckpointAborted, w.epoch)
	}
	s.mu.Unlock()

	if err := w.wb.Flush(); err != nil {
		return w.fail(fmt.Errorf("storage: checkpoint %d state batch: %w", w.epoch, err))
	}
	if k := db.opts.Knobs.AfterStateBatchBeforeManifest; k != nil {
		if err := k(w.epoch); err != nil {
			return w.fail(err)
		}
	}
	val := make([]byte, 8, 8+len(manifest))
	binary.BigEndian.PutUint64(val, w.epoch)
	val = append(val, manifest...)
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer txn.Discard()
	if err := txn.Set(manifestKey, val); err != nil {
		return w.fail(fmt.Errorf("storage: checkpoint %d manifest: %w", w.epoch, err))
	}
	if err := txn.CommitAt(w.epoch, nil); err != nil {
		return w.fail(fmt.Errorf("storage: checkpoint %d manifest: %w", w.epoch, err))
	}

	stats := w.Stats()
	s.mu.Lock()
	s.manifest = val[8:]
	s.last = stats
	s.committed.Store(w.epoch)
	w.finishLocked()
	s.mu.Unlock()
	// Versions below the newest complete checkpoint are never read again.
	db.bdb.SetDiscardTs(w.epoch)
	db.log.Debug("checkpoint committed", "epoch", w.epoch, "keys", stats.Keys,
		"bytes", stats.Bytes, "duration", stats.Duration)
	return nil
}

// Abort abandons the checkpoint. Its state writes may be partly in Badger,
// so the DB needs Recover before the next checkpoint.
func (w *CheckpointWriter) Abort() {
	s := &w.db.ckpt
	s.mu.Lock()
	if w.done {
		s.mu.Unlock()
		return
	}
	s.failLocked()
	w.finishLocked()
	s.mu.Unlock()
	w.wb.Cancel()
}

func (w *CheckpointWriter) fail(err error) error {
	s := &w.db.ckpt
	s.mu.Lock()
	s.failLocked()
	w.finishLocked()
	s.mu.Unlock()
	w.wb.Cancel()
	w.db.log.Warn("checkpoint failed", "epoch", w.epoch, "err", err)
	return err
}

// failLocked marks the DB as needing recovery and aborts every checkpoint
// in flight.
func (s *checkpointState) failLocked() {
	s.failed = true
	for _, o := range s.inflight {
		o.aborted = true
	}
	s.cond.Broadcast()
}

func (w *CheckpointWriter) finishLocked() {
	s := &w.db.ckpt
	w.done = true
	s.inflight = slices.DeleteFunc(s.inflight, func(o *CheckpointWriter) bool { return o == w })
	s.cond.Broadcast()
}

// LatestCheckpoint returns the newest complete checkpoint: its epoch (0 when
// none) and manifest. State reads happen at that epoch.
func (db *DB) LatestCheckpoint() (epoch uint64, manifest []byte, err error) {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	if db.closed.Load() {
		return 0, nil, ErrClosed
	}
	return s.committed.Load(), slices.Clone(s.manifest), nil
}

// EpochHighWater returns the highest epoch ever begun; the next checkpoint
// must use a larger one.
func (db *DB) EpochHighWater() uint64 {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwm
}

// LastCheckpointStats returns the statistics of the newest checkpoint
// committed by this process.
func (db *DB) LastCheckpointStats() CheckpointStats {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// Recover rewrites away the state written by failed checkpoints and
// returns the newest complete checkpoint. It is run by Open; call it after
// a failed checkpoint once every other in-flight checkpoint has been
// committed or aborted, and before StateTables are rebuilt.
func (db *DB) Recover() (epoch uint64, manifest []byte, err error) {
	s := &db.ckpt
	s.mu.Lock()
	n := len(s.inflight)
	s.mu.Unlock()
	if n > 0 {
		return 0, nil, fmt.Errorf("storage: recover: %d checkpoints still in flight", n)
	}
	return db.recover()
}

func (db *DB) recover() (uint64, []byte, error) {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	if db.closed.Load() {
		return 0, nil, ErrClosed
	}
	txn := db.bdb.NewTransactionAt(readLatest, false)
	defer txn.Discard()
	var committed, hwm uint64
	var manifest []byte
	if v, ok, err := getSystem(txn, manifestKey); err != nil {
		return 0, nil, err
	} else if ok {
		if len(v) < 8 {
			return 0, nil, fmt.Errorf("%w: checkpoint manifest", ErrCorrupt)
		}
		committed, manifest = binary.BigEndian.Uint64(v), v[8:]
	}
	if v, ok, err := getSystem(txn, hwmKey); err != nil {
		return 0, nil, err
	} else if ok {
		if len(v) != 8 {
			return 0, nil, fmt.Errorf("%w: epoch high-water mark", ErrCorrupt)
		}
		hwm = binary.BigEndian.Uint64(v)
	}
	hwm = max(hwm, committed)
	if hwm > committed {
		r := hwm + 1
		n, err := db.rollBackState(committed, r)
		if err != nil {
			return 0, nil, err
		}
		hwm = r
		db.log.Info("rolled back unfinished checkpoint state", "checkpoint", committed,
			"repair_epoch", r, "keys", n)
	}
	s.hwm = hwm
	s.manifest = manifest
	s.committed.Store(committed)
	s.failed = false
	if committed > 0 {
		db.bdb.SetDiscardTs(committed)
	}
	return committed, slices.Clone(manifest), nil
}

func getSystem(txn *badger.Txn, k []byte) ([]byte, bool, error) {
	item, err := txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("storage: read %q: %w", k, err)
	}
	v, err := item.ValueCopy(nil)
	return v, err == nil, err
}

// rollBackState rewrites every state key whose newest version is above
// committed: at version r, it gets its value as of committed (or is
// deleted). r is made the high-water mark first, so a crash in the middle
// is repaired by the next run.
func (db *DB) rollBackState(committed, r uint64) (int, error) {
	if err := db.writeHWM(r); err != nil {
		return 0, err
	}
	latest := db.bdb.NewTransactionAt(readLatest, false)
	defer latest.Discard()
	atC := db.bdb.NewTransactionAt(committed, false)
	defer atC.Discard()
	iopts := badger.DefaultIteratorOptions
	iopts.Prefix = []byte{nsState}
	iopts.PrefetchValues = false
	iopts.AllVersions = true
	it := latest.NewIterator(iopts)
	defer it.Close()
	wb := db.bdb.NewWriteBatchAt(r)
	defer wb.Cancel()
	var prev []byte
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		// Versions of one key come newest first; only the newest matters.
		if prev != nil && string(item.Key()) == string(prev) {
			continue
		}
		prev = item.KeyCopy(prev[:0])
		if item.Version() <= committed {
			continue
		}
		k := item.KeyCopy(nil)
		old, err := atC.Get(k)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
			err = wb.Delete(k)
		case err != nil:
		default:
			var v []byte
			if v, err = old.ValueCopy(nil); err == nil {
				err = wb.Set(k, v)
			}
		}
		if err != nil {
			return n, fmt.Errorf("storage: roll back state: %w", err)
		}
		n++
	}
	if err := wb.Flush(); err != nil {
		return n, fmt.Errorf("storage: roll back state: %w", err)
	}
	return n, nil
}
