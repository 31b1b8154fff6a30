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
//     begun. The checkpoint gets a fresh Badger version V from the DB's
//     counter, and the pair (E, V) is made durable as the high-water mark
//     before it returns.
//  2. Each operator, on the checkpoint barrier of E, calls
//     StateTable.Flush(w) for its tables: the dirty entries go to a Badger
//     WriteBatch at version V.
//  3. After every operator has flushed, the coordinator calls
//     w.Commit(manifest): the batch is waited for, then the manifest (the
//     coordinator's source offsets etc.) is committed alone, last.
//
// The caller's epoch is only a label: state is versioned by V, taken from
// the same counter as every other write. That keeps the discard timestamp
// (the committed V) moving past the superseded versions of metadata and
// table-log keys too, whatever numbers the coordinator uses for epochs.
//
// Several checkpoints may be in flight; they commit in epoch order. If one
// fails, the later ones in flight fail too (their state was written on top
// of it), and BeginCheckpoint refuses to run until Recover has rewritten the
// failed checkpoints' state writes away. Operators must then be rebuilt from
// the recovered checkpoint: their StateTables hold state that never
// committed.

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

// epochVersion is a checkpoint's caller epoch and Badger version.
type epochVersion struct{ epoch, version uint64 }

func (ev epochVersion) append(b []byte) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, ev.epoch), ev.version)
}

func decodeEpochVersion(b []byte) (epochVersion, []byte, bool) {
	if len(b) < 16 {
		return epochVersion{}, nil, false
	}
	return epochVersion{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}, b[16:], true
}

type checkpointState struct {
	mu   sync.Mutex
	cond *sync.Cond
	// hwm is the highest epoch ever begun and the highest version any
	// checkpoint may have written state at (durable).
	hwm epochVersion
	// inflight holds begun, unfinished checkpoints in epoch order.
	inflight []*CheckpointWriter
	// failed is set when a checkpoint fails and cleared by Recover.
	failed         bool
	committedEpoch uint64
	manifest       []byte
	last           CheckpointStats
	// committed is the version of the newest complete checkpoint, read
	// without the lock by StateTables.
	committed atomic.Uint64
	// voids lists the version ranges of checkpoints that Recover rolled
	// back, read without the lock by StateTables (copy on write): entries
	// a table flushed into such a checkpoint become dirty again, so the
	// next checkpoint writes them (see StateTable.promote).
	voids atomic.Pointer[[]versionRange]
}

// versionRange is the open interval (after, below) of versions.
type versionRange struct{ after, below uint64 }

func (s *checkpointState) isVoid(version uint64) bool {
	p := s.voids.Load()
	if p == nil {
		return false
	}
	for _, r := range *p {
		if version > r.after && version < r.below {
			return true
		}
	}
	return false
}

// maxVoidRanges bounds the void ranges kept. Every live StateTable is
// flushed, and so promoted, by each checkpoint, so a range only matters
// until the next checkpoint commits; a table idle through many aborted
// checkpoints belongs to a job that no longer runs.
const maxVoidRanges = 64

func (s *checkpointState) addVoid(r versionRange) {
	var rs []versionRange
	if p := s.voids.Load(); p != nil {
		rs = append(rs, (*p)...)
	}
	rs = append(rs, r)
	if len(rs) > maxVoidRanges {
		rs = rs[len(rs)-maxVoidRanges:]
	}
	s.voids.Store(&rs)
}

func (s *checkpointState) init() { s.cond = sync.NewCond(&s.mu) }

// CheckpointWriter collects the state writes of one checkpoint. Flush may be
// called concurrently from many operators; Commit or Abort must follow
// exactly once, after every Flush has returned.
type CheckpointWriter struct {
	db      *DB
	epoch   uint64
	version uint64
	wb      *badger.WriteBatch
	start   time.Time
	tables  atomic.Int64
	keys    atomic.Int64
	bytes   atomic.Int64
	aborted bool // guarded by db.ckpt.mu
	done    bool // guarded by db.ckpt.mu
}

// Epoch returns the checkpoint's epoch.
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
	case epoch <= s.hwm.epoch:
		return nil, fmt.Errorf("%w: epoch %d, high-water mark %d", ErrEpochNotIncreasing, epoch, s.hwm.epoch)
	}
	hwm := epochVersion{epoch, db.nextVersion()}
	if err := db.writeHWM(hwm); err != nil {
		return nil, err
	}
	s.hwm = hwm
	w := &CheckpointWriter{db: db, epoch: epoch, version: hwm.version,
		wb: db.bdb.NewWriteBatchAt(hwm.version), start: time.Now()}
	s.inflight = append(s.inflight, w)
	return w, nil
}

// writeHWM durably records that state may exist at versions up to
// hwm.version and that epochs up to hwm.epoch are used.
func (db *DB) writeHWM(hwm epochVersion) error {
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer txn.Discard()
	if err := txn.Set(hwmKey, hwm.append(nil)); err != nil {
		return fmt.Errorf("storage: checkpoint high-water mark: %w", err)
	}
	if err := txn.CommitAt(hwm.version, nil); err != nil {
		return fmt.Errorf("storage: checkpoint high-water mark: %w", err)
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
	val := epochVersion{w.epoch, w.version}.append(make([]byte, 0, 16+len(manifest)))
	val = append(val, manifest...)
	txn := db.bdb.NewTransactionAt(readLatest, true)
	defer txn.Discard()
	if err := txn.Set(manifestKey, val); err != nil {
		return w.fail(fmt.Errorf("storage: checkpoint %d manifest: %w", w.epoch, err))
	}
	if err := txn.CommitAt(w.version, nil); err != nil {
		return w.fail(fmt.Errorf("storage: checkpoint %d manifest: %w", w.epoch, err))
	}

	stats := w.Stats()
	s.mu.Lock()
	s.manifest = val[16:]
	s.last = stats
	s.committedEpoch = w.epoch
	s.committed.Store(w.version)
	w.finishLocked()
	s.mu.Unlock()
	// Versions below the newest complete checkpoint are never read again.
	db.bdb.SetDiscardTs(w.version)
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

// idleDiscardTs lets Badger drop superseded metadata and table-log versions
// while no checkpoint has ever committed (a server without views): with no
// committed state there is no old version anyone reads.
func (db *DB) idleDiscardTs() {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed.Load() == 0 && len(s.inflight) == 0 && !s.failed {
		db.bdb.SetDiscardTs(db.nextTs.Load())
	}
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
	return s.committedEpoch, slices.Clone(s.manifest), nil
}

// EpochHighWater returns the highest epoch ever begun; the next checkpoint
// must use a larger one.
func (db *DB) EpochHighWater() uint64 {
	s := &db.ckpt
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hwm.epoch
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
	var committed, hwm epochVersion
	var manifest []byte
	if v, ok, err := getSystem(txn, manifestKey); err != nil {
		return 0, nil, err
	} else if ok {
		if committed, manifest, ok = decodeEpochVersion(v); !ok {
			return 0, nil, fmt.Errorf("%w: checkpoint manifest", ErrCorrupt)
		}
	}
	if v, ok, err := getSystem(txn, hwmKey); err != nil {
		return 0, nil, err
	} else if ok {
		var rest []byte
		if hwm, rest, ok = decodeEpochVersion(v); !ok || len(rest) != 0 {
			return 0, nil, fmt.Errorf("%w: checkpoint high-water mark", ErrCorrupt)
		}
	}
	if hwm.version > committed.version {
		// A checkpoint began after the committed one and never finished:
		// some of its state may be in Badger.
		hwm.version = db.nextVersion()
		n, err := db.rollBackState(committed.version, hwm)
		if err != nil {
			return 0, nil, err
		}
		// Tables still alive flushed entries into the rolled-back
		// versions; they must write them again.
		s.addVoid(versionRange{after: committed.version, below: hwm.version})
		db.log.Info("rolled back unfinished checkpoint state", "checkpoint", committed.epoch, "keys", n)
	}
	s.hwm = epochVersion{max(hwm.epoch, committed.epoch), max(hwm.version, committed.version)}
	s.committedEpoch = committed.epoch
	s.manifest = manifest
	s.committed.Store(committed.version)
	s.failed = false
	if committed.version > 0 {
		db.bdb.SetDiscardTs(committed.version)
	}
	return committed.epoch, slices.Clone(manifest), nil
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
// committed: at version hwm.version, it gets its value as of committed (or
// is deleted). That version is made the high-water mark first, so a crash
// in the middle is repaired by the next run.
func (db *DB) rollBackState(committed uint64, hwm epochVersion) (int, error) {
	if err := db.writeHWM(hwm); err != nil {
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
	wb := db.bdb.NewWriteBatchAt(hwm.version)
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
